//! Reclamation rules: which seats a policy selects and why, from each holder's usage signal, status and start
//! date. Pure: "now" is a parameter. A seat is selected for one reason, the first that holds in this order:
//! status, never used, inactive.
//!
//! Usage is told apart three ways: no data for this product at all (never a reason to act), data saying the
//! person never signed in, and a last use. Every finding carries when its data was read; data older than the
//! policy allows makes the finding `stale`: reported, never acted on.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{money_totals, Money, PersonStatus};

use crate::domain::pool::per_month;

/// What a policy selects on. Every condition that is set must be met for a reason to count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules {
    /// No use for at least this many days (30, 60, 90).
    pub inactive_days: Option<i64>,
    /// Also select accounts whose data says they never signed in.
    pub never_used: bool,
    /// Days from the start date (or, without one, the day the seat was given) during which a never-used account
    /// keeps its seat: new hires.
    pub grace_days: i64,
    /// Holders with these statuses are selected whatever their usage (terminated, on leave).
    pub statuses: Vec<PersonStatus>,
    /// Only holders in these departments; empty: all.
    pub departments: Vec<i64>,
    /// Never selected (VIPs, say).
    pub exempt_people: Vec<i64>,
    /// Usage data read longer ago than this cannot be acted on.
    pub max_data_age_days: i64,
}

/// What a product's usage data says of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    /// `None`: the source has the account and no sign-in ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the source was read.
    pub read_at: DateTime<Utc>,
    pub source: String,
}

/// A seat and what is known of its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub assignment_id: i64,
    pub person_id: i64,
    pub pool_id: i64,
    pub status: PersonStatus,
    pub department_id: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub assigned_at: DateTime<Utc>,
    /// `None`: no data for this product.
    pub usage: Option<Usage>,
}

/// Why a seat was selected, with the values that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Status(PersonStatus),
    /// The data says no sign-in ever, and the account is past its grace.
    NeverUsed {
        account_age_days: i64,
        grace_days: i64,
    },
    /// No use for `days` (from the last use, or from the day the seat was given if that is later).
    Inactive {
        last_used_at: DateTime<Utc>,
        days: i64,
        threshold_days: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub assignment_id: i64,
    pub person_id: i64,
    pub pool_id: i64,
    pub reason: Reason,
    /// When the usage data behind it was read (none for a status, which needs no usage).
    pub data_read_at: Option<DateTime<Utc>>,
    /// Its data is older than the policy allows: reported, not acted on.
    pub stale: bool,
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days()
}

/// Whether the policy selects this seat, and why.
pub fn evaluate(rules: &Rules, h: &Holder, now: DateTime<Utc>) -> Option<Finding> {
    if rules.exempt_people.contains(&h.person_id) {
        return None;
    }
    if !rules.departments.is_empty() && !h.department_id.is_some_and(|d| rules.departments.contains(&d)) {
        return None;
    }
    let finding = |reason: Reason, data_read_at: Option<DateTime<Utc>>| Finding {
        assignment_id: h.assignment_id,
        person_id: h.person_id,
        pool_id: h.pool_id,
        reason,
        data_read_at,
        stale: data_read_at.is_some_and(|read| days_between(read, now) > rules.max_data_age_days),
    };
    if rules.statuses.contains(&h.status) {
        return Some(finding(Reason::Status(h.status), None));
    }
    // No data for this product: nothing to say about its use.
    let usage = h.usage.as_ref()?;
    match usage.last_used_at {
        None if rules.never_used => {
            let since = h.start_date.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()).unwrap_or(h.assigned_at);
            let account_age_days = days_between(since, now);
            (account_age_days >= rules.grace_days).then(|| {
                finding(Reason::NeverUsed { account_age_days, grace_days: rules.grace_days }, Some(usage.read_at))
            })
        }
        None => None,
        Some(last) => {
            let threshold_days = rules.inactive_days?;
            // A seat given after the last use has not had its chance yet.
            let days = days_between(last.max(h.assigned_at), now);
            (days >= threshold_days)
                .then(|| finding(Reason::Inactive { last_used_at: last, days, threshold_days }, Some(usage.read_at)))
        }
    }
}

