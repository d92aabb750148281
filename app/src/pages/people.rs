//! The people directory and a person's page: their seats with what they cost, and their history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{
    is_placeholder_email, money_totals, Money, OperationInput, Page, PageQuery, PeopleQuery, Person, PersonSeat,
    PersonStatus, PersonStatusUpdate,
};

use crate::api;
use crate::components::confirm::ConfirmButton;
use crate::components::filters::{FilterSelect, FilterToggle, ImportFilterNote, SearchBox};
use crate::components::list::{use_list_query, Changes, Count, ListTable};
use crate::components::selection::{
    chosen_pool, BulkRequestBar, OperationChoice, PoolSelect, SelectAllHeader, SelectCell, Selection,
};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText, StatusBadge};
use crate::pages::record_id;
use crate::session::use_session;

const KEYS: [&str; 8] =
    ["q", "department_id", "cost_centre_id", "status", "holds_seats", "no_signin_days", "import_id", "page"];
const PER_PAGE: i64 = 50;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let list = use_list_query("/people", &KEYS);
    let update = list.update;
    let people = LocalResource::new(move || {
        let query = list.api_query::<PeopleQuery>();
        async move { api::people::list(&PeopleQuery { per_page: Some(PER_PAGE), ..query? }).await }
    });
    let departments = LocalResource::new(api::catalog::departments);
    let lookups = LocalResource::new(api::catalog::lookups);
    let chosen = use_session().can().request_changes.then(Selection::new);
    view! {
        <Shell title="People">
            <div class="page-head">
                <div>
                    <h1>"People"</h1>
                    <p class="muted">"Everyone who can hold a seat, and what they hold."</p>
                </div>
            </div>
            <ImportFilterNote update=update what="people"/>
            <section class="filters" aria-label="Filters">
                <SearchBox id="p-q" label="Search people" placeholder="Search name or email…" update=update/>
                {move || departments.get().and_then(Result::ok).map(|d| {
                    let options = d.into_iter().map(|d| (d.id.to_string(), d.name)).collect::<Vec<_>>();
                    view! { <FilterSelect id="p-department" label="Department" key="department_id" options=options update=update/> }
                })}
                {move || lookups.get().and_then(Result::ok).map(|l| {
                    let options = l.cost_centres.into_iter().map(|c| (c.id.to_string(), c.label())).collect::<Vec<_>>();
                    view! { <FilterSelect id="p-cost-centre" label="Cost centre" key="cost_centre_id" options=options update=update/> }
                })}
                <FilterSelect id="p-status" label="Status" key="status" update=update
                    options=vec![("active".into(), "Active".into()), ("on_leave".into(), "On leave".into()), ("terminated".into(), "Terminated".into())]/>
                <FilterSelect id="p-signin" label="No sign-in for" key="no_signin_days" update=update
                    options=vec![("30".into(), "30 days".into()), ("60".into(), "60 days".into()), ("90".into(), "90 days".into())]/>
                <FilterToggle id="p-holds" label="Holds seats" key="holds_seats" update=update/>
            </section>
            {chosen.map(|c| view! { <PeopleBulkBar chosen=c/> })}
            <Loaded resource=people let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="Nobody matches">"Try fewer filters or a different search."</EmptyState> }.into_any()
                } else {
                    view! { <PeopleTable page=page update=update chosen=chosen/> }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

/// Chosen people into a change request: a seat each on a pool, or their seats on a pool taken back.
#[component]
fn PeopleBulkBar(chosen: Selection) -> impl IntoView {
    let op = RwSignal::new("assign".to_string());
    let pool = RwSignal::new(String::new());
    let build = Callback::new(move |_| {
        let pool_id = chosen_pool(&pool)?;
        let people = chosen.ids();
        let n = people.len();
        let op_name = op.get_untracked();
        let ops = people
            .into_iter()
            .map(|person| OperationInput {
                op: Some(op_name.clone()),
                pool_id: Some(pool_id),
                person_id: Some(person),
                ..Default::default()
            })
            .collect();
        let who = format!("{n} {}", if n == 1 { "person" } else { "people" });
        let title =
            if op_name == "unassign" { format!("Take back the seats of {who}") } else { format!("Give {who} a seat") };
        Ok((title, ops))
    });
    view! {
        <BulkRequestBar selection=chosen noun="people" one="person" operations=build>
            <OperationChoice value=op choices=&[("assign", "Give each a seat"), ("unassign", "Take their seats back")]/>
            <PoolSelect id="bulk-pool" label="On pool" value=pool/>
        </BulkRequestBar>
    }
}

#[component]
fn PeopleTable(page: Page<Person>, update: Callback<Changes>, chosen: Option<Selection>) -> impl IntoView {
    let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
    view! {
        <ListTable page=page count=Count::Range { noun: "people" } update=update
            head=move || view! {
                {chosen.map(|c| view! { <SelectAllHeader selection=c ids=ids.clone() label="Choose everyone shown"/> })}
                <th scope="col">"Name"</th><th scope="col">"Department"</th><th scope="col">"Status"</th>
                <th scope="col">"Started"</th><th scope="col" class="num">"Seats"</th>
            }
            row=move |p| view! {
                        <tr>
                            {chosen.map(|c| view! { <SelectCell selection=c id=p.id label=format!("Choose {}", p.name)/> })}
                            <td><A href=format!("/people/{}", p.id) attr:class="row-link">{p.name.clone()}</A>
                                <div class="muted small">{p.email.clone()}</div></td>
                            <td>{p.department.as_ref().map(|d| d.name.clone()).unwrap_or_default()}
                                <div class="muted small">{p.cost_centre.as_ref().map(|c| c.name.clone()).unwrap_or_default()}</div></td>
                            <td><StatusBadge status=p.status/></td>
                            <td><DateText date=p.start_date/></td>
                            <td class="num">{p.seats_held}</td>
                        </tr>
            }/>
    }
}

/// Sum per currency, so mixed-currency seats are never added together.
fn totals(seats: &[PersonSeat], pick: fn(&PersonSeat) -> &Money) -> Vec<Money> {
    money_totals(seats.iter().map(pick))
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let person = LocalResource::new(move || {
        let id = id();
        async move { api::people::get(id?).await }
    });
    let seats = LocalResource::new(move || {
        let id = id();
        async move { api::people::seats(id?).await }
    });
    let history = LocalResource::new(move || {
        let id = id();
        async move { api::people::history(id?, &PageQuery::default()).await }
    });
    let set_status = Action::new_local(move |status: &PersonStatus| {
        let (id, body) = (id(), PersonStatusUpdate { status: *status });
        // Only if the person is still as shown (a status changed by an import meanwhile answers 409).
        let loaded = person.get_untracked().and_then(Result::ok).map(|p| p.version);
        async move { api::people::set_status(id?, &body, loaded).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = set_status.value().get() {
            person.refetch();
            seats.refetch();
            history.refetch();
        }
    });
    let title =
        Signal::derive(move || person.get().and_then(Result::ok).map(|p| p.name).unwrap_or_else(|| "Person".into()));
    let can_edit = move || session.can().edit_people;
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/people">"People"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            <Loaded resource=person let:p>
                {
                    let terminated = p.status == PersonStatus::Terminated;
                    let address = if is_placeholder_email(&p.email) { "No e-mail address".to_string() } else { p.email.clone() };
                    let seats_note = match p.seats_held {
                        0 => "They hold no seat.".to_string(),
                        1 => "Their seat is taken back at once, unless a hold keeps it.".to_string(),
                        n => format!("Their {n} seats are taken back at once, unless a hold keeps them."),
                    };
                    view! {
                        <div class="page-head">
                            <div>
                                <h1>{p.name.clone()}<StatusBadge status=p.status/>
                                    {p.vip.then(|| view! { <span class="badge badge-info" title="Marked a VIP by HR or the asset system: policies may exempt them.">"VIP"</span> })}</h1>
                                <p class="muted">{format!("{address} · {}", p.department.as_ref().map(|d| d.name.clone()).unwrap_or_else(|| "No department".into()))}</p>
                            </div>
                            <Show when=move || can_edit() && !terminated>
                                <ConfirmButton label="Mark as terminated".to_string() class="btn btn-danger"
                                    question=format!("Mark {} as terminated now? {seats_note}", p.name)
                                    confirm="Mark as terminated".to_string()
                                    disabled=Signal::derive(move || set_status.pending().get())
                                    on_confirm=Callback::new(move |_| { set_status.dispatch(PersonStatus::Terminated); })/>
                            </Show>
                        </div>
                        <dl class="facts panel">
                            <dt>"Employee id"</dt><dd>{p.employee_id.clone().unwrap_or_else(|| "—".into())}</dd>
                            <dt>"User name"</dt><dd>{p.username.clone().unwrap_or_else(|| "—".into())}</dd>
                            <dt>"Manager"</dt><dd>{match p.manager.clone() {
                                Some(m) => view! { <A href=format!("/people/{}", m.id)>{m.name}</A> }.into_any(),
                                None => view! { <span>"—"</span> }.into_any(),
                            }}</dd>
                            <dt>"Type"</dt><dd>{format!("{:?}", p.employment_type)}</dd>
                            <dt>"Cost centre"</dt><dd>{p.cost_centre.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())}</dd>
                            <dt>"Started"</dt><dd><DateText date=p.start_date/></dd>
                            <dt>"Left"</dt><dd><DateText date=p.terminated_at.map(|t| t.date_naive()).or(p.end_date)/></dd>
                        </dl>
                    }
                }
            </Loaded>
            {move || set_status.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            <section class="panel" aria-labelledby="held-h">
                <h2 id="held-h">"Seats held"</h2>
                <Loaded resource=seats let:list>
                    {if list.is_empty() {
                        view! { <p class="muted">"Holds no seats in pools you can see."</p> }.into_any()
                    } else {
                        let monthly = totals(&list, |s| &s.monthly_cost);
                        let annual = totals(&list, |s| &s.annual_cost);
                        view! {
                            <div class="table-wrap" tabindex="0">
                                <table class="table">
                                    <thead><tr><th scope="col">"Pool"</th><th scope="col">"Vendor"</th><th scope="col">"Since"</th>
                                        <th scope="col">"Reclamation"</th><th scope="col" class="num">"Per month"</th><th scope="col" class="num">"Per year"</th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|s| view! {
                                            <tr>
                                                <td><A href=format!("/pools/{}", s.pool.id)>{s.pool.name.clone()}</A></td>
                                                <td>{s.vendor.name.clone()}</td>
                                                <td><DateText date=Some(s.assigned_at.date_naive())/></td>
                                                <td>{s.reclaim.map(|r| view! { <span class="badge badge-warn" title=r.reason>"Marked"</span> })}</td>
                                                <td class="num"><MoneyText money=s.monthly_cost/></td>
                                                <td class="num"><MoneyText money=s.annual_cost/></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                    <tfoot><tr><th scope="row" colspan="4">"Total"</th>
                                        <td class="num">{monthly.into_iter().map(|m| view! { <div><MoneyText money=m/></div> }).collect_view()}</td>
                                        <td class="num">{annual.into_iter().map(|m| view! { <div><MoneyText money=m/></div> }).collect_view()}</td>
                                    </tr></tfoot>
                                </table>
                            </div>
                        }.into_any()
                    }}
                </Loaded>
            </section>
            <section class="panel" aria-labelledby="person-history-h">
                <h2 id="person-history-h">"History"</h2>
                <Loaded resource=history let:page>
                    <crate::pages::pool::History entries=page.items/>
                </Loaded>
            </section>
        </Shell>
    }
}
