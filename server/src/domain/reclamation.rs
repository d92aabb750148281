//! Reclamation rules: which seats a policy selects and why, from each holder's usage signal, status and start
//! date. Pure: "now" is a parameter. A seat is selected for one reason, the first that holds in this order:
//! status, never used, inactive.
//!
//! Usage is told apart three ways: no data for this product at all (never a reason to act), data saying the
//! person never signed in, and a last use. Every finding carries when its data was read; data older than the
//! policy allows makes the finding `stale`: reported, never acted on.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{
    money_totals, BillingPeriod, CaseOrigin, CaseState, FieldError, FindingReason as Reason, Hold, Money, PersonStatus,
    PolicyConditions as Rules, PolicyInput, ReclaimAction,
};

use crate::domain::limits;
use crate::domain::pool::{annual_cost_minor, per_month};

/// What a product's usage data says of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    /// `None`: the source has the account and no sign-in ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the source was read.
    pub read_at: DateTime<Utc>,
    pub source: String,
}

impl Usage {
    /// What several sources say together: the latest use any of them saw (with that source's read time); never
    /// used only when every source says so, as fresh as the oldest of them. No sources: no data.
    pub fn combine(signals: Vec<Usage>) -> Option<Usage> {
        let latest_use = signals.iter().filter(|u| u.last_used_at.is_some()).max_by_key(|u| u.last_used_at).cloned();
        latest_use.or_else(|| signals.into_iter().min_by_key(|u| u.read_at))
    }
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
    /// Marked a VIP by HR or the asset system.
    pub vip: bool,
    /// `None`: no data for this product.
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub assignment_id: i64,
    pub person_id: i64,
    pub pool_id: i64,
    pub reason: Reason,
    /// Which source the usage data behind it came from, and when it was read (none for a status, which needs
    /// no usage).
    pub data_source: Option<String>,
    pub data_read_at: Option<DateTime<Utc>>,
    /// Its data is older than the policy allows: reported, not acted on.
    pub stale: bool,
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days()
}

/// Whether the policy selects this seat, and why.
pub fn evaluate(rules: &Rules, h: &Holder, now: DateTime<Utc>) -> Option<Finding> {
    if rules.exempt_person_ids.contains(&h.person_id) || (rules.exempt_vips && h.vip) {
        return None;
    }
    let in_any = |ids: &[i64]| h.department_id.is_some_and(|d| ids.contains(&d));
    if (!rules.department_ids.is_empty() && !in_any(&rules.department_ids)) || in_any(&rules.exempt_department_ids) {
        return None;
    }
    let finding = |reason: Reason, usage: Option<&Usage>| Finding {
        assignment_id: h.assignment_id,
        person_id: h.person_id,
        pool_id: h.pool_id,
        reason,
        data_source: usage.map(|u| u.source.clone()),
        data_read_at: usage.map(|u| u.read_at),
        stale: usage.is_some_and(|u| days_between(u.read_at, now) > rules.max_data_age_days),
    };
    if rules.statuses.contains(&h.status) {
        return Some(finding(Reason::Status { status: h.status }, None));
    }
    // No data for this product: nothing to say about its use.
    let usage = h.usage.as_ref()?;
    match usage.last_used_at {
        None if rules.never_used => {
            let since = h.start_date.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()).unwrap_or(h.assigned_at);
            let account_age_days = days_between(since, now);
            (account_age_days >= rules.grace_days)
                .then(|| finding(Reason::NeverUsed { account_age_days, grace_days: rules.grace_days }, Some(usage)))
        }
        None => None,
        Some(last) => {
            let threshold_days = rules.inactive_days?;
            // A seat given after the last use has not had its chance yet.
            let days = days_between(last.max(h.assigned_at), now);
            (days >= threshold_days)
                .then(|| finding(Reason::Inactive { last_used_at: last, days, threshold_days }, Some(usage)))
        }
    }
}

/// Which seats a policy passes over without reading them: a seat used after `used_after` (by any source) is never
/// selected for disuse, since the latest use of all sources counts, whatever its holder's start or the seat's
/// date; only a holder's status in `statuses` still selects it. Reading a product's million seats costs most in
/// the rows read, and most seats are in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    /// `None`: any use at all, when the policy has no inactivity limit.
    pub used_after: Option<DateTime<Utc>>,
    pub statuses: Vec<PersonStatus>,
}

