//! Finance: the dated exchange-rate table every figure in the reporting currency is converted with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One rate of the table: `rate` units of the reporting currency per unit of `currency`, from `date` on (until
/// the next rate of that currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeRate {
    /// ISO 4217 code, upper case.
    pub currency: String,
    /// An exact decimal, as text ("1.085").
    pub rate: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
    pub created_by: String,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
}

/// A new rate: `{"currency","rate","date"}`, the rate as the exact decimal text ("1.0850"): a JSON number would be
/// read as a float first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateInput {
    pub currency: String,
    pub rate: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
}

use crate::Money;

/// The finance figures' filters: a scope (cost centre, department, vendor) and the period realized savings are
/// counted over (default: the year to date).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct FinanceQuery {
    pub cost_centre_id: Option<i64>,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    /// First and last day of the period (inclusive).
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub to: Option<NaiveDate>,
}

/// The figures of a scope, every amount in the reporting currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinanceTotals {
    pub annual_spend: Money,
    pub monthly_spend: Money,
    pub waste_annual: Money,
    pub potential_savings_annual: Money,
    pub realized_savings_annual: Money,
    /// Of the realized savings: seats removed from a contract.
    pub hard_savings_annual: Money,
    /// Of the realized savings: freed seats given to someone else instead of bought.
    pub cost_avoided_annual: Money,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    /// Held seats whose use is known (a usage source reports on them).
    pub seats_with_usage: i64,
    /// Held seats used in the last `active_days` days.
    pub seats_active: i64,
    /// Held seats nothing reports on: never counted as unused.
    pub seats_without_usage: i64,
    /// Active ÷ seats with known use, in percent (rounded down); `null` when no seat's use is known.
    pub utilization_percent: Option<i64>,
    /// Seats held beyond those purchased, and what buying them for a year would cost.
    pub shortfall_seats: i64,
    pub true_up_annual: Money,
    /// What the current contract terms commit to, each term in full.
    pub committed_value: Money,
}

/// A department's or a product's share of the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupFigures {
    pub id: i64,
    pub name: String,
    pub annual_spend: Money,
    pub waste_annual: Money,
    pub pools: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostCentreFigures {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub annual_spend: Money,
    pub waste_annual: Money,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    pub pools: i64,
    /// This year's budget with actual and projection, when one is set.
    pub budget: Option<BudgetFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorFigures {
    pub id: i64,
    pub name: String,
    pub annual_spend: Money,
    pub waste_annual: Money,
    pub pools: i64,
}

/// Contracts whose cancel-by date falls from today to `within_days` days ahead (each bucket includes the shorter
/// ones), valued at their pools' annual spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalBucket {
    pub within_days: i64,
    pub value: Money,
    pub pools: i64,
}

/// Pools whose cancel-by date has passed while their contract still runs: they renew as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissedRenewals {
    pub value: Money,
    pub pools: i64,
}

/// Pools by utilization: `from_percent` inclusive to `to_percent` exclusive (100 inclusive), or without usage data
/// (`from_percent` null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UtilizationBand {
    pub from_percent: Option<i64>,
    pub to_percent: Option<i64>,
    pub pools: i64,
    pub annual_spend: Money,
}

/// A rate a figure was converted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateUsed {
    pub currency: String,
    pub rate: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
}

/// Pools left out of every figure because their currency has no rate on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unconverted {
    pub currency: String,
    pub pools: i64,
    /// Their annual spend in their own currency.
    pub annual_spend: Money,
    /// Realized savings in that currency from days before its first rate.
    pub realized_savings: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinanceSummary {
    pub reporting_currency: String,
    /// The day run rates are priced on (today in the organisation's time zone).
    #[serde(deserialize_with = "crate::when::date")]
    pub as_of: NaiveDate,
    /// The period realized savings are counted over.
    #[serde(deserialize_with = "crate::when::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::when::date")]
    pub to: NaiveDate,
    /// How recent a use counts as active.
    pub active_days: i64,
    pub totals: FinanceTotals,
    pub by_cost_centre: Vec<CostCentreFigures>,
    pub by_vendor: Vec<VendorFigures>,
    /// By the department that owns the pool, largest spend first.
    pub by_department: Vec<GroupFigures>,
    /// By product ("Vendor Product"), largest spend first.
    pub by_product: Vec<GroupFigures>,
    pub renewal_pipeline: Vec<RenewalBucket>,
    pub missed_renewals: MissedRenewals,
    pub by_utilization: Vec<UtilizationBand>,
    /// The last twelve months, oldest first, from the ledger's history of prices and seats.
    pub spend_over_time: Vec<SpendMonth>,
    pub rates: Vec<RateUsed>,
    pub unconverted: Vec<Unconverted>,
}

/// A month's chargeback statement: `?month=YYYY-MM`, optionally one cost centre.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ChargebackQuery {
    pub month: Option<String>,
    pub cost_centre_id: Option<i64>,
}

