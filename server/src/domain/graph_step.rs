//! What a Microsoft Graph connector does for a seat action, from the user's `licenseAssignmentStates`: a license
//! assigned directly is removed (or added) with `assignLicense`; one a group assigns cannot be removed on the user,
//! so the connector removes the group membership where it may (removal `group`) and otherwise leaves a person a
//! task naming the group. Graph's errors are put in words here too.

/// One license as the user's `licenseAssignmentStates` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseState {
    pub sku_id: String,
    /// The group it comes from; `None` when assigned directly.
    pub assigned_by_group: Option<String>,
}

/// The next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphStep {
    /// Nothing to do: why, in words.
    Done(String),
    /// `POST /users/{id}/assignLicense` with these SKUs added and removed (a downgrade is one call).
    Assign { add: Vec<String>, remove: Vec<String> },
    /// Remove the user from these groups (`DELETE /groups/{id}/members/{user}/$ref`).
    LeaveGroups(Vec<String>),
    /// A person must do it: the groups that assign the license (named later), none when not for groups.
    ByHand { groups: Vec<String> },
}

fn holds(states: &[LicenseState], sku: &str) -> bool {
    states.iter().any(|s| s.sku_id.eq_ignore_ascii_case(sku))
}

/// The step for a seat action: `remove` the SKU (if any) and `add` the SKU (if any) for a user whose licenses are
/// `states` (`None`: no such user). `may_leave_groups`: the connector removes group memberships itself.
pub fn next_step(
    account: &str,
    states: Option<&[LicenseState]>,
    remove: Option<&str>,
    add: Option<&str>,
    may_leave_groups: bool,
) -> GraphStep {
    let Some(states) = states else {
        return match add {
            None => GraphStep::Done(format!("No user {account} in the tenant: nothing to remove.")),
            Some(_) => GraphStep::ByHand { groups: Vec::new() },
        };
    };
    let add: Vec<String> = add.filter(|a| !holds(states, a)).map(str::to_string).into_iter().collect();
    let (mut direct, mut groups) = (false, Vec::new());
    if let Some(sku) = remove {
        for s in states.iter().filter(|s| s.sku_id.eq_ignore_ascii_case(sku)) {
            match &s.assigned_by_group {
                None => direct = true,
                Some(g) => groups.push(g.clone()),
            }
        }
    }
    groups.sort();
    groups.dedup();
    let remove: Vec<String> = remove.filter(|_| direct).map(str::to_string).into_iter().collect();
    // A license only a group gives goes first (a downgrade's new license waits for it, so that a person given
    // the task does both halves, not one).
    if !groups.is_empty() && remove.is_empty() {
        return if may_leave_groups { GraphStep::LeaveGroups(groups) } else { GraphStep::ByHand { groups } };
    }
    if remove.is_empty() && add.is_empty() {
        return GraphStep::Done(format!("{account} holds the licenses as they should be in the tenant."));
    }
    GraphStep::Assign { add, remove }
}

/// Graph's answer to a refused `assignLicense`, in words a license owner acts on.
pub fn error_words(code: &str, message: &str) -> String {
    let m = message.to_lowercase();
    if m.contains("does not have any available licenses") || m.contains("countviolation") {
        return "No license of this SKU is free in the tenant (CountViolation): free one or buy more, then try again."
            .into();
    }
    if m.contains("usage location") {
        return "The user has no valid usage location in Entra ID, which a license needs: set one, then try again."
            .into();
    }
    if m.contains("inherited from a group") {
        return "The license comes from a group membership and cannot be removed on the user.".into();
    }
    if m.contains("mutually exclusive") || m.contains("mutuallyexclusiveviolation") {
        return "The user holds a plan that cannot stand beside this license (MutuallyExclusiveViolation).".into();
    }
    if m.contains("dependency") || m.contains("dependencyviolation") {
        return "This license depends on another the user does not hold (DependencyViolation).".into();
    }
    format!("Microsoft Graph refused it ({code}): {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(sku: &str) -> LicenseState {
        LicenseState { sku_id: sku.into(), assigned_by_group: None }
    }

    fn by_group(sku: &str, g: &str) -> LicenseState {
        LicenseState { sku_id: sku.into(), assigned_by_group: Some(g.into()) }
    }

    #[test]
    fn a_direct_license_is_removed_and_a_downgrade_is_one_call() {
        let a = "ann@x.io";
        let e3 = [direct("E3")];
        assert_eq!(
            next_step(a, Some(&e3), Some("E3"), None, false),
            GraphStep::Assign { add: vec![], remove: vec!["E3".into()] }
        );
        assert_eq!(
            next_step(a, Some(&e3), Some("e3"), Some("EXO1"), false),
            GraphStep::Assign { add: vec!["EXO1".into()], remove: vec!["e3".into()] }
        );
        assert!(matches!(next_step(a, Some(&[]), Some("E3"), None, false), GraphStep::Done(_)));
        assert!(matches!(next_step(a, None, Some("E3"), None, false), GraphStep::Done(_)));
    }

    #[test]
    fn a_group_license_leaves_the_group_or_goes_to_a_person() {
        let states = [by_group("E3", "g1"), by_group("E3", "g2")];
        assert_eq!(
            next_step("a", Some(&states), Some("E3"), None, true),
            GraphStep::LeaveGroups(vec!["g1".into(), "g2".into()])
        );
        assert_eq!(
            next_step("a", Some(&states), Some("E3"), None, false),
            GraphStep::ByHand { groups: vec!["g1".into(), "g2".into()] }
        );
        // Held directly and by a group: the direct one goes now.
        let both = [direct("E3"), by_group("E3", "g1")];
        assert_eq!(
            next_step("a", Some(&both), Some("E3"), None, false),
            GraphStep::Assign { add: vec![], remove: vec!["E3".into()] }
        );
    }

    #[test]
    fn graph_errors_are_put_in_words() {
        let count =
            error_words("Request_BadRequest", "Subscription with SKU 05e9 does not have any available licenses.");
        assert!(count.contains("CountViolation") && count.contains("free one or buy more"), "{count}");
        let loc = error_words(
            "Request_BadRequest",
            "License assignment cannot be done for user with invalid usage location.",
        );
        assert!(loc.contains("usage location"), "{loc}");
    }
}