pub fn in_use(rules: &Rules, now: DateTime<Utc>) -> InUse {
    let used_after = rules.inactive_days.map(|days| now - chrono::Duration::days(days));
    InUse { used_after, statuses: rules.statuses.clone() }
}

/// Why a case's revocation waits, as stored on the case: `legal hold until 2027-03-31: <reason>` or
/// `blackout hold until lifted: <reason>`.
pub fn hold_text(kind: &str, ends_on: Option<NaiveDate>, reason: &str) -> String {
    match ends_on {
        Some(end) => format!("{kind} hold until {end}: {reason}"),
        None => format!("{kind} hold until lifted: {reason}"),
    }
}

/// A case's hold as a reader who may not know of legal holds sees it: a legal hold is only "On hold until ...",
/// with neither its kind nor its reason; other holds are shown as stored.
pub fn hold_text_for(text: &str, sees_legal_holds: bool) -> String {
    match text.strip_prefix("legal hold until ") {
        Some(rest) if !sees_legal_holds => {
            let until = rest.split_once(": ").map_or(rest, |(until, _)| until);
            format!("On hold until {until}")
        }
        _ => text.to_string(),
    }
}

/// Why revocation of this seat must wait today, if it must: the first hold in force on its holder (legal) or its
/// pool (blackout), as stored on the case.
pub fn hold_on<'a>(
    holds: impl IntoIterator<Item = &'a Hold>,
    person_id: i64,
    pool_id: i64,
    today: NaiveDate,
) -> Option<String> {
    holds
        .into_iter()
        .filter(|h| h.person_id == Some(person_id) || h.pool_id == Some(pool_id))
        .find(|h| hold_in_force(h.starts_on, h.ends_on, h.lifted_at.is_some(), today))
        .map(|h| hold_text(&h.kind, h.ends_on, &h.reason))
}

/// A seat to open a case for, and why (a policy's finding, a termination, its holder giving it back).
#[derive(Debug, Clone)]
pub struct Opening {
    pub pool_id: i64,
    pub person_id: i64,
    pub origin: CaseOrigin,
    /// The policy and version that selected it.
    pub policy: Option<(i64, i64)>,
    pub action: ReclaimAction,
    pub target_pool_id: Option<i64>,
    pub reason: Reason,
    pub event_at: DateTime<Utc>,
    /// Its removal goes through the approval queue.
    pub needs_approval: bool,
}

/// The state a new case starts in, whatever opened it: a campaign's waits for the answer of the person it asks (a
/// hold counts once the seat is to be taken); a notice is ready at once; a hold defers a revocation; a policy that
/// wants an approval waits for the change request its run sends; anything else is revoked at once.
pub fn starting_state(origin: CaseOrigin, action: ReclaimAction, held: bool, needs_approval: bool) -> CaseState {
    if origin == CaseOrigin::Campaign {
        return CaseState::AwaitingUser;
    }
    match (action, held, needs_approval) {
        (ReclaimAction::Notify, _, _) => CaseState::Ready,
        (_, true, _) => CaseState::AwaitingRevocation,
        (_, false, true) => CaseState::AwaitingApproval,
        (_, false, false) => CaseState::Ready,
    }
}

/// Whether a hold from `starts_on` to `ends_on` (inclusive; `None`: until lifted) holds on `today`.
pub fn hold_in_force(starts_on: NaiveDate, ends_on: Option<NaiveDate>, lifted: bool, today: NaiveDate) -> bool {
    !lifted && starts_on <= today && ends_on.is_none_or(|end| today <= end)
}

/// Milliseconds from the event that called for a revocation (a termination) to the seat's removal; never
/// negative (an event dated in the future counts as immediate).
pub fn revoke_ms(event_at: DateTime<Utc>, revoked_at: DateTime<Utc>) -> i64 {
    (revoked_at - event_at).num_milliseconds().max(0)
}

