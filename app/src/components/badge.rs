//! One status badge for every kind of status a page shows (a person's, a change request's, a reclamation case's,
//! an alert's): its words and a tone a reader takes in at a glance, never colour alone.

use leptos::prelude::*;
use seatwise_types::{AlertStatus, CaseState, ChangeStatus, PersonStatus, SeatActionStatus};

use crate::format;

/// How a status reads at a glance.
#[derive(Clone, Copy)]
pub enum Tone {
    Ok,
    Warn,
    Danger,
    Info,
    Muted,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Ok => "badge badge-ok",
            Tone::Warn => "badge badge-warn",
            Tone::Danger => "badge badge-danger",
            Tone::Info => "badge badge-info",
            Tone::Muted => "badge badge-muted",
        }
    }
}

/// A status a badge shows.
pub trait Status: Copy + Send + Sync + 'static {
    fn label(self) -> String;
    fn tone(self) -> Tone;
}

#[component]
pub fn StatusBadge<S: Status>(status: S) -> impl IntoView {
    view! { <span class=status.tone().class()>{status.label()}</span> }
}

impl Status for PersonStatus {
    fn label(self) -> String {
        super::status_label(self).into()
    }

    fn tone(self) -> Tone {
        match self {
            PersonStatus::Active => Tone::Ok,
            PersonStatus::OnLeave => Tone::Warn,
            PersonStatus::Terminated => Tone::Danger,
        }
    }
}

impl Status for ChangeStatus {
    fn label(self) -> String {
        ChangeStatus::label(self).into()
    }

    fn tone(self) -> Tone {
        match self {
            ChangeStatus::Draft | ChangeStatus::RolledBack => Tone::Muted,
            ChangeStatus::Submitted | ChangeStatus::Piloted => Tone::Warn,
            ChangeStatus::Approved => Tone::Info,
            ChangeStatus::Applied => Tone::Ok,
            ChangeStatus::Rejected | ChangeStatus::Expired => Tone::Danger,
        }
    }
}

impl Status for CaseState {
    fn label(self) -> String {
        format::sentence_case(&self.as_str().replace('_', " "))
    }

    fn tone(self) -> Tone {
        match self {
            CaseState::Ready | CaseState::AwaitingUser | CaseState::AwaitingApproval => Tone::Warn,
            CaseState::AwaitingRevocation => Tone::Info,
            CaseState::Reclaimed | CaseState::Downgraded => Tone::Ok,
            CaseState::Kept | CaseState::Cancelled | CaseState::Restored => Tone::Muted,
        }
    }
}

impl Status for AlertStatus {
    fn label(self) -> String {
        AlertStatus::label(self).into()
    }

    fn tone(self) -> Tone {
        match self {
            AlertStatus::Open => Tone::Warn,
            AlertStatus::Acknowledged => Tone::Info,
            AlertStatus::Snoozed | AlertStatus::Superseded => Tone::Muted,
            AlertStatus::Decided => Tone::Ok,
        }
    }
}

impl Status for SeatActionStatus {
    fn label(self) -> String {
        match self {
            SeatActionStatus::Pending => "Pending",
            SeatActionStatus::Sent => "Sent",
            SeatActionStatus::Confirmed => "Confirmed",
            SeatActionStatus::Failed => "Failed",
            SeatActionStatus::Manual => "Needs a person",
        }
        .into()
    }

    fn tone(self) -> Tone {
        match self {
            SeatActionStatus::Pending | SeatActionStatus::Sent => Tone::Info,
            SeatActionStatus::Confirmed => Tone::Ok,
            SeatActionStatus::Failed => Tone::Danger,
            SeatActionStatus::Manual => Tone::Warn,
        }
    }
}
