//! Consent campaigns and access reviews: people are asked by e-mail whether a seat is still needed, and answer on
//! a page their link opens, without signing in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Saving;

/// Who a campaign asks about each seat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignAsk {
    /// The seat's holder (a consent campaign).
    #[default]
    Holder,
    /// The holder's manager (an access review).
    Manager,
    /// The pool's owners (an access review).
    Owner,
}

impl CampaignAsk {
    pub const ALL: [CampaignAsk; 3] = [Self::Holder, Self::Manager, Self::Owner];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Holder => "holder",
            Self::Manager => "manager",
            Self::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// An access review asks someone other than the holder.
    pub const fn is_review(self) -> bool {
        !matches!(self, Self::Holder)
    }
}

/// What happens to a seat nobody answered for by the deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoAnswer {
    /// It is taken back (as the policy acts: reclaimed, or downgraded).
    Reclaim,
    /// The pool's owner decides.
    #[default]
    OwnerDecides,
}

impl NoAnswer {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reclaim => "reclaim",
            Self::OwnerDecides => "owner_decides",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Reclaim, Self::OwnerDecides].into_iter().find(|c| c.as_str() == s)
    }
}

/// Who confirms a holder's Keep before the case closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeepConfirmer {
    Manager,
    Owner,
}

impl KeepConfirmer {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Manager => "manager",
            Self::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Manager, Self::Owner].into_iter().find(|c| c.as_str() == s)
    }
}

/// `POST /api/v1/reclamation/campaigns`: ask about the seats a policy selects now, or about chosen seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    /// Ask about the seats this policy's dry run selects now (one of `policy_id` and `assignment_ids`).
    #[serde(default)]
    pub policy_id: Option<i64>,
    /// Ask about these seats.
    #[serde(default)]
    pub assignment_ids: Option<Vec<i64>>,
    /// Ask about the seats these people hold in `pool_id` (a selection on a pool's seat list).
    #[serde(default)]
    pub person_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub pool_id: Option<i64>,
    /// The last day to answer (answers are taken until its end in the organisation's time zone).
    #[serde(deserialize_with = "crate::when::date")]
    pub deadline: NaiveDate,
    /// A reminder to those who have not answered this many days before the deadline (0: none).
    #[serde(default = "default_reminder")]
    pub reminder_days_before: i64,
    #[serde(default)]
    pub no_answer: NoAnswer,
    #[serde(default)]
    pub ask: CampaignAsk,
    /// A holder's Keep is confirmed by their manager or the pool's owner before the case closes.
    #[serde(default)]
    pub keep_confirmed_by: Option<KeepConfirmer>,
    /// Someone who kept a seat is not asked about it again for this many days.
    #[serde(default = "default_cooldown")]
    pub cooldown_days: i64,
}

fn default_reminder() -> i64 {
    3
}

fn default_cooldown() -> i64 {
    90
}

/// Where a campaign's seats stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignCounts {
    pub asked: i64,
    pub kept: i64,
    /// Given back by their holders (or removed by a reviewer).
    pub released: i64,
    /// Taken back at the deadline without an answer, or by the owner's decision.
    pub reclaimed: i64,
    /// Still waiting for an answer.
    pub waiting: i64,
    /// Waiting for the pool's owner (a Keep to confirm, or no answer where silence does not reclaim).
    pub with_owner: i64,
    /// Used again before the deadline, the holder left meanwhile, or the seat was already free.
    pub cancelled: i64,
    /// Seats answered by the person asked.
    pub answered: i64,
}

impl CampaignCounts {
    /// Answers as a whole percentage of the seats asked.
    pub fn response_rate_percent(&self) -> i64 {
        if self.asked == 0 {
            0
        } else {
            (self.answered * 100 + self.asked / 2) / self.asked
        }
    }
}

/// A campaign's counts in one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentCampaignCounts {
    pub department_id: Option<i64>,
    pub department: String,
    pub counts: CampaignCounts,
    pub response_rate_percent: i64,
}

/// A consent campaign or an access review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub ask: CampaignAsk,
    pub policy_id: Option<i64>,
    pub policy_version: Option<i64>,
    #[serde(deserialize_with = "crate::when::date")]
    pub deadline: NaiveDate,
    /// The end of the deadline day in the organisation's time zone.
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub deadline_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub remind_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub reminded_at: Option<DateTime<Utc>>,
    pub no_answer: NoAnswer,
    pub keep_confirmed_by: Option<KeepConfirmer>,
    pub cooldown_days: i64,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// When its deadline was acted on.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub closed_at: Option<DateTime<Utc>>,
    /// People written to.
    pub letters: i64,
    pub counts: CampaignCounts,
    pub response_rate_percent: i64,
    /// What its released and reclaimed seats save (restored ones excluded).
    pub saving: Saving,
    /// The counts per department of the holders (on the campaign's own page; empty in lists).
    #[serde(default)]
    pub by_department: Vec<DepartmentCampaignCounts>,
}

/// Filters for the campaign list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CampaignQuery {
    /// Only campaigns still before their deadline (`true`) or only closed ones (`false`).
    pub open: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A choice on the response page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Keep,
    /// Give the seat back (the holder), or remove it (a reviewer).
    Release,
}

impl Choice {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Release => "release",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Keep, Self::Release].into_iter().find(|c| c.as_str() == s)
    }
}

/// `POST /api/v1/respond/{token}`: the answer for the link's seats still waiting, or for some of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    pub choice: Choice,
    #[serde(default)]
    pub comment: Option<String>,
    /// The seats (case ids on the page) this answer is for; all still waiting when absent.
    #[serde(default)]
    pub case_ids: Option<Vec<i64>>,
}

/// Whether a link can still be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    /// Some seats still wait for this answer.
    Open,
    /// Every seat on it is answered or decided.
    Answered,
    /// The deadline passed.
    Expired,
}

/// One seat on a response page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseSeat {
    pub case_id: i64,
    pub license: String,
    /// Whose seat (the reader's own in a consent campaign).
    pub holder: String,
    /// Why it was selected, in words.
    pub why: String,
    /// The holder's answer and comment, shown to a manager confirming a Keep.
    pub holder_comment: Option<String>,
    /// This link's answer for it, if given.
    pub answer: Option<Choice>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub answered_at: Option<DateTime<Utc>>,
    /// It still waits for this link's answer.
    pub open: bool,
    /// Where it stands, in words ("Kept", "Given back", "Waiting for your manager").
    pub outcome: String,
}

/// What a response link shows: the question, the seats and whom to contact. Reading it changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponsePage {
    pub campaign: String,
    pub ask: CampaignAsk,
    /// `confirm`: a manager confirming the holders' Keep.
    pub purpose: String,
    pub respondent: String,
    #[serde(deserialize_with = "crate::when::date")]
    pub deadline: NaiveDate,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub deadline_at: DateTime<Utc>,
    pub status: LetterStatus,
    /// Whom to ask about it (the person who started the campaign).
    pub contact: String,
    /// What happens to a seat without an answer, in words.
    pub without_answer: String,
    pub seats: Vec<ResponseSeat>,
}

/// An owner's decision on a case waiting for one: `keep` or `reclaim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OwnerDecision {
    Keep,
    Reclaim,
}

/// `POST /api/v1/reclamation/cases/{id}/decide`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseDecision {
    pub decision: OwnerDecision,
    #[serde(default)]
    pub note: Option<String>,
}
