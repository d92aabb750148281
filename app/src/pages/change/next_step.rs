//! What the reader may do next with a request: submit, sign off, apply (a pilot first), confirm the rest, schedule,
//! ask for a rollback; the server decides who may, the page offers what it allows.

use leptos::prelude::*;
use seatwise_types::{ApplyChangeInput, ChangeRequest, ChangeRequestInput, ChangeStatus, OperationInput, WaitingFor};

use crate::format;

use super::*;

/// The one thing the reader can do next, with what it needs (a comment, a pilot size, a reason).
#[component]
pub(super) fn NextStep(request: ChangeRequest, run: Callback<Act>, busy: Signal<bool>) -> impl IntoView {
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
pub(super) fn ScheduleForm(request: ChangeRequest, run: Callback<Act>, busy: Signal<bool>) -> impl IntoView {
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
pub(super) fn utc_of_local(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
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
pub(super) fn local_input(at: chrono::DateTime<chrono::Utc>) -> String {
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
