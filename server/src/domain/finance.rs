//! Finance figures, each defined once: spend, seat fill, utilization, waste, license position, right-sizing and
//! how a pool's month is charged back. Amounts here are in the pool's own currency; `fx` converts them, once per
//! pool figure, and sums add converted figures (so a total is the sum of the rows shown beside it).

use chrono::{Datelike, NaiveDate};
use seatwise_types::BillingPeriod;

use crate::domain::pool::{annual_cost_minor, per_month};

/// A use this recent makes a seat active.
pub const ACTIVE_DAYS: i64 = 30;
/// The renewal pipeline's windows, in days from today.
pub const PIPELINE_DAYS: [i64; 3] = [30, 60, 90];
/// Utilization bands of the distribution chart: lower bounds in percent (the last band includes 100).
pub const UTILIZATION_BANDS: [i64; 4] = [0, 25, 50, 75];

/// What is known of one pool, from its row and its seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFacts {
    pub id: i64,
    pub name: String,
    pub vendor_id: i64,
    pub product_id: i64,
    pub cost_centre_id: i64,
    pub department_id: i64,
    /// `None`: a site licence (no seat count).
    pub seats_purchased: Option<i64>,
    pub unit_cost_minor: i64,
    pub currency: String,
    pub billing_period: BillingPeriod,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
    pub cancel_by: Option<NaiveDate>,
    pub annual_cost_minor: i64,
    /// Seats held, by people and devices.
    pub held: i64,
    /// Seats held by terminated people.
    pub terminated: i64,
    /// Seats of people not terminated whose use a source reports (used or not).
    pub known: i64,
    /// Of those, seats used within [`ACTIVE_DAYS`].
    pub active: i64,
}

/// Where a pool stands: more seats than held, more held than bought, or even.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    OverLicensed,
    UnderLicensed,
    Balanced,
    /// A site licence: no seat count to compare.
    Unlimited,
}

impl PoolFacts {
    /// What one seat costs per year (`None` for a site licence, whose seats cost nothing on their own).
    pub fn seat_annual_minor(&self) -> Option<i64> {
        self.seats_purchased?;
        annual_cost_minor(self.unit_cost_minor, self.billing_period, Some(1), self.contract_start, self.contract_end)
    }

    /// The annual spend: unit cost × seats purchased by billing period (one-time purchases spread over the term).
    pub fn annual_spend_minor(&self) -> i64 {
        self.annual_cost_minor
    }

    /// Seats purchased and not held.
    pub fn unassigned(&self) -> i64 {
        self.seats_purchased.map_or(0, |p| (p - self.held).max(0))
    }

    /// Held seats that go unused: held by terminated people, or by people whose known use is older than
    /// [`ACTIVE_DAYS`]. A seat nothing reports on is never counted here.
    pub fn idle(&self) -> i64 {
        self.terminated + (self.known - self.active).max(0)
    }

    /// Held seats without usage data (devices included).
    pub fn without_usage(&self) -> i64 {
        (self.held - self.terminated - self.known).max(0)
    }

    /// Seats paid for and not used: unassigned plus idle, at most the seats purchased.
    pub fn waste_seats(&self) -> i64 {
        self.seats_purchased.map_or(0, |p| (self.unassigned() + self.idle()).min(p))
    }

    /// Waste per year: waste seats × a seat's annual cost.
    pub fn waste_annual_minor(&self) -> i64 {
        self.seat_annual_minor().map_or(0, |seat| seat.saturating_mul(self.waste_seats()))
    }

    /// Seats held beyond those purchased (a pool that allows overage owes them at true-up).
    pub fn shortfall(&self) -> i64 {
        self.seats_purchased.map_or(0, |p| (self.held - p).max(0))
    }

    /// What the shortfall costs for a year.
    pub fn true_up_annual_minor(&self) -> i64 {
        self.seat_annual_minor().map_or(0, |seat| seat.saturating_mul(self.shortfall()))
    }

