//! Renewal rules: term dates, the date that matters, which alert stage is due, contract status, and the checks on
//! contracts and organisation settings. Pure functions of their inputs; "today" is always a parameter.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use seatwise_types::{
    currency_minor_digits, ContractInput, ContractStatus, DateKind, Decision, FieldError, Money, OrgSettings, Urgency,
};

use crate::domain::{limits, pool};

/// The organisation's settings, checked and ready to use.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub tz: Tz,
    /// Most distant first, e.g. [90, 60, 30].
    pub stages: Vec<i64>,
    pub review_months: u32,
    pub daily_run_hour: u32,
    /// The currency finance figures are reported in (a known ISO 4217 code).
    pub reporting_currency: String,
    /// Spare seats right-sizing keeps above measured use, in percent.
    pub right_size_buffer_percent: i64,
}

impl Default for Org {
    fn default() -> Self {
        Self {
            tz: Tz::UTC,
            stages: vec![90, 60, 30],
            review_months: 3,
            daily_run_hour: 6,
            reporting_currency: "USD".into(),
            right_size_buffer_percent: 10,
        }
    }
}

impl Org {
    /// Today in the organisation's time zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// The first moment of `day` in the organisation's time zone (where a clock change skips midnight, the first
    /// hour that exists).
    pub fn start_of(&self, day: NaiveDate) -> Option<DateTime<Utc>> {
        (0..3)
            .filter_map(|hour| day.and_hms_opt(hour, 0, 0))
            .find_map(|local| self.tz.from_local_datetime(&local).earliest())
            .map(|t| t.with_timezone(&Utc))
    }

    /// The daily job runs once the organisation's day has reached the configured hour.
    pub fn daily_job_due(&self, now: DateTime<Utc>) -> bool {
        now.with_timezone(&self.tz).hour() >= self.daily_run_hour
    }

    pub fn to_api(&self) -> OrgSettings {
        OrgSettings {
            timezone: self.tz.name().to_string(),
            alert_stages: self.stages.clone(),
            rolling_review_months: i64::from(self.review_months),
            daily_run_hour: i64::from(self.daily_run_hour),
            reporting_currency: self.reporting_currency.clone(),
            right_size_buffer_percent: self.right_size_buffer_percent,
            // The stored row's version; the service fills it in (the rules do not know it).
            version: 0,
        }
    }
}

/// The most spare seats right-sizing may keep: at 100% it recommends twice the measured use.
pub const MAX_RIGHT_SIZE_BUFFER_PERCENT: i64 = 100;

/// Check settings as sent by an admin; every problem is reported.
pub fn validate_org(input: &OrgSettings) -> Result<Org, Vec<FieldError>> {
    let mut errors = Vec::new();
    let tz = Tz::from_str(input.timezone.trim()).ok();
    if tz.is_none() {
        errors.push(FieldError::new("timezone", "must be an IANA time zone such as Europe/Berlin"));
    }
    let mut stages = input.alert_stages.clone();
    stages.sort_unstable_by(|a, b| b.cmp(a));
    stages.dedup();
    if stages.is_empty() || stages.len() > 8 {
        errors.push(FieldError::new("alert_stages", "must list 1 to 8 stages"));
    }
    if stages.iter().any(|s| !(1..=365).contains(s)) {
        errors.push(FieldError::new("alert_stages", "each stage must be 1 to 365 days"));
    }
    if !(1..=12).contains(&input.rolling_review_months) {
        errors.push(FieldError::new("rolling_review_months", "must be 1 to 12"));
    }
    if !(0..=23).contains(&input.daily_run_hour) {
        errors.push(FieldError::new("daily_run_hour", "must be 0 to 23"));
    }
    let currency = input.reporting_currency.trim().to_ascii_uppercase();
    if seatwise_types::currency_minor_digits(&currency).is_none() {
        errors
            .push(FieldError::new("reporting_currency", "must be a currency code Seatwise knows, such as USD or EUR"));
    }
    if !(0..=MAX_RIGHT_SIZE_BUFFER_PERCENT).contains(&input.right_size_buffer_percent) {
        errors.push(FieldError::new(
            "right_size_buffer_percent",
            format!("must be 0 to {MAX_RIGHT_SIZE_BUFFER_PERCENT} percent"),
        ));
    }
    match tz {
        Some(tz) if errors.is_empty() => Ok(Org {
            tz,
            stages,
            review_months: input.rolling_review_months as u32,
            daily_run_hour: input.daily_run_hour as u32,
            reporting_currency: currency,
            right_size_buffer_percent: input.right_size_buffer_percent,
        }),
        _ => Err(errors),
    }
}

