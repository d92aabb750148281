//! What makes a license pool valid, and the figures derived from it (annual cost, cancel-by, utilization).

use chrono::NaiveDate;
use seatwise_types::{currency_minor_digits, BillingPeriod, FieldError, LicenseType, PoolInput};

use crate::domain::limits;

/// A pool's stored values after validation, with derived columns filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolValues {
    pub name: String,
    pub vendor_id: i64,
    pub product_id: i64,
    pub tier: String,
    pub license_type: LicenseType,
    pub seats_purchased: Option<i64>,
    pub allow_overage: bool,
    pub unit_cost_minor: i64,
    pub currency: String,
    pub billing_period: BillingPeriod,
    pub annual_cost_minor: i64,
    pub cost_centre_id: i64,
    pub department_id: i64,
    pub owner_id: Option<i64>,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
    pub auto_renew: bool,
    pub notice_days: Option<i64>,
    pub cancel_by: Option<NaiveDate>,
    pub po_number: Option<String>,
    pub notes: Option<String>,
}

pub const MAX_SEATS: i64 = 10_000_000;
pub const MAX_NOTICE_DAYS: i64 = 3_650;
/// Pools below this utilization count as under-used.
pub const UNDER_USED_PERCENT: i64 = 50;

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn check_len(errors: &mut Vec<FieldError>, path: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(path, format!("must be at most {max} characters")));
    }
}

/// Check everything that can be checked without the database. `vendor_id` comes from the product.
pub fn validate(input: &PoolInput, vendor_id: i64) -> Result<PoolValues, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    check_len(&mut errors, "name", Some(&name), 200);
    limits::check_line(&mut errors, "name", Some(&name));
    let tier = input.tier.trim().to_string();
    check_len(&mut errors, "tier", Some(&tier), 100);
    limits::check_line(&mut errors, "tier", Some(&tier));

    let license_type = input.license_type;
    if license_type.is_none() {
        errors.push(FieldError::new("license_type", "is required"));
    }
    match (license_type, input.seats_purchased) {
        (Some(LicenseType::Site), Some(_)) => {
            errors.push(FieldError::new("seats_purchased", "must be empty for a site / unlimited license"))
        }
        (Some(t), None) if t.has_seat_count() => errors.push(FieldError::new("seats_purchased", "is required")),
        (_, Some(n)) if n < 0 => errors.push(FieldError::new("seats_purchased", "must be 0 or more")),
        (_, Some(n)) if n > MAX_SEATS => {
            errors.push(FieldError::new("seats_purchased", format!("must be at most {MAX_SEATS}")))
        }
        _ => {}
    }

    let (unit_cost_minor, currency) = match &input.unit_cost {
        None => {
            errors.push(FieldError::new("unit_cost", "is required"));
            (0, String::new())
        }
        Some(m) => {
            limits::check_amount(&mut errors, "unit_cost.amount_minor", m.amount_minor);
            let code = m.currency.trim().to_uppercase();
            if currency_minor_digits(&code).is_none() {
                errors.push(FieldError::new(
                    "unit_cost.currency",
                    format!("unknown currency {:?}: use an ISO 4217 code such as USD or EUR", m.currency),
                ));
            }
            (m.amount_minor, code)
        }
    };
    let billing_period = input.billing_period;
    if billing_period.is_none() {
        errors.push(FieldError::new("billing_period", "is required"));
    }
    if input.cost_centre_id <= 0 {
        errors.push(FieldError::new("cost_centre_id", "is required"));
    }
    if input.department_id <= 0 {
        errors.push(FieldError::new("department_id", "is required"));
    }
    limits::check_date(&mut errors, "contract_start", input.contract_start);
    limits::check_date(&mut errors, "contract_end", input.contract_end);
    if let (Some(start), Some(end)) = (input.contract_start, input.contract_end) {
        if end < start {
            errors.push(FieldError::new("contract_end", "must be on or after the contract start"));
        }
    }
    match input.notice_days {
        Some(n) if n < 0 => errors.push(FieldError::new("notice_days", "must be 0 or more")),
        Some(n) if n > MAX_NOTICE_DAYS => {
            errors.push(FieldError::new("notice_days", format!("must be at most {MAX_NOTICE_DAYS}")))
        }
        _ => {}
    }
    let po_number = trimmed(&input.po_number);
    check_len(&mut errors, "po_number", po_number.as_deref(), 100);
    limits::check_line(&mut errors, "po_number", po_number.as_deref());
    let notes = trimmed(&input.notes);
    check_len(&mut errors, "notes", notes.as_deref(), 10_000);
    limits::check_text(&mut errors, "notes", notes.as_deref());

    let (Some(license_type), Some(billing_period), true) = (license_type, billing_period, errors.is_empty()) else {
        return Err(errors);
    };
    let seats_purchased = if license_type.has_seat_count() { input.seats_purchased } else { None };
    // The derived annual cost is held to the same maximum as any amount, so it is stored exactly.
    let annual =
        annual_cost_minor(unit_cost_minor, billing_period, seats_purchased, input.contract_start, input.contract_end)
            .filter(|a| limits::amount_problem(*a).is_none());
    let Some(annual_cost_minor) = annual else {
        return Err(vec![FieldError::new(
            "unit_cost.amount_minor",
            format!(
                "the annual cost (unit cost × seats × periods) must be at most {} (minor units)",
                limits::MAX_AMOUNT_MINOR
            ),
        )]);
    };
    Ok(PoolValues {
        annual_cost_minor,
        cancel_by: cancel_by(input.contract_end, input.notice_days),
        name,
        vendor_id,
        product_id: input.product_id,
        tier,
        license_type,
        seats_purchased,
        allow_overage: input.allow_overage,
        unit_cost_minor,
        currency,
        billing_period,
        cost_centre_id: input.cost_centre_id,
        department_id: input.department_id,
        owner_id: input.owner_id,
        contract_start: input.contract_start,
        contract_end: input.contract_end,
        auto_renew: input.auto_renew,
        notice_days: input.notice_days,
        po_number,
        notes,
    })
}

