//! One change request: what it does row by row (with the rows in error), its preview per pool and in money, the
//! sign-offs and stages so far, and what the reader may do now: submit, approve or reject, apply (a pilot
//! first), confirm the rest, ask for a rollback. The server decides who may; the page offers what it allows.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    ApplyChangeInput, AttemptOutcome, ChangeRequest, ChangeRequestInput, ChangeStatus, CommentInput, FieldError,
    JobProgress, OperationInput, PoolEffect, RollbackInput, WaitingFor,
};

use crate::api::{self, ApiResult};
use crate::components::progress::{poll_while, ProgressBar};
use crate::components::shell::Shell;
use crate::components::StatusBadge;
use crate::components::{EmptyState, ErrorBanner, Loaded, MoneyText};
use crate::format;
use crate::pages::changes::waiting_label;
use crate::pages::record_id;

/// Rows of the operations table shown at once.
const ROWS_SHOWN: usize = 100;

/// What the reader asked the server to do.
#[derive(Clone)]
enum Act {
    Submit,
    /// Give the draft its reason, then submit it.
    SubmitWithReason(ChangeRequestInput),
    Approve(String),
    Reject(String),
    Apply(ApplyChangeInput),
    /// Why, and the rows to undo (empty: all).
    Rollback(String, Vec<u64>),
    /// Keep only these rows (the ones in error dropped, or one removed).
    Keep(ChangeRequestInput, usize),
    /// The same request with another execution window (none: applied by hand).
    Schedule(ChangeRequestInput),
}

impl Act {
    fn done(&self, r: &ChangeRequest) -> String {
        match self {
            Act::Submit | Act::SubmitWithReason(_) => "Submitted: the approvers have been told.".into(),
            Act::Approve(_) if r.waiting_for == Some(WaitingFor::Finance) => {
                "Approved. It now needs a finance sign-off.".into()
            }
            Act::Approve(_) => "Approved: it can be applied now.".into(),
            Act::Reject(_) => "Rejected: the requester has been told.".into(),
            Act::Apply(input) if input.pilot.is_some() || input.pilot_department_id.is_some() => format!(
                "Pilot applied: {} row{} changed. Check them, then confirm the rest.",
                r.applied_count,
                plural(r.applied_count)
            ),
            Act::Apply(_) => format!("Applied: all {} rows are done.", r.operations.len()),
            Act::Rollback(..) => "Rollback requested.".into(),
            Act::Keep(_, removed) => format!("{removed} row{} removed.", plural(*removed as i64)),
            Act::Schedule(input) => match input.execute_at {
                Some(at) => format!("Scheduled: once approved, the server applies it at {}.", format::datetime(&at)),
                None => "Not scheduled: it is applied by hand once approved.".into(),
            },
        }
    }
}

async fn send(id: i64, act: Act) -> ApiResult<ChangeRequest> {
    use api::change_requests as cr;
    match act {
        Act::Submit => cr::submit(id).await,
        Act::SubmitWithReason(input) => {
            cr::update(id, &input).await?;
            cr::submit(id).await
        }
        Act::Approve(comment) => cr::approve(id, &CommentInput { comment }).await,
        Act::Reject(comment) => cr::reject(id, &CommentInput { comment }).await,
        Act::Apply(input) => cr::apply(id, &input).await,
        Act::Rollback(reason, rows) => {
            let reason = (!reason.trim().is_empty()).then_some(reason);
            let rows = (!rows.is_empty()).then_some(rows);
            cr::rollback(id, &RollbackInput { reason, rows }).await
        }
        Act::Keep(input, _) | Act::Schedule(input) => cr::update(id, &input).await,
    }
}

