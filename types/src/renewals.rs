//! Contracts, their terms, renewal alerts, the calendar and organisation settings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Money, Ref};

macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal, $label:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

/// What was decided about renewing a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Renew,
    /// Renew with a different seat count, tier or price.
    RenewWithChanges,
    /// Talks with the vendor; the alerts keep coming until a final decision.
    Renegotiate,
    Cancel,
    /// Explicit-renewal contracts: do nothing and let the term end.
    LetLapse,
    /// Recorded by Seatwise when an auto-renewing term ended without a decision.
    AutoRenewed,
}

text_enum!(Decision {
    Renew => "renew", "Renew",
    RenewWithChanges => "renew_with_changes", "Renew with changes",
    Renegotiate => "renegotiate", "Renegotiate",
    Cancel => "cancel", "Cancel",
    LetLapse => "let_lapse", "Let lapse",
    AutoRenewed => "auto_renewed", "Renewed automatically",
});

impl Decision {
    /// The decisions a person can record (auto-renewal is Seatwise's own).
    pub const CHOICES: [Decision; 5] =
        [Self::Renew, Self::RenewWithChanges, Self::Renegotiate, Self::Cancel, Self::LetLapse];

    /// Final decisions close the term's alerts; renegotiating keeps them coming.
    pub fn is_final(self) -> bool {
        self != Self::Renegotiate
    }
}

/// Which date an alert or calendar entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// Last day to give notice on an auto-renewing contract.
    CancelBy,
    /// Last day of the term.
    End,
    /// Periodic review of a monthly rolling subscription.
    Review,
}

