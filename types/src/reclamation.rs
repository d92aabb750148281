//! Reclamation: usage rules that find seats nobody uses, the cases they open, and the savings they make.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Money, PersonStatus};

/// What a policy does with the seats it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReclaimAction {
    /// Free the seat.
    Reclaim,
    /// Move the holder to a cheaper pool (`target_pool_id`), e.g. Microsoft 365 E3 to Exchange Online Plan 1.
    Downgrade,
    /// Tell the pool's owner, change nothing.
    Notify,
}

impl ReclaimAction {
    pub const ALL: [ReclaimAction; 3] = [Self::Reclaim, Self::Downgrade, Self::Notify];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reclaim => "reclaim",
            Self::Downgrade => "downgrade",
            Self::Notify => "notify",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Which seats a policy selects. Each condition that is set must hold; a seat is selected for the first reason
/// that does, in this order: status, never used, inactive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyConditions {
    /// Select seats with no use for at least this many days (1 to 3650).
    #[serde(default)]
    pub inactive_days: Option<i64>,
    /// Select accounts the usage data says never signed in, once past `grace_days`.
    #[serde(default)]
    pub never_used: bool,
    /// Days from the holder's start date (or, without one, the day the seat was given) during which a never-used
    /// account keeps its seat.
    #[serde(default)]
    pub grace_days: i64,
    /// Holders with these statuses are selected whatever their usage.
    #[serde(default)]
    pub statuses: Vec<PersonStatus>,
    /// Only holders in these departments; empty: every department.
    #[serde(default)]
    pub department_ids: Vec<i64>,
    /// Holders in these departments are never selected.
    #[serde(default)]
    pub exempt_department_ids: Vec<i64>,
    /// These people are never selected (VIPs, say).
    #[serde(default)]
    pub exempt_person_ids: Vec<i64>,
    /// People marked VIP by HR or the asset system (its `VIP` column) are never selected.
    #[serde(default)]
    pub exempt_vips: bool,
    /// Usage data read longer ago than this many days is reported but never acted on.
    #[serde(default = "default_max_data_age")]
    pub max_data_age_days: i64,
}

fn default_max_data_age() -> i64 {
    7
}

/// A policy as written: create it with this, and change it with this (each change is a new version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub name: String,
    /// The pool it watches; or `product_id` for every pool of a product. Exactly one of the two.
    #[serde(default)]
    pub pool_id: Option<i64>,
    #[serde(default)]
    pub product_id: Option<i64>,
    pub action: ReclaimAction,
    /// The cheaper pool a downgrade moves holders to (downgrade only).
    #[serde(default)]
    pub target_pool_id: Option<i64>,
    pub conditions: PolicyConditions,
    /// Ask each holder first (a consent campaign) instead of acting at once.
    #[serde(default)]
    pub ask_consent: bool,
    /// Send each run's batch to the approval queue as one change request.
    #[serde(default)]
    pub needs_approval: bool,
    /// Run on the daily job. A disabled policy can still be tried with a dry run.
    #[serde(default)]
    pub enabled: bool,
}

/// A policy as stored: its current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub id: i64,
    pub name: String,
    pub pool_id: Option<i64>,
    pub product_id: Option<i64>,
    /// The pool's or the product's name.
    pub scope_name: String,
    pub action: ReclaimAction,
    pub target_pool_id: Option<i64>,
    pub target_pool_name: Option<String>,
    pub conditions: PolicyConditions,
    pub ask_consent: bool,
    pub needs_approval: bool,
    pub enabled: bool,
    pub version: i64,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub updated_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_run_at: Option<DateTime<Utc>>,
}

/// One earlier (or the current) version of a policy as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub version: i64,
    pub definition: PolicyInput,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// Why a seat was selected: the signal, its value and the threshold it crossed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingReason {
    /// The holder's status (terminated, on leave).
    Status { status: PersonStatus },
    /// The usage data says the account never signed in, and it is older than the grace period.
    NeverUsed { account_age_days: i64, grace_days: i64 },
    /// No use for `days` days, at least `threshold_days`.
    Inactive { last_used_at: DateTime<Utc>, days: i64, threshold_days: i64 },
    /// The person left (an offboarding).
    Terminated,
    /// The seat's contract ended.
    ContractEnded { contract_id: i64 },
    /// Its holder gave it back.
    GivenBack,
    /// Chosen by hand for a campaign or review, with the last use known then (`None`: no sign-in on record).
    Chosen { last_used_at: Option<DateTime<Utc>>, source: Option<String> },
}

