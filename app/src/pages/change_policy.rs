//! The approval policy: when finance signs off as well, the largest batch, how long an approval stays valid,
//! and when approvers are reminded. Everyone who reads change requests sees it; admins change it.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::limits::MAX_OPERATIONS;
use seatwise_types::{ApprovalPolicy, FieldError, Money};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::Loaded;
use crate::format;
use crate::session::use_session;

#[component]
pub fn ChangePolicyPage() -> impl IntoView {
    let current = LocalResource::new(api::change_requests::policy);
    view! {
        <Shell title="Approval policy">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/changes">"Change requests"</A><span aria-hidden="true">" / "</span><span>"Approval policy"</span></nav>
            <div class="page-head"><div>
                <h1>"Approval policy"</h1>
                <p class="muted">"Every change request needs an approver other than its requester. These settings add a finance sign-off for large ones and limit how long an approval holds."</p>
            </div></div>
            <Loaded resource=current let:p>
                <PolicyForm policy=p/>
            </Loaded>
        </Shell>
    }
}

fn text(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// The threshold is stored in minor units of any one currency; people write it in units (10,000 or 10,000.50),
/// read with two decimals as in USD and EUR.
const THRESHOLD_UNITS: &str = "USD";

fn amount_text(v: Option<i64>) -> String {
    v.map(|n| format::decimal(&Money::new(n, THRESHOLD_UNITS)).trim_end_matches(".00").to_string()).unwrap_or_default()
}

/// An optional amount in currency units: empty is none.
fn optional_amount(v: &str, path: &str, fields: &mut Vec<FieldError>) -> Option<i64> {
    if v.trim().is_empty() {
        return None;
    }
    format::parse_amount(v, THRESHOLD_UNITS)
        .ok_or_else(|| {
            fields.push(FieldError::new(path, "must be an amount such as 10,000 or 10,000.50, or empty for none"))
        })
        .ok()
}

/// An optional whole number: empty is none.
fn optional(v: &str, path: &str, fields: &mut Vec<FieldError>) -> Option<i64> {
    let v = v.trim().replace(',', "");
    if v.is_empty() {
        return None;
    }
    v.parse::<i64>().map_err(|_| fields.push(FieldError::new(path, "must be a whole number, or empty for none"))).ok()
}

#[component]
fn PolicyForm(policy: ApprovalPolicy) -> impl IntoView {
    let session = use_session();
    let is_admin = move || session.can().administer;
    let seats = RwSignal::new(text(policy.finance_above_seats));
    let cost = RwSignal::new(amount_text(policy.finance_above_annual_minor));
    let max = RwSignal::new(policy.max_operations.to_string());
    let days = RwSignal::new(text(policy.approval_valid_days));
    let hours = RwSignal::new(text(policy.reminder_hours));
    let require_reason = RwSignal::new(policy.require_reason);
    let take_back = RwSignal::new(policy.owners_take_back_directly);
    let version = RwSignal::new(policy.version);
    let saved = RwSignal::new(false);
    let saver = Saver::new(
        move |input: ApprovalPolicy| async move { api::change_requests::set_policy(&input, input.version).await },
        move |p: ApprovalPolicy| {
            version.set(p.version);
            saved.set(true);
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut fields = Vec::new();
        let input = ApprovalPolicy {
            finance_above_seats: optional(&seats.get_untracked(), "finance_above_seats", &mut fields),
            finance_above_annual_minor: optional_amount(
                &cost.get_untracked(),
                "finance_above_annual_minor",
                &mut fields,
            ),
            max_operations: optional(&max.get_untracked(), "max_operations", &mut fields).unwrap_or_else(|| {
                fields.push(FieldError::new(
                    "max_operations",
                    format!("must be a whole number from 1 to {}", format::number(MAX_OPERATIONS)),
                ));
                0
            }),
            approval_valid_days: optional(&days.get_untracked(), "approval_valid_days", &mut fields),
            reminder_hours: optional(&hours.get_untracked(), "reminder_hours", &mut fields),
            require_reason: require_reason.get_untracked(),
            owners_take_back_directly: take_back.get_untracked(),
            version: version.get_untracked(),
        };
        saver.submit(if fields.is_empty() { Ok(input) } else { Err(fields) });
    };
    let error: Signal<Option<ApiError>> = saver.error.into();
    let read_only = Signal::derive(move || !is_admin());
    view! {
        <form class="form panel" novalidate on:submit=submit>
            <div aria-live="polite">
                {move || saved.get().then(|| view! { <div class="banner banner-ok" role="status">"Approval policy saved."</div> })}
            </div>
            <div class="form-grid">
                <TextField id="finance_above_seats" label="Finance sign-off above (seats changed)" value=seats error=error disabled=read_only
                    inputmode="numeric" hint="Seats given, freed, bought or given up in one request. Empty: never for size."/>
                <TextField id="finance_above_annual_minor" label="Finance sign-off above (annual cost change)" value=cost
                    error=error disabled=read_only inputmode="decimal"
                    hint="An amount such as 10,000, up or down, in any one currency. Empty: never for cost."/>
                <TextField id="max_operations" label="Largest request (rows)" value=max error=error disabled=read_only inputmode="numeric"
                    hint=format!("1 to {}.", format::number(MAX_OPERATIONS))/>
                <TextField id="approval_valid_days" label="An approval lapses after (days)" value=days error=error disabled=read_only
                    inputmode="numeric" hint="Unapplied by then, it must be approved again. Empty: it does not lapse."/>
                <TextField id="reminder_hours" label="Remind approvers after (hours)" value=hours error=error disabled=read_only
                    inputmode="numeric" hint="E-mail the approvers again when a request has waited this long. Empty: no reminder."/>
            </div>
            <div class="form-checks">
            <label class="filter-toggle" for="require_reason">
                <input type="checkbox" id="require_reason" prop:checked=move || require_reason.get() disabled=move || read_only.get()
                    on:change=move |ev| require_reason.set(event_target_checked(&ev))/>
                " Every request says why before it goes to an approver"
            </label>
            <label class="filter-toggle" for="owners_take_back_directly">
                <input type="checkbox" id="owners_take_back_directly" prop:checked=move || take_back.get() disabled=move || read_only.get()
                    on:change=move |ev| take_back.set(event_target_checked(&ev))/>
                " License owners may take back a single seat at once (after confirming); off: every take-back is a change request"
            </label>
            </div>
            <Show when=is_admin fallback=|| view! { <p class="muted">"Only admins change the approval policy."</p> }>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>"Save policy"</button>
                </div>
            </Show>
        </form>
    }
}