/// Median, 95th percentile (nearest rank) and how many exceed `limit_ms`, of revocation times.
pub fn revoke_stats(mut times: Vec<i64>, limit_ms: i64) -> Option<(i64, i64, i64)> {
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let rank = |p: usize| times[((times.len() * p).div_ceil(100)).max(1) - 1];
    Some((rank(50), rank(95), times.iter().filter(|t| **t > limit_ms).count() as i64))
}

/// What one seat of a pool costs, as its price is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatPrice {
    pub unit_minor: i64,
    pub period: BillingPeriod,
    pub currency: String,
    /// A site licence: its price does not depend on seats.
    pub site: bool,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
}

impl SeatPrice {
    /// A seat's cost per year, as the pool's annual cost counts it (`domain::pool::annual_cost_minor`); a site
    /// licence's seat costs nothing on its own.
    pub fn annual(&self) -> Option<Money> {
        if self.site {
            return None;
        }
        annual_cost_minor(self.unit_minor, self.period, Some(1), self.contract_start, self.contract_end)
            .map(|a| Money::new(a, self.currency.clone()))
    }

    /// How the saving is priced, in words, for the savings log.
    pub fn source(&self, pool_name: &str) -> String {
        let period = match self.period {
            BillingPeriod::Monthly => "per month",
            BillingPeriod::Annual => "per year",
            BillingPeriod::OneTime => "once, spread over the contract",
        };
        let unit = seatwise_types::format_money_plain(&Money::new(self.unit_minor, self.currency.clone()));
        format!("{pool_name}: unit cost {unit} {period}")
    }
}

/// What acting on one seat saves per year: its cost (reclaim, and notify as the saving it points at), or the
/// difference to the cheaper pool (downgrade; nothing when the prices are in different currencies or the target
/// costs as much or more).
pub fn seat_saving(action: ReclaimAction, from: &SeatPrice, to: Option<&SeatPrice>) -> Option<Money> {
    let from = from.annual()?;
    match (action, to) {
        (ReclaimAction::Downgrade, Some(to)) => {
            let to = to.annual().unwrap_or_else(|| Money::new(0, from.currency.clone()));
            (to.currency == from.currency && from.amount_minor > to.amount_minor)
                .then(|| Money::new(from.amount_minor - to.amount_minor, from.currency.clone()))
        }
        (ReclaimAction::Downgrade, None) => None,
        _ => Some(from),
    }
}

/// A policy's problems as field errors: its scope, its action's target and each condition's range.
pub fn validate(input: &PolicyInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    limits::check_line(&mut errors, "name", Some(name));
    match (input.pool_id, input.product_id) {
        (Some(_), Some(_)) => errors.push(FieldError::new("product_id", "give a pool or a product, not both")),
        (None, None) => errors.push(FieldError::new("pool_id", "give the pool (or the product) the policy watches")),
        _ => {}
    }
    match (input.action, input.target_pool_id) {
        (ReclaimAction::Downgrade, None) => {
            errors.push(FieldError::new("target_pool_id", "a downgrade needs the pool it moves holders to"))
        }
        (ReclaimAction::Downgrade, Some(t)) if Some(t) == input.pool_id => {
            errors.push(FieldError::new("target_pool_id", "must be another pool than the one watched"))
        }
        (ReclaimAction::Reclaim | ReclaimAction::Notify, Some(_)) => {
            errors.push(FieldError::new("target_pool_id", "only a downgrade moves holders to another pool"))
        }
        _ => {}
    }
    let c = &input.conditions;
    if let Some(days) = c.inactive_days {
        if !(1..=3650).contains(&days) {
            errors.push(FieldError::new("conditions.inactive_days", "must be 1 to 3650 days"));
        }
    }
    if !(0..=3650).contains(&c.grace_days) {
        errors.push(FieldError::new("conditions.grace_days", "must be 0 to 3650 days"));
    }
    if !(1..=3650).contains(&c.max_data_age_days) {
        errors.push(FieldError::new("conditions.max_data_age_days", "must be 1 to 3650 days"));
    }
    if c.inactive_days.is_none() && !c.never_used && c.statuses.is_empty() {
        errors.push(FieldError::new("conditions", "select on something: days without use, never used, or a status"));
    }
    if c.statuses.contains(&PersonStatus::Active) {
        errors.push(FieldError::new("conditions.statuses", "active holders are selected by their use, not status"));
    }
    for (path, len) in [
        ("conditions.department_ids", c.department_ids.len()),
        ("conditions.exempt_department_ids", c.exempt_department_ids.len()),
        ("conditions.exempt_person_ids", c.exempt_person_ids.len()),
    ] {
        if len > 10_000 {
            errors.push(FieldError::new(path, "at most 10000 entries"));
        }
    }
    limits::check_distinct(&mut errors, "conditions.statuses", &c.statuses);
    limits::check_distinct(&mut errors, "conditions.department_ids", &c.department_ids);
    limits::check_distinct(&mut errors, "conditions.exempt_department_ids", &c.exempt_department_ids);
    limits::check_distinct(&mut errors, "conditions.exempt_person_ids", &c.exempt_person_ids);
    errors
}

