//! A change request's life as pure rules, read from its stored state, the approval policy, the actor's part and
//! the time: whose sign-off it waits for, what a sign-off moves it to and until when an approval holds, when its
//! execution window opens or was missed, and what an edit undoes. The services store and announce what these
//! decide; the SQL that claims due runs follows `window_missed`.

use chrono::{DateTime, Utc};
use seatwise_types::{ApprovalPolicy, ChangeStatus, FieldError, WaitingFor};

use crate::domain::approval_policy;

/// Whose sign-off a request waits for: submitted and undecided, the approver's; approved by them and above the
/// policy's thresholds, finance's.
pub fn waiting_for(status: ChangeStatus, decided: bool, needs_finance: bool) -> Option<WaitingFor> {
    match (status, decided, needs_finance) {
        (ChangeStatus::Submitted, false, _) => Some(WaitingFor::Approver),
        (ChangeStatus::Submitted, true, true) => Some(WaitingFor::Finance),
        _ => None,
    }
}

/// What a sign-off does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Its next status: still submitted while finance's sign-off follows the approver's.
    pub to: ChangeStatus,
    /// Finance signs off next.
    pub finance_next: bool,
    /// Until when the approval holds (approved only; `None`: the policy sets no limit).
    pub expires_at: Option<DateTime<Utc>>,
    /// The ledger's name for the step.
    pub action: &'static str,
}

/// A sign-off given `now` by the one the request waits for: rejected whoever rejects; approved by the approver,
/// finance's turn when the request needs it; approved by finance, approved. An approval holds for the policy's
/// days from its execution window, or from now when that has come.
pub fn decide(
    waiting: WaitingFor,
    approve: bool,
    needs_finance: bool,
    policy: &ApprovalPolicy,
    execute_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Decision {
    let finance_next = approve && waiting == WaitingFor::Approver && needs_finance;
    let to = match (approve, finance_next) {
        (false, _) => ChangeStatus::Rejected,
        (true, true) => ChangeStatus::Submitted,
        (true, false) => ChangeStatus::Approved,
    };
    let expires_at = (to == ChangeStatus::Approved)
        .then(|| approval_policy::expires_at(policy, execute_at.map_or(now, |at| at.max(now))))
        .flatten();
    let action = match (approve, waiting) {
        (true, WaitingFor::Approver) => "change_request.approve",
        (true, WaitingFor::Finance) => "change_request.finance_approve",
        (false, _) => "change_request.reject",
    };
    Decision { to, finance_next, expires_at, action }
}

/// An edit to a request in `status`: whether it goes back to a draft (a submitted or approved request changed is
/// submitted and approved anew; a draft stays one).
pub fn edit_reopens(status: ChangeStatus) -> bool {
    status != ChangeStatus::Draft
}

/// The execution window as given: a time still to come (a request cannot be scheduled into the past).
pub fn check_execute_at(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<FieldError> {
    at.filter(|at| *at <= now).map(|_| FieldError::new("execute_at", "must be a time still to come"))
}

/// Whether a request with this execution window may be applied at `now`: not before its time.
pub fn window_open(execute_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    execute_at.is_none_or(|at| at <= now)
}

/// Whether a scheduled request was approved after its time had come: the server does not run it late by itself
/// (a person applies it, or sets a new window). `db::change_requests::upkeep::due_runs` claims by the same rule in
/// SQL.
pub fn window_missed(execute_at: Option<DateTime<Utc>>, approved_at: Option<DateTime<Utc>>) -> bool {
    matches!((execute_at, approved_at), (Some(at), Some(approved)) if approved > at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-01T{hour:02}:00:00Z")).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn an_execution_window_is_in_the_future_and_opens_at_its_time() {
        let (now, later) = (at(10), at(12));
        assert_eq!(check_execute_at(None, now), None);
        assert_eq!(check_execute_at(Some(later), now), None);
        assert_eq!(check_execute_at(Some(now), now).map(|e| e.path), Some("execute_at".to_string()));
        assert!(window_open(None, now));
        assert!(!window_open(Some(later), now));
        assert!(window_open(Some(later), later));
        assert!(window_missed(Some(now), Some(later)) && !window_missed(Some(later), Some(now)));
        assert!(!window_missed(None, Some(later)));
    }

    #[test]
    fn a_sign_off_moves_the_request_on_and_an_approval_holds_from_its_window() {
        let policy = ApprovalPolicy { approval_valid_days: Some(7), ..ApprovalPolicy::default() };
        assert_eq!(waiting_for(ChangeStatus::Submitted, false, true), Some(WaitingFor::Approver));
        assert_eq!(waiting_for(ChangeStatus::Submitted, true, true), Some(WaitingFor::Finance));
        assert_eq!(waiting_for(ChangeStatus::Approved, true, false), None);
        let d = decide(WaitingFor::Approver, true, true, &policy, None, at(9));
        assert_eq!((d.to, d.finance_next, d.expires_at), (ChangeStatus::Submitted, true, None));
        let d = decide(WaitingFor::Finance, true, true, &policy, Some(at(15)), at(9));
        assert_eq!((d.to, d.action), (ChangeStatus::Approved, "change_request.finance_approve"));
        assert_eq!(d.expires_at, Some(at(15) + chrono::Duration::days(7)));
        let d = decide(WaitingFor::Approver, false, false, &policy, None, at(9));
        assert_eq!((d.to, d.expires_at, d.action), (ChangeStatus::Rejected, None, "change_request.reject"));
        assert!(edit_reopens(ChangeStatus::Approved) && !edit_reopens(ChangeStatus::Draft));
    }
}
