//! One pool: terms, cost, utilization, who holds its seats, and its history from the ledger.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{
    Assignment, AssignmentInput, LedgerEntry, OperationInput, Page, PageQuery, Person, PoolDetail, ReassignInput,
};

use crate::api;
use crate::components::confirm::ConfirmButton;
use crate::components::person_picker::PersonPicker;
use crate::components::selection::{
    chosen_pool, BulkRequestBar, OperationChoice, PoolSelect, SelectAllHeader, SelectCell, Selection,
};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText, StatusBadge, Utilization};
use crate::format;
use crate::pages::record_id;
use crate::session::use_session;

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
        async move { api::pools::history(id?, &HISTORY).await }
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
            <HistoryPanel history=history/>
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
            {if detail.assignments.items.is_empty() {
                view! { <p class="muted">"Nobody holds a seat in this pool."</p> }.into_any()
            } else {
                let chosen = can_request.then_some(chosen);
                view! { <SeatTable seats=detail.assignments.items can_edit=can_edit pool_id=pool_id actions=seats chosen=chosen/> }.into_any()
            }}
            {(detail.assignments.total > 100).then(|| view! { <p class="muted small">"Showing the 100 most recent seats."</p> })}
        </section>
    }
}

/// Chosen seats (by holder) into a change request: take them back, or move their holders to another pool.
#[component]
fn SeatBulkBar(chosen: Selection, pool_id: i64, pool_name: String) -> impl IntoView {
    let op = RwSignal::new("unassign".to_string());
    let target = RwSignal::new(String::new());
    let build = Callback::new(move |_| {
        let people = chosen.ids();
        let n = people.len();
        let seats = format!("{n} seat{}", if n == 1 { "" } else { "s" });
        match op.get_untracked().as_str() {
            "move" => {
                let to = chosen_pool(&target)?;
                let ops = people
                    .into_iter()
                    .map(|person| OperationInput {
                        op: Some("move".into()),
                        from_pool_id: Some(pool_id),
                        to_pool_id: Some(to),
                        person_id: Some(person),
                        ..Default::default()
                    })
                    .collect();
                Ok((format!("Move {seats} from {pool_name}"), ops))
            }
            _ => {
                let ops = people
                    .into_iter()
                    .map(|person| OperationInput {
                        op: Some("unassign".into()),
                        pool_id: Some(pool_id),
                        person_id: Some(person),
                        ..Default::default()
                    })
                    .collect();
                Ok((format!("Take back {seats} on {pool_name}"), ops))
            }
        }
    });
    view! {
        <BulkRequestBar selection=chosen noun="seats" operations=build>
            <OperationChoice value=op choices=&[("unassign", "Take the seats back"), ("move", "Move the holders to another pool")]/>
            <Show when=move || op.get() == "move">
                <PoolSelect id="bulk-target" label="To pool" value=target except=pool_id/>
            </Show>
        </BulkRequestBar>
    }
}