/// One cost centre's share of one pool's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargebackLine {
    pub pool_id: i64,
    pub pool_name: String,
    pub method: ChargebackMethod,
    pub amount: Money,
    pub seats: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargebackItem {
    pub cost_centre: crate::CostCentre,
    pub amount: Money,
    /// Seats its people hold (unassigned seats count for the pool's own cost centre).
    pub seats: i64,
    pub lines: Vec<ChargebackLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Chargeback {
    pub month: String,
    pub reporting_currency: String,
    /// The day the seats were counted and the rates taken: the month's last day, or today for this month.
    #[serde(deserialize_with = "crate::when::date")]
    pub counted_on: NaiveDate,
    pub items: Vec<ChargebackItem>,
    pub total: Money,
    pub rates: Vec<RateUsed>,
    pub unconverted: Vec<Unconverted>,
}

/// How a pool's cost is charged to cost centres.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChargebackMethod {
    /// By the seats each cost centre's people hold; unassigned seats stay with the pool's cost centre.
    #[default]
    Seat,
    /// By each cost centre's people who used it in the last 30 days.
    ActiveUser,
    /// A fixed split.
    Percentage,
}

impl ChargebackMethod {
    pub const ALL: [ChargebackMethod; 3] = [Self::Seat, Self::ActiveUser, Self::Percentage];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seat => "seat",
            Self::ActiveUser => "active_user",
            Self::Percentage => "percentage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Seat => "By seat held",
            Self::ActiveUser => "By active user",
            Self::Percentage => "Fixed percentage split",
        }
    }
}

/// One cost centre's fixed share, as a decimal percent in a string ("33.34").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChargebackShare {
    pub cost_centre_id: i64,
    pub percent: String,
}

/// A pool's chargeback method; `splits` only for `percentage`, summing to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChargebackSetting {
    pub method: ChargebackMethod,
    #[serde(default)]
    pub splits: Vec<ChargebackShare>,
}

/// A cost centre's budget for a year, in the reporting currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Budget {
    pub cost_centre: crate::CostCentre,
    pub year: i32,
    pub amount: Money,
    pub updated_by: String,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// `{"amount": {"amount_minor","currency"}}`, the currency the reporting currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    pub amount: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct BudgetQuery {
    pub year: Option<i32>,
}

/// Which pools of the finance figures to list: the summary's filters, and the slice a chart bar stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct FinancePoolQuery {
    pub cost_centre_id: Option<i64>,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    pub product_id: Option<i64>,
    /// Utilization band: `0`, `25`, `50`, `75` (its lower bound in percent) or `none` (no usage data).
    pub utilization: Option<String>,
    /// Pools whose cancel-by date falls within this many days (30, 60 or 90).
    pub within_days: Option<i64>,
    /// Pools whose cancel-by date passed while the contract runs.
    pub missed: Option<bool>,
    /// Pools with waste, or held beyond what was bought: `waste`, `shortfall`.
    pub position: Option<String>,
    /// `name`, `annual_spend`, `waste_annual`, `utilization`, `cancel_by`, `-` before for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One pool's figures, its money in the reporting currency (`null` when its currency has no rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinancePool {
    pub id: i64,
    pub name: String,
    pub vendor: crate::Ref,
    pub cost_centre: crate::CostCentre,
    /// Its annual spend in its own currency.
    pub annual_cost: Money,
    pub annual_spend: Option<Money>,
    pub monthly_spend: Option<Money>,
    pub waste_annual: Option<Money>,
    /// `null` for a site licence.
    pub seats_purchased: Option<i64>,
    pub seats_assigned: i64,
    pub seats_active: i64,
    pub seats_with_usage: i64,
    pub seats_without_usage: i64,
    pub waste_seats: i64,
    pub fill_percent: Option<i64>,
    pub utilization_percent: Option<i64>,
    /// `over_licensed`, `under_licensed`, `balanced`, `unlimited`.
    pub position: String,
    pub shortfall_seats: i64,
    pub true_up_annual: Option<Money>,
    /// The seat count to renew at, from measured use.
    pub right_size_seats: Option<i64>,
    pub right_size_saving_annual: Option<Money>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub cancel_by: Option<NaiveDate>,
    /// The rate its money was converted at (`null` in the reporting currency or without a rate).
    pub rate: Option<RateUsed>,
}

/// One month of spend: the run rate at the month's end (or today) and its monthly cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub annual_run_rate: Money,
    pub monthly_spend: Money,
}

/// A cost centre's budget for this year beside what it has spent and where the year will end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetFigures {
    pub year: i32,
    pub budget: Money,
    /// Spend from 1 January to today (this month in proportion to its days gone).
    pub actual_to_date: Money,
    /// The year's spend if this month's run rate holds to December.
    pub projection: Money,
}
