//! The savings log: what reclaimed and downgraded seats save, by month (a bar per month), with every entry and
//! the CSV and XLSX exports for a quarterly business review.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Page, SavingEntry, SavingsFilter, SavingsQuery};

use crate::api;
use crate::components::filters::FilterSelect;
use crate::components::list::{use_list_query, Pager};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText};
use crate::format;
use crate::pages::reclamation::ReclamationTabs;

const KEYS: [&str; 8] = ["department_id", "cost_centre_id", "pool_id", "policy_id", "month", "from", "to", "page"];

#[component]
pub fn SavingsPage() -> impl IntoView {
    let list = use_list_query("/savings", &KEYS);
    let update = list.update;
    let savings = LocalResource::new(move || {
        let query = list.api_query::<SavingsQuery>();
        async move { api::reclamation::savings(&SavingsQuery { per_page: Some(50), ..query? }).await }
    });
    // What the filters offer: departments and cost centres in scope, the policies, and every month logged.
    let lookups = LocalResource::new(api::catalog::lookups);
    let policies = LocalResource::new(api::reclamation::policies);
    let logged = LocalResource::new(|| async {
        api::reclamation::savings(&SavingsQuery { per_page: Some(1), ..Default::default() }).await
    });
    let export = move |format: &'static str| {
        list.api_query::<SavingsFilter>()
            .and_then(|q| api::reclamation::savings_export_url(&q, format))
            .unwrap_or_default()
    };
    view! {
        <Shell title="Savings">
            <div class="page-head">
                <div>
                    <h1>"Savings"</h1>
                    <p class="muted">"Every reclaimed or downgraded seat, priced at its pool's cost per seat when it was removed. A restored seat is reversed, not deleted."</p>
                </div>
                <div class="button-row">
                    <a class="btn" href=move || export("csv") download="">"Export CSV"</a>
                    <a class="btn" href=move || export("xlsx") download="">"Export XLSX"</a>
                </div>
            </div>
            <ReclamationTabs current="/savings"/>
            <section class="filters" aria-label="Filters">
                {move || lookups.get().and_then(Result::ok).map(|l| {
                    let departments: Vec<(String, String)> = l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                    let cost_centres: Vec<(String, String)> = l.cost_centres.iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect();
                    view! {
                        <FilterSelect id="f-department" label="Person's department" key="department_id" options=departments update=update/>
                        <FilterSelect id="f-cost-centre" label="Pool's cost centre" key="cost_centre_id" options=cost_centres update=update/>
                    }
                })}
                {move || policies.get().and_then(Result::ok).map(|p| {
                    let options: Vec<(String, String)> = p.items.iter().map(|p| (p.id.to_string(), p.name.clone())).collect();
                    view! { <FilterSelect id="f-policy" label="Policy" key="policy_id" options=options update=update/> }
                })}
                {move || logged.get().and_then(Result::ok).map(|p| {
                    let mut months: Vec<String> = p.months.iter().map(|m| m.month.clone()).collect();
                    months.dedup();
                    let options: Vec<(String, String)> = months.into_iter().rev().map(|m| (m.clone(), m)).collect();
                    view! { <FilterSelect id="f-month" label="Month removed" key="month" options=options update=update/> }
                })}
            </section>
            <Loaded resource=savings let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No savings yet">"Run a reclamation policy and the seats it frees are logged here."</EmptyState> }.into_any()
                } else {
                    let pages = Page::<()> { items: vec![], total: page.total, page: page.page, per_page: page.per_page }.page_count();
                    let largest = page.months.iter().map(|m| m.monthly.amount_minor).max().unwrap_or(1).max(1);
                    view! {
                        <div class="cards">
                            <div class="card stat"><span class="stat-label">"Saving per month"</span><span class="stat-value">
                                {page.totals.monthly.iter().cloned().map(|m| view! { <MoneyText money=m/> }).collect_view()}</span></div>
                            <div class="card stat"><span class="stat-label">"Saving per year"</span><span class="stat-value">
                                {page.totals.annual.iter().cloned().map(|m| view! { <MoneyText money=m/> }).collect_view()}</span></div>
                            <div class="card stat"><span class="stat-label">"Entries"</span><span class="stat-value">{format::number(page.total)}</span></div>
                        </div>
                        <section class="panel" aria-labelledby="by-month">
                            <h2 id="by-month">"By month removed"</h2>
                            <div class="table-wrap" tabindex="0">
                            <table class="table bars" id="savings-months">
                                <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"Seats"</th>
                                    <th scope="col">"Saving per month"</th></tr></thead>
                                <tbody>{page.months.iter().map(|m| {
                                    // An SVG bar: its width is an attribute, which the content security policy allows (inline
                                    // styles it does not).
                                    let width = (m.monthly.amount_minor * 100 / largest).max(1).to_string();
                                    view! { <tr><td>{m.month.clone()}</td><td class="num">{format::number(m.seats)}</td>
                                        <td><div class="bar-cell"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                            <rect x="0" y="0" height="10" width=width/></svg><MoneyText money=m.monthly.clone()/></div></td></tr> }
                                }).collect_view()}</tbody>
                            </table>
                            </div>
                        </section>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="savings">
                                <thead><tr>
                                    <th scope="col">"Removed"</th><th scope="col">"Person"</th><th scope="col" class="minor">"Pool"</th>
                                    <th scope="col" class="minor">"Person's department"</th><th scope="col" class="minor">"Pool's cost centre"</th>
                                    <th scope="col" class="minor">"Kind"</th>
                                    <th scope="col" class="num">"Per month"</th><th scope="col" class="num">"Per year"</th>
                                </tr></thead>
                                <tbody>{page.items.into_iter().map(|e| view! { <EntryRow entry=e/> }).collect_view()}</tbody>
                            </table>
                        </div>
                        <Pager current=page.page pages=pages update=update/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn EntryRow(entry: SavingEntry) -> impl IntoView {
    let e = entry;
    let reversed = e.reversed_at.is_some();
    view! {
        <tr class:muted=reversed>
            <td><DateText date=Some(e.removed_on)/></td>
            <td><A href=format!("/people/{}", e.person_id)>{e.person_name.clone()}</A></td>
            <td class="minor"><A href=format!("/pools/{}", e.pool_id)>{e.pool_name.clone()}</A><div class="muted small">{e.price_source.clone()}</div></td>
            <td class="minor">{e.department_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="minor">{e.cost_centre_code.clone()}</td>
            <td class="minor">{format::sentence_case(&e.kind)}{reversed.then(|| view! { <div><span class="badge badge-muted">"Restored: reversed"</span></div> })}</td>
            <td class="num"><MoneyText money=e.monthly.clone()/></td>
            <td class="num"><MoneyText money=e.annual.clone()/></td>
        </tr>
    }
}
