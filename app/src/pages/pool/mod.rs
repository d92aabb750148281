//! One pool: terms, cost, utilization, who holds its seats, and its history from the ledger.

mod history;
mod seats;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{Assignment, AssignmentInput, PageQuery, Person, PoolDetail, ReassignInput};

use crate::api;
use crate::components::person_picker::PersonPicker;
use crate::components::selection::Selection;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText, Utilization};
use crate::format;
use crate::pages::record_id;
use crate::session::use_session;

pub use history::*;
use seats::*;

/// How much of a record's history its page shows.
pub const HISTORY: PageQuery = PageQuery { page: None, per_page: Some(100) };

#[component]
pub fn PoolPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let detail = LocalResource::new(move || {
        let id = id();
        async move { api::pools::detail(id?).await }
    });
    let history = LocalResource::new(move || {
        let id = id();
        async move { api::pools::activity(id?, &HISTORY).await }
    });
    let title =
        Signal::derive(move || detail.get().and_then(Result::ok).map(|d| d.pool.name).unwrap_or_else(|| "Pool".into()));
    let seats = SeatActions::new();
    let notice = RwSignal::new(None::<String>);
    let finish = Callback::new(move |message: String| {
        notice.set(Some(message));
        seats.reassigning.set(None);
        seats.assigning.set(false);
        detail.refetch();
        history.refetch();
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = seats.unassign.value().get() {
            finish.run("Seat taken back.".into());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(a)) = seats.assign.value().get() {
            finish.run(format!("Seat assigned to {}.", holder_name(&a)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(a)) = seats.reassign.value().get() {
            finish.run(format!("Seat reassigned to {}.", holder_name(&a)));
        }
    });
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pools">"Inventory"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            <Loaded resource=detail let:d not_found=|| view! {
                <EmptyState title="Pool not found">"It does not exist, or it is outside your departments."</EmptyState>
            }>
                <PoolView detail=d seats=seats notice=notice/>
            </Loaded>
            <ActivityPanel history=history/>
        </Shell>
    }
}

fn holder_name(a: &Assignment) -> String {
    a.person.as_ref().map(|p| p.name.clone()).or_else(|| a.device.clone()).unwrap_or_default()
}

/// The seat changes a pool page can make, and which one is in progress.
#[derive(Clone, Copy)]
struct SeatActions {
    assign: Action<(i64, i64), api::ApiResult<Assignment>>,
    reassign: Action<(i64, i64, i64), api::ApiResult<Assignment>>,
    unassign: Action<(i64, i64), api::ApiResult<()>>,
    /// The seat being reassigned, if any.
    reassigning: RwSignal<Option<(i64, String)>>,
    assigning: RwSignal<bool>,
}

impl SeatActions {
    fn new() -> Self {
        SeatActions {
            assign: Action::new_local(|(pool_id, person_id): &(i64, i64)| {
                let (pool_id, body) = (*pool_id, AssignmentInput { person_id: Some(*person_id), device: None });
                async move { api::pools::assign(pool_id, &body).await }
            }),
            reassign: Action::new_local(|(pool_id, id, person_id): &(i64, i64, i64)| {
                let (pool_id, id, body) = (*pool_id, *id, ReassignInput { person_id: *person_id });
                async move { api::pools::reassign(pool_id, id, &body).await }
            }),
            unassign: Action::new_local(|(pool_id, id): &(i64, i64)| api::pools::unassign(*pool_id, *id)),
            reassigning: RwSignal::new(None),
            assigning: RwSignal::new(false),
        }
    }

    fn pending(&self) -> bool {
        self.assign.pending().get() || self.reassign.pending().get() || self.unassign.pending().get()
    }

