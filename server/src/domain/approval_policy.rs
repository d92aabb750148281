//! The approval policy: which requests need a finance sign-off after the approver's, how many operations one
//! request may hold, how long an approval stays valid unapplied, and when waiting approvers are reminded.

use chrono::{DateTime, Duration, Utc};
use seatwise_types::{ApprovalPolicy, ChangePreview, FieldError};

/// The largest batch any policy allows.
pub use seatwise_types::limits::MAX_OPERATIONS;
const MAX_DAYS: i64 = 3_650;
const MAX_HOURS: i64 = 24 * 365;

/// The policy as sent, checked: every field that is wrong, named.
pub fn validate(input: &ApprovalPolicy) -> Result<ApprovalPolicy, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut at_least = |path: &str, v: Option<i64>, min: i64, max: i64| {
        if let Some(v) = v.filter(|v| !(min..=max).contains(v)) {
            errors.push(FieldError::new(path, format!("must be from {min} to {max} (it is {v})")));
        }
    };
    at_least("finance_above_seats", input.finance_above_seats, 0, i64::from(i32::MAX));
    at_least("finance_above_annual_minor", input.finance_above_annual_minor, 0, i64::MAX / 4);
    at_least("max_operations", Some(input.max_operations), 1, MAX_OPERATIONS);
    at_least("approval_valid_days", input.approval_valid_days, 1, MAX_DAYS);
    at_least("reminder_hours", input.reminder_hours, 1, MAX_HOURS);
    if errors.is_empty() {
        Ok(input.clone())
    } else {
        Err(errors)
    }
}

/// Whether a request with this effect needs a finance sign-off: more seats changed than the threshold, or an annual
/// cost change (up or down) above it in any one currency.
pub fn needs_finance(policy: &ApprovalPolicy, preview: &ChangePreview) -> bool {
    let seats = policy.finance_above_seats.is_some_and(|max| preview.seats_changed > max);
    let cost = policy.finance_above_annual_minor.is_some_and(|max| {
        preview.annual_cost_change.iter().any(|m| m.amount_minor.unsigned_abs() > max.unsigned_abs())
    });
    seats || cost
}

/// What is wrong with a request's reason for submitting it, if the policy asks for one and it is empty.
pub fn reason_problem(policy: &ApprovalPolicy, reason: &str) -> Option<FieldError> {
    (policy.require_reason && reason.trim().is_empty()).then(|| {
        FieldError::new("reason", "say why this change is needed: the approval policy asks every request for a reason")
    })
}

/// When an approval given at `approved_at` lapses unapplied.
pub fn expires_at(policy: &ApprovalPolicy, approved_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    policy.approval_valid_days.map(|days| approved_at + Duration::days(days))
}

/// Whether approvers of a request waiting since `since` (and last reminded at `reminded`) are due a reminder.
pub fn reminder_due(
    policy: &ApprovalPolicy,
    since: DateTime<Utc>,
    reminded: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    policy.reminder_hours.is_some_and(|hours| now - reminded.unwrap_or(since) >= Duration::hours(hours))
}

#[cfg(test)]
mod tests {
    use seatwise_types::Money;

    use super::*;

    fn policy() -> ApprovalPolicy {
        ApprovalPolicy {
            finance_above_seats: Some(10),
            finance_above_annual_minor: Some(100_000),
            max_operations: 500,
            approval_valid_days: Some(7),
            reminder_hours: Some(24),
            require_reason: true,
            owners_take_back_directly: true,
            version: 1,
        }
    }

    #[test]
    fn finance_signs_off_above_either_threshold_either_way() {
        let p = policy();
        let mut preview = ChangePreview { seats_changed: 10, ..Default::default() };
        assert!(!needs_finance(&p, &preview));
        preview.seats_changed = 11;
        assert!(needs_finance(&p, &preview));
        preview.seats_changed = 0;
        preview.annual_cost_change = vec![Money::new(-100_001, "EUR"), Money::new(5, "USD")];
        assert!(needs_finance(&p, &preview));
        preview.annual_cost_change = vec![Money::new(100_000, "EUR")];
        assert!(!needs_finance(&p, &preview));
        let off = ApprovalPolicy { finance_above_seats: None, finance_above_annual_minor: None, ..p };
        assert!(!needs_finance(&off, &ChangePreview { seats_changed: 1_000_000, ..Default::default() }));
    }

    #[test]
    fn a_policy_out_of_range_names_each_field() {
        let bad =
            ApprovalPolicy { max_operations: 0, approval_valid_days: Some(0), reminder_hours: Some(-1), ..policy() };
        let errors = validate(&bad).err().unwrap_or_default();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["max_operations", "approval_valid_days", "reminder_hours"]);
        assert!(validate(&policy()).is_ok());
    }

    #[test]
    fn reminders_repeat_every_interval() {
        let p = policy();
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        assert!(!reminder_due(&p, t0, None, t0 + Duration::hours(23)));
        assert!(reminder_due(&p, t0, None, t0 + Duration::hours(24)));
        assert!(!reminder_due(&p, t0, Some(t0 + Duration::hours(24)), t0 + Duration::hours(30)));
        assert_eq!(expires_at(&p, t0), Some(t0 + Duration::days(7)));
    }

    #[test]
    fn a_reason_is_asked_for_unless_the_policy_says_otherwise() {
        assert_eq!(reason_problem(&policy(), "  ").map(|e| e.path), Some("reason".to_string()));
        assert_eq!(reason_problem(&policy(), "Contractors left"), None);
        assert_eq!(reason_problem(&ApprovalPolicy { require_reason: false, ..policy() }, ""), None);
    }
}