/// Row numbers as people type them ("2, 5-9"); empty is none.
fn parse_rows(text: &str) -> Result<Vec<u64>, String> {
    let mut rows = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("“{part}” is not a row number or a range such as 5-9");
        match part.split_once(['-', '–']) {
            Some((from, to)) => {
                let (from, to): (u64, u64) =
                    (from.trim().parse().map_err(|_| bad())?, to.trim().parse().map_err(|_| bad())?);
                if to < from || to - from > 50_000 {
                    return Err(bad());
                }
                rows.extend(from..=to);
            }
            None => rows.push(part.parse().map_err(|_| bad())?),
        }
    }
    Ok(rows)
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[component]
pub fn ChangePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let request = LocalResource::new(move || {
        let id = id();
        async move { api::change_requests::get(id?).await }
    });
    let title = Signal::derive(move || {
        request
            .get()
            .and_then(Result::ok)
            .map(|r| format!("#{} {}", r.id, r.title))
            .unwrap_or_else(|| "Change request".into())
    });
    let notice = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let act = Action::new_local(move |(id, a): &(i64, Act)| {
        let (id, a) = (*id, a.clone());
        async move { send(id, a.clone()).await.map(|r| (a, r)) }
    });
    Effect::new(move |_| {
        if let Some(Ok((a, r))) = act.value().get() {
            notice.set(Some(a.done(&r)));
            if matches!(a, Act::Rollback(..)) {
                navigate(&format!("/changes/{}", r.id), Default::default());
            } else {
                request.refetch();
            }
        }
    });
    let failure = Signal::derive(move || act.value().get().and_then(Result::err));
    // While a stage is applied, ask the server how far it has come.
    let progress = RwSignal::new(None::<JobProgress>);
    Effect::new(move |_| {
        if !act.pending().get() {
            return;
        }
        if let Some((id, Act::Apply(_))) = act.input().get_untracked() {
            poll_while(act.pending(), progress, move || api::change_requests::progress(id));
        }
    });
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/changes">"Change requests"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            <div aria-live="polite">
                {move || notice.get().map(|m| view! { <div class="banner banner-ok" role="status">{m}</div> })}
                {move || failure.get().map(|e| view! { <ErrorBanner error=e/> })}
                <ProgressBar progress=progress pending=act.pending()/>
            </div>
            <Loaded resource=request let:r not_found=|| view! {
                <EmptyState title="Change request not found">"It does not exist, or it is someone else's request."</EmptyState>
            }>
                <RequestView request=r act=act notice=notice/>
            </Loaded>
        </Shell>
    }
}

type ActAction = Action<(i64, Act), ApiResult<(Act, ChangeRequest)>>;