    fn error(&self) -> Option<api::ApiError> {
        [
            self.assign.value().get().and_then(Result::err),
            self.reassign.value().get().and_then(Result::err),
            self.unassign.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
fn PoolView(detail: PoolDetail, seats: SeatActions, notice: RwSignal<Option<String>>) -> impl IntoView {
    let p = detail.pool;
    let edit_href = format!("/pools/{}/edit", p.id);
    let pool_id = p.id;
    let can_edit = detail.can_edit;
    let can_take_back = detail.can_take_back;
    let can_request = can_edit && use_session().can().request_changes;
    let chosen = Selection::new();
    let renewal = if p.auto_renew { "Renews automatically" } else { "Explicit renewal" };
    view! {
        <div class="page-head">
            <div>
                <h1>{p.name.clone()}</h1>
                <p class="muted">{format!("{} · {}", p.vendor.name, p.product.name)}
                    <span class="badge badge-muted">{p.license_type.label()}</span>
                    {(!p.tier.is_empty()).then(|| view! { <span class="badge badge-muted">{p.tier.clone()}</span> })}
                    {p.over_assigned.then(|| view! { <span class="badge badge-danger">"Over-assigned"</span> })}
                </p>
            </div>
            <Show when=move || can_edit>
                <A href=edit_href.clone() attr:class="btn btn-primary">"Edit pool"</A>
            </Show>
        </div>
        <section class="cards" aria-label="Key figures">
            <div class="card stat wide"><span class="stat-label">"Utilization"</span>
                <Utilization assigned=p.seats_assigned purchased=p.seats_purchased percent=p.utilization_percent/></div>
            <div class="card stat"><span class="stat-label">"Annual cost"</span><span class="stat-value"><MoneyText money=p.annual_cost.clone()/></span></div>
            <div class="card stat"><span class="stat-label">"Unit cost"</span><span class="stat-value"><MoneyText money=p.unit_cost.clone()/></span>
                <span class="muted">{p.billing_period.label()}</span></div>
            <div class="card stat"><span class="stat-label">"Held by people who left"</span>
                <span class={if detail.marked_for_reclamation > 0 { "stat-value warn" } else { "stat-value" }} id="marked-count">{detail.marked_for_reclamation}</span>
                <span class="muted">"marked for reclamation"</span></div>
        </section>
        <div class="grid-2">
            <section class="panel" aria-labelledby="contract-h">
                <h2 id="contract-h">"Contract"</h2>
                <dl class="facts">
                    <dt>"Contract"</dt><dd>{match detail.contract.clone() {
                        Some(c) => view! { <A href=format!("/contracts/{}", c.id)>{c.name}</A> }.into_any(),
                        None => view! { <span class="muted">"None recorded"</span> }.into_any(),
                    }}</dd>
                    <dt>"Start"</dt><dd><DateText date=p.contract_start/></dd>
                    <dt>"End"</dt><dd><DateText date=p.contract_end/></dd>
                    <dt>"Cancel by"</dt><dd><DateText date=p.cancel_by/></dd>
                    <dt>"Renewal"</dt><dd>{renewal}</dd>
                    <dt>"Notice"</dt><dd>{p.notice_days.map(|d| format!("{d} days")).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"PO / order"</dt><dd>{p.po_number.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
            <section class="panel" aria-labelledby="owner-h">
                <h2 id="owner-h">"Ownership"</h2>
                <dl class="facts">
                    <dt>"Owner"</dt><dd>{p.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "No owner".into())}</dd>
                    <dt>"Department"</dt><dd>{p.department.name.clone()}</dd>
                    <dt>"Cost centre"</dt><dd>{p.cost_centre.name.clone()}</dd>
                    <dt>"Overage"</dt><dd>{if p.allow_overage { "Allowed" } else { "Not allowed" }}</dd>
                    <dt>"Notes"</dt><dd class="pre">{p.notes.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
        </div>
        <section class="panel" aria-labelledby="seats-h">
            <div class="panel-head">
                <h2 id="seats-h">{format!("Seats ({})", format::number(detail.assignments.total))}</h2>
                <Show when=move || can_edit>
                    <button class="btn" type="button" on:click=move |_| { seats.reassigning.set(None); seats.assigning.update(|a| *a = !*a); }>
                        "Assign a seat"
                    </button>
                </Show>
            </div>
            <div aria-live="polite">
                {move || notice.get().map(|m| view! { <div class="banner banner-ok" role="status">{m}</div> })}
                {move || seats.error().map(|e| view! { <ErrorBanner error=e/> })}
            </div>
            <Show when=move || seats.assigning.get()>
                <div class="inline-form">
                    <PersonPicker id="assign-person" label="Give a seat to" on_pick=Callback::new(move |person: Person| {
                        notice.set(None);
                        seats.assign.dispatch((pool_id, person.id));
                    })/>
                    <button class="btn btn-ghost" type="button" on:click=move |_| seats.assigning.set(false)>"Cancel"</button>
                </div>
            </Show>
            {move || seats.reassigning.get().map(|(id, name)| view! {
                <div class="inline-form">
                    <PersonPicker id="reassign-person" label="Reassign to" on_pick=Callback::new(move |person: Person| {
                        notice.set(None);
                        seats.reassign.dispatch((pool_id, id, person.id));
                    })/>
                    <p class="muted small">{format!("Moving the seat of {name}.")}</p>
                    <button class="btn btn-ghost" type="button" on:click=move |_| seats.reassigning.set(None)>"Cancel"</button>
                </div>
            })}
            {can_request.then(|| view! { <SeatBulkBar chosen=chosen pool_id=pool_id pool_name=p.name.clone()/> })}
            {(can_edit && !can_take_back).then(|| view! {
                <p class="muted small">"Seats are taken back through a change request here: choose them and draft one for approval."</p>
            })}
            <SeatList pool_id=pool_id can_edit=can_edit can_take_back=can_take_back actions=seats chosen=can_request.then_some(chosen)/>
        </section>
    }
}
