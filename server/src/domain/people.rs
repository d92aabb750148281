//! What follows from a person's status, and what a seat costs its holder.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{BillingPeriod, PersonStatus};

use crate::domain::pool::annual_cost_minor;

/// Why seats get marked when their holder leaves.
pub const TERMINATION_REASON: &str = "holder terminated";

/// The consequence of a status change, decided in one place for the UI, HR imports and SCIM alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Mark every seat the person holds for reclamation.
    pub mark_seats: bool,
    /// The stored termination time after the change.
    pub terminated_at: Option<DateTime<Utc>>,
}

/// `event_at` is when the change happened in the source system (HR effective time, SCIM request time).
pub fn transition(
    before: PersonStatus,
    after: PersonStatus,
    terminated_at: Option<DateTime<Utc>>,
    event_at: DateTime<Utc>,
) -> Transition {
    match (before, after) {
        (PersonStatus::Terminated, PersonStatus::Terminated) => Transition { mark_seats: false, terminated_at },
        (_, PersonStatus::Terminated) => Transition { mark_seats: true, terminated_at: Some(event_at) },
        // Rehired or reactivated: no longer terminated.
        (_, _) => Transition { mark_seats: false, terminated_at: None },
    }
}

/// What one seat costs per year and per month (rounded), from its pool's unit price.
pub fn seat_cost_minor(
    unit_minor: i64,
    period: BillingPeriod,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> (i64, i64) {
    // Validation keeps stored costs far below i64::MAX; a value stored before that bound shows as the largest
    // amount rather than overflowing.
    let annual = annual_cost_minor(unit_minor, period, Some(1), start, end).unwrap_or(i64::MAX);
    let monthly = match period {
        BillingPeriod::Monthly => unit_minor,
        _ => ((i128::from(annual) * 2 + 12) / 24) as i64,
    };
    (monthly, annual)
}

/// The address Seatwise gives a person a file names by employee id only: in the reserved `.invalid` domain
/// (RFC 2606), so it is unique and never reaches anyone.
pub fn employee_placeholder_email(employee_id: &str) -> String {
    format!("{}@hr.invalid", employee_id.to_lowercase())
}

/// The address for a person a file names by user name only (Snipe-IT users without an e-mail).
pub fn username_placeholder_email(username: &str) -> String {
    format!("{}@username.invalid", username.to_lowercase())
}

/// Whether an address is one Seatwise made up (said once, in the shapes the console shares).
pub use seatwise_types::is_placeholder_email;

/// The userName SCIM shows: the address, unless it is made up and the person has a user name.
pub fn scim_user_name<'a>(email: &'a str, username: Option<&'a str>) -> &'a str {
    match username {
        Some(u) if is_placeholder_email(email) => u,
        _ => email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn terminating_marks_seats_once() {
        let t = transition(PersonStatus::Active, PersonStatus::Terminated, None, at(9));
        assert_eq!(t, Transition { mark_seats: true, terminated_at: Some(at(9)) });
        let again = transition(PersonStatus::Terminated, PersonStatus::Terminated, Some(at(9)), at(10));
        assert_eq!(again, Transition { mark_seats: false, terminated_at: Some(at(9)) });
        let leave = transition(PersonStatus::Active, PersonStatus::OnLeave, None, at(9));
        assert!(!leave.mark_seats);
        let rehired = transition(PersonStatus::Terminated, PersonStatus::Active, Some(at(9)), at(10));
        assert_eq!(rehired.terminated_at, None);
    }

    #[test]
    fn seat_costs() {
        assert_eq!(seat_cost_minor(3600, BillingPeriod::Monthly, None, None), (3600, 43_200));
        assert_eq!(seat_cost_minor(77_900, BillingPeriod::Annual, None, None), (6_492, 77_900));
    }
}