#[component]
fn RequestView(request: ChangeRequest, act: ActAction, notice: RwSignal<Option<String>>) -> impl IntoView {
    let r = request;
    let names = Names::of(&r);
    let run = Callback::new(move |a: Act| {
        notice.set(None);
        act.dispatch((r.id, a));
    });
    let busy = Signal::derive(move || act.pending().get());
    let p = &r.preview;
    view! {
        <div class="page-head">
            <div>
                <h1>{format!("#{} {}", r.id, r.title)}</h1>
                <p class="muted">{format!("Requested by {} · {}", r.requested_by.name, format::datetime(&r.created_at))}
                    " " <StatusBadge status=r.status/>
                    {r.waiting_for.map(|w| view! { " " <span class="badge badge-muted">{format!("Waiting {}", waiting_label(w))}</span> })}
                    {r.needs_finance.then(|| view! { " " <span class="badge badge-info" title="Above the approval policy's thresholds">"Finance sign-off"</span> })}
                    {r.execute_at.filter(|_| r.applied_count == 0 && matches!(r.status, ChangeStatus::Draft | ChangeStatus::Submitted | ChangeStatus::Approved)).map(|at| view! { " " <span class="badge badge-muted" id="scheduled">{format!("Scheduled for {}", format::datetime(&at))}</span> })}
                </p>
                {r.rollback_of.map(|o| view! { <p>"Rolls back "
                    {r.rollback_rows.as_ref().map(|rows| format!("rows {} of ", rows.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")))}
                    <A href=format!("/changes/{o}")>{format!("request #{o}")}</A></p> })}
                {r.rolled_back_by.map(|o| view! { <p>"Rolled back by " <A href=format!("/changes/{o}")>{format!("request #{o}")}</A></p> })}
            </div>
        </div>
        {(!r.reason.is_empty()).then(|| view! { <p class="pre request-reason">{r.reason.clone()}</p> })}
        <NextStep request=r.clone() run=run busy=busy/>
        <section class="cards" aria-label="Effect">
            <div class="card stat"><span class="stat-label">"Rows"</span><span class="stat-value" id="stat-rows">{format::number(r.operations.len() as i64)}</span>
                <span class="muted">{format!("{} applied", format::number(r.applied_count))}</span></div>
            <div class="card stat"><span class="stat-label">"People losing a seat"</span>
                <span class={if p.people_losing_seats > 0 { "stat-value warn" } else { "stat-value" }} id="stat-losing">{format::number(p.people_losing_seats)}</span>
                <span class="muted">{format!("{} moved to another pool", format::number(p.people_moved))}</span></div>
            <div class="card stat"><span class="stat-label">"Seats changed"</span><span class="stat-value">{format::number(p.seats_changed)}</span>
                <span class="muted">{format!("{} given · {} freed", format::number(p.seats_assigned), format::number(p.seats_freed))}</span></div>
            <div class="card stat"><span class="stat-label">"Monthly cost change"</span><span class="stat-value"><Amounts money=p.monthly_cost_change.clone()/></span></div>
            <div class="card stat"><span class="stat-label">"Annual cost change"</span><span class="stat-value"><Amounts money=p.annual_cost_change.clone()/></span></div>
        </section>
        <Errors errors=r.errors.clone()/>
        <section class="panel" aria-labelledby="preview-h">
            <h2 id="preview-h">"Effect per pool"</h2>
            {if p.pools.is_empty() {
                view! { <p class="muted">"No pool is changed."</p> }.into_any()
            } else {
                view! { <PreviewTable pools=p.pools.clone()/> }.into_any()
            }}
        </section>
        <Operations request=r.clone() names=names run=run busy=busy/>
        <SignOffs request=r.clone()/>
    }
}

/// Money per currency, or "none".
#[component]
fn Amounts(money: Vec<seatwise_types::Money>) -> impl IntoView {
    if money.is_empty() {
        view! { <span class="muted">"none"</span> }.into_any()
    } else {
        money.into_iter().map(|m| view! { <MoneyText money=m/> }).collect_view().into_any()
    }
}

/// The one thing the reader can do next, with what it needs (a comment, a pilot size, a reason).
#[component]
fn NextStep(request: ChangeRequest, run: Callback<Act>, busy: Signal<bool>) -> impl IntoView {
    let r = request;
    let a = r.actions;
    let rows = r.operations.len() as i64;
    let rest = rows - r.applied_count;
    let comment = RwSignal::new(String::new());
    let pilot = RwSignal::new(rows.clamp(1, 5).to_string());
    let pilot_error = RwSignal::new(None::<String>);
    let reason = RwSignal::new(String::new());
    let rollback_rows = RwSignal::new(String::new());
    let rows_error = RwSignal::new(None::<String>);
    let submit_reason = RwSignal::new(String::new());
    let errors = r.errors.len();
    let has_errors = errors != 0;
    let bad_rows: Vec<usize> = {
        let mut rows: Vec<usize> = r.errors.iter().filter_map(|e| e.row).map(|n| n as usize).collect();
        rows.dedup();
        rows
    };
    let keep_valid = {
        let r = r.clone();
        move |_| {
            let operations: Vec<OperationInput> = r
                .operations
                .iter()
                .enumerate()
                .filter(|(i, _)| !bad_rows.contains(&(i + 1)))
                .map(|(_, o)| o.clone())
                .collect();
            let removed = r.operations.len() - operations.len();
            run.run(Act::Keep(
                ChangeRequestInput {
                    title: r.title.clone(),
                    reason: r.reason.clone(),
                    operations,
                    execute_at: r.execute_at,
                },
                removed,
            ));
        }
    };
    // "" is a pilot of the first rows; otherwise a department's id.
    let pilot_group = RwSignal::new(String::new());
    let groups = r.pilot_groups.clone();
    let has_groups = !groups.is_empty();
    let apply_pilot =
        move |_| match (pilot_group.get_untracked().parse::<i64>(), pilot.get_untracked().trim().parse::<i64>()) {
            (Ok(department), _) => {
                pilot_error.set(None);
                run.run(Act::Apply(ApplyChangeInput { pilot_department_id: Some(department), ..Default::default() }));
            }
            (_, Ok(n)) if n >= 1 && n < rows => {
                pilot_error.set(None);
                run.run(Act::Apply(ApplyChangeInput { pilot: Some(n), ..Default::default() }));
            }
            _ => pilot_error.set(Some(format!("A pilot is 1 to {} rows; apply all to do every row.", rows - 1))),
        };
    let waiting_on_others = r.status == ChangeStatus::Submitted && !a.decide;
    // The browser's clock (chrono has no clock in the browser build).
    let now = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let scheduled = r.execute_at.filter(|at| *at > now);
    let can_apply = a.apply && scheduled.is_none();
    let missed = r.status == ChangeStatus::Approved && r.applied_count == 0 && r.window_missed;
    let finance = r.waiting_for == Some(WaitingFor::Finance);
    view! {
        <section class="panel next-step" aria-labelledby="next-h">
            <h2 id="next-h">"Next step"</h2>
            {(r.status == ChangeStatus::Draft).then(|| view! {
                <p>{if errors > 0 {
                    format!("This draft has {errors} error{} and cannot be submitted until they are fixed or their rows removed.", plural(errors as i64))
                } else {
                    "This draft is checked and ready. Submitting sends it to the approvers; you cannot approve your own request.".to_string()
                }}</p>
            })}
            {(a.edit && errors > 0).then(|| view! {
                <button class="btn" type="button" id="drop-errors" disabled=move || busy.get() on:click=keep_valid>"Remove the rows in error"</button>
            })}
            // A draft without a reason is given one here: approvers see why before anything else.
            {(a.submit && r.reason.trim().is_empty()).then(|| view! {
                <div class="field">
                    <label for="submit-reason">"Reason"</label>
                    <input id="submit-reason" type="text" placeholder="Why, for the approver"
                        prop:value=move || submit_reason.get() on:input=move |ev| submit_reason.set(event_target_value(&ev))/>
                </div>
            })}
            {a.submit.then(|| {
                let draft = ChangeRequestInput {
                    title: r.title.clone(),
                    reason: r.reason.clone(),
                    operations: r.operations.clone(),
                    execute_at: r.execute_at,
                };
                view! {
                    <button class="btn btn-primary" type="button" id="submit-request" disabled=move || busy.get() || has_errors
                        on:click=move |_| {
                            let given = submit_reason.get_untracked();
                            if draft.reason.trim().is_empty() && !given.trim().is_empty() {
                                run.run(Act::SubmitWithReason(ChangeRequestInput { reason: given, ..draft.clone() }));
                            } else {
                                run.run(Act::Submit);
                            }
                        }>"Submit for approval"</button>
                }
            })}
            {waiting_on_others.then(|| view! {
                <p id="waiting-note">{if finance { "Approved by an approver; waiting for someone with the finance role to sign it off." } else {
                    "Waiting for an approver. A requester never approves their own request." }}</p>
            })}
            {a.decide.then(|| view! {
                <div class="field">
                    <label for="decision-comment">{if finance { "Finance comment" } else { "Comment" }}</label>
                    <textarea id="decision-comment" rows="2" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" type="button" id="approve" disabled=move || busy.get()
                        on:click=move |_| run.run(Act::Approve(comment.get_untracked()))>{if finance { "Approve as finance" } else { "Approve" }}</button>
                    <button class="btn btn-danger" type="button" id="reject" disabled=move || busy.get()
                        on:click=move |_| run.run(Act::Reject(comment.get_untracked()))>"Reject"</button>
                </div>
            })}
            {(a.apply && scheduled.is_some()).then(|| view! {
                <p id="scheduled-note">{format!("Approved. The server applies it at {}, not before.{}",
                    scheduled.map(|at| format::datetime(&at)).unwrap_or_default(),
                    if a.edit { " To apply it sooner, change its execution window (it then needs approval again)." } else { "" })}</p>
            })}
            {missed.then(|| view! {
                <p id="missed-window">{format!("Its execution window ({}) passed before it was approved, so the server will not apply it by itself: apply it now, or set a new window.",
                    r.execute_at.map(|at| format::datetime(&at)).unwrap_or_default())}</p>
            })}
            {(can_apply && r.applied_count == 0).then(|| view! {
                <p>{r.expires_at.map(|e| format!("Approved. The approval lapses unused on {}.", format::datetime(&e))).unwrap_or_else(|| "Approved.".into())}</p>
                <div class="inline-form">
                    {(rows > 1).then(|| view! {
                        {has_groups.then(|| view! {
                            <div class="field">
                                <label for="pilot-by">"Pilot for"</label>
                                <select id="pilot-by" aria-describedby="pilot-by-hint" on:change=move |ev| pilot_group.set(event_target_value(&ev))>
                                    <option value="" selected=true>"The first rows"</option>
                                    {groups.iter().map(|g| view! {
                                        <option value=g.department.id.to_string()>{format!("The people of {} ({} row{})", g.department.name, format::number(g.rows), plural(g.rows))}</option>
                                    }).collect_view()}
                                </select>
                                <p class="muted small" id="pilot-by-hint">"A department's rows move ahead of the others; the rest waits for your confirmation."</p>
                            </div>
                        })}
                        <div class="field" hidden=move || !pilot_group.get().is_empty()>
                            <label for="pilot-size">"Pilot: apply the first rows only"</label>
                            <input id="pilot-size" type="number" min="1" max=(rows - 1).to_string() inputmode="numeric"
                                aria-invalid=move || pilot_error.get().is_some().to_string() aria-describedby="pilot-error"
                                prop:value=move || pilot.get() on:input=move |ev| pilot.set(event_target_value(&ev))/>
                            {move || pilot_error.get().map(|m| view! { <p class="field-error" id="pilot-error" role="alert">{m}</p> })}
                        </div>
                        <button class="btn" type="button" id="apply-pilot" disabled=move || busy.get() on:click=apply_pilot>"Apply pilot"</button>
                    })}
                    <button class="btn btn-primary" type="button" id="apply-all" disabled=move || busy.get()
                        on:click=move |_| run.run(Act::Apply(ApplyChangeInput::default()))>{format!("Apply all {} rows", format::number(rows))}</button>
                </div>
            })}
            {(can_apply && r.applied_count > 0).then(|| view! {
                <p>{format!("The pilot changed {} row{}. Check them, then confirm the other {}{}.",
                    format::number(r.applied_count), plural(r.applied_count), format::number(rest),
                    if a.rollback { ", or roll the pilot back" } else { "; its requester can also roll it back" })}</p>
                <button class="btn btn-primary" type="button" id="apply-rest" disabled=move || busy.get()
                    on:click=move |_| run.run(Act::Apply(ApplyChangeInput::default()))>{format!("Confirm the other {} rows", format::number(rest))}</button>
            })}
            {a.edit.then(|| view! { <ScheduleForm request=r.clone() run=run busy=busy/> })}
            {a.rollback.then(|| view! {
                <div class="field">
                    <label for="rollback-reason">"Why roll back"</label>
                    <input id="rollback-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="rollback-rows">"Rows to roll back"</label>
                    <input id="rollback-rows" type="text" inputmode="numeric" placeholder="All of them" aria-describedby="rollback-rows-hint"
                        aria-invalid=move || rows_error.get().is_some().to_string()
                        prop:value=move || rollback_rows.get() on:input=move |ev| rollback_rows.set(event_target_value(&ev))/>
                    <p class="muted small" id="rollback-rows-hint">"Empty for every applied row, or some: 2, 5-9."</p>
                    {move || rows_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
                <button class="btn" type="button" id="request-rollback" disabled=move || busy.get()
                    on:click=move |_| match parse_rows(&rollback_rows.get_untracked()) {
                        Ok(rows) => { rows_error.set(None); run.run(Act::Rollback(reason.get_untracked(), rows)); }
                        Err(m) => rows_error.set(Some(m)),
                    }>
                    {if r.status == ChangeStatus::Piloted { "Roll the pilot back" } else { "Request a rollback" }}</button>
                <p class="muted small">"A rollback is a change request of its own: it puts the seats back as they were once someone else approves it."</p>
            })}
            {matches!(r.status, ChangeStatus::Applied | ChangeStatus::Rejected | ChangeStatus::Expired | ChangeStatus::RolledBack)
                .then(|| (!a.rollback).then(|| view! { <p class="muted">{match r.status {
                    ChangeStatus::Applied => "Applied. Nothing is left to do.",
                    ChangeStatus::Rejected => "Rejected. Draft a new request to try again.",
                    ChangeStatus::Expired => "The approval lapsed before the request was applied. Edit and submit it again.",
                    _ => "Rolled back: its seats and pools are as they were before it.",
                }}</p> }))}
        </section>
    }
}

/// The execution window of a request its requester may still edit: a local date and time, or none.
#[component]
fn ScheduleForm(request: ChangeRequest, run: Callback<Act>, busy: Signal<bool>) -> impl IntoView {
    let r = request;
    let value = RwSignal::new(r.execute_at.map(local_input).unwrap_or_default());
    let problem = RwSignal::new(None::<String>);
    let input = move |execute_at| ChangeRequestInput {
        title: r.title.clone(),
        reason: r.reason.clone(),
        operations: r.operations.clone(),
        execute_at,
    };
    let (save_input, clear_input) = (input.clone(), input);
    let scheduled = r.execute_at.is_some();
    let again = if r.status == ChangeStatus::Draft { "" } else { " Changing it sends the request back for approval." };
    view! {
        <div class="inline-form schedule-form">
            <div class="field">
                <label for="execute-at">"Apply at (your time, optional)"</label>
                <input id="execute-at" type="datetime-local" aria-describedby="execute-at-hint" prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="muted small" id="execute-at-hint">{format!("Once approved, the server applies it then and not before.{again}")}</p>
                {move || problem.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <button class="btn" type="button" id="save-schedule" disabled=move || busy.get() on:click=move |_| {
                match utc_of_local(&value.get_untracked()) {
                    Some(at) => { problem.set(None); run.run(Act::Schedule(save_input(Some(at)))); }
                    None => problem.set(Some("Give a date and a time.".into())),
                }
            }>"Schedule"</button>
            {scheduled.then(|| view! {
                <button class="btn btn-ghost" type="button" disabled=move || busy.get()
                    on:click=move |_| run.run(Act::Schedule(clear_input(None)))>"Apply by hand instead"</button>
            })}
        </div>
    }
}

/// A `datetime-local` value (the browser's time zone) as UTC.
fn utc_of_local(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if value.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    if ms.is_nan() {
        return None;
    }
    chrono::DateTime::from_timestamp_millis(ms as i64)
}

/// A UTC time as a `datetime-local` value in the browser's time zone.
fn local_input(at: chrono::DateTime<chrono::Utc>) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

#[component]
fn Errors(errors: Vec<FieldError>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <section class="panel" aria-labelledby="errors-h">
                <h2 id="errors-h">{format!("Rows in error ({})", errors.len())}</h2>
                <div class="table-wrap" tabindex="0">
                    <table class="table" id="row-errors">
                        <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Field"</th><th scope="col">"Problem"</th></tr></thead>
                        <tbody>{errors.into_iter().map(|e| view! {
                            <tr><td class="num">{e.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}
                                {e.line.filter(|l| Some(*l) != e.row.map(|r| r + 1)).map(|l| view! { <div class="muted small">{format!("line {l}")}</div> })}</td>
                                <td><code>{e.path}</code></td><td>{e.message}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            </section>
        }
    })
}

#[component]
fn PreviewTable(pools: Vec<PoolEffect>) -> impl IntoView {
    let seats = |n: Option<i64>| n.map(format::number).unwrap_or_else(|| "Unlimited".into());
    let percent = |n: Option<i64>| n.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into());
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="preview">
                <thead><tr>
                    <th scope="col">"Pool"</th><th scope="col" class="num">"Seats purchased"</th><th scope="col" class="num">"Seats assigned"</th>
                    <th scope="col" class="num">"Utilization"</th><th scope="col" class="num">"Annual cost"</th>
                </tr></thead>
                <tbody>{pools.into_iter().map(|e| view! {
                    <tr>
                        <td><A href=format!("/pools/{}", e.pool_id)>{e.pool_name.clone()}</A>
                            {e.retired.then(|| view! { " " <span class="badge badge-danger">"Retired"</span> })}</td>
                        <td class="num">{format!("{} → {}", seats(e.seats_purchased_before), seats(e.seats_purchased_after))}</td>
                        <td class="num">{format!("{} → {}", format::number(e.seats_assigned_before), format::number(e.seats_assigned_after))}</td>
                        <td class="num">{format!("{} → {}", percent(e.utilization_before), percent(e.utilization_after))}</td>
                        <td class="num"><MoneyText money=e.annual_cost_before.clone()/>" → "<MoneyText money=e.annual_cost_after.clone()/></td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

/// Names for the ids the operations use, with what an approver weighs about each person and seat.
#[derive(Clone, Default)]
struct Names {
    people: HashMap<i64, String>,
    pools: HashMap<i64, String>,
    context: HashMap<i64, seatwise_types::PersonContext>,
    sign_ins: HashMap<(i64, i64), seatwise_types::SeatSignIn>,
}

impl Names {
    fn of(r: &ChangeRequest) -> Self {
        Names {
            people: r.names.people.iter().map(|p| (p.id, p.name.clone())).collect(),
            pools: r.names.pools.iter().map(|p| (p.id, p.name.clone())).collect(),
            context: r.names.people_context.iter().map(|c| (c.id, c.clone())).collect(),
            sign_ins: r.names.sign_ins.iter().map(|s| ((s.pool_id, s.person_id), s.clone())).collect(),
        }
    }

    /// The person a row takes a seat from (or moves), and that seat: their status, department and last sign-in.
    fn context(&self, o: &OperationInput) -> Option<String> {
        let (person, pool) = match o.op.as_deref() {
            Some("unassign" | "assign") => (o.person_id?, o.pool_id),
            Some("reassign") => (o.from_person_id?, o.pool_id),
            Some("move") => (o.person_id?, o.from_pool_id),
            _ => return None,
        };
        let mut parts = Vec::new();
        if let Some(c) = self.context.get(&person) {
            parts.push(crate::components::status_label(c.status).to_string());
            parts.extend(c.department.clone());
        }
        match pool.and_then(|pool| self.sign_ins.get(&(pool, person))) {
            Some(s) => parts.push(match s.last_used_at {
                Some(at) => format!("last sign-in {} ({})", format::age(&at), s.source),
                None => format!("never signed in ({})", s.source),
            }),
            None if o.op.as_deref() != Some("assign") => parts.push("no sign-in data".into()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    fn person(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.people.get(&id).cloned().unwrap_or_else(|| format!("person {id}")),
            None => "(no person)".into(),
        }
    }

    fn pool(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.pools.get(&id).cloned().unwrap_or_else(|| format!("pool {id}")),
            None => "(no pool)".into(),
        }
    }

    /// One operation as a sentence.
    fn describe(&self, o: &OperationInput) -> String {
        match o.op.as_deref() {
            Some("assign") => format!("Give {} a seat on {}", self.person(o.person_id), self.pool(o.pool_id)),
            Some("unassign") => format!("Take back {}'s seat on {}", self.person(o.person_id), self.pool(o.pool_id)),
            Some("reassign") => format!(
                "Hand {}'s seat on {} to {}",
                self.person(o.from_person_id),
                self.pool(o.pool_id),
                self.person(o.to_person_id)
            ),
            Some("move") => format!(
                "Move {} from {} to {}",
                self.person(o.person_id),
                self.pool(o.from_pool_id),
                self.pool(o.to_pool_id)
            ),
            Some("set_seats") => format!(
                "Set {} to {} seats purchased",
                self.pool(o.pool_id),
                o.seats_purchased.map(format::number).unwrap_or_else(|| "?".into())
            ),
            Some("retire_pool") => format!("Retire {}", self.pool(o.pool_id)),
            Some("restore_pool") => format!("Bring {} back into use", self.pool(o.pool_id)),
            Some(other) => format!("Unknown operation “{other}”"),
            None => "No operation given".into(),
        }
    }
}

/// Every row with what it does and its state; filtered by text, shown a hundred at a time.
#[component]
fn Operations(request: ChangeRequest, names: Names, run: Callback<Act>, busy: Signal<bool>) -> impl IntoView {
    let r = request;
    let mut problems: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in &r.errors {
        if let Some(row) = e.row {
            problems.entry(row as usize).or_default().push(e.message.clone());
        }
    }
    let rows: Vec<(usize, String, Option<String>)> = r
        .operations
        .iter()
        .enumerate()
        .map(|(i, o)| (i + 1, names.describe(o), problems.get(&(i + 1)).map(|p| p.join("; "))))
        .collect();
    let context: HashMap<usize, String> =
        r.operations.iter().enumerate().filter_map(|(i, o)| names.context(o).map(|c| (i + 1, c))).collect();
    let total = rows.len();
    let filter = RwSignal::new(String::new());
    let shown = RwSignal::new(ROWS_SHOWN);
    let applied = r.applied_count as usize;
    let editable = r.actions.edit;
    let (title, reason, operations, execute_at) =
        (r.title.clone(), r.reason.clone(), r.operations.clone(), r.execute_at);
    let remove = Callback::new(move |row: usize| {
        let kept = operations.iter().enumerate().filter(|(i, _)| i + 1 != row).map(|(_, o)| o.clone()).collect();
        let input = ChangeRequestInput { title: title.clone(), reason: reason.clone(), operations: kept, execute_at };
        run.run(Act::Keep(input, 1));
    });
    let matching = move || {
        let f = filter.get().to_lowercase();
        rows.iter()
            .filter(|(_, text, problem)| {
                f.is_empty()
                    || text.to_lowercase().contains(&f)
                    || problem.as_ref().is_some_and(|p| p.to_lowercase().contains(&f))
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <section class="panel" aria-labelledby="ops-h">
            <div class="panel-head">
                <h2 id="ops-h">{format!("Operations ({})", format::number(total as i64))}</h2>
                <div class="filter">
                    <label for="ops-filter">"Filter rows"</label>
                    <input id="ops-filter" type="search" placeholder="Name, pool or problem…" prop:value=move || filter.get()
                        on:input=move |ev| { filter.set(event_target_value(&ev)); shown.set(ROWS_SHOWN); }/>
                </div>
            </div>
            {move || {
                let all = matching();
                let count = all.len();
                let limit = shown.get();
                view! {
                    <p class="row-count" aria-live="polite">{if count == total { format!("{} rows", format::number(total as i64)) } else {
                        format!("{} of {} rows match", format::number(count as i64), format::number(total as i64)) }}</p>
                    <div class="table-wrap" tabindex="0">
                        <table class="table" id="operations">
                            <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Change"</th><th scope="col">"State"</th>
                                {editable.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}</tr></thead>
                            <tbody>{all.into_iter().take(limit).map(|(row, text, problem)| {
                                let state = match &problem {
                                    Some(p) => view! { <span class="badge badge-danger">"Error"</span><div class="small">{p.clone()}</div> }.into_any(),
                                    None if row <= applied => view! { <span class="badge badge-ok">"Applied"</span> }.into_any(),
                                    None => view! { <span class="badge badge-muted">"Pending"</span> }.into_any(),
                                };
                                let label = format!("Remove row {row}");
                                view! {
                                    <tr class:row-danger=problem.is_some()>
                                        <td class="num">{row}</td>
                                        <td>{text}{context.get(&row).map(|c| view! { <div class="muted small">{c.clone()}</div> })}</td>
                                        <td>{state}</td>
                                        {editable.then(|| view! { <td class="num"><button class="btn btn-small" type="button" aria-label=label
                                            disabled=move || busy.get() on:click=move |_| remove.run(row)>"Remove"</button></td> })}
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                    {(count > limit).then(|| view! {
                        <button class="btn" type="button" on:click=move |_| shown.update(|s| *s += ROWS_SHOWN)>
                            {format!("Show {} more", format::number((count - limit).min(ROWS_SHOWN) as i64))}</button>
                    })}
                }
            }}
        </section>
    }
}

/// Who signed what off, and each stage applied.
#[component]
fn SignOffs(request: ChangeRequest) -> impl IntoView {
    let r = request;
    let mut events: Vec<(chrono::DateTime<chrono::Utc>, String, String)> =
        vec![(r.created_at, "Drafted".into(), r.requested_by.name.clone())];
    if let Some(at) = r.submitted_at {
        events.push((at, "Submitted for approval".into(), r.requested_by.name.clone()));
    }
    if let (Some(by), Some(at)) = (&r.decided_by, r.decided_at) {
        let what =
            if r.status == ChangeStatus::Rejected && r.finance_decision.is_none() { "Rejected" } else { "Approved" };
        let comment =
            r.decision_comment.clone().filter(|c| !c.is_empty()).map(|c| format!(": “{c}”")).unwrap_or_default();
        events.push((at, what.into(), format!("{}{comment}", by.name)));
    }
    if let Some(f) = &r.finance_decision {
        let what = if r.status == ChangeStatus::Rejected { "Rejected by finance" } else { "Approved by finance" };
        let comment = Some(&f.comment).filter(|c| !c.is_empty()).map(|c| format!(": “{c}”")).unwrap_or_default();
        events.push((f.at, what.into(), format!("{}{comment}", f.by.name)));
    }
    for a in r.attempts.iter().filter(|a| a.outcome != AttemptOutcome::Applied) {
        let rows = format!("rows {}–{}", a.first_row, a.first_row + a.row_count - 1);
        let what = match a.outcome {
            AttemptOutcome::Running => format!("Applying {rows}…"),
            AttemptOutcome::Interrupted => {
                format!("Applying {rows} was cut off (the server stopped); nothing of it was kept")
            }
            _ => format!("Applying {rows} failed; nothing of it was kept"),
        };
        let why = a.error.clone().map(|e| format!(": {e}")).unwrap_or_default();
        events.push((a.started_at, what, format!("{}{why}", a.started_by)));
    }
    for s in &r.stages {
        let rows = if s.row_count == 1 {
            format!("row {}", s.first_row)
        } else {
            format!("rows {}–{}", s.first_row, s.first_row + s.row_count - 1)
        };
        let what = if s.pilot { format!("Pilot applied ({rows})") } else { format!("Applied ({rows})") };
        events.push((s.applied_at, what, s.applied_by.name.clone()));
    }
    events.sort_by_key(|e| e.0);
    view! {
        <section class="panel" aria-labelledby="signoffs-h">
            <h2 id="signoffs-h">"Sign-offs and stages"</h2>
            <ol class="timeline" id="signoffs">{events.into_iter().map(|(at, what, who)| view! {
                <li><strong>{what}</strong><div class="muted small"><time datetime=at.to_rfc3339()>{format::datetime(&at)}</time>{format!(" · {who}")}</div></li>
            }).collect_view()}</ol>
            {r.expires_at.filter(|_| r.status == ChangeStatus::Approved).map(|e| view! {
                <p class="muted small">{format!("The approval lapses unused on {}.", format::datetime(&e))}</p>
            })}
        </section>
    }
}