/// Parse the stored stage list ("90,60,30").
pub fn parse_stages(text: &str) -> Vec<i64> {
    let mut stages: Vec<i64> = text.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    stages.sort_unstable_by(|a, b| b.cmp(a));
    stages
}

pub fn format_stages(stages: &[i64]) -> String {
    stages.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn add_days(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64)).unwrap_or(NaiveDate::MAX)
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs())).unwrap_or(NaiveDate::MIN)
    }
}

/// Last day to give notice: the end date minus the notice period.
pub fn cancel_by(end: NaiveDate, notice_days: i64) -> NaiveDate {
    pool::cancel_by(Some(end), Some(notice_days)).unwrap_or(end)
}

/// The date a decision must be made by: cancel-by for auto-renewing contracts (after it the vendor renews),
/// the end date otherwise.
pub fn key_date(auto_renew: bool, end: NaiveDate, notice_days: i64) -> (DateKind, NaiveDate) {
    if auto_renew {
        (DateKind::CancelBy, cancel_by(end, notice_days))
    } else {
        (DateKind::End, end)
    }
}

/// The term length of a rolling subscription, in months.
pub const ROLLING_TERM_MONTHS: i64 = 1;

/// Monthly auto-renewing subscriptions are reviewed periodically rather than alerted every month.
pub fn is_rolling(auto_renew: bool, term_months: i64) -> bool {
    auto_renew && term_months == ROLLING_TERM_MONTHS
}

/// The k-th renewal date counted from the anchor; month ends are clamped per date, so they do not drift.
pub fn renewal_date(anchor: NaiveDate, months: u32, k: u32) -> NaiveDate {
    anchor.checked_add_months(Months::new(months.saturating_mul(k))).unwrap_or(NaiveDate::MAX)
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

/// The term after one ending on `prev_end`: it starts the next day and ends the day before the next renewal date.
/// Closed-form (no search over dates): the renewal date after `start` is the k-th or (k+1)-th from the anchor,
/// where k is the number of whole terms between them. `None` when the anchor, the previous end or the next term
/// lies outside the accepted date range (data stored before the range was enforced), so a caller can never be
/// driven into arithmetic at chrono's limits.
pub fn next_term(anchor: NaiveDate, term_months: i64, prev_end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    if !limits::date_in_range(anchor) || !limits::date_in_range(prev_end) {
        return None;
    }
    let start = prev_end.succ_opt()?;
    let months = term_months.clamp(1, 1200) as u32;
    // Both dates are in range, so this is at most a few thousand and fits a u32.
    let k = u32::try_from((months_between(anchor, start).max(0) / i64::from(months)).max(1)).ok()?;
    let next = [k, k + 1, k + 2].into_iter().map(|k| renewal_date(anchor, months, k)).find(|d| *d > start)?;
    let end = next.pred_opt()?;
    limits::date_in_range(end).then_some((start, end))
}

pub fn urgency(days_left: i64) -> Urgency {
    match days_left {
        d if d < 0 => Urgency::Past,
        0..=30 => Urgency::Critical,
        31..=60 => Urgency::Soon,
        61..=90 => Urgency::Upcoming,
        _ => Urgency::Later,
    }
}

pub fn status(decision: Option<Decision>, end: NaiveDate, today: NaiveDate) -> ContractStatus {
    match decision {
        Some(Decision::Cancel | Decision::LetLapse) if end < today => ContractStatus::Ended,
        Some(Decision::Cancel | Decision::LetLapse) => ContractStatus::Ending,
        None if end < today => ContractStatus::Ended,
        _ => ContractStatus::Active,
    }
}

/// An auto-renewing term that ended without a decision has renewed itself.
pub fn renews_tacitly(auto_renew: bool, decision: Option<Decision>, end: NaiveDate, today: NaiveDate) -> bool {
    auto_renew && decision.is_none() && end < today
}

/// What the daily job knows about a contract's current term.
#[derive(Debug, Clone, PartialEq)]
pub struct TermFacts {
    pub contract_id: i64,
    pub term_id: i64,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub term_months: i64,
    pub anchor: NaiveDate,
    pub end: NaiveDate,
    /// The day the contract was recorded (organisation time): reviews before it are not raised.
    pub created_on: NaiveDate,
    /// The most urgent stage already raised for this term.
    pub last_stage: Option<i64>,
    /// The latest review date already raised for this contract.
    pub last_review: Option<NaiveDate>,
    /// The "missed" alert of this term was raised already.
    pub missed_raised: bool,
}

/// An alert the job should raise. `key` is unique per stage and term, so raising it twice is impossible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAlert {
    pub key: String,
    pub kind: DateKind,
    pub stage_days: Option<i64>,
    pub due_date: NaiveDate,
    /// The cancel-by date passed with no decision while the contract still renews itself.
    pub missed: bool,
}