/// What a pool costs per year at its purchased seat count (one unit for site licenses). One-time purchases are
/// spread over the contract term when there is one, else counted once. Exact: `None` when it does not fit an `i64`.
pub fn annual_cost_minor(
    unit_minor: i64,
    period: BillingPeriod,
    seats: Option<i64>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Option<i64> {
    let qty = i128::from(seats.unwrap_or(1));
    let unit = i128::from(unit_minor);
    let total = match period {
        BillingPeriod::Monthly => unit * 12 * qty,
        BillingPeriod::Annual => unit * qty,
        BillingPeriod::OneTime => {
            let once = unit * qty;
            match (start, end) {
                (Some(s), Some(e)) if e > s => {
                    let days = i128::from((e - s).num_days() + 1);
                    // Round half up in integer arithmetic.
                    (once * 365 * 2 + days) / (days * 2)
                }
                _ => once,
            }
        }
    };
    i64::try_from(total).ok()
}

/// A twelfth of an annual amount, rounded half away from zero.
pub fn per_month(annual_minor: i64) -> i64 {
    let (q, r) = (annual_minor / 12, annual_minor % 12);
    if r.abs() * 2 >= 12 {
        q + r.signum()
    } else {
        q
    }
}

/// The last day to cancel before the contract renews: end minus the notice period.
pub fn cancel_by(end: Option<NaiveDate>, notice_days: Option<i64>) -> Option<NaiveDate> {
    let end = end?;
    let days = u64::try_from(notice_days.unwrap_or(0)).ok()?;
    end.checked_sub_days(chrono::Days::new(days))
}

/// A pool's seat counts as stored, with the figures derived from them (the storage layer reads the counts; the
/// figures are this rule's, so every reader derives them the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    pub purchased: Option<i64>,
    pub assigned: i64,
}

impl Seats {
    pub fn utilization_percent(self) -> Option<i64> {
        utilization_percent(self.assigned, self.purchased)
    }

    /// More seats assigned than purchased.
    pub fn over_assigned(self) -> bool {
        self.purchased.is_some_and(|p| self.assigned > p)
    }
}

/// Assigned seats as a rounded percentage of purchased seats; `None` without a positive seat count.
pub fn utilization_percent(assigned: i64, purchased: Option<i64>) -> Option<i64> {
    match purchased {
        Some(p) if p > 0 => Some((assigned * 200 + p) / (p * 2)),
        _ => None,
    }
}

/// Why a seat cannot be assigned, if it cannot.
pub fn seat_refusal(purchased: Option<i64>, assigned: i64, allow_overage: bool) -> Option<String> {
    match purchased {
        Some(p) if assigned >= p && !allow_overage => {
            Some(format!("all {p} purchased seats are assigned and this pool does not allow overage"))
        }
        _ => None,
    }
}