text_enum!(DateKind {
    CancelBy => "cancel_by", "Cancel by",
    End => "end", "Ends",
    Review => "review", "Review",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Snoozed,
    Decided,
    /// A later stage for the same term replaced it.
    Superseded,
}

text_enum!(AlertStatus {
    Open => "open", "Open",
    Acknowledged => "acknowledged", "Acknowledged",
    Snoozed => "snoozed", "Snoozed",
    Decided => "decided", "Decided",
    Superseded => "superseded", "Superseded",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    /// Cancelled or left to lapse; runs until its end date.
    Ending,
    Ended,
}

text_enum!(ContractStatus {
    Active => "active", "Active",
    Ending => "ending", "Ending",
    Ended => "ended", "Ended",
});

/// How close a date is, for colour: past, within 30, 60, 90 days, or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Past,
    Critical,
    Soon,
    Upcoming,
    Later,
}

text_enum!(Urgency {
    Past => "past", "Past",
    Critical => "critical", "Within 30 days",
    Soon => "soon", "Within 60 days",
    Upcoming => "upcoming", "Within 90 days",
    Later => "later", "Later",
});

/// One term of a contract: what it cost and what was decided about renewing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub id: i64,
    pub seq: i64,
    #[serde(deserialize_with = "crate::when::date")]
    pub start_date: NaiveDate,
    #[serde(deserialize_with = "crate::when::date")]
    pub end_date: NaiveDate,
    pub price: Option<Money>,
    pub seats: Option<i64>,
    pub tier: Option<String>,
    pub decision: Option<Decision>,
    pub decision_comment: Option<String>,
    pub decided_by: Option<String>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The change request that carries this term's seat changes to its pools (a renewal decided with changes).
    #[serde(default)]
    pub change_request_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    pub id: i64,
    pub vendor: Ref,
    pub number: String,
    pub title: String,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub term_months: i64,
    /// Monthly auto-renewing subscriptions: reviewed periodically instead of alerted every month.
    pub rolling: bool,
    pub term: Term,
    /// End of term minus the notice period.
    #[serde(deserialize_with = "crate::when::date")]
    pub cancel_by: NaiveDate,
    /// The date that matters: cancel-by for auto-renewing contracts, the end date otherwise.
    #[serde(deserialize_with = "crate::when::date")]
    pub key_date: NaiveDate,
    pub days_to_key_date: i64,
    pub urgency: Urgency,
    pub status: ContractStatus,
    pub renewal_price: Option<Money>,
    /// Renewal price, or the covered pools' annual cost when no price is recorded.
    pub value: Option<Money>,
    pub vendor_contact: Option<String>,
    pub documents: Vec<String>,
    /// The covered pools the caller may see.
    pub pools: Vec<Ref>,
    pub open_alerts: i64,
    /// Covered pools outside the caller's departments, left out of `pools` and of every figure. When above 0,
    /// `value` is the visible pools' annual cost and the contract's own prices and seats are withheld.
    #[serde(default)]
    pub hidden_pools: i64,
    /// Incremented by every write; send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

/// A covered pool with the figures a renewal decision needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolUsage {
    pub pool: Ref,
    pub department: Ref,
    pub owner: Option<Ref>,
    pub tier: String,
    pub seats_purchased: Option<i64>,
    pub seats_assigned: i64,
    pub utilization_percent: Option<i64>,
    pub held_by_terminated: i64,
    pub held_by_on_leave: i64,
    /// Holders with no recorded sign-in in the last 90 days.
    pub held_by_inactive: i64,
    pub annual_cost: Money,
    /// The seat count measured use suggests for the next term (active seats and those without data, plus a
    /// buffer), and what renewing at it saves a year in the pool's currency; `null` for a site licence.
    #[serde(default)]
    pub right_size_seats: Option<i64>,
    #[serde(default)]
    pub right_size_saving_annual: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractDetail {
    pub contract: Contract,
    /// Oldest first.
    pub terms: Vec<Term>,
    pub pools: Vec<PoolUsage>,
    pub watchers: Vec<Ref>,
    /// Whether the caller watches this contract (gets its alerts and has it in their calendar feed).
    pub watching: bool,
    pub alerts: Vec<Alert>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractInput {
    pub vendor_id: i64,
    pub number: String,
    pub title: String,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub term_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub term_end: Option<NaiveDate>,
    /// Length of a renewal term in months (1 = monthly, 12 = annual).
    pub term_months: Option<i64>,
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub notice_days: i64,
    pub renewal_price: Option<Money>,
    pub vendor_contact: Option<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub pool_ids: Vec<i64>,
    #[serde(default)]
    pub watcher_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    pub contract_id: i64,
    pub contract_number: String,
    pub contract_title: String,
    pub vendor: String,
    pub kind: DateKind,
    /// 90, 60, 30 ... days before the date; none for reviews.
    pub stage_days: Option<i64>,
    #[serde(deserialize_with = "crate::when::date")]
    pub due_date: NaiveDate,
    #[serde(deserialize_with = "crate::when::date")]
    pub end_date: NaiveDate,
    /// Shown beside the end date for auto-renewing contracts.
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub cancel_by: Option<NaiveDate>,
    pub days_left: i64,
    pub urgency: Urgency,
    #[serde(deserialize_with = "crate::when::date")]
    pub fired_on: NaiveDate,
    pub status: AlertStatus,
    #[serde(default, deserialize_with = "crate::when::opt_date")]
    pub snoozed_until: Option<NaiveDate>,
    pub assigned_to: Option<Ref>,
    pub acknowledged_by: Option<String>,
    pub decision: Option<Decision>,
    pub decision_comment: Option<String>,
    pub decided_by: Option<String>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The cancel-by date passed with no decision while the contract still renews itself (on the day after
    /// `end_date`): negotiate before then, or plan the cancellation for the next term.
    #[serde(default)]
    pub missed: bool,
}

/// The day an auto-renewing term renews itself: the day after it ends.
pub fn renews_on(end: NaiveDate) -> NaiveDate {
    end.succ_opt().unwrap_or(end)
}

/// What can still be done once a cancel-by date has passed undecided: said the same way in the console and in mail.
pub const MISSED_CANCEL_BY_ADVICE: &str =
    "Negotiate the renewal (price, seats) before it renews, or plan the cancellation for the next term's cancel-by date.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertDetail {
    pub alert: Alert,
    pub contract: ContractDetail,
    pub can_act: bool,
    /// People this alert can be assigned to.
    pub assignees: Vec<Ref>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertCounts {
    /// Open, acknowledged, or snoozed until today or earlier.
    pub needs_action: i64,
    /// Of those, sent to or assigned to the caller.
    pub mine: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
    /// Renew with changes: seats for the next term.
    pub seats: Option<i64>,
    /// Renew with changes: tier for the next term.
    pub tier: Option<String>,
    /// Price of the next term (defaults to the renewal price).
    pub price: Option<Money>,
    /// Renew with changes: seats for the next term per covered pool. The change goes through the approval queue
    /// as a change request applied when the next term starts. With one covered pool, `seats` alone says it.
    #[serde(default)]
    pub pool_seats: Vec<PoolSeats>,
}

/// Seats a covered pool is to have from the next term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolSeats {
    pub pool_id: i64,
    pub seats_purchased: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchInput {
    pub watching: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnoozeInput {
    #[serde(deserialize_with = "crate::when::date")]
    pub until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignInput {
    /// A user; none to unassign.
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarEvent {
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
    pub kind: DateKind,
    pub contract_id: i64,
    pub contract_number: String,
    pub title: String,
    pub vendor: String,
    pub auto_renew: bool,
    pub days_left: i64,
    pub urgency: Urgency,
    /// What the caller may see of the contract's value (see `Contract::hidden_pools`).
    pub value: Option<Money>,
    /// Covered pools outside the caller's departments, left out of `value`.
    #[serde(default)]
    pub hidden_pools: i64,
}

/// Value renewing within a number of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineBucket {
    pub within_days: i64,
    pub contracts: i64,
    /// One total per currency.
    pub value: Vec<Money>,
}

/// How many dates of one kind fall on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateKindCount {
    pub kind: DateKind,
    pub count: i64,
}

/// One day of the calendar that has dates: how many, by kind, and the first few of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarDay {
    #[serde(deserialize_with = "crate::when::date")]
    pub date: NaiveDate,
    /// Every date of the day, filters applied: `total` and one count per kind present (cancel-by first).
    pub total: i64,
    pub counts: Vec<DateKindCount>,
    /// The first `Calendar::per_day` of them, by contract (cancel-by before end for the same contract);
    /// `GET /api/v1/calendar/events?date=` lists them all.
    pub events: Vec<CalendarEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    #[serde(deserialize_with = "crate::when::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::when::date")]
    pub to: NaiveDate,
    /// Today in the organisation's time zone.
    #[serde(deserialize_with = "crate::when::date")]
    pub today: NaiveDate,
    /// The days from `from` to `to` that have at least one date, in order.
    pub days: Vec<CalendarDay>,
    /// How many events each day carries at most (the month grid shows them; the rest are a request away). 0 for a
    /// range longer than a quarter (92 days), which carries each day's counts only.
    pub per_day: i64,
    pub pipeline: Vec<PipelineBucket>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    pub active: bool,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The subscription address; only in the answer that creates it (the token is not stored).
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSettings {
    /// IANA time zone the daily job and "today" follow, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Days before the date that matters, most distant first.
    pub alert_stages: Vec<i64>,
    /// Monthly rolling subscriptions get one review reminder every this many months.
    pub rolling_review_months: i64,
    /// Local hour (0-23) from which the daily job runs.
    pub daily_run_hour: i64,
    /// The currency every finance figure is reported in (ISO 4217); exchange rates are kept into it.
    #[serde(default = "default_reporting_currency")]
    pub reporting_currency: String,
    /// Spare seats right-sizing keeps above measured use, in percent (0-100).
    #[serde(default = "default_right_size_buffer")]
    pub right_size_buffer_percent: i64,
    /// Incremented by every write (ignored in a PUT body); send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

fn default_reporting_currency() -> String {
    "USD".into()
}

fn default_right_size_buffer() -> i64 {
    10
}

/// What turning pools' own contract dates into contracts did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptedContracts {
    pub contracts: i64,
    pub pools: i64,
}