/// The alert due today for a term, if any. Of several due stages (a contract recorded late, or the server was
/// down) only the most urgent is raised; stages already passed by a raised one are never raised. Once an
/// auto-renewing term's cancel-by date has passed undecided, the "missed" alert is raised once, until it renews.
pub fn due_alert(f: &TermFacts, today: NaiveDate, org: &Org) -> Option<DueAlert> {
    if is_rolling(f.auto_renew, f.term_months) {
        return due_review(f, today, org);
    }
    let (kind, date) = key_date(f.auto_renew, f.end, f.notice_days);
    if today > date {
        return missed_cancel_by(f, kind, date, today);
    }
    let stage = org.stages.iter().copied().filter(|s| add_days(date, -s) <= today).min()?;
    if f.last_stage.is_some_and(|last| last <= stage) {
        return None;
    }
    Some(DueAlert {
        key: format!("term:{}:{}:{}", f.term_id, kind.as_str(), stage),
        kind,
        stage_days: Some(stage),
        due_date: date,
        missed: false,
    })
}

/// A cancel-by date that passed with no decision while the term has not ended yet: it renews itself on the day
/// after its end unless someone acts (negotiate now, or plan the cancellation for the next term).
fn missed_cancel_by(f: &TermFacts, kind: DateKind, date: NaiveDate, today: NaiveDate) -> Option<DueAlert> {
    (kind == DateKind::CancelBy && today <= f.end && !f.missed_raised).then(|| DueAlert {
        key: format!("term:{}:cancel_by:missed", f.term_id),
        kind,
        stage_days: None,
        due_date: date,
        missed: true,
    })
}

fn due_review(f: &TermFacts, today: NaiveDate, org: &Org) -> Option<DueAlert> {
    if !limits::date_in_range(f.anchor) {
        return None;
    }
    let months = org.review_months.max(1);
    let elapsed = u32::try_from(months_between(f.anchor, today).max(0)).unwrap_or(u32::MAX) / months;
    // The latest review date on or before today (the clamp can put the k-th date after today): one of the three
    // candidates around the whole periods elapsed, never a search.
    let date = [elapsed.saturating_add(1), elapsed, elapsed.saturating_sub(1)]
        .into_iter()
        .filter(|k| *k >= 1)
        .map(|k| renewal_date(f.anchor, months, k))
        .find(|d| *d <= today)?;
    if date < f.created_on || f.last_review.is_some_and(|last| last >= date) {
        return None;
    }
    Some(DueAlert {
        key: format!("contract:{}:review:{}", f.contract_id, date),
        kind: DateKind::Review,
        stage_days: None,
        due_date: date,
        missed: false,
    })
}