#[component]
fn SeatTable(
    seats: Vec<Assignment>,
    can_edit: bool,
    pool_id: i64,
    actions: SeatActions,
    /// Rows can be chosen for a change request.
    chosen: Option<Selection>,
) -> impl IntoView {
    let people: Vec<i64> = seats.iter().filter_map(|a| a.person.as_ref().map(|p| p.id)).collect();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="seats">
                <thead><tr>
                    {chosen.map(|c| view! { <SelectAllHeader selection=c ids=people.clone() label="Choose every seat shown"/> })}
                    <th scope="col">"Holder"</th><th scope="col">"Department"</th><th scope="col">"Status"</th>
                    <th scope="col">"Assigned"</th><th scope="col">"By"</th>
                    {can_edit.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {seats.into_iter().map(|a| {
                        let (name, email, dept, status) = match &a.person {
                            Some(h) => (h.name.clone(), h.email.clone(), h.department.clone().unwrap_or_default(), Some(h.status)),
                            None => (a.device.clone().unwrap_or_default(), "device".into(), String::new(), None),
                        };
                        let id = a.id;
                        let label = format!("Unassign the seat of {name}");
                        let reassign_label = format!("Reassign the seat of {name}");
                        let who = name.clone();
                        let taken = name.clone();
                        let person_href = a.person.as_ref().map(|h| format!("/people/{}", h.id));
                        let reclaim = a.reclaim.clone();
                        let person_id = a.person.as_ref().map(|h| h.id);
                        let choose_label = format!("Choose the seat of {name}");
                        view! {
                            <tr>
                                {chosen.map(|c| match person_id {
                                    Some(id) => view! { <SelectCell selection=c id=id label=choose_label.clone()/> }.into_any(),
                                    None => view! { <td class="select-cell"></td> }.into_any(),
                                })}
                                <td>
                                    {match person_href {
                                        Some(href) => view! { <A href=href>{name}</A> }.into_any(),
                                        None => view! { <span>{name}</span> }.into_any(),
                                    }}
                                    <div class="muted small">{email}</div>
                                </td>
                                <td>{dept}</td>
                                <td>
                                    {status.map(|s| view! { <StatusBadge status=s/> })}
                                    {reclaim.map(|r| view! { <span class="badge badge-warn" title=r.reason>"Marked for reclamation"</span> })}
                                </td>
                                <td><DateText date=Some(a.assigned_at.date_naive())/></td>
                                <td class="muted">{a.assigned_by.clone().unwrap_or_default()}</td>
                                {can_edit.then(|| view! {
                                    <td class="num actions">
                                        <button class="btn btn-small" type="button" aria-label=reassign_label
                                            disabled=move || actions.pending()
                                            on:click=move |_| { actions.assigning.set(false); actions.reassigning.set(Some((id, who.clone()))); }>"Reassign"</button>
                                        <ConfirmButton label="Unassign".to_string() aria_label=label class="btn btn-small"
                                            question=format!("Take {taken}'s seat back now? It is freed at once, without a change request; \
                                                giving it back later is a new assignment.")
                                            confirm="Take the seat back".to_string()
                                            disabled=Signal::derive(move || actions.pending())
                                            on_confirm=Callback::new(move |_| { actions.unassign.dispatch((pool_id, id)); })/>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Field names whose values differ between the ledger entry's before and after.
fn changed_fields(e: &LedgerEntry) -> Vec<(String, String, String)> {
    let (Some(serde_json::Value::Object(before)), Some(serde_json::Value::Object(after))) = (&e.before, &e.after)
    else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v) && k.as_str() != "updated_at")
        .map(|(k, v)| (k.clone(), short(before.get(k)), short(Some(v))))
        .collect()
}

fn short(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Object(o)) if o.contains_key("amount_minor") => {
            let m: Option<seatwise_types::Money> = serde_json::from_value(serde_json::Value::Object(o.clone())).ok();
            m.map(|m| format::money(&m)).unwrap_or_default()
        }
        Some(serde_json::Value::Object(o)) if o.contains_key("name") => {
            o["name"].as_str().unwrap_or_default().to_string()
        }
        Some(other) => other.to_string(),
    }
}

fn describe(e: &LedgerEntry) -> String {
    let holder = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v.get("person").and_then(|p| p.get("name")).or_else(|| v.get("device")))
            .and_then(|n| n.as_str())
            .unwrap_or("someone")
            .to_string()
    };
    match e.action.as_str() {
        "pool.create" => "Created the pool".into(),
        "pool.update" => "Edited the pool".into(),
        "pool.seat_assign" => format!("Assigned a seat to {}", holder(&e.after)),
        "pool.seat_unassign" => format!("Took back the seat of {}", holder(&e.before)),
        "pool.seat_reassign" => format!("Reassigned the seat of {} to {}", holder(&e.before), holder(&e.after)),
        "person.status" => format!(
            "Changed status from {} to {}",
            e.before.as_ref().and_then(|v| v["status"].as_str()).unwrap_or("?"),
            e.after.as_ref().and_then(|v| v["status"].as_str()).unwrap_or("?")
        ),
        "pool.seat_reclaim_mark" => format!("Marked the seat of {} for reclamation", holder(&e.after)),
        other => other.to_string(),
    }
}

/// A record's history panel, loading from the ledger.
#[component]
pub fn HistoryPanel(history: LocalResource<api::ApiResult<Page<LedgerEntry>>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Loaded resource=history let:page>
                <History entries=page.items/>
            </Loaded>
        </section>
    }
}

#[component]
pub fn History(entries: Vec<LedgerEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {entries.into_iter().map(|e| {
                let changes = changed_fields(&e);
                let iso = e.at.to_rfc3339();
                view! {
                    <li>
                        <div class="timeline-head">
                            <strong>{describe(&e)}</strong>
                            <span class="muted">{format!(" by {} · ", e.actor)}</span>
                            <time datetime=iso.clone() title=iso class="muted">{format::datetime(&e.at)}</time>
                            <span class="muted small">{format!(" · entry #{}", e.seq)}</span>
                        </div>
                        {(!changes.is_empty()).then(|| view! {
                            <ul class="changes">
                                {changes.into_iter().map(|(k, from, to)| view! {
                                    <li><code>{k}</code>": " <del>{from}</del>" → " <ins>{to}</ins></li>
                                }).collect_view()}
                            </ul>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
