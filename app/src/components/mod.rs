//! Pieces every page uses: the shell, status messages, money and dates, badges.

pub mod badge;
pub mod charts;
pub mod confirm;
pub mod fields;
pub mod file;
pub mod filters;
pub mod form;
pub mod list;
pub mod person_picker;
pub mod progress;
pub mod renewal;
pub mod selection;
pub mod shell;

pub use badge::StatusBadge;
use chrono::NaiveDate;
use leptos::prelude::*;
use seatwise_types::{Money, PersonStatus};

use crate::api::{ApiError, ApiResult};
use crate::format;

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! { <div class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>{label}</div> }
}

#[component]
pub fn ErrorBanner(error: ApiError) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert">
            <strong>"Something went wrong. "</strong>
            {error.message()}
        </div>
    }
}

/// One resource's "loading / error / data": the spinner until it answers, then the server's error (or `not_found`
/// for a 404, when given), else `children` with the data.
#[component]
pub fn Loaded<T, F, V>(
    resource: LocalResource<ApiResult<T>>,
    /// Shown instead of the error when the record does not exist (or is outside the caller's scope).
    #[prop(optional, into)]
    not_found: Option<ViewFn>,
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Clone + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => match (&not_found, e.status) {
            (Some(not_found), 404) => not_found.run(),
            _ => view! { <ErrorBanner error=e/> }.into_any(),
        },
        Some(Ok(data)) => children(data).into_any(),
    }
}

#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="empty">
            <svg class="empty-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 7h18M6 7v12h12V7M9 11h6"/></svg>
            <h2>{title}</h2>
            <div class="muted">{children()}</div>
        </div>
    }
}

#[component]
pub fn MoneyText(money: Money) -> impl IntoView {
    let title = format!("{} {}", format::decimal(&money), money.currency);
    view! { <span class="money" title=title>{format::money(&money)}</span> }
}

#[component]
pub fn DateText(date: Option<NaiveDate>) -> impl IntoView {
    match date {
        Some(d) => {
            let iso = d.to_string();
            view! { <time datetime=iso.clone() title=iso>{format::date(&d)}</time> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
pub fn Utilization(assigned: i64, purchased: Option<i64>, percent: Option<i64>) -> impl IntoView {
    let level = match percent {
        Some(p) if p > 100 => "over",
        Some(p) if p < 50 => "low",
        Some(_) => "ok",
        None => "none",
    };
    let label = match (purchased, percent) {
        (Some(p), Some(pct)) => format!("{} / {} ({pct}%)", format::number(assigned), format::number(p)),
        (Some(p), None) => format!("{} / {}", format::number(assigned), format::number(p)),
        (None, _) => format!("{} assigned · unlimited", format::number(assigned)),
    };
    let width = percent.map(|p| p.clamp(0, 100)).unwrap_or(0);
    view! {
        <div class=format!("util util-{level}")>
            <div class="util-bar" aria-hidden="true"><span style:width=format!("{width}%")></span></div>
            <span class="util-label">{label}</span>
        </div>
    }
}

/// A person's status in words.
pub fn status_label(status: PersonStatus) -> &'static str {
    match status {
        PersonStatus::Active => "Active",
        PersonStatus::OnLeave => "On leave",
        PersonStatus::Terminated => "Terminated",
    }
}

/// The id of the message beside the field at `path`, for `aria-describedby`.
pub fn error_id(path: &str) -> String {
    format!("err-{}", path.replace('.', "-"))
}

/// The message for one field from the last server error, shown under the field. With `each`, every error whose
/// path starts with `path` is shown with its path (a list's items: `documents[2]`).
#[component]
pub fn FieldMessage(
    error: Signal<Option<ApiError>>,
    path: &'static str,
    #[prop(optional)] each: bool,
) -> impl IntoView {
    let id = error_id(path);
    move || {
        if each {
            return error
                .get()
                .map(|e| {
                    e.fields()
                        .iter()
                        .filter(|f| f.path.starts_with(path))
                        .map(|f| view! { <p class="field-error" role="alert">{format!("{}: {}", f.path, f.message)}</p> })
                        .collect_view()
                })
                .into_any();
        }
        error
            .get()
            .and_then(|e| e.field(path))
            .map(|m| view! { <p class="field-error" id=id.clone() role="alert">{m}</p> })
            .into_any()
    }
}