/// A pool's own contract dates (recorded before contracts existed, or imported), to become a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolTerms {
    pub pool_id: i64,
    pub name: String,
    pub vendor_id: i64,
    pub start: Option<NaiveDate>,
    pub end: NaiveDate,
    pub auto_renew: bool,
    pub notice_days: Option<i64>,
    pub po_number: Option<String>,
}

/// The contract a pool's own dates describe: an annual term ending on its end date (starting the day after the
/// same date a year before, unless a start is recorded), numbered by its order number or, without one, the pool.
pub fn contract_from_pool(p: &PoolTerms) -> ContractValues {
    let start = p
        .start
        .filter(|s| *s <= p.end)
        .unwrap_or_else(|| p.end.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(p.end))
        // A year before an end in early 1900 would fall outside the accepted range.
        .max(crate::domain::limits::MIN_DATE.min(p.end));
    let number = p.po_number.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    ContractValues {
        vendor_id: p.vendor_id,
        number: number.unwrap_or_else(|| format!("POOL-{}", p.pool_id)),
        title: p.name.clone(),
        term_start: start,
        term_end: p.end,
        term_months: 12,
        auto_renew: p.auto_renew,
        notice_days: p.notice_days.unwrap_or(0).clamp(0, 730),
        renewal_price: None,
        vendor_contact: None,
        documents: Vec::new(),
    }
}

/// A contract as entered, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractValues {
    pub vendor_id: i64,
    pub number: String,
    pub title: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub term_months: i64,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub renewal_price: Option<Money>,
    pub vendor_contact: Option<String>,
    pub documents: Vec<String>,
}

fn text(value: &str, max: usize, path: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim().to_string();
    if v.is_empty() || v.chars().count() > max {
        errors.push(FieldError::new(path, format!("must be 1 to {max} characters")));
    }
    limits::check_line(errors, path, Some(&v));
    v
}

