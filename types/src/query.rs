//! Query parameters of the list endpoints and uploads: the server extracts them, the app sends them, and the
//! OpenAPI document derives its parameters from them. `None` is left out of the query string.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{LicenseType, PersonStatus};

/// Paging alone, for lists without filters (a record's history, a pool's seats).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/pools`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PoolQuery {
    /// Free text over pool, vendor and product names.
    pub q: Option<String>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub license_type: Option<LicenseType>,
    /// Contracts ending between today and today + N days.
    pub expiring_within_days: Option<i64>,
    /// Only pools with more seats assigned than purchased.
    pub over_assigned: Option<bool>,
    /// Only pools under 50% utilization.
    pub under_used: Option<bool>,
    /// Only pools this import created or changed.
    pub import_id: Option<i64>,
    /// `name`, `vendor`, `department`, `seats_purchased`, `seats_assigned`, `utilization`, `annual_cost`,
    /// `contract_end`, `cancel_by`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/people`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PeopleQuery {
    /// Free text over name and email.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub status: Option<PersonStatus>,
    /// Only people who hold (true) or do not hold (false) at least one seat.
    pub holds_seats: Option<bool>,
    /// Only people with no sign-in from any source in the last N days.
    pub no_signin_days: Option<i64>,
    /// Only people this import created or changed.
    pub import_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/pools/{id}/assignments` (and of its `/holders`, which takes the same filters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SeatQuery {
    /// Free text over the holder's name and e-mail, or the device.
    pub q: Option<String>,
    /// Only seats held by people with this status (device seats have none).
    pub status: Option<PersonStatus>,
    /// Only seats whose use is known and with no sign-in in the last N days (or never).
    pub no_signin_days: Option<i64>,
    /// Only seats with no usage data from any source (not the same as unused).
    pub no_usage_data: Option<bool>,
    /// `assigned_at` (default `-assigned_at`), `name`, `last_sign_in`; `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/contracts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ContractQuery {
    /// Free text over number, title and vendor.
    pub q: Option<String>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    /// A person who owns one of the covered pools.
    pub owner_id: Option<i64>,
    /// `key_date` (default), `number`, `title`, `vendor`, `term_end`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Which alerts an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Inbox {
    /// Open, acknowledged, and snoozed until today or earlier.
    #[default]
    NeedsAction,
    Snoozed,
    Decided,
    All,
}

/// Query parameters of `GET /api/v1/alerts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AlertQuery {
    /// `needs_action` (default), `snoozed`, `decided` or `all`.
    pub inbox: Option<Inbox>,
    /// Only alerts sent or assigned to me.
    pub mine: Option<bool>,
    pub contract_id: Option<i64>,
    /// Only alerts of cancel-by dates missed (`true`), or only the others (`false`).
    pub missed: Option<bool>,
    /// `due_date` (default), `fired_on`, `contract`, `status`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/calendar`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CalendarQuery {
    /// First day (default: the first of this month).
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub from: Option<NaiveDate>,
    /// Last day (default: three months after `from`).
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub to: Option<NaiveDate>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    /// A person who owns one of the covered pools.
    pub owner_id: Option<i64>,
}

/// Query parameters of `GET /api/v1/calendar/events`: one day's dates in full, with the calendar's filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CalendarDayQuery {
    /// The day (`YYYY-MM-DD`).
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    /// A person who owns one of the covered pools.
    pub owner_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/ledger`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct LedgerQuery {
    /// e.g. `pool`, `user`, `vendor`.
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of an upload that needs nothing but the file's name (`POST /api/v1/imports/graph-users`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct UploadQuery {
    /// Shown in the import history.
    pub filename: Option<String>,
}

/// Query parameters of `POST /api/v1/imports/hr`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct HrUploadQuery {
    /// Shown in the import history.
    pub filename: Option<String>,
    /// A full export (the default) flags people it no longer lists; a partial one does not.
    pub full: Option<bool>,
}

/// Query parameters of `POST /api/v1/imports/snipeit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SnipeItUploadQuery {
    pub filename: Option<String>,
    /// Department that will own the pools the file creates (Snipe-IT has none). Required.
    pub department_id: Option<i64>,
    /// Cost centre the pools the file creates are charged to. Required.
    pub cost_centre_id: Option<i64>,
    /// What Snipe-IT's `purchase cost` is the price of: `seat_year` (default), `seat_month` or `total_year`.
    pub cost_per: Option<CostBasis>,
}

/// What a license's purchase cost in a Snipe-IT file is the price of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    /// One seat for a year (the default): the pool's unit cost, billed annually.
    #[default]
    SeatYear,
    /// One seat for a month: the pool's unit cost, billed monthly.
    SeatMonth,
    /// All the license's seats for a year: divided by the seat count for the unit cost, billed annually.
    TotalYear,
}

impl CostBasis {
    pub const ALL: [CostBasis; 3] = [Self::SeatYear, Self::SeatMonth, Self::TotalYear];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeatYear => "seat_year",
            Self::SeatMonth => "seat_month",
            Self::TotalYear => "total_year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SeatYear => "the price of one seat for a year",
            Self::SeatMonth => "the price of one seat for a month",
            Self::TotalYear => "the price of all the license's seats for a year",
        }
    }
}

/// Query parameters of `GET /api/v1/imports`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ImportQuery {
    /// `hr`, `snipeit` or `graph`.
    pub kind: Option<String>,
    /// `previewed` or `applied`.
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /api/v1/calendar/feed.ics`, the address a calendar app subscribes to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct FeedQuery {
    /// The secret from the feed address.
    pub token: String,
}

/// Query parameters of `GET /api/v1/change-requests`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ChangeRequestQuery {
    /// `draft`, `submitted`, `approved`, `piloted`, `applied`, `rejected`, `expired` or `rolled_back`.
    pub status: Option<String>,
    /// Only the reader's own requests.
    pub mine: Option<bool>,
    /// Submitted requests waiting for this sign-off: `approver` or `finance`.
    pub waiting_for: Option<String>,
    /// Only what the reader may approve or reject now (their queue).
    pub for_me: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Query parameters of `POST /api/v1/change-requests/csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ChangeRequestCsvQuery {
    /// The request's title (default: the file's name, else "Changes from a file").
    pub title: Option<String>,
    pub reason: Option<String>,
    /// Shown as the default title.
    pub filename: Option<String>,
}

/// Query parameters of `POST /api/v1/imports/usage`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct UsageUploadQuery {
    pub filename: Option<String>,
    /// `csv` (default: a person, a pool or product, and the last use per row) or `okta` (a users export).
    pub format: Option<String>,
    /// What the signals are recorded as coming from (default: `okta` for Okta files, else `csv`).
    pub source: Option<String>,
    /// When the source was read (default: now).
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The pool an Okta app stands for (Okta files only).
    pub pool_id: Option<i64>,
}