impl FindingReason {
    /// The reason as a sentence a person reads.
    pub fn sentence(&self) -> String {
        match self {
            Self::Status { status } => format!("Holder is {}", status.as_str().replace('_', " ")),
            Self::NeverUsed { account_age_days, grace_days } => {
                format!("Never signed in; account is {account_age_days} days old (grace {grace_days} days)")
            }
            Self::Inactive { days, threshold_days, last_used_at } => {
                format!("No sign-in for {days} days, since {} (limit {threshold_days})", last_used_at.date_naive())
            }
            Self::Terminated => "Holder left the organisation".into(),
            Self::ContractEnded { contract_id } => format!("Contract {contract_id} ended"),
            Self::GivenBack => "Given back by its holder".into(),
            Self::Chosen { last_used_at: Some(at), source } => match source {
                Some(source) => format!("Chosen for review; last sign-in {} ({source})", at.date_naive()),
                None => format!("Chosen for review; last sign-in {}", at.date_naive()),
            },
            Self::Chosen { last_used_at: None, .. } => "Chosen for review; no sign-in on record".into(),
        }
    }
}

/// One seat a dry run (or a run) selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub assignment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub pool_id: i64,
    pub pool_name: String,
    pub reason: FindingReason,
    /// The reason as a sentence.
    pub detail: String,
    /// Which source the usage came from, and when it was read (none for a status).
    pub data_source: Option<String>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub data_read_at: Option<DateTime<Utc>>,
    /// The data is older than the policy's `max_data_age_days`: reported, never acted on.
    pub stale: bool,
    /// What freeing (or downgrading) this seat saves.
    pub monthly_saving: Option<Money>,
    pub annual_saving: Option<Money>,
}

/// Totals, one amount per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Saving {
    pub monthly: Vec<Money>,
    pub annual: Vec<Money>,
}

/// What a policy would do now: every seat it selects, page by page, and the saving of all of them (stale
/// findings excluded, since they would not be acted on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRun {
    pub policy_id: i64,
    pub policy_version: i64,
    pub items: Vec<Finding>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Findings whose data is too old to act on.
    pub stale: i64,
    /// Seats held that have no usage data for this product (never treated as unused).
    pub without_data: i64,
    pub saving: Saving,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub evaluated_at: DateTime<Utc>,
}

/// The state of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Ready,
    AwaitingUser,
    AwaitingApproval,
    /// A hold defers the revocation.
    AwaitingRevocation,
    Reclaimed,
    Downgraded,
    Kept,
    /// Activity seen again before the deadline, or the person came back.
    Cancelled,
    /// A reclaimed or downgraded seat given back.
    Restored,
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        Self::Ready,
        Self::AwaitingUser,
        Self::AwaitingApproval,
        Self::AwaitingRevocation,
        Self::Reclaimed,
        Self::Downgraded,
        Self::Kept,
        Self::Cancelled,
        Self::Restored,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::AwaitingUser => "awaiting_user",
            Self::AwaitingApproval => "awaiting_approval",
            Self::AwaitingRevocation => "awaiting_revocation",
            Self::Reclaimed => "reclaimed",
            Self::Downgraded => "downgraded",
            Self::Kept => "kept",
            Self::Cancelled => "cancelled",
            Self::Restored => "restored",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The states of a case still waiting for something: its seat cannot get a second case (the one list of them;
    /// the SQL and the unique index on open seats name the same).
    pub const OPEN: [CaseState; 4] =
        [Self::Ready, Self::AwaitingUser, Self::AwaitingApproval, Self::AwaitingRevocation];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

/// What opened a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseOrigin {
    Policy,
    Offboarding,
    Contract,
    /// Its holder gave the seat back (My seats).
    Holder,
    /// A consent campaign or access review asked about it.
    Campaign,
}

impl CaseOrigin {
    pub const ALL: [CaseOrigin; 5] = [Self::Policy, Self::Offboarding, Self::Contract, Self::Holder, Self::Campaign];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::Offboarding => "offboarding",
            Self::Contract => "contract",
            Self::Holder => "holder",
            Self::Campaign => "campaign",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One seat selected for reclamation and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: i64,
    pub pool_id: i64,
    pub pool_name: String,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub origin: CaseOrigin,
    pub policy_id: Option<i64>,
    pub policy_version: Option<i64>,
    pub action: ReclaimAction,
    pub target_pool_id: Option<i64>,
    pub reason: FindingReason,
    pub detail: String,
    pub state: CaseState,
    /// What started it: the termination's time, or when the policy found the seat.
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub event_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub opened_at: DateTime<Utc>,
    /// When an unanswered question is decided.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub deadline: Option<DateTime<Utc>>,
    /// Why revocation waits (a legal hold, a blackout window).
    pub hold_reason: Option<String>,
    pub change_request_id: Option<i64>,
    /// The campaign that asked about it, and the answer it got (who, when, with what comment).
    #[serde(default)]
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub answer: Option<crate::Choice>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub answered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub answered_by: Option<String>,
    #[serde(default)]
    pub answer_comment: Option<String>,
    /// A campaign's case waiting for the pool's owner to decide (keep or reclaim).
    #[serde(default)]
    pub awaiting_owner: bool,
    /// When the seat was removed (or moved), and how long after the event.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_ms: Option<i64>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub note: Option<String>,
    /// Until when a restore can give the seat back.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub restorable_until: Option<DateTime<Utc>>,
    pub version: i64,
}