/// Checks that need no database; references (vendor, pools, watchers) are checked by the caller.
pub fn validate_contract(input: &ContractInput) -> Result<ContractValues, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = text(&input.number, 100, "number", &mut errors);
    let title = text(&input.title, 200, "title", &mut errors);
    if input.term_start.is_none() {
        errors.push(FieldError::new("term_start", "is required"));
    }
    if input.term_end.is_none() {
        errors.push(FieldError::new("term_end", "is required"));
    }
    limits::check_date(&mut errors, "term_start", input.term_start);
    limits::check_date(&mut errors, "term_end", input.term_end);
    if let (Some(s), Some(e)) = (input.term_start, input.term_end) {
        if e < s {
            errors.push(FieldError::new("term_end", "must be on or after the term start"));
        }
    }
    let term_months = input.term_months.unwrap_or(12);
    if !(1..=120).contains(&term_months) {
        errors.push(FieldError::new("term_months", "must be 1 to 120 months"));
    }
    if !(0..=730).contains(&input.notice_days) {
        errors.push(FieldError::new("notice_days", "must be 0 to 730 days"));
    }
    if let Some(price) = &input.renewal_price {
        limits::check_amount(&mut errors, "renewal_price.amount_minor", price.amount_minor);
        if currency_minor_digits(&price.currency.trim().to_uppercase()).is_none() {
            errors.push(FieldError::new("renewal_price.currency", "must be an ISO 4217 code such as USD"));
        }
    }
    let vendor_contact = input.vendor_contact.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if vendor_contact.as_ref().is_some_and(|c| c.chars().count() > 500) {
        errors.push(FieldError::new("vendor_contact", "must be at most 500 characters"));
    }
    limits::check_text(&mut errors, "vendor_contact", vendor_contact.as_deref());
    let documents: Vec<String> =
        input.documents.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
    if documents.len() > 20 {
        errors.push(FieldError::new("documents", "at most 20 links"));
    }
    for (i, d) in documents.iter().enumerate() {
        // The URL parser drops tabs and line breaks, so check the text as stored.
        let ok = url::Url::parse(d).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
            && d.len() <= 2000
            && limits::line_problem(d).is_none();
        if !ok {
            errors.push(FieldError::new(format!("documents[{i}]"), "must be an http or https link"));
        }
    }
    if input.vendor_id <= 0 {
        errors.push(FieldError::new("vendor_id", "is required"));
    }
    match (input.term_start, input.term_end) {
        (Some(term_start), Some(term_end)) if errors.is_empty() => Ok(ContractValues {
            vendor_id: input.vendor_id,
            number,
            title,
            term_start,
            term_end,
            term_months,
            auto_renew: input.auto_renew,
            notice_days: input.notice_days,
            renewal_price: input
                .renewal_price
                .clone()
                .map(|p| Money::new(p.amount_minor, p.currency.trim().to_uppercase())),
            vendor_contact,
            documents,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).expect("date")
    }

    fn nt(anchor: NaiveDate, months: i64, prev_end: NaiveDate) -> (NaiveDate, NaiveDate) {
        next_term(anchor, months, prev_end).expect("next term")
    }

    #[test]
    fn term_math_is_bounded_by_the_date_range() {
        // Stored before the range was enforced: no next term, and no loop at chrono's limits.
        assert_eq!(next_term(d("2026-01-01"), 12, d("+262142-12-31")), None);
        assert_eq!(next_term(d("2026-01-01"), 12, NaiveDate::MAX), None);
        assert_eq!(next_term(NaiveDate::MIN, 1, d("2026-01-31")), None);
        assert_eq!(next_term(NaiveDate::MAX, 1, NaiveDate::MAX), None);
        // The last term inside the range is fine; one beyond it is refused.
        assert_eq!(next_term(d("2190-01-01"), 120, d("2189-12-31")), Some((d("2190-01-01"), d("2199-12-31"))));
        assert_eq!(next_term(d("2190-01-01"), 120, d("2199-12-31")), None);
        // A term long past renews straight to the one containing the day after it, from the anchor.
        assert_eq!(next_term(d("1900-01-01"), 1, d("2099-12-31")), Some((d("2100-01-01"), d("2100-01-31"))));
        // Reviews from an anchor outside the range are not raised (and are not searched for).
        let f = TermFacts { anchor: NaiveDate::MIN, ..facts(true, 1, "2026-01-31", 0) };
        assert_eq!(due_alert(&f, d("2026-06-01"), &Org::default()), None);
    }

    fn facts(auto_renew: bool, term_months: i64, end: &str, notice: i64) -> TermFacts {
        TermFacts {
            contract_id: 1,
            term_id: 7,
            auto_renew,
            notice_days: notice,
            term_months,
            anchor: d("2026-01-01"),
            end: d(end),
            created_on: d("2026-01-01"),
            last_stage: None,
            last_review: None,
            missed_raised: false,
        }
    }

    #[test]
    fn month_end_anchors_do_not_drift() {
        let anchor = d("2027-01-31");
        let (s1, e1) = nt(anchor, 1, d("2027-01-30"));
        assert_eq!((s1, e1), (d("2027-01-31"), d("2027-02-27")));
        let (s2, e2) = nt(anchor, 1, e1);
        assert_eq!((s2, e2), (d("2027-02-28"), d("2027-03-30")));
        let (s3, e3) = nt(anchor, 1, e2);
        assert_eq!((s3, e3), (d("2027-03-31"), d("2027-04-29")));
        // Leap day anchors come back to the 29th in leap years and the 28th otherwise.
        let leap = d("2028-02-29");
        assert_eq!(nt(leap, 12, d("2029-02-27")), (d("2029-02-28"), d("2030-02-27")));
        assert_eq!(nt(leap, 12, d("2031-02-27")), (d("2031-02-28"), d("2032-02-28")));
    }

    #[test]
    fn annual_terms_follow_on() {
        let anchor = d("2026-01-01");
        assert_eq!(nt(anchor, 12, d("2026-12-31")), (d("2027-01-01"), d("2027-12-31")));
        assert_eq!(nt(anchor, 36, d("2028-12-31")), (d("2029-01-01"), d("2031-12-31")));
    }

    #[test]
    fn cancel_by_is_end_minus_notice() {
        assert_eq!(cancel_by(d("2026-12-31"), 30), d("2026-12-01"));
        assert_eq!(key_date(true, d("2026-12-31"), 30), (DateKind::CancelBy, d("2026-12-01")));
        assert_eq!(key_date(false, d("2026-12-31"), 30), (DateKind::End, d("2026-12-31")));
    }

    #[test]
    fn stages_fire_on_their_day_and_not_before() {
        let org = Org::default();
        let f = facts(true, 12, "2026-12-31", 30); // cancel by 2026-12-01
        assert_eq!(due_alert(&f, d("2026-09-01"), &org), None);
        let a = due_alert(&f, d("2026-09-02"), &org).expect("90-day stage");
        assert_eq!((a.stage_days, a.kind, a.due_date), (Some(90), DateKind::CancelBy, d("2026-12-01")));
        let fired = TermFacts { last_stage: Some(90), ..f.clone() };
        assert_eq!(due_alert(&fired, d("2026-09-03"), &org), None);
        assert_eq!(due_alert(&fired, d("2026-10-02"), &org).and_then(|a| a.stage_days), Some(60));
        let all = TermFacts { last_stage: Some(30), ..f.clone() };
        assert_eq!(due_alert(&all, d("2026-11-30"), &org), None);
        // After the cancel-by date, undecided: the missed alert, once, until the term ends (and renews).
        let missed = due_alert(&all, d("2026-12-02"), &org).expect("missed");
        assert_eq!((missed.missed, missed.kind, missed.stage_days), (true, DateKind::CancelBy, None));
        assert_eq!((missed.key.as_str(), missed.due_date), ("term:7:cancel_by:missed", d("2026-12-01")));
        assert_eq!(due_alert(&f, d("2026-12-31"), &org).map(|a| a.missed), Some(true), "raised even with no stage");
        let raised = TermFacts { missed_raised: true, ..f.clone() };
        assert_eq!(due_alert(&raised, d("2026-12-10"), &org), None, "once");
        assert_eq!(due_alert(&f, d("2027-01-01"), &org), None, "renewed by then");
        // A contract that ends without renewing has no cancel-by to miss.
        let ends = facts(false, 12, "2026-12-31", 30);
        assert_eq!(due_alert(&ends, d("2027-01-01"), &org), None);
    }

    #[test]
    fn late_contracts_raise_only_the_most_urgent_stage() {
        let org = Org::default();
        let f = facts(false, 12, "2026-12-31", 0);
        let a = due_alert(&f, d("2026-12-11"), &org).expect("due");
        assert_eq!(a.stage_days, Some(30));
        assert_eq!(a.key, "term:7:end:30");
    }

    #[test]
    fn rolling_subscriptions_are_reviewed_quarterly() {
        let org = Org::default();
        let f = facts(true, 1, "2026-01-31", 0);
        assert_eq!(due_alert(&f, d("2026-03-31"), &org), None);
        let a = due_alert(&f, d("2026-04-01"), &org).expect("review");
        assert_eq!((a.kind, a.due_date), (DateKind::Review, d("2026-04-01")));
        let reviewed = TermFacts { last_review: Some(d("2026-04-01")), ..f.clone() };
        assert_eq!(due_alert(&reviewed, d("2026-06-30"), &org), None);
        assert_eq!(due_alert(&reviewed, d("2026-07-01"), &org).map(|a| a.due_date), Some(d("2026-07-01")));
        // Recorded in May: the April review is not raised after the fact.
        let late = TermFacts { created_on: d("2026-05-10"), ..f };
        assert_eq!(due_alert(&late, d("2026-05-10"), &org), None);
    }

    #[test]
    fn a_day_starts_at_midnight_in_the_organisation_time_zone() {
        let berlin = Org { tz: Tz::Europe__Berlin, ..Org::default() };
        assert_eq!(
            berlin.start_of(d("2027-01-15")).map(|t| t.to_rfc3339()).as_deref(),
            Some("2027-01-14T23:00:00+00:00")
        );
        assert_eq!(
            berlin.start_of(d("2027-07-15")).map(|t| t.to_rfc3339()).as_deref(),
            Some("2027-07-14T22:00:00+00:00")
        );
        // Santiago's clocks skip from midnight to one in September.
        let santiago = Org { tz: Tz::America__Santiago, ..Org::default() };
        let start = santiago.start_of(d("2026-09-06")).map(|t| t.with_timezone(&Tz::America__Santiago).hour());
        assert_eq!(start, Some(1));
    }

    #[test]
    fn today_follows_the_organisation_time_zone() {
        let org = Org { tz: Tz::Europe__Berlin, ..Org::default() };
        let late_evening_utc = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").expect("ts").to_utc();
        assert_eq!(org.today(late_evening_utc), d("2026-12-01"));
        assert_eq!(Org::default().today(late_evening_utc), d("2026-11-30"));
        let auckland = Org { tz: Tz::Pacific__Auckland, daily_run_hour: 6, ..Org::default() };
        assert!(auckland.daily_job_due(DateTime::parse_from_rfc3339("2026-11-30T18:00:00Z").expect("ts").to_utc()));
    }

    #[test]
    fn pools_own_dates_become_an_annual_contract() {
        let p = PoolTerms {
            pool_id: 9,
            name: "Zoom".into(),
            vendor_id: 2,
            start: None,
            end: d("2027-03-31"),
            auto_renew: true,
            notice_days: Some(60),
            po_number: Some(" ".into()),
        };
        let c = contract_from_pool(&p);
        assert_eq!((c.number.as_str(), c.term_start, c.term_months), ("POOL-9", d("2026-04-01"), 12));
        assert_eq!(cancel_by(c.term_end, c.notice_days), d("2027-01-30"));
        let with_po = PoolTerms { po_number: Some("PO-1".into()), start: Some(d("2026-01-15")), ..p };
        assert_eq!(
            (contract_from_pool(&with_po).number.as_str(), contract_from_pool(&with_po).term_start),
            ("PO-1", d("2026-01-15"))
        );
    }

    #[test]
    fn settings_and_contracts_are_checked() {
        let bad = OrgSettings {
            timezone: "Mars/Olympus".into(),
            alert_stages: vec![0],
            rolling_review_months: 0,
            daily_run_hour: 24,
            reporting_currency: "EURO".into(),
            right_size_buffer_percent: 101,
            version: 0,
        };
        let paths: Vec<String> = validate_org(&bad).expect_err("invalid").into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "timezone",
                "alert_stages",
                "rolling_review_months",
                "daily_run_hour",
                "reporting_currency",
                "right_size_buffer_percent"
            ]
        );
        let good = OrgSettings { reporting_currency: " eur ".into(), right_size_buffer_percent: 0, ..bad };
        let good = OrgSettings {
            timezone: "UTC".into(),
            alert_stages: vec![30],
            rolling_review_months: 1,
            daily_run_hour: 0,
            ..good
        };
        assert_eq!(validate_org(&good).map(|o| o.reporting_currency), Ok("EUR".to_string()));
        let input = ContractInput {
            vendor_id: 1,
            number: " ".into(),
            title: "EA".into(),
            term_start: Some(d("2026-02-01")),
            term_end: Some(d("2026-01-01")),
            documents: vec!["ftp://x".into()],
            ..Default::default()
        };
        let paths: Vec<String> = validate_contract(&input).expect_err("invalid").into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["number", "term_end", "documents[0]"]);
    }
}
