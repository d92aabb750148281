//! The inventory: every pool in the caller's scope, with filters, sorting and paging kept in the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{InventorySummary, LicenseType, OperationInput, Page, Pool, PoolQuery};

use crate::api;
use crate::components::filters::{FilterSelect, FilterToggle, ImportFilterNote, SearchBox, SortHeaders};
use crate::components::list::{use_list_query, Changes, Pager};
use crate::components::selection::{BulkRequestBar, OperationChoice, SelectAllHeader, SelectCell, Selection};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText, Utilization};
use crate::format;
use crate::session::use_session;

/// URL parameters of this page; the same names as the API's, so the page's query is the API's query.
const KEYS: [&str; 12] = [
    "q",
    "vendor_id",
    "department_id",
    "cost_centre_id",
    "owner_id",
    "license_type",
    "expiring_within_days",
    "over_assigned",
    "under_used",
    "import_id",
    "sort",
    "page",
];
const PER_PAGE: i64 = 50;

#[component]
pub fn InventoryPage() -> impl IntoView {
    let session = use_session();
    let list = use_list_query("/pools", &KEYS);
    let update = list.update;
    let pools = LocalResource::new(move || {
        let query = list.api_query::<PoolQuery>();
        async move { api::pools::list(&PoolQuery { per_page: Some(PER_PAGE), ..query? }).await }
    });
    let lookups = LocalResource::new(api::catalog::lookups);
    // The cards and the total row count exactly what the list shows: the same filters, every page.
    // Each answer keeps whether its query was filtered, so a card never calls the last figures "matching" while
    // the new ones load.
    let summary = LocalResource::new(move || {
        let query = list.api_query::<PoolQuery>();
        let filtered = list.filtered();
        async move {
            let s = api::pools::summary(&PoolQuery { page: None, per_page: None, sort: None, ..query? }).await?;
            Ok::<_, api::ApiError>((filtered, s))
        }
    });
    let answer = Signal::derive(move || summary.get().and_then(Result::ok));
    let totals = Signal::derive(move || answer.get().map(|(_, s)| s));
    let can_create = move || session.can().create_pools;
    let any_filter = move || list.filtered();
    let can_request = session.can().request_changes;
    let chosen = can_request.then(Selection::new);

    view! {
        <Shell title="Inventory">
            <div class="page-head">
                <div>
                    <h1>"License inventory"</h1>
                    <p class="muted">"Every pool you can see, with utilization and what it costs per year."</p>
                </div>
                <Show when=can_create>
                    <A href="/pools/new" attr:class="btn btn-primary">"New pool"</A>
                </Show>
            </div>
            {move || answer.get().map(|(filtered, s)| view! { <SummaryCards summary=s filtered=filtered/> })}
            <ImportFilterNote update=update what="pools"/>
            <section class="filters" aria-label="Filters">
                <SearchBox id="f-q" label="Search pools" placeholder="Search pool, vendor or product…" update=update/>
                {move || lookups.get().and_then(Result::ok).map(|l| {
                    let vendors: Vec<(String, String)> = l.vendors.iter().map(|v| (v.id.to_string(), v.name.clone())).collect();
                    let departments: Vec<(String, String)> = l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                    let cost_centres: Vec<(String, String)> = l.cost_centres.iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect();
                    let owners: Vec<(String, String)> = l.owners.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
                    let types: Vec<(String, String)> = LicenseType::ALL.iter().map(|t| (t.as_str().to_string(), t.label().to_string())).collect();
                    view! {
                        <FilterSelect id="f-vendor" label="Vendor" key="vendor_id" options=vendors update=update/>
                        <FilterSelect id="f-department" label="Department" key="department_id" options=departments update=update/>
                        <FilterSelect id="f-cost-centre" label="Cost centre" key="cost_centre_id" options=cost_centres update=update/>
                        <FilterSelect id="f-owner" label="Owner" key="owner_id" options=owners update=update/>
                        <FilterSelect id="f-type" label="License type" key="license_type" options=types update=update/>
                    }
                })}
                <FilterSelect id="f-expiring" label="Contract ends" key="expiring_within_days" update=update
                    options=vec![("30".into(), "Within 30 days".into()), ("60".into(), "Within 60 days".into()),
                        ("90".into(), "Within 90 days".into()), ("180".into(), "Within 180 days".into()), ("365".into(), "Within a year".into())]/>
                <FilterToggle id="f-over" label="Over-assigned" key="over_assigned" update=update/>
                <FilterToggle id="f-under" label="Under-used (<50%)" key="under_used" update=update/>
                <Show when=any_filter>
                    <button class="btn btn-ghost" type="button" on:click=move |_| list.clear_filters()>"Clear filters"</button>
                </Show>
            </section>
            {chosen.map(|c| view! { <PoolBulkBar chosen=c/> })}
            <Loaded resource=pools let:page>
                {if page.items.is_empty() {
                    view! {
                        <EmptyState title="No pools match">
                            {if any_filter() { "Try fewer filters or a different search." } else { "Pools you own or can see appear here." }}
                        </EmptyState>
                    }.into_any()
                } else {
                    view! { <PoolTable page=page sort=list.param("sort") update=update chosen=chosen totals=totals/> }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

fn utilization(summary: &InventorySummary) -> i64 {
    if summary.seats_purchased > 0 {
        summary.seats_assigned * 100 / summary.seats_purchased
    } else {
        0
    }
}

/// The figures of the pools the list shows; `filtered` says so when filters narrow it.
#[component]
fn SummaryCards(summary: InventorySummary, filtered: bool) -> impl IntoView {
    let util = utilization(&summary);
    view! {
        <section class="cards" aria-label=if filtered { "Summary of the pools matching the filters" } else { "Summary" }>
            <div class="card stat"><span class="stat-label">{if filtered { "Pools matching" } else { "Pools" }}</span><span class="stat-value">{format::number(summary.pools)}</span></div>
            <div class="card stat"><span class="stat-label">"Seats in use"</span>
                <span class="stat-value">{format!("{util}%")}</span>
                <span class="muted">{format!("{} of {}", format::number(summary.seats_assigned), format::number(summary.seats_purchased))}</span></div>
            <div class="card stat"><span class="stat-label">"Annual cost"</span>
                <span class="stat-value">{summary.annual_cost.iter().map(|m| view! { <MoneyText money=m.clone()/> }).collect_view()}</span></div>
            <div class="card stat"><span class="stat-label">"Over-assigned"</span>
                <span class={if summary.over_assigned_pools > 0 { "stat-value danger" } else { "stat-value" }}>{summary.over_assigned_pools}</span></div>
            <div class="card stat"><span class="stat-label">"Ending in 90 days"</span>
                <span class={if summary.expiring_90_days > 0 { "stat-value warn" } else { "stat-value" }}>{summary.expiring_90_days}</span></div>
        </section>
    }
}

const COLUMNS: [(&str, &str, bool); 8] = [
    ("name", "Pool", false),
    ("vendor", "Vendor", false),
    ("department", "Department", false),
    ("utilization", "Utilization", false),
    ("seats_purchased", "Seats", true),
    ("annual_cost", "Annual cost", true),
    ("contract_end", "Contract ends", false),
    ("cancel_by", "Cancel by", false),
];

/// Chosen pools into a change request: retire them, or set their seats purchased.
#[component]
fn PoolBulkBar(chosen: Selection) -> impl IntoView {
    let op = RwSignal::new("set_seats".to_string());
    let seats = RwSignal::new(String::new());
    let build = Callback::new(move |_| {
        let pools = chosen.ids();
        let n = pools.len();
        let what = format!("{n} pool{}", if n == 1 { "" } else { "s" });
        if op.get_untracked() == "retire_pool" {
            let ops = pools
                .into_iter()
                .map(|id| OperationInput { op: Some("retire_pool".into()), pool_id: Some(id), ..Default::default() })
                .collect();
            return Ok((format!("Retire {what}"), ops));
        }
        let count: i64 = seats
            .get_untracked()
            .trim()
            .replace(',', "")
            .parse()
            .map_err(|_| "Give the number of seats to buy, a whole number.".to_string())?;
        let ops = pools
            .into_iter()
            .map(|id| OperationInput {
                op: Some("set_seats".into()),
                pool_id: Some(id),
                seats_purchased: Some(count),
                ..Default::default()
            })
            .collect();
        Ok((format!("Set {what} to {count} seats"), ops))
    });
    view! {
        <BulkRequestBar selection=chosen noun="pools" one="pool" operations=build>
            <OperationChoice value=op choices=&[("set_seats", "Set seats purchased"), ("retire_pool", "Retire the pools")]/>
            <Show when=move || op.get() == "set_seats">
                <div class="field">
                    <label for="bulk-seats">"Seats purchased"</label>
                    <input id="bulk-seats" type="text" inputmode="numeric" prop:value=move || seats.get()
                        on:input=move |ev| seats.set(event_target_value(&ev))/>
                </div>
            </Show>
        </BulkRequestBar>
    }
}

#[component]
fn PoolTable(
    page: Page<Pool>,
    sort: String,
    update: Callback<Changes>,
    chosen: Option<Selection>,
    totals: Signal<Option<InventorySummary>>,
) -> impl IntoView {
    let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
    let (first, last) = page.shown();
    let (current, pages) = (page.page, page.page_count());
    view! {
        <p class="row-count" aria-live="polite">{format!("Showing {}–{} of {} pools", format::number(first), format::number(last), format::number(page.total))}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead><tr>
                    {chosen.map(|c| view! { <SelectAllHeader selection=c ids=ids.clone() label="Choose every pool shown"/> })}
                    <SortHeaders columns=&COLUMNS sort=sort update=update minor=&["Vendor", "Department", "Seats", "Contract ends", "Cancel by"]/>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|p| {
                        let href = format!("/pools/{}", p.id);
                        let choose = format!("Choose {}", p.name);
                        view! {
                            <tr class:row-danger=p.over_assigned>
                                {chosen.map(|c| view! { <SelectCell selection=c id=p.id label=choose.clone()/> })}
                                <td>
                                    <A href=href attr:class="row-link">{p.name.clone()}</A>
                                    <div class="muted small">{format!("{} · {}", p.product.name, p.license_type.label())}</div>
                                </td>
                                <td class="minor">{p.vendor.name.clone()}</td>
                                <td class="minor">{p.department.name.clone()}<div class="muted small">{p.cost_centre.name.clone()}</div></td>
                                <td><Utilization assigned=p.seats_assigned purchased=p.seats_purchased percent=p.utilization_percent/></td>
                                <td class="num minor">{p.seats_purchased.map(format::number).unwrap_or_else(|| "Unlimited".into())}</td>
                                <td class="num"><MoneyText money=p.annual_cost.clone()/></td>
                                <td class="minor"><DateText date=p.contract_end/></td>
                                <td class="minor"><DateText date=p.cancel_by/>{p.auto_renew.then(|| view! { <span class="badge badge-muted" title="Renews automatically unless cancelled">"auto"</span> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                {move || totals.get().map(|t| {
                    let label = if t.pools == 1 { "Total, the one pool".to_string() } else { format!("Total, all {} pools", format::number(t.pools)) };
                    view! {
                        <tfoot><tr class="total-row">
                            {chosen.map(|_| view! { <td></td> })}
                            <th scope="row">{label}</th><td class="minor"></td><td class="minor"></td>
                            <td>{format!("{}% in use", utilization(&t))}</td>
                            <td class="num minor">{format::number(t.seats_purchased)}</td>
                            <td class="num">{t.annual_cost.iter().map(|m| view! { <div><MoneyText money=m.clone()/></div> }).collect_view()}</td>
                            <td class="minor"></td><td class="minor"></td>
                        </tr></tfoot>
                    }
                })}
            </table>
        </div>
        <Pager current=current pages=pages update=update/>
    }
}
