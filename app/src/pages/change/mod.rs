//! One change request: what it does row by row (with the rows in error), its preview per pool and in money, the
//! sign-offs and stages so far, and what the reader may do now: submit, approve or reject, apply (a pilot
//! first), confirm the rest, ask for a rollback. The server decides who may; the page offers what it allows.

mod next_step;
mod rows;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    ApplyChangeInput, AttemptOutcome, ChangeRequest, ChangeRequestInput, ChangeStatus, CommentInput, JobProgress,
    RollbackInput, WaitingFor,
};

use crate::api::{self, ApiResult};
use crate::components::progress::{poll_while, ProgressBar};
use crate::components::shell::Shell;
use crate::components::StatusBadge;
use crate::components::{EmptyState, ErrorBanner, Loaded, MoneyText};
use crate::format;
use crate::pages::changes::waiting_label;
use crate::pages::record_id;

use next_step::*;
use rows::*;

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