/// What freeing (or downgrading) the selected seats saves: monthly and annual, one amount per currency, each the
/// sum of the seats' own amounts (a seat's monthly saving is its annual one over twelve). Each
/// seat's annual saving comes from `annual_saving` (its pool's cost per seat, less the cheaper pool's for a
/// downgrade); seats it has no figure for count nothing.
pub fn saving(findings: &[Finding], annual_saving: impl Fn(&Finding) -> Option<Money>) -> (Vec<Money>, Vec<Money>) {
    let annual: Vec<Money> = findings.iter().filter_map(annual_saving).collect();
    let monthly: Vec<Money> =
        annual.iter().map(|m| Money::new(per_month(m.amount_minor), m.currency.clone())).collect();
    (money_totals(&monthly), money_totals(&annual))
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
            vip: person_id == 5,
            usage: usage.map(|last| Usage {
                last_used_at: last.map(days_ago),
                read_at: days_ago(1),
                source: "graph".into(),
            }),
        }
    }

    fn nothing() -> Rules {
        Rules {
            inactive_days: None,
            never_used: false,
            grace_days: 0,
            statuses: vec![],
            department_ids: vec![],
            exempt_department_ids: vec![],
            exempt_person_ids: vec![],
            exempt_vips: false,
            max_data_age_days: 7,
        }
    }

    /// "Downgrade E3 to Exchange Online when there has been no sign-in for 60 days or never."
    fn e3() -> Rules {
        Rules { inactive_days: Some(60), never_used: true, grace_days: 0, ..nothing() }
    }

    /// "Remove Citrix after 90 days without a sign-in, but an account that never signed in keeps it for its first
    /// 90 days."
    fn citrix() -> Rules {
        Rules { inactive_days: Some(90), never_used: true, grace_days: 90, ..nothing() }
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
    fn a_seat_used_after_the_in_use_time_is_never_selected_but_for_its_holders_status() {
        let second = chrono::Duration::seconds(1);
        let left = Rules { statuses: vec![PersonStatus::Terminated], ..e3() };
        for rules in [e3(), citrix(), nothing(), left.clone(), Rules { never_used: true, ..nothing() }] {
            let cut = in_use(&rules, now());
            let after = cut.used_after.unwrap_or(days_ago(3650));
            for last in [after + second, now(), after - second] {
                for status in [PersonStatus::Active, PersonStatus::Terminated] {
                    // A seat given a year before its last use, to a holder who started then.
                    let h = Holder {
                        status,
                        assigned_at: last - chrono::Duration::days(365),
                        start_date: Some((last - chrono::Duration::days(365)).date_naive()),
                        usage: Some(Usage { last_used_at: Some(last), read_at: now(), source: "graph".into() }),
                        ..holder(1, None)
                    };
                    let passed_over = cut.used_after.is_none_or(|t| last > t) && !cut.statuses.contains(&status);
                    if passed_over {
                        assert_eq!(evaluate(&rules, &h, now()), None, "{rules:?} {last} {status:?}");
                    }
                }
            }
        }
        // Exactly at the limit is still read, and selected.
        let cut = in_use(&e3(), now());
        let usage = Usage { last_used_at: cut.used_after, read_at: now(), source: "graph".into() };
        let h = Holder { usage: Some(usage), ..holder(2, None) };
        assert!(evaluate(&e3(), &h, now()).is_some());
        assert_eq!(in_use(&left, now()).statuses, [PersonStatus::Terminated]);
    }

    #[test]
    fn the_e3_downgrade_takes_60_days_idle_or_never_and_leaves_no_data_alone() {
        assert_eq!(selected(&e3(), &population()), [2, 3, 4, 5]);
        let f = evaluate(&e3(), &population()[1], now()).unwrap();
        assert_eq!(f.reason, Reason::Inactive { last_used_at: days_ago(61), days: 61, threshold_days: 60 });
        assert_eq!((f.data_read_at, f.data_source.as_deref(), f.stale), (Some(days_ago(1)), Some("graph"), false));
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
        assert_eq!((f.reason, f.data_read_at), (Reason::Status { status: PersonStatus::Terminated }, None));
        let vip = Rules { exempt_person_ids: vec![2, 4], ..e3() };
        assert_eq!(selected(&vip, &population()), [3, 5]);
        let marked = Rules { exempt_vips: true, ..e3() };
        assert_eq!(selected(&marked, &population()), [2, 3, 4], "person 5 is marked a VIP");
        assert_eq!(selected(&e3(), &population()), [2, 3, 4, 5], "unless the policy exempts VIPs");
        let elsewhere = Rules { department_ids: vec![9], ..e3() };
        assert_eq!(selected(&elsewhere, &population()), Vec::<i64>::new());
        let exempt = Rules { exempt_department_ids: vec![3], ..e3() };
        assert_eq!(selected(&exempt, &population()), Vec::<i64>::new());
        let mut old_data = population()[1].clone();
        old_data.usage = old_data.usage.map(|u| Usage { read_at: days_ago(30), ..u });
        assert!(evaluate(&e3(), &old_data, now()).unwrap().stale, "reported, not acted on");
    }

    #[test]
    fn sources_together_take_the_latest_use_and_never_only_when_all_say_so() {
        let u = |last: Option<i64>, read: i64, source: &str| Usage {
            last_used_at: last.map(days_ago),
            read_at: days_ago(read),
            source: source.into(),
        };
        assert_eq!(Usage::combine(vec![]), None, "no source: no data");
        let used = Usage::combine(vec![u(None, 1, "okta"), u(Some(70), 3, "entra"), u(Some(90), 1, "csv")]);
        assert_eq!(used, Some(u(Some(70), 3, "entra")));
        let never = Usage::combine(vec![u(None, 1, "okta"), u(None, 5, "entra")]);
        assert_eq!(never, Some(u(None, 5, "entra")), "as fresh as the oldest source");
    }

    fn price(unit_minor: i64, period: BillingPeriod, currency: &str) -> SeatPrice {
        SeatPrice {
            unit_minor,
            period,
            currency: currency.into(),
            site: false,
            contract_start: None,
            contract_end: None,
        }
    }

    #[test]
    fn a_seat_saves_its_yearly_cost_and_a_downgrade_the_difference() {
        let e3 = price(3_600, BillingPeriod::Monthly, "USD");
        let exchange = price(400, BillingPeriod::Monthly, "USD");
        assert_eq!(seat_saving(ReclaimAction::Reclaim, &e3, None), Some(Money::new(43_200, "USD")));
        assert_eq!(seat_saving(ReclaimAction::Downgrade, &e3, Some(&exchange)), Some(Money::new(38_400, "USD")));
        assert_eq!(seat_saving(ReclaimAction::Downgrade, &exchange, Some(&e3)), None, "an upgrade saves nothing");
        let euro = price(400, BillingPeriod::Monthly, "EUR");
        assert_eq!(seat_saving(ReclaimAction::Downgrade, &e3, Some(&euro)), None);
        let site = SeatPrice { site: true, ..e3.clone() };
        assert_eq!(seat_saving(ReclaimAction::Reclaim, &site, None), None);
        assert_eq!(e3.source("E3"), "E3: unit cost 36.00 USD per month");
    }

    #[test]
    fn a_policy_names_its_scope_target_and_something_to_select_on() {
        let ok = PolicyInput {
            name: "E3 idle".into(),
            pool_id: Some(1),
            product_id: None,
            action: ReclaimAction::Downgrade,
            target_pool_id: Some(2),
            conditions: e3(),
            ask_consent: false,
            needs_approval: false,
            enabled: false,
        };
        assert_eq!(validate(&ok), vec![]);
        let paths = |p: PolicyInput| validate(&p).into_iter().map(|e| e.path).collect::<Vec<_>>();
        assert_eq!(paths(PolicyInput { target_pool_id: None, ..ok.clone() }), ["target_pool_id"]);
        assert_eq!(paths(PolicyInput { target_pool_id: Some(1), ..ok.clone() }), ["target_pool_id"]);
        assert_eq!(paths(PolicyInput { product_id: Some(4), ..ok.clone() }), ["product_id"]);
        assert_eq!(paths(PolicyInput { conditions: nothing(), ..ok.clone() }), ["conditions"]);
        let far = Rules { inactive_days: Some(0), grace_days: -1, ..e3() };
        assert_eq!(
            paths(PolicyInput { conditions: far, ..ok.clone() }),
            ["conditions.inactive_days", "conditions.grace_days"]
        );
    }

    #[test]
    fn holds_run_from_their_first_to_their_last_day_unless_lifted() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (start, end) = (d("2026-12-01"), Some(d("2026-12-31")));
        let legal = hold_text("legal", Some(d("2027-03-31")), "Litigation hold: Acme v. Us");
        assert_eq!(hold_text_for(&legal, false), "On hold until 2027-03-31");
        assert_eq!(hold_text_for(&legal, true), legal);
        assert_eq!(hold_text_for(&hold_text("legal", None, "x"), false), "On hold until lifted");
        let blackout = hold_text("blackout", None, "Quarter end");
        assert_eq!(hold_text_for(&blackout, false), blackout);
        assert!(!hold_in_force(start, end, false, d("2026-11-30")));
        assert!(hold_in_force(start, end, false, d("2026-12-01")));
        assert!(hold_in_force(start, end, false, d("2026-12-31")));
        assert!(!hold_in_force(start, end, false, d("2027-01-01")));
        assert!(hold_in_force(start, None, false, d("2030-01-01")));
        assert!(!hold_in_force(start, None, true, d("2026-12-02")));
    }

    #[test]
    fn time_to_revoke_takes_median_p95_and_breaches() {
        assert_eq!(revoke_stats(vec![], 10), None);
        let times: Vec<i64> = (1..=20).collect();
        assert_eq!(revoke_stats(times, 18), Some((10, 19, 2)));
        assert_eq!(revoke_ms(now(), now() - chrono::Duration::hours(1)), 0);
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

    #[test]
    fn a_new_case_starts_held_waiting_or_ready_and_the_first_hold_in_force_says_why() {
        use ReclaimAction::{Downgrade, Notify, Reclaim};
        assert_eq!(starting_state(CaseOrigin::Policy, Notify, true, true), CaseState::Ready);
        assert_eq!(starting_state(CaseOrigin::Policy, Reclaim, true, true), CaseState::AwaitingRevocation);
        assert_eq!(starting_state(CaseOrigin::Policy, Downgrade, false, true), CaseState::AwaitingApproval);
        assert_eq!(starting_state(CaseOrigin::Policy, Reclaim, false, false), CaseState::Ready);
        assert_eq!(starting_state(CaseOrigin::Campaign, Reclaim, true, false), CaseState::AwaitingUser);
        let today = now().date_naive();
        let hold = |kind: &str, person_id, pool_id, ends_in: Option<i64>, lifted: bool| Hold {
            id: 1,
            kind: kind.into(),
            person_id,
            pool_id,
            subject: String::new(),
            reason: "Litigation".into(),
            starts_on: today - chrono::Duration::days(3),
            ends_on: ends_in.map(|d| today + chrono::Duration::days(d)),
            lifted_at: lifted.then(now),
            created_at: now(),
            created_by: "admin".into(),
            active: !lifted,
        };
        let holds = [
            hold("legal", Some(7), None, Some(-1), false),
            hold("legal", Some(7), None, None, true),
            hold("blackout", None, Some(2), Some(5), false),
        ];
        assert_eq!(hold_on(&holds, 7, 1, today), None, "ended and lifted holds hold nothing");
        let held = hold_on(&holds, 7, 2, today).unwrap();
        assert!(held.starts_with("blackout hold until") && held.ends_with(": Litigation"), "{held}");
    }
}
