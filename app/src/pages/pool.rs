//! One pool: terms, cost, utilization, who holds its seats, and its history from the ledger.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{
    Assignment, AssignmentInput, HistoryGroup, HistoryLink, HistorySource, LedgerEntry, OperationInput, Page,
    PageQuery, Person, PoolDetail, ReassignInput, SeatQuery, SeatUse,
};

use crate::api;
use crate::components::confirm::ConfirmButton;
use crate::components::filters::{FilterSelect, FilterToggle, Pager, SearchBox, SortHeaders};
use crate::components::list::{use_list_query, ListQuery};
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
        <BulkRequestBar selection=chosen noun="seats" one="seat" operations=build>
            <OperationChoice value=op choices=&[("unassign", "Take the seats back"), ("move", "Move the holders to another pool")]/>
            <Show when=move || op.get() == "move">
                <PoolSelect id="bulk-target" label="To pool" value=target except=pool_id/>
            </Show>
        </BulkRequestBar>
    }
}

/// The seat list's state in the address: the API's own parameters.
const SEAT_KEYS: [&str; 6] = ["q", "status", "no_signin_days", "no_usage_data", "sort", "page"];
const SEATS_PER_PAGE: i64 = 50;
const SEAT_COLUMNS: &[(&str, &str, bool)] = &[
    ("name", "Holder", false),
    ("", "Department", false),
    ("", "Status", false),
    ("last_sign_in", "Last sign-in", false),
    ("assigned_at", "Assigned", false),
    ("", "By", false),
];

/// A pool's seats, a page at a time, searched and filtered, with each holder's last sign-in.
#[component]
fn SeatList(
    pool_id: i64,
    can_edit: bool,
    can_take_back: bool,
    actions: SeatActions,
    /// Rows can be chosen for a change request.
    chosen: Option<Selection>,
) -> impl IntoView {
    let list = use_list_query(format!("/pools/{pool_id}"), &SEAT_KEYS);
    let update = list.update;
    let seats = LocalResource::new(move || {
        let query = list.api_query::<SeatQuery>();
        async move { api::pools::seats(pool_id, &SeatQuery { per_page: Some(SEATS_PER_PAGE), ..query? }).await }
    });
    let statuses = vec![
        ("active".into(), "Active".into()),
        ("on_leave".into(), "On leave".into()),
        ("terminated".into(), "Terminated".into()),
    ];
    let idle = vec![("30".into(), "30 days".into()), ("60".into(), "60 days".into()), ("90".into(), "90 days".into())];
    view! {
        <section class="filters" aria-label="Seat filters">
            <SearchBox id="seat-q" label="Search seats" placeholder="Search name or email…" update=update/>
            <FilterSelect id="seat-status" label="Status" key="status" options=statuses update=update/>
            <FilterSelect id="seat-signin" label="No sign-in for" key="no_signin_days" options=idle update=update/>
            <FilterToggle id="seat-nodata" label="No usage data" key="no_usage_data" update=update/>
        </section>
        <Loaded resource=seats let:page>
            {if page.items.is_empty() {
                if list.filtered() {
                    view! { <EmptyState title="No seat matches">"Try fewer filters or a different search."</EmptyState> }.into_any()
                } else {
                    view! { <p class="muted">"Nobody holds a seat in this pool."</p> }.into_any()
                }
            } else {
                view! { <SeatTable page=page list=list pool_id=pool_id can_edit=can_edit can_take_back=can_take_back actions=actions chosen=chosen/> }.into_any()
            }}
        </Loaded>
    }
}

/// When a seat was last used, as people say it, and the source and exact time on hover.
fn last_use(seat: &Option<SeatUse>) -> (String, String) {
    match seat {
        None => ("No data".into(), "No usage source reports on this seat.".into()),
        Some(SeatUse { at: None, source }) => ("Never".into(), format!("{source} knows the account; never used")),
        Some(SeatUse { at: Some(at), source }) => {
            (format!("{} ago", format::age(at)), format!("{source}: {}", at.to_rfc3339()))
        }
    }
}