    pub fn position(&self) -> Position {
        match self.seats_purchased {
            None => Position::Unlimited,
            Some(p) if self.held > p => Position::UnderLicensed,
            Some(p) if self.held < p => Position::OverLicensed,
            Some(_) => Position::Balanced,
        }
    }

    /// Seat fill: held ÷ purchased, in percent (rounded down); `None` without a seat count or with none bought.
    pub fn fill_percent(&self) -> Option<i64> {
        self.seats_purchased.filter(|p| *p > 0).map(|p| self.held * 100 / p)
    }

    /// Utilization: active ÷ seats whose use is known, in percent (rounded down); `None` when none is known.
    pub fn utilization_percent(&self) -> Option<i64> {
        utilization_percent(self.active, self.known)
    }

    /// The seat count to renew at: active seats and those nothing reports on (never assumed unused), plus the
    /// organisation's buffer (`buffer_percent`) rounded up; never more than held or purchased now. `None` for a site
    /// licence.
    pub fn right_size(&self, buffer_percent: i64) -> Option<i64> {
        let purchased = self.seats_purchased?;
        let used = self.active + self.without_usage();
        // Rounded up (both are non-negative).
        let with_buffer = (used.saturating_mul(100 + buffer_percent.max(0)) + 99) / 100;
        Some(with_buffer.min(purchased.max(self.held)))
    }

    /// What renewing at [`Self::right_size`] saves per year (0 when it is no fewer than purchased).
    pub fn right_size_saving_minor(&self, buffer_percent: i64) -> i64 {
        match (self.right_size(buffer_percent), self.seats_purchased, self.seat_annual_minor()) {
            (Some(to), Some(p), Some(seat)) if to < p => seat.saturating_mul(p - to),
            _ => 0,
        }
    }

    /// The pool's cost for one month: a twelfth of its annual spend, rounded half away from zero.
    pub fn monthly_minor(&self) -> i64 {
        per_month(self.annual_cost_minor)
    }

    /// What its current contract term commits to: a one-time purchase as bought; otherwise the annual spend for
    /// the term's days (start to end inclusive) ÷ 365, rounded half up; a year's spend without term dates.
    pub fn committed_minor(&self) -> i64 {
        let once = || self.unit_cost_minor.saturating_mul(self.seats_purchased.unwrap_or(1));
        match (self.billing_period, self.contract_start, self.contract_end) {
            (BillingPeriod::OneTime, _, _) => once(),
            (_, Some(start), Some(end)) if end >= start => {
                let days = i128::from((end - start).num_days() + 1);
                let value = (i128::from(self.annual_cost_minor) * days * 2 + 365) / (365 * 2);
                i64::try_from(value).unwrap_or(i64::MAX)
            }
            _ => self.annual_cost_minor,
        }
    }
}

pub fn utilization_percent(active: i64, known: i64) -> Option<i64> {
    (known > 0).then(|| active * 100 / known)
}

/// The utilization band a pool falls in: the index into [`UTILIZATION_BANDS`], `None` without usage data.
pub fn utilization_band(percent: Option<i64>) -> Option<usize> {
    let p = percent?;
    UTILIZATION_BANDS.iter().rposition(|lower| p >= *lower)
}

/// Whether a cancel-by date falls in the pipeline window of `days` from `today`.
pub fn in_pipeline(cancel_by: Option<NaiveDate>, today: NaiveDate, days: i64) -> bool {
    cancel_by.is_some_and(|d| d >= today && (d - today).num_days() <= days)
}

/// A cancel-by date that has passed while the contract still runs (or has no end): it renews as it is.
pub fn missed_renewal(cancel_by: Option<NaiveDate>, contract_end: Option<NaiveDate>, today: NaiveDate) -> bool {
    cancel_by.is_some_and(|d| d < today) && contract_end.is_none_or(|end| end >= today)
}