/// Filters for the case list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CaseQuery {
    /// A state, or `open` for every state still waiting.
    pub state: Option<String>,
    pub pool_id: Option<i64>,
    pub person_id: Option<i64>,
    pub policy_id: Option<i64>,
    /// The cases a campaign asked about.
    pub campaign_id: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A policy run now (rather than on the daily job): what it did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyRun {
    pub policy_id: i64,
    pub policy_version: i64,
    /// Cases opened by this run.
    pub opened: i64,
    /// Seats already in an open case.
    pub already_open: i64,
    /// Findings left alone because their data is too old.
    pub stale: i64,
    pub reclaimed: i64,
    pub downgraded: i64,
    /// Cases waiting for the approval queue, with the change request that holds them.
    pub awaiting_approval: i64,
    pub change_request_id: Option<i64>,
    pub notified: i64,
}

/// A hold: revocation of a person's seats (legal) or of a pool's seats (blackout) waits until it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hold {
    pub id: i64,
    /// `legal` (a person) or `blackout` (a pool).
    pub kind: String,
    pub person_id: Option<i64>,
    pub pool_id: Option<i64>,
    /// The person's or the pool's name.
    pub subject: String,
    pub reason: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub starts_on: NaiveDate,
    /// `None`: until lifted.
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub lifted_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// In force today.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// `legal` (needs `person_id`) or `blackout` (needs `pool_id`).
    pub kind: String,
    #[serde(default)]
    pub person_id: Option<i64>,
    #[serde(default)]
    pub pool_id: Option<i64>,
    pub reason: String,
    /// Default: today.
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_date")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_date")]
    pub ends_on: Option<NaiveDate>,
}

/// One reclaimed or downgraded seat's saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingEntry {
    pub id: i64,
    pub case_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub pool_id: i64,
    pub pool_name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub cost_centre_id: i64,
    pub cost_centre_code: String,
    /// `reclaimed` or `downgraded`.
    pub kind: String,
    /// `freed` (the seat is free to give again), `cost_avoided` (given again instead of bought) or `hard`
    /// (removed from the contract at renewal).
    pub category: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub removed_on: NaiveDate,
    pub monthly: Money,
    pub annual: Money,
    /// Where the price came from: the pool's cost per seat when the seat was removed.
    pub price_source: String,
    /// Given back by a restore: no longer counted.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub reversed_at: Option<DateTime<Utc>>,
}

/// Filters for the savings log and its exports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SavingsQuery {
    /// The department of the person whose seat was removed.
    pub department_id: Option<i64>,
    /// The cost centre of the pool the seat was removed from.
    pub cost_centre_id: Option<i64>,
    pub pool_id: Option<i64>,
    /// Seats the runs of this policy removed.
    pub policy_id: Option<i64>,
    /// One month removed, `YYYY-MM`.
    pub month: Option<String>,
    /// First and last day removed (inclusive).
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub to: Option<NaiveDate>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The savings log's filters without paging: what its exports take.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SavingsFilter {
    /// The department of the person whose seat was removed.
    pub department_id: Option<i64>,
    /// The cost centre of the pool the seat was removed from.
    pub cost_centre_id: Option<i64>,
    pub pool_id: Option<i64>,
    pub policy_id: Option<i64>,
    /// One month removed, `YYYY-MM`.
    pub month: Option<String>,
    /// First and last day removed (inclusive).
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub to: Option<NaiveDate>,
}

impl SavingsFilter {
    /// The same filters as a list query (first page).
    pub fn as_query(&self) -> SavingsQuery {
        SavingsQuery {
            department_id: self.department_id,
            cost_centre_id: self.cost_centre_id,
            pool_id: self.pool_id,
            policy_id: self.policy_id,
            month: self.month.clone(),
            from: self.from,
            to: self.to,
            page: None,
            per_page: None,
        }
    }
}

/// Savings by month removed, one row per month and currency, reversed entries excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub seats: i64,
    pub monthly: Money,
    pub annual: Money,
}

/// The savings log: entries page by page, with totals and months over every entry the filters match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavingsPage {
    pub items: Vec<SavingEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub totals: Saving,
    pub months: Vec<SavingsMonth>,
}

/// `GET /api/v1/reclamation/time-to-revoke`: the months to cover and the limit that counts as a breach.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct RevokeQuery {
    /// Months back from this one (1 to 36, default 12).
    pub months: Option<i64>,
    /// Hours from a termination to its seat's removal above which a case is a breach (default 24).
    pub limit_hours: Option<i64>,
}

/// Time from termination to seat removed, for the offboarding cases revoked in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeMonth {
    /// `YYYY-MM`, in the organisation's time zone.
    pub month: String,
    pub cases: i64,
    pub median_ms: Option<i64>,
    pub p95_ms: Option<i64>,
    /// Cases over the limit.
    pub breaches: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeToRevoke {
    pub limit_ms: i64,
    /// Oldest first, one per month (months without cases included).
    pub months: Vec<RevokeMonth>,
}