/// "Choose all N matching": the holders of every seat the filters match, on every page.
#[component]
fn ChooseAllMatching(pool_id: i64, total: i64, list: ListQuery, chosen: Selection) -> impl IntoView {
    let fetch = Action::new_local(move |query: &SeatQuery| {
        let query = query.clone();
        async move { api::pools::seat_holders(pool_id, &query).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(h)) = fetch.value().get() {
            chosen.add_all(h.person_ids);
        }
    });
    let choose = move |_| {
        if let Ok(query) = untrack(|| list.api_query::<SeatQuery>()) {
            fetch.dispatch(SeatQuery { page: None, per_page: None, sort: None, ..query });
        }
    };
    view! {
        <div class="choose-all">
            <button class="btn btn-small" type="button" on:click=choose disabled=move || fetch.pending().get()>
                {format!("Choose all {} matching", format::number(total))}
            </button>
            {move || match fetch.value().get() {
                Some(Ok(h)) if h.devices > 0 => Some(view! {
                    <span class="muted small">{format!("{} device seat{} left out: a change request names people.", h.devices, if h.devices == 1 { " is" } else { "s are" })}</span>
                }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                _ => None,
            }}
        </div>
    }
}

#[component]
fn SeatTable(
    page: Page<Assignment>,
    list: ListQuery,
    can_edit: bool,
    can_take_back: bool,
    pool_id: i64,
    actions: SeatActions,
    /// Rows can be chosen for a change request.
    chosen: Option<Selection>,
) -> impl IntoView {
    let people: Vec<i64> = page.items.iter().filter_map(|a| a.person.as_ref().map(|p| p.id)).collect();
    let (first, last) = page.shown();
    let (current, pages, total) = (page.page, page.page_count(), page.total);
    let update = list.update;
    let more_than_shown = total > page.items.len() as i64;
    view! {
        <div class="list-head">
            <p class="row-count" aria-live="polite">{format!("Showing {}–{} of {} seats", format::number(first), format::number(last), format::number(total))}</p>
            {chosen.filter(|_| more_than_shown).map(|c| view! { <ChooseAllMatching pool_id=pool_id total=total list=list chosen=c/> })}
        </div>
        <div class="table-wrap" tabindex="0">
            <table class="table" id="seats">
                <thead><tr>
                    {chosen.map(|c| view! { <SelectAllHeader selection=c ids=people.clone() label="Choose every seat shown"/> })}
                    <SortHeaders columns=SEAT_COLUMNS sort=list.param("sort") update=update minor=&["Department", "Status", "Assigned", "By"]/>
                    {can_edit.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|a| {
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
                        let (used, used_title) = last_use(&a.last_sign_in);
                        let unused = matches!(&a.last_sign_in, Some(SeatUse { at: None, .. }));
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
                                <td class="minor">{dept}</td>
                                <td class="minor">
                                    {status.map(|s| view! { <StatusBadge status=s/> })}
                                    {reclaim.map(|r| view! { <span class="badge badge-warn" title=r.reason>"Marked for reclamation"</span> })}
                                </td>
                                <td class="last-use" class:muted=a.last_sign_in.is_none() class:warn=unused title=used_title>{used}</td>
                                <td class="minor"><DateText date=Some(a.assigned_at.date_naive())/></td>
                                <td class="muted minor">{a.assigned_by.clone().unwrap_or_default()}</td>
                                {can_edit.then(|| view! {
                                    <td class="num actions">
                                        <button class="btn btn-small" type="button" aria-label=reassign_label
                                            disabled=move || actions.pending()
                                            on:click=move |_| { actions.assigning.set(false); actions.reassigning.set(Some((id, who.clone()))); }>"Reassign"</button>
                                        {can_take_back.then(|| view! { <ConfirmButton label="Unassign".to_string() aria_label=label class="btn btn-small"
                                            question=format!("Take {taken}'s seat back now? It is freed at once, without a change request; \
                                                giving it back later is a new assignment.")
                                            confirm="Take the seat back".to_string()
                                            disabled=Signal::derive(move || actions.pending())
                                            on_confirm=Callback::new(move |_| { actions.unassign.dispatch((pool_id, id)); })/> })}
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! { <Pager current=current pages=pages update=update/> })}
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

/// Where a history group's cause is seen in the console.
fn cause_href(link: &HistoryLink) -> String {
    match link.kind {
        HistorySource::ChangeRequest => format!("/changes/{}", link.id),
        HistorySource::ReclamationPolicy => format!("/reclamation/policies/{}", link.id),
        HistorySource::ReclamationCase => "/reclamation/cases".into(),
        HistorySource::Import => "/imports/history".into(),
    }
}

/// A pool's history in words: who did what and why, grouped by what made it, with a link to it.
#[component]
fn ActivityPanel(history: LocalResource<api::ApiResult<Page<HistoryGroup>>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Loaded resource=history let:page>
                {if page.items.is_empty() {
                    view! { <p class="muted">"No changes recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="timeline">
                            {page.items.into_iter().map(|g| view! { <ActivityGroup group=g/> }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn ActivityGroup(group: HistoryGroup) -> impl IntoView {
    let iso = group.at.to_rfc3339();
    let many = group.lines.len() > 1;
    let first = group.lines.first().map(|l| l.seq).unwrap_or_default();
    let last = group.lines.last().map(|l| l.seq).unwrap_or_default();
    let entries = if first == last { format!(" · entry #{first}") } else { format!(" · entries #{last}–#{first}") };
    let lines = group.lines;
    view! {
        <li>
            <div class="timeline-head">
                <strong>{group.title}</strong>
                {group.link.map(|l| view! { <span>" · "<A href=cause_href(&l)>{l.label}</A></span> })}
                <span class="muted">{format!(" by {} · ", group.actor)}</span>
                <time datetime=iso.clone() title=iso class="muted">{format::datetime(&group.at)}</time>
                <span class="muted small">{entries}</span>
            </div>
            {group.why.map(|w| view! { <p class="muted small history-why">{format!("Why: {w}")}</p> })}
            {many.then(|| {
                let count = lines.len();
                view! {
                    <details class="history-lines" open=count <= 5>
                        <summary>{format!("What changed ({count})")}</summary>
                        <ul class="changes">
                            {lines.into_iter().map(|l| view! { <li>{l.text}</li> }).collect_view()}
                        </ul>
                    </details>
                }
            })}
        </li>
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
