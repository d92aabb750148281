//! Organisation settings: the time zone the daily run and "today" follow, alert stages, rolling reviews.

use leptos::prelude::*;
use seatwise_types::{FieldError, OrgSettings, Role};

use crate::api::{self, ApiError};
use crate::components::shell::Shell;
use crate::components::{ErrorBanner, FieldMessage, Loading};
use crate::session::use_session;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let current = LocalResource::new(|| api::get::<OrgSettings>("/api/v1/settings"));
    view! {
        <Shell title="Settings">
            <div class="page-head"><div>
                <h1>"Organisation settings"</h1>
                <p class="muted">"When renewal alerts are raised, and which day it is for the daily run."</p>
            </div></div>
            {move || match current.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(s)) => view! { <SettingsForm settings=s/> }.into_any(),
            }}
        </Shell>
    }
}

#[component]
fn SettingsForm(settings: OrgSettings) -> impl IntoView {
    let session = use_session();
    let is_admin = move || session.has(Role::Admin);
    let timezone = RwSignal::new(settings.timezone.clone());
    let stages = RwSignal::new(settings.alert_stages.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
    let review = RwSignal::new(settings.rolling_review_months.to_string());
    let hour = RwSignal::new(settings.daily_run_hour.to_string());
    let local_error = RwSignal::new(None::<ApiError>);
    // The version the page loaded, then the one each save returns, so a second save in a row is not stale.
    let version = RwSignal::new(settings.version);
    let save = Action::new_local(move |input: &OrgSettings| {
        let (input, loaded) = (input.clone(), version.get_untracked());
        async move { api::put_if::<_, OrgSettings>("/api/v1/settings", &input, Some(loaded)).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            version.set(saved.version);
        }
    });
    let error: Signal<Option<ApiError>> =
        Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = Vec::new();
        let parsed: Vec<i64> = stages
            .get_untracked()
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .filter_map(|s| {
                s.trim()
                    .parse()
                    .map_err(|_| {
                        fields.push(FieldError::new("alert_stages", "list whole numbers of days, e.g. 90, 60, 30"))
                    })
                    .ok()
            })
            .collect();
        let number = |v: String, path: &str, fields: &mut Vec<FieldError>| {
            v.trim().parse::<i64>().unwrap_or_else(|_| {
                fields.push(FieldError::new(path, "must be a whole number"));
                -1
            })
        };
        let review_months = number(review.get_untracked(), "rolling_review_months", &mut fields);
        let run_hour = number(hour.get_untracked(), "daily_run_hour", &mut fields);
        if let Some(first) = fields.first() {
            local_error.set(Some(ApiError::local(&first.path, &first.message)));
            return;
        }
        local_error.set(None);
        save.dispatch(OrgSettings {
            timezone: timezone.get_untracked(),
            alert_stages: parsed,
            rolling_review_months: review_months,
            daily_run_hour: run_hour,
            version: version.get_untracked(),
        });
    };
    let saved = move || save.value().get().and_then(Result::ok).is_some() && local_error.get().is_none();
    let field = move |id: &'static str, label: &'static str, hint: &'static str, value: RwSignal<String>| {
        let invalid = move || if error.get().is_some_and(|e| e.field(id).is_some()) { "true" } else { "false" };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id aria-invalid=invalid disabled=move || !is_admin() prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="muted small">{hint}</p>
                <FieldMessage error=error path=id/>
            </div>
        }
    };
    view! {
        <form class="form panel" novalidate on:submit=submit>
            <div aria-live="polite">
                {move || saved().then(|| view! { <div class="banner banner-ok" role="status">"Settings saved."</div> })}
            </div>
            <div class="form-grid">
                {field("timezone", "Time zone", "IANA name, e.g. Europe/Berlin or America/New_York.", timezone)}
                {field("alert_stages", "Alert stages (days before)", "Raised this many days before the cancel-by or end date.", stages)}
                {field("rolling_review_months", "Review rolling subscriptions every (months)", "Monthly subscriptions get one review per period instead of monthly alerts.", review)}
                {field("daily_run_hour", "Daily run from (local hour)", "0–23, in the time zone above.", hour)}
            </div>
            <Show when=is_admin fallback=|| view! { <p class="muted">"Only admins change these."</p> }>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                </div>
            </Show>
        </form>
    }
}