/// What freeing (or downgrading) the selected seats saves: monthly and annual, one amount per currency. Each
/// seat's annual saving comes from `annual_saving` (its pool's cost per seat, less the cheaper pool's for a
/// downgrade); seats it has no figure for count nothing.
pub fn saving(findings: &[Finding], annual_saving: impl Fn(&Finding) -> Option<Money>) -> (Vec<Money>, Vec<Money>) {
    let annual: Vec<Money> = findings.iter().filter_map(annual_saving).collect();
    let annual = money_totals(&annual);
    let monthly = annual.iter().map(|m| Money::new(per_month(m.amount_minor), m.currency.clone())).collect();
    (monthly, annual)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn days_ago(n: i64) -> DateTime<Utc> {
        now() - chrono::Duration::days(n)
    }

    /// A holder given the seat 400 days ago, started 400 days ago, with `usage` (days since last use, or
    /// `Some(None)` for never, `None` for no data) read yesterday.
    fn holder(person_id: i64, usage: Option<Option<i64>>) -> Holder {
        Holder {
            assignment_id: person_id * 10,
            person_id,
            pool_id: 1,
            status: PersonStatus::Active,
            department_id: Some(3),
            start_date: Some(days_ago(400).date_naive()),
            assigned_at: days_ago(400),
            usage: usage.map(|last| Usage {
                last_used_at: last.map(days_ago),
                read_at: days_ago(1),
                source: "graph".into(),
            }),
        }
    }

    /// "Downgrade E3 to Exchange Online when there has been no sign-in for 60 days or never."
    fn e3() -> Rules {
        Rules { inactive_days: Some(60), never_used: true, grace_days: 0, max_data_age_days: 7, ..Rules::default() }
    }

    /// "Remove Citrix after 90 days without a sign-in, but an account that never signed in keeps it for its first
    /// 90 days."
    fn citrix() -> Rules {
        Rules { inactive_days: Some(90), never_used: true, grace_days: 90, max_data_age_days: 7, ..Rules::default() }
    }

    fn selected(rules: &Rules, holders: &[Holder]) -> Vec<i64> {
        holders.iter().filter_map(|h| evaluate(rules, h, now())).map(|f| f.person_id).collect()
    }

    fn population() -> Vec<Holder> {
        let mut new_hire = holder(5, Some(None));
        new_hire.start_date = Some(days_ago(20).date_naive());
        new_hire.assigned_at = days_ago(20);
        let mut left = holder(7, Some(Some(1)));
        left.status = PersonStatus::Terminated;
        let mut fresh_seat = holder(8, Some(Some(200)));
        fresh_seat.assigned_at = days_ago(10);
        vec![
            holder(1, Some(Some(10))), // used ten days ago
            holder(2, Some(Some(61))), // 61 days without a sign-in
            holder(3, Some(Some(95))), // 95 days
            holder(4, Some(None)),     // never signed in, account 400 days old
            new_hire,                  // never signed in, started 20 days ago
            holder(6, None),           // no data for this product
            left,                      // terminated, used yesterday
            fresh_seat,                // last use 200 days ago, seat given 10 days ago
        ]
    }

    #[test]
    fn the_e3_downgrade_takes_60_days_idle_or_never_and_leaves_no_data_alone() {
        assert_eq!(selected(&e3(), &population()), [2, 3, 4, 5]);
        let f = evaluate(&e3(), &population()[1], now()).unwrap();
        assert_eq!(f.reason, Reason::Inactive { last_used_at: days_ago(61), days: 61, threshold_days: 60 });
        assert_eq!((f.data_read_at, f.stale), (Some(days_ago(1)), false));
    }

    #[test]
    fn citrix_keeps_never_used_new_hires_for_90_days() {
        assert_eq!(selected(&citrix(), &population()), [3, 4]);
        let old = evaluate(&citrix(), &population()[3], now()).unwrap();
        assert_eq!(old.reason, Reason::NeverUsed { account_age_days: 400, grace_days: 90 });
        // The new hire's grace ends on its 90th day.
        let mut later = population()[4].clone();
        later.start_date = Some(days_ago(90).date_naive());
        assert!(evaluate(&citrix(), &later, now()).is_some());
        later.start_date = Some(days_ago(89).date_naive());
        assert!(evaluate(&citrix(), &later, now()).is_none());
    }

    #[test]
    fn status_exemptions_departments_and_stale_data() {
        let leavers = Rules { statuses: vec![PersonStatus::Terminated], ..e3() };
        let f = evaluate(&leavers, &population()[6], now()).unwrap();
        assert_eq!((f.reason, f.data_read_at), (Reason::Status(PersonStatus::Terminated), None));
        let vip = Rules { exempt_people: vec![2, 4], ..e3() };
        assert_eq!(selected(&vip, &population()), [3, 5]);
        let elsewhere = Rules { departments: vec![9], ..e3() };
        assert_eq!(selected(&elsewhere, &population()), Vec::<i64>::new());
        let mut old_data = population()[1].clone();
        old_data.usage = old_data.usage.map(|u| Usage { read_at: days_ago(30), ..u });
        assert!(evaluate(&e3(), &old_data, now()).unwrap().stale, "reported, not acted on");
    }

    #[test]
    fn the_saving_is_the_sum_of_the_seats_per_currency() {
        let findings: Vec<Finding> = population().iter().filter_map(|h| evaluate(&e3(), h, now())).collect();
        let (monthly, annual) = saving(&findings, |f| {
            Some(if f.person_id == 5 { Money::new(1_000, "EUR") } else { Money::new(3_600, "USD") })
        });
        assert_eq!(annual, vec![Money::new(10_800, "USD"), Money::new(1_000, "EUR")]);
        assert_eq!(monthly, vec![Money::new(900, "USD"), Money::new(83, "EUR")]);
    }
}