/// A month `YYYY-MM`: its first and last day. `Err` says why, for the field.
pub fn month_bounds(month: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| month.len() == 7 && crate::domain::limits::date_in_range(*d))
        .ok_or_else(|| "must be a month such as 2026-11".to_string())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).ok_or_else(|| "must be a month such as 2026-11".to_string())?;
    Ok((first, last))
}

/// Split `amount` among keys in proportion to their weights, exactly: each gets its floor share and the minor
/// units left over go one by one to the largest remainders (ties to the earlier key). Keys with no weight get
/// nothing; with no weight at all, nothing is split (empty).
pub fn split<K: Copy>(amount: i64, weights: &[(K, i64)]) -> Vec<(K, i64)> {
    let total: i128 = weights.iter().map(|(_, w)| i128::from((*w).max(0))).sum();
    if total == 0 {
        return Vec::new();
    }
    let amount = i128::from(amount);
    let mut shares: Vec<(K, i128, i128)> = weights
        .iter()
        .map(|(k, w)| {
            let exact = amount * i128::from((*w).max(0));
            (*k, exact.div_euclid(total), exact.rem_euclid(total))
        })
        .collect();
    let given: i128 = shares.iter().map(|(_, s, _)| s).sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(amount - given).unwrap_or(0)) {
        shares[i].1 += 1;
    }
    shares.into_iter().filter_map(|(k, s, _)| i64::try_from(s).ok().map(|s| (k, s))).collect()
}

/// A percent as written ("33.34") in hundredths of a percent (3334): more than 0, at most 100, two decimals.
pub fn parse_percent(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || (frac.len() <= 2 && frac.chars().all(|c| c.is_ascii_digit()))) {
        return Err(format!("{t:?} is not a percent with at most two decimals, such as 33.34"));
    }
    let whole: i64 = whole.parse().map_err(|_| "is too large".to_string())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| "is not a number")? };
    let bp = whole * 100 + frac;
    match bp {
        0 => Err("must be more than 0".into()),
        bp if bp > 10_000 => Err("must be at most 100".into()),
        bp => Ok(bp),
    }
}

