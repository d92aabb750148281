//! Signing in through the organisation's identity provider: what its groups make a user, which person a
//! provider's user is, and why a sign-in is refused (in words the login page shows).

use seatwise_types::{FieldError, GroupRoleMapping, Role};

/// How long a sign-in may take between leaving for the provider and coming back.
pub const LOGIN_MINUTES: i64 = 10;
/// Clocks differ: an ID token counts as unexpired this long after its `exp`.
pub const CLOCK_SKEW_SECONDS: i64 = 60;

/// One row of the mapping admins keep: members of `group` get `role` (a license owner's for `department_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRole {
    pub group: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

/// The roles and owned departments the provider's `groups` give through `mapping` (group names compared without
/// regard to case, as Entra ID, Okta and Keycloak each spell them their own way). Sorted as stored (roles by
/// name), each once.
pub fn roles_from_groups(mapping: &[GroupRole], groups: &[String]) -> (Vec<Role>, Vec<i64>) {
    let member = |g: &str| groups.iter().any(|mine| mine.trim().eq_ignore_ascii_case(g.trim()));
    let mut roles: Vec<Role> = Vec::new();
    let mut departments: Vec<i64> = Vec::new();
    for m in mapping.iter().filter(|m| member(&m.group)) {
        if !roles.contains(&m.role) {
            roles.push(m.role);
        }
        if let (Role::LicenseOwner, Some(d)) = (m.role, m.department_id) {
            departments.push(d);
        }
    }
    roles.sort_by_key(|r| r.as_str());
    departments.sort_unstable();
    departments.dedup();
    (roles, departments)
}

/// The longest group name kept (Entra ID's display names stop at 256).
const MAX_GROUP_CHARS: usize = 256;

/// A mapping as admins send it, checked row by row (each problem under its index): a group name on one line, a
/// license owner's row naming one of `departments` and no other row naming one, no employee rows (everyone the
/// provider signs in is one), no row twice.
pub fn check_mapping(rows: &[GroupRoleMapping], departments: &[i64]) -> Result<Vec<GroupRole>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut checked: Vec<GroupRole> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let group = r.group.trim().to_string();
        if let Some(problem) = crate::domain::limits::line_problem(&group) {
            errors.push(FieldError::new(format!("[{i}].group"), problem));
        } else if group.is_empty() {
            errors.push(FieldError::new(format!("[{i}].group"), "is required"));
        } else if group.chars().count() > MAX_GROUP_CHARS {
            errors
                .push(FieldError::new(format!("[{i}].group"), format!("must be at most {MAX_GROUP_CHARS} characters")));
        }
        match (r.role, r.department_id) {
            (Role::LicenseOwner, None) => errors
                .push(FieldError::new(format!("[{i}].department_id"), "a license owner owns a department: name it")),
            (Role::LicenseOwner, Some(d)) if !departments.contains(&d) => {
                errors.push(FieldError::new(format!("[{i}].department_id"), "no such department"))
            }
            (Role::LicenseOwner, Some(_)) => {}
            (Role::Employee, _) => errors.push(FieldError::new(
                format!("[{i}].role"),
                "everyone signed in through the provider is an employee already: map groups to other roles",
            )),
            (_, Some(_)) => errors
                .push(FieldError::new(format!("[{i}].department_id"), "only a license owner's row names a department")),
            (_, None) => {}
        }
        let row = GroupRole { group, role: r.role, department_id: r.department_id };
        if checked.iter().any(|c| {
            c.group.eq_ignore_ascii_case(&row.group) && c.role == row.role && c.department_id == row.department_id
        }) {
            errors.push(FieldError::new(format!("[{i}]"), "appears twice"));
        }
        checked.push(row);
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

/// What the provider says of the person signing in, after the ID token was verified.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// `issuer|sub`: stable for the user at this provider.
    pub subject: String,
    /// The bare `sub`, which SCIM provisioning from the same provider (Okta) sends as `externalId`.
    pub sub: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub username: Option<String>,
    /// The HR employee id, from the claim configured for it.
    pub employee_id: Option<String>,
    pub groups: Vec<String>,
}

impl Identity {
    /// The e-mail address to match and keep: only one the provider verified.
    pub fn verified_email(&self) -> Option<String> {
        self.email.as_deref().filter(|_| self.email_verified).map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
    }
}

/// Why a sign-in through the provider did not happen. The login page shows the sentence
/// `seatwise_types::sign_in_refusal` gives for its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No sign-in through a provider is configured.
    NotConfigured,
    /// The provider could not be reached or answered nonsense.
    Unavailable,
    /// The callback's state is missing, unknown, used, expired or from another browser.
    State,
    /// The provider said no (the user cancelled, or is not allowed to use Seatwise there).
    Denied,
    /// The code or the ID token did not verify (signature, issuer, audience, expiry, nonce).
    Token,
    /// The provider did not verify the e-mail address the match would rest on.
    EmailUnverified,
    /// No person in the directory is this user.
    NotInDirectory,
    /// The person left, or their account was deactivated.
    Deactivated,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotConfigured => "not_configured",
            Refusal::Unavailable => "unavailable",
            Refusal::State => "state",
            Refusal::Denied => "denied",
            Refusal::Token => "token",
            Refusal::EmailUnverified => "email_unverified",
            Refusal::NotInDirectory => "not_in_directory",
            Refusal::Deactivated => "deactivated",
        }
    }
}

/// A provider's `sub` and issuer as one stored key.
pub fn subject_key(issuer: &str, sub: &str) -> String {
    format!("{}|{sub}", issuer.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, role: Role, department_id: Option<i64>) -> GroupRole {
        GroupRole { group: group.into(), role, department_id }
    }

    #[test]
    fn groups_map_to_roles_without_case_and_owners_to_their_departments() {
        let mapping = [
            row("seatwise-approvers", Role::Approver, None),
            row("Finance", Role::Finance, None),
            row("owners-sales", Role::LicenseOwner, Some(7)),
            row("owners-it", Role::LicenseOwner, Some(3)),
        ];
        let groups = vec!["FINANCE".to_string(), "owners-it".into(), "owners-sales".into(), "other".into()];
        assert_eq!(roles_from_groups(&mapping, &groups), (vec![Role::Finance, Role::LicenseOwner], vec![3, 7]));
        assert_eq!(roles_from_groups(&mapping, &[]), (vec![], vec![]));
    }

    #[test]
    fn only_a_verified_address_counts_and_every_refusal_has_words() {
        let mut who = Identity { email: Some(" Ada@Example.com ".into()), ..Default::default() };
        assert_eq!(who.verified_email(), None);
        who.email_verified = true;
        assert_eq!(who.verified_email().as_deref(), Some("ada@example.com"));
        for r in [
            Refusal::NotConfigured,
            Refusal::Unavailable,
            Refusal::State,
            Refusal::Denied,
            Refusal::Token,
            Refusal::EmailUnverified,
            Refusal::NotInDirectory,
            Refusal::Deactivated,
        ] {
            assert!(seatwise_types::sign_in_refusal(r.code()).is_some(), "{r:?}");
        }
        assert_eq!(seatwise_types::sign_in_refusal("<script>"), None);
        assert_eq!(subject_key("https://idp.example/", "abc"), "https://idp.example|abc");
    }
}
