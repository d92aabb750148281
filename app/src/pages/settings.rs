//! Organisation settings: the time zone the daily run and "today" follow, alert stages, rolling reviews, the
//! reporting currency and right-sizing's buffer.

use leptos::prelude::*;
use seatwise_types::{FieldError, OrgSettings};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::shell::Shell;
use crate::components::Loaded;
use crate::pages::connectors::Connectors;
use crate::pages::sign_in_groups::SignInGroups;
use crate::pages::webhooks::Webhooks;
use crate::session::use_session;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let current = LocalResource::new(api::settings::get);
    view! {
        <Shell title="Settings">
            <div class="page-head"><div>
                <h1>"Organisation settings"</h1>
                <p class="muted">"When renewal alerts are raised, which day it is for the daily run, and how finance counts."</p>
            </div></div>
            <Loaded resource=current let:s>
                <SettingsForm settings=s/>
            </Loaded>
            {move || session.can().administer.then(|| view! { <SignInGroups/> })}
            {move || session.can().administer.then(|| view! { <Connectors/> })}
            {move || session.can().administer.then(|| view! { <Webhooks/> })}
        </Shell>
    }
}

#[component]
fn SettingsForm(settings: OrgSettings) -> impl IntoView {
    let session = use_session();
    let is_admin = move || session.can().administer;
    let timezone = RwSignal::new(settings.timezone.clone());
    let stages = RwSignal::new(settings.alert_stages.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
    let review = RwSignal::new(settings.rolling_review_months.to_string());
    let hour = RwSignal::new(settings.daily_run_hour.to_string());
    let currency = RwSignal::new(settings.reporting_currency.clone());
    let buffer = RwSignal::new(settings.right_size_buffer_percent.to_string());
    let local_error = RwSignal::new(None::<ApiError>);
    // The version the page loaded, then the one each save returns, so a second save in a row is not stale.
    let version = RwSignal::new(settings.version);
    let save = Action::new_local(move |input: &OrgSettings| {
        let (input, loaded) = (input.clone(), version.get_untracked());
        async move { api::settings::update(&input, loaded).await }
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
        let buffer_percent = number(buffer.get_untracked(), "right_size_buffer_percent", &mut fields);
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
            reporting_currency: currency.get_untracked(),
            right_size_buffer_percent: buffer_percent,
            version: version.get_untracked(),
        });
    };
    let saved = move || save.value().get().and_then(Result::ok).is_some() && local_error.get().is_none();
    let read_only = Signal::derive(move || !is_admin());
    view! {
        <form class="form panel" novalidate on:submit=submit>
            <div aria-live="polite">
                {move || saved().then(|| view! { <div class="banner banner-ok" role="status">"Settings saved."</div> })}
            </div>
            <div class="form-grid">
                <TextField id="timezone" label="Time zone" value=timezone error=error disabled=read_only
                    hint="IANA name, e.g. Europe/Berlin or America/New_York."/>
                <TextField id="alert_stages" label="Alert stages (days before)" value=stages error=error disabled=read_only
                    hint="Raised this many days before the cancel-by or end date."/>
                <TextField id="rolling_review_months" label="Review rolling subscriptions every (months)" value=review error=error
                    disabled=read_only hint="Monthly subscriptions get one review per period instead of monthly alerts."/>
                <TextField id="daily_run_hour" label="Daily run from (local hour)" value=hour error=error disabled=read_only
                    hint="0–23, in the time zone above."/>
                <TextField id="reporting_currency" label="Reporting currency" value=currency error=error disabled=read_only
                    hint="Every finance figure is shown in it (e.g. USD, EUR). Exchange rates are kept into it: after a change, add rates into the new currency."/>
                <TextField id="right_size_buffer_percent" label="Right-sizing buffer (%)" value=buffer error=error
                    disabled=read_only hint="Spare seats a renewal keeps above measured use, 0–100."/>
            </div>
            <Show when=is_admin fallback=|| view! { <p class="muted">"Only admins change these."</p> }>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                </div>
            </Show>
        </form>
    }
}