/// What an owner should look at for one pool, most urgent first.
pub fn attention(p: &seatwise_types::Pool, marked: i64, on_leave: i64, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let days = |d: NaiveDate| (d - today).num_days();
    if let Some(c) = p.cancel_by.filter(|_| p.auto_renew) {
        match days(c) {
            d if d < 0 => {}
            0 => out.push("Cancel-by date is today".to_string()),
            d if d <= 30 => out.push(format!("Cancel by {c} ({d} days) or it renews")),
            _ => {}
        }
    }
    if let Some(e) = p.contract_end {
        match days(e) {
            d if d < 0 => out.push(format!("Contract ended {e}")),
            d if d <= 90 => out.push(format!("Contract ends {e} ({d} days)")),
            _ => {}
        }
    }
    if p.over_assigned {
        out.push(format!("Over-assigned: {} seats for {} purchased", p.seats_assigned, p.seats_purchased.unwrap_or(0)));
    }
    match marked {
        0 => {}
        1 => out.push("1 seat held by someone who left".to_string()),
        n => out.push(format!("{n} seats held by people who left")),
    }
    match on_leave {
        0 => {}
        1 => out.push("1 seat held by someone on leave".to_string()),
        n => out.push(format!("{n} seats held by people on leave")),
    }
    if p.utilization_percent.is_some_and(|u| u < UNDER_USED_PERCENT) {
        out.push(format!("Under-used: {}% of seats assigned", p.utilization_percent.unwrap_or(0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwise_types::Money;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input() -> PoolInput {
        PoolInput {
            name: "Zoom Pro".into(),
            product_id: 1,
            tier: "premium".into(),
            license_type: Some(LicenseType::PerUser),
            seats_purchased: Some(10),
            unit_cost: Some(Money::new(1499, "usd")),
            billing_period: Some(BillingPeriod::Monthly),
            cost_centre_id: 1,
            department_id: 2,
            contract_start: Some(d("2026-01-01")),
            contract_end: Some(d("2026-12-31")),
            auto_renew: true,
            notice_days: Some(30),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_derives_cost_and_cancel_by() {
        let v = validate(&input(), 7).unwrap();
        assert_eq!(v.vendor_id, 7);
        assert_eq!(v.currency, "USD");
        assert_eq!(v.annual_cost_minor, 1499 * 12 * 10);
        assert_eq!(v.cancel_by, Some(d("2026-12-01")));
    }

    #[test]
    fn reports_every_bad_field() {
        let mut i = input();
        i.name = "  ".into();
        i.seats_purchased = Some(-1);
        i.unit_cost = Some(Money::new(-5, "XYZ"));
        i.contract_end = Some(d("2025-01-01"));
        let errors = validate(&i, 1).unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["name", "seats_purchased", "unit_cost.amount_minor", "unit_cost.currency", "contract_end"]);
        assert_eq!(errors[1].message, "must be 0 or more");
    }

    #[test]
    fn site_licenses_have_no_seat_count() {
        let mut i = input();
        i.license_type = Some(LicenseType::Site);
        assert_eq!(validate(&i, 1).unwrap_err()[0].path, "seats_purchased");
        i.seats_purchased = None;
        i.unit_cost = Some(Money::new(5_000_000, "EUR"));
        i.billing_period = Some(BillingPeriod::Annual);
        assert_eq!(validate(&i, 1).unwrap().annual_cost_minor, 5_000_000);
    }

    #[test]
    fn one_time_cost_is_spread_over_the_term() {
        let three_years =
            annual_cost_minor(30_000, BillingPeriod::OneTime, Some(1), Some(d("2026-01-01")), Some(d("2028-12-31")));
        assert_eq!(three_years, Some(9_991)); // 1,096 days: slightly under a third.
        assert_eq!(annual_cost_minor(30_000, BillingPeriod::OneTime, Some(2), None, None), Some(60_000));
        assert_eq!(annual_cost_minor(i64::MAX, BillingPeriod::Monthly, Some(1), None, None), None, "no saturation");
    }

    #[test]
    fn money_is_bounded_and_annual_cost_exact() {
        let mut i = input();
        i.seats_purchased = Some(1);
        i.billing_period = Some(BillingPeriod::Annual);
        i.unit_cost = Some(Money::new(limits::MAX_AMOUNT_MINOR, "USD"));
        assert_eq!(validate(&i, 1).unwrap().annual_cost_minor, limits::MAX_AMOUNT_MINOR);
        i.billing_period = Some(BillingPeriod::Monthly);
        i.unit_cost = Some(Money::new(limits::MAX_AMOUNT_MINOR / 12, "USD"));
        assert_eq!(validate(&i, 1).unwrap().annual_cost_minor, limits::MAX_AMOUNT_MINOR / 12 * 12);
        i.unit_cost = Some(Money::new(limits::MAX_AMOUNT_MINOR, "USD"));
        assert_eq!(validate(&i, 1).unwrap_err()[0].path, "unit_cost.amount_minor");
        i.unit_cost = Some(Money::new(limits::MAX_AMOUNT_MINOR + 1, "USD"));
        i.billing_period = Some(BillingPeriod::Annual);
        assert_eq!(validate(&i, 1).unwrap_err()[0].path, "unit_cost.amount_minor");
    }

    #[test]
    fn utilization_rounds_and_handles_zero() {
        assert_eq!(utilization_percent(2, Some(3)), Some(67));
        assert_eq!(utilization_percent(12, Some(10)), Some(120));
        assert_eq!(utilization_percent(0, Some(0)), None);
        assert_eq!(utilization_percent(5, None), None);
    }

    #[test]
    fn capacity_is_enforced_unless_overage_allowed() {
        assert!(seat_refusal(Some(2), 2, false).is_some());
        assert!(seat_refusal(Some(2), 2, true).is_none());
        assert!(seat_refusal(None, 1000, false).is_none());
    }
}
