use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseType {
    PerUser,
    PerDevice,
    Concurrent,
    /// Site or unlimited: no seat count.
    Site,
    Subscription,
}

impl LicenseType {
    pub const ALL: [LicenseType; 5] =
        [Self::PerUser, Self::PerDevice, Self::Concurrent, Self::Site, Self::Subscription];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerUser => "per_user",
            Self::PerDevice => "per_device",
            Self::Concurrent => "concurrent",
            Self::Site => "site",
            Self::Subscription => "subscription",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PerUser => "Per user",
            Self::PerDevice => "Per device",
            Self::Concurrent => "Concurrent",
            Self::Site => "Site / unlimited",
            Self::Subscription => "Subscription",
        }
    }

    /// Site licenses have no seat count.
    pub fn has_seat_count(self) -> bool {
        self != Self::Site
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BillingPeriod {
    Monthly,
    Annual,
    OneTime,
}

impl BillingPeriod {
    pub const ALL: [BillingPeriod; 3] = [Self::Monthly, Self::Annual, Self::OneTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Annual => "annual",
            Self::OneTime => "one_time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Monthly => "Monthly",
            Self::Annual => "Annual",
            Self::OneTime => "One-time",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Active,
    OnLeave,
    Terminated,
}

impl PersonStatus {
    pub const ALL: [PersonStatus; 3] = [Self::Active, Self::OnLeave, Self::Terminated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::OnLeave => "on_leave",
            Self::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A short reference to another record, enough to show and link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vendor {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub pool_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorInput {
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: i64,
    pub vendor: Ref,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductInput {
    pub vendor_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostCentre {
    pub id: i64,
    pub code: String,
    pub name: String,
}

impl CostCentre {
    /// As [`cost_centre_label`] names it.
    pub fn label(&self) -> String {
        cost_centre_label(&self.code, &self.name)
    }
}

/// How a cost centre is named where it is referred to: its code with its name ("CC-100 Technology"), or the code
/// alone when it has no name of its own (one created by an import is named by its code).
pub fn cost_centre_label(code: &str, name: &str) -> String {
    if name == code {
        code.to_string()
    } else {
        format!("{code} {name}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub employee_id: Option<String>,
    /// The user name systems key this person by (Snipe-IT, SCIM `userName`, Graph `userPrincipalName`).
    #[serde(default)]
    pub username: Option<String>,
    /// Marked a VIP by HR or the asset system; reclamation policies may exempt VIPs.
    #[serde(default)]
    pub vip: bool,
    #[serde(default)]
    pub manager: Option<Ref>,
    pub department: Option<Ref>,
    pub cost_centre: Option<Ref>,
    pub status: PersonStatus,
    pub employment_type: EmploymentType,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub end_date: Option<NaiveDate>,
    /// When the person was terminated (the event's time).
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub terminated_at: Option<DateTime<Utc>>,
    /// Seats the person holds across all pools.
    pub seats_held: i64,
    /// Incremented by every write; send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

/// Whether a person's address is one Seatwise made up for someone a file names by employee id or user name only
/// (in the reserved `.invalid` domain, so it reaches nobody).
pub fn is_placeholder_email(email: &str) -> bool {
    email.ends_with(".invalid")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    Employee,
    Contractor,
}

impl EmploymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Contractor => "contractor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Employee, Self::Contractor].into_iter().find(|t| t.as_str() == s)
    }
}

/// Change a person's employment status. Terminating marks every seat they hold for reclamation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonStatusUpdate {
    pub status: PersonStatus,
}

/// A seat as seen from its holder: which pool, and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSeat {
    pub assignment_id: i64,
    pub pool: Ref,
    pub vendor: Ref,
    pub monthly_cost: Money,
    pub annual_cost: Money,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub assigned_at: DateTime<Utc>,
    pub reclaim: Option<ReclaimMark>,
}

/// A seat the signed-in person holds, as My seats shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySeat {
    #[serde(flatten)]
    pub seat: PersonSeat,
    /// The last use a source reports (`None` with a source: never used; no source: no data).
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_used_at: Option<DateTime<Utc>>,
    pub usage_source: Option<String>,
}

/// `POST /api/v1/my/requests`: ask for a seat of a pool, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatAsk {
    pub pool_id: i64,
    #[serde(default)]
    pub reason: String,
}

/// A license anyone may ask for (My seats): a pool in use, its vendor and what a seat costs a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestablePool {
    pub pool: Ref,
    pub vendor: Ref,
    pub monthly_cost: Money,
}

/// A seat the signed-in person asked for, and where the request for it stands in the approval queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyRequest {
    /// The change request it became.
    pub id: i64,
    pub pool: Ref,
    pub reason: String,
    pub status: crate::ChangeStatus,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The approver's words when they decided.
    pub decision_comment: Option<String>,
}

/// A license pool as shown wherever a pool appears: terms, cost and utilization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pool {
    pub id: i64,
    pub name: String,
    pub vendor: Ref,
    pub product: Ref,
    pub tier: String,
    pub license_type: LicenseType,
    /// `None` for site / unlimited licenses.
    pub seats_purchased: Option<i64>,
    pub seats_assigned: i64,
    /// Assigned / purchased in percent, `None` without a seat count.
    pub utilization_percent: Option<i64>,
    pub over_assigned: bool,
    pub allow_overage: bool,
    pub unit_cost: Money,
    pub billing_period: BillingPeriod,
    /// What the pool costs per year at its purchased seat count.
    pub annual_cost: Money,
    pub cost_centre: Ref,
    pub department: Ref,
    pub owner: Option<Ref>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub contract_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub contract_end: Option<NaiveDate>,
    pub auto_renew: bool,
    pub notice_days: Option<i64>,
    /// Contract end minus the notice period: the last day to cancel an auto-renewal.
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub cancel_by: Option<NaiveDate>,
    pub po_number: Option<String>,
    pub notes: Option<String>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Incremented by every write; send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

/// Create or replace a pool. Seats and dates are validated by the server; errors name the field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolInput {
    pub name: String,
    pub product_id: i64,
    #[serde(default)]
    pub tier: String,
    pub license_type: Option<LicenseType>,
    #[serde(default)]
    pub seats_purchased: Option<i64>,
    #[serde(default)]
    pub allow_overage: bool,
    pub unit_cost: Option<Money>,
    pub billing_period: Option<BillingPeriod>,
    pub cost_centre_id: i64,
    pub department_id: i64,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_date")]
    pub contract_start: Option<NaiveDate>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_date")]
    pub contract_end: Option<NaiveDate>,
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub notice_days: Option<i64>,
    #[serde(default)]
    pub po_number: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Who holds a seat: a person or a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub id: i64,
    pub pool_id: i64,
    pub person: Option<AssignmentHolder>,
    pub device: Option<String>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: Option<String>,
    /// Set when the seat is marked for reclamation (e.g. its holder left).
    pub reclaim: Option<ReclaimMark>,
    /// The latest use any source reports for this seat's holder on this pool; `None`: no data.
    #[serde(default)]
    pub last_sign_in: Option<SeatUse>,
}

/// What a usage source last saw of a seat: when (`None`: the account is known and was never used) and which source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatUse {
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub at: Option<DateTime<Utc>>,
    pub source: String,
}

