//! Who may see and do what. The server checks these on every request; the UI only reflects them.

use seatwise_types::{Capabilities, Role, User};

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

/// What the console offers this user; each answer comes from the rule that guards the action.
pub fn capabilities(user: &User) -> Capabilities {
    let admin = is_admin(user);
    let edits_pools = pool_write_scope(user) != Scope::Nothing;
    Capabilities {
        create_pools: edits_pools,
        record_contracts: edits_pools,
        edit_catalog: can_edit_catalog(user),
        own_licenses: edits_pools,
        import: admin,
        read_ledger: admin,
        administer: admin,
        edit_people: admin,
        see_money: !user.roles.is_empty(),
    }
}

/// Imports rewrite the directory and the inventory: admins only. `Err` says why.
pub fn may_import(user: &User) -> Result<(), &'static str> {
    if is_admin(user) {
        Ok(())
    } else {
        Err("Only admins import people.")
    }
}

pub fn is_admin(user: &User) -> bool {
    user.has(Role::Admin)
}

/// The people directory is needed to pick owners and seat holders, so every role reads it.
pub fn can_read_people(user: &User) -> bool {
    !user.roles.is_empty()
}

/// Who reads a contract's covered pools. In the app that is the caller's department scope; Seatwise's own messages
/// (alert e-mail, calendar feeds) also reach a pool's owner by address, so a recipient sees the pools they own too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub scope: Scope,
    /// Lower-cased address of a recipient; pools owned by this address are theirs to hear about.
    pub email: Option<String>,
}

impl Reader {
    /// A signed-in caller: their roles' scope (as `pool_read_scope`).
    pub fn user(user: &User) -> Self {
        Reader { scope: pool_read_scope(user), email: None }
    }

    /// Someone Seatwise writes to: their login's current scope if they have one, and the pools they own.
    pub fn recipient(user: Option<&User>, email: &str) -> Self {
        Reader { scope: user.map_or(Scope::Nothing, pool_read_scope), email: Some(email.trim().to_lowercase()) }
    }

    /// Whether this reader sees a pool of `department_id` owned by `owner_email`.
    pub fn sees(&self, department_id: i64, owner_email: Option<&str>) -> bool {
        self.scope.contains(department_id)
            || matches!((&self.email, owner_email), (Some(me), Some(owner)) if owner.trim().eq_ignore_ascii_case(me))
    }
}

/// Whether a reader sees a contract at all: everything-readers do, others through at least one visible pool.
pub fn sees_contract(reader: &Reader, visible_pools: usize) -> bool {
    reader.scope == Scope::All || visible_pools > 0
}

/// The one rule for what of a contract a reader sees: the covered pools `sees` allows, in order, and how many
/// were left out. Every read path (detail, list, calendar, alerts, e-mail, feed) goes through this.
pub fn visible_pools<'a, P>(
    reader: &Reader,
    pools: impl IntoIterator<Item = &'a P>,
    facts: impl Fn(&P) -> (i64, Option<&str>),
) -> (Vec<&'a P>, i64)
where
    P: 'a,
{
    let mut hidden = 0;
    let mut shown = Vec::new();
    for p in pools {
        let (department, owner) = facts(p);
        if reader.sees(department, owner) {
            shown.push(p);
        } else {
            hidden += 1;
        }
    }
    (shown, hidden)
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

    #[test]
    fn readers_see_their_departments_pools_and_recipients_their_own() {
        let owner = user(&[Role::LicenseOwner], &[3]);
        let pools = [(1, 3, None), (2, 5, Some("Ann@Example.com".to_string())), (3, 5, None)];
        fn facts(p: &(i64, i64, Option<String>)) -> (i64, Option<&str>) {
            (p.1, p.2.as_deref())
        }
        let (shown, hidden) = visible_pools(&Reader::user(&owner), &pools, facts);
        assert_eq!((shown.iter().map(|p| p.0).collect::<Vec<_>>(), hidden), (vec![1], 2));
        let (shown, hidden) = visible_pools(&Reader::recipient(Some(&owner), "ann@example.com"), &pools, facts);
        assert_eq!((shown.iter().map(|p| p.0).collect::<Vec<_>>(), hidden), (vec![1, 2], 1));
        let (shown, hidden) = visible_pools(&Reader::recipient(None, "bob@example.com"), &pools, facts);
        assert_eq!((shown.len(), hidden), (0, 3), "no login, no owned pool: nothing");
        let admin = user(&[Role::Admin], &[]);
        assert_eq!(visible_pools(&Reader::user(&admin), &pools, facts).1, 0);
    }
}
