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