/// The holders of every seat matching a seat list's filters (every page of it): for a change request over "all N
/// matching". Device seats have no holder and are counted apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatHolders {
    pub person_ids: Vec<i64>,
    pub devices: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReclaimMark {
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub marked_at: DateTime<Utc>,
    pub reason: String,
}

/// Move a seat to another person.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReassignInput {
    pub person_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentHolder {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: PersonStatus,
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentInput {
    #[serde(default)]
    pub person_id: Option<i64>,
    #[serde(default)]
    pub device: Option<String>,
}

/// Everything the pool page needs in one request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolDetail {
    pub pool: Pool,
    /// The first page of seats, most recent first.
    pub assignments: crate::Page<Assignment>,
    /// Whether the caller may edit this pool (the server decides; the UI only reflects it).
    pub can_edit: bool,
    /// Whether the caller may take a single seat back at once (the approval policy may require a change request).
    #[serde(default)]
    pub can_take_back: bool,
    /// Seats marked for reclamation (their holder left): in use on paper, free in practice.
    pub marked_for_reclamation: i64,
    /// The contract covering this pool, if one is recorded.
    pub contract: Option<Ref>,
}

/// Values to fill the filter and form pickers with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lookups {
    pub vendors: Vec<Ref>,
    pub products: Vec<Product>,
    pub departments: Vec<Department>,
    pub cost_centres: Vec<CostCentre>,
    pub owners: Vec<Ref>,
}

/// Totals over the pools a caller can see, for the inventory header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InventorySummary {
    pub pools: i64,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    pub over_assigned_pools: i64,
    pub expiring_90_days: i64,
    /// Annual cost per currency.
    pub annual_cost: Vec<Money>,
}

/// A pool on its owner's "My licenses" page, with what needs their attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnedPool {
    pub pool: Pool,
    /// Seats marked for reclamation (held by people who left).
    pub marked_seats: i64,
    /// Seats held by people on leave.
    pub on_leave_seats: i64,
    /// Short sentences, most urgent first; empty when all is well.
    pub attention: Vec<String>,
}

/// A device that can hold per-device licenses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: i64,
    pub asset_tag: String,
    pub name: String,
    pub person: Option<Ref>,
    /// Seats assigned to this device (by asset tag).
    pub seats_held: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInput {
    pub asset_tag: String,
    pub name: String,
    #[serde(default)]
    pub person_id: Option<i64>,
}
