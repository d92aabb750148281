//! Who may see and do what. The server checks these on every request; the UI only reflects them.

use seatwise_types::{Role, User};

/// Which departments' pools a user may see: `All`, some, or none at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Departments(Vec<i64>),
    Nothing,
}

impl Scope {
    pub fn contains(&self, department_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Departments(d) => d.contains(&department_id),
            Scope::Nothing => false,
        }
    }

    /// The department filter for storage queries (`None` = no filter).
    pub fn as_filter(&self) -> Option<Vec<i64>> {
        match self {
            Scope::All => None,
            Scope::Departments(d) => Some(d.clone()),
            Scope::Nothing => Some(Vec::new()),
        }
    }
}

/// Admin, finance and approvers read every pool; license owners read their departments'.
pub fn pool_read_scope(user: &User) -> Scope {
    if user.has(Role::Admin) || user.has(Role::Finance) || user.has(Role::Approver) {
        Scope::All
    } else if user.has(Role::LicenseOwner) {
        Scope::Departments(user.department_ids.clone())
    } else {
        Scope::Nothing
    }
}

/// Admins edit every pool; license owners edit their departments'. Finance and approvers never edit.
pub fn pool_write_scope(user: &User) -> Scope {
    if user.has(Role::Admin) {
        Scope::All
    } else if user.has(Role::LicenseOwner) {
        Scope::Departments(user.department_ids.clone())
    } else {
        Scope::Nothing
    }
}

/// Vendors and products are shared reference data: admins and license owners add them.
pub fn can_edit_catalog(user: &User) -> bool {
    user.has(Role::Admin) || user.has(Role::LicenseOwner)
}

/// Contracts follow their pools: readable where a covered pool is (`pool_read_scope`), editable by admins and by
/// license owners whose departments hold every covered pool.
pub fn can_edit_contract(user: &User, departments: &[i64]) -> bool {
    if user.has(Role::Admin) {
        return true;
    }
    let scope = pool_write_scope(user);
    !departments.is_empty() && departments.iter().all(|d| scope.contains(*d))
}

pub fn is_admin(user: &User) -> bool {
    user.has(Role::Admin)
}

/// The people directory is needed to pick owners and seat holders, so every role reads it.
pub fn can_read_people(user: &User) -> bool {
    !user.roles.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], depts: &[i64]) -> User {
        User {
            id: 1,
            email: "a@b".into(),
            name: "A".into(),
            roles: roles.to_vec(),
            department_ids: depts.to_vec(),
            version: 1,
        }
    }

    #[test]
    fn owners_are_scoped_to_their_departments() {
        let owner = user(&[Role::LicenseOwner], &[3, 4]);
        assert_eq!(pool_read_scope(&owner), Scope::Departments(vec![3, 4]));
        assert!(pool_write_scope(&owner).contains(3));
        assert!(!pool_write_scope(&owner).contains(5));
    }

    #[test]
    fn finance_reads_everything_and_edits_nothing() {
        let finance = user(&[Role::Finance], &[]);
        assert_eq!(pool_read_scope(&finance), Scope::All);
        assert_eq!(pool_write_scope(&finance), Scope::Nothing);
        assert!(!can_edit_catalog(&finance));
    }

    #[test]
    fn contracts_are_edited_by_owners_of_every_covered_pool() {
        let owner = user(&[Role::LicenseOwner], &[3, 4]);
        assert!(can_edit_contract(&owner, &[3, 4]));
        assert!(!can_edit_contract(&owner, &[3, 5]));
        assert!(!can_edit_contract(&owner, &[]));
        assert!(can_edit_contract(&user(&[Role::Admin], &[]), &[]));
        assert!(!can_edit_contract(&user(&[Role::Finance], &[]), &[3]));
    }

    #[test]
    fn no_roles_no_access() {
        let nobody = user(&[], &[]);
        assert_eq!(pool_read_scope(&nobody), Scope::Nothing);
        assert_eq!(Scope::Nothing.as_filter(), Some(vec![]));
        assert!(!can_read_people(&nobody));
    }
}