/// Hundredths of a percent as text ("33.34", "50").
pub fn percent_text(basis_points: i64) -> String {
    match basis_points % 100 {
        0 => (basis_points / 100).to_string(),
        r => format!("{}.{r:02}", basis_points / 100).trim_end_matches('0').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(purchased: Option<i64>, held: i64, terminated: i64, known: i64, active: i64) -> PoolFacts {
        PoolFacts {
            id: 1,
            name: "P".into(),
            vendor_id: 1,
            product_id: 1,
            cost_centre_id: 1,
            department_id: 1,
            seats_purchased: purchased,
            unit_cost_minor: 1_000,
            currency: "USD".into(),
            billing_period: BillingPeriod::Monthly,
            contract_start: None,
            contract_end: None,
            cancel_by: None,
            annual_cost_minor: 12_000 * purchased.unwrap_or(1),
            held,
            terminated,
            known,
            active,
        }
    }

    #[test]
    fn waste_counts_unassigned_and_idle_seats_never_those_without_data() {
        // 10 bought, 8 held: 1 by a terminated person, 5 known (3 active), 2 without data.
        let p = pool(Some(10), 8, 1, 5, 3);
        assert_eq!((p.unassigned(), p.idle(), p.without_usage()), (2, 3, 2));
        assert_eq!(p.waste_seats(), 5);
        assert_eq!(p.waste_annual_minor(), 5 * 12_000);
        assert_eq!(p.utilization_percent(), Some(60));
        assert_eq!(p.fill_percent(), Some(80));
        assert_eq!(p.position(), Position::OverLicensed);
        // Active 3 + no data 2 = 5, plus 10% = 5.5 -> 6 seats; 4 fewer saves 4 seat-years.
        assert_eq!(p.right_size(10), Some(6));
        assert_eq!(p.right_size_saving_minor(10), 4 * 12_000);
        // No buffer: 5 seats; a 100% buffer: 10 seats, capped at what is held or bought.
        assert_eq!((p.right_size(0), p.right_size(50), p.right_size(100)), (Some(5), Some(8), Some(10)));
        let none_known = pool(Some(10), 10, 0, 0, 0);
        assert_eq!(none_known.utilization_percent(), None, "no data is not zero");
        assert_eq!(none_known.waste_seats(), 0);
        assert_eq!(none_known.right_size(10), Some(10), "never below what nothing reports on");
    }

    #[test]
    fn over_held_pools_show_their_shortfall_and_site_licences_no_seats() {
        let p = pool(Some(5), 7, 0, 0, 0);
        assert_eq!((p.shortfall(), p.true_up_annual_minor(), p.position()), (2, 24_000, Position::UnderLicensed));
        assert_eq!(p.waste_seats(), 0);
        let mut term = pool(Some(10), 0, 0, 0, 0);
        term.contract_start = NaiveDate::from_ymd_opt(2026, 1, 1);
        term.contract_end = NaiveDate::from_ymd_opt(2027, 6, 30);
        // 546 days of 120,000 a year: 179,506.8 -> 179,507.
        assert_eq!(term.committed_minor(), 179_507);
        let site = pool(None, 40, 2, 10, 1);
        assert_eq!((site.waste_annual_minor(), site.position(), site.right_size(10)), (0, Position::Unlimited, None));
    }

    #[test]
    fn splits_are_exact_by_largest_remainder() {
        assert_eq!(split(100, &[('a', 1), ('b', 1), ('c', 1)]), [('a', 34), ('b', 33), ('c', 33)]);
        assert_eq!(split(1_000, &[('a', 3334), ('b', 3333), ('c', 3333)]), [('a', 334), ('b', 333), ('c', 333)]);
        assert_eq!(split(7, &[('a', 0), ('b', 2)]), [('a', 0), ('b', 7)]);
        assert!(split(7, &[('a', 0)]).is_empty());
        let parts = split(999_999, &[(1, 7), (2, 11), (3, 13)]);
        assert_eq!(parts.iter().map(|(_, s)| s).sum::<i64>(), 999_999);
    }

    #[test]
    fn percents_months_bands_and_the_pipeline() {
        assert_eq!(parse_percent("33.34"), Ok(3334));
        assert_eq!(parse_percent("50"), Ok(5000));
        assert_eq!(parse_percent("0.5"), Ok(50));
        assert!(parse_percent("100.01").is_err() && parse_percent("0").is_err() && parse_percent("1,5").is_err());
        assert_eq!(
            (percent_text(3334), percent_text(5000), percent_text(50)),
            ("33.34".into(), "50".into(), "0.5".into())
        );
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(month_bounds("2026-02"), Ok((d("2026-02-01"), d("2026-02-28"))));
        assert_eq!(month_bounds("2026-12"), Ok((d("2026-12-01"), d("2026-12-31"))));
        assert!(month_bounds("2026-13").is_err() && month_bounds("2026-1").is_err());
        assert_eq!(utilization_band(Some(0)), Some(0));
        assert_eq!(utilization_band(Some(74)), Some(2));
        assert_eq!(utilization_band(Some(100)), Some(3));
        assert_eq!(utilization_band(None), None);
        let today = d("2026-12-07");
        assert!(in_pipeline(Some(d("2027-01-06")), today, 30) && !in_pipeline(Some(d("2027-01-07")), today, 30));
        assert!(!in_pipeline(Some(d("2026-12-06")), today, 30));
        assert!(missed_renewal(Some(d("2026-12-06")), Some(d("2027-01-31")), today));
        assert!(!missed_renewal(Some(d("2026-12-06")), Some(d("2026-12-06")), today), "ended: nothing renews");
    }
}
