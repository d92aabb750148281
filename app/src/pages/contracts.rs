//! Every contract in scope: search, filters and sort in the URL, soonest decision first.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::ContractQuery;

use crate::api;
use crate::components::filters::{FilterSelect, SearchBox, SortHeaders};
use crate::components::list::{use_list_query, Count, ListTable};
use crate::components::renewal::DaysBadge;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText};
use crate::session::use_session;

const KEYS: [&str; 7] = ["q", "vendor_id", "department_id", "owner_id", "cost_centre_id", "sort", "page"];
const COLUMNS: [(&str, &str, bool); 7] = [
    ("title", "Contract", false),
    ("vendor", "Vendor", false),
    ("key_date", "Decide by", false),
    ("term_end", "Term ends", false),
    ("", "Renewal", false),
    ("", "Value per term", true),
    ("", "Open alerts", true),
];

#[component]
pub fn ContractsPage() -> impl IntoView {
    let session = use_session();
    let list = use_list_query("/contracts", &KEYS);
    let update = list.update;
    let contracts = LocalResource::new(move || {
        let query = list.api_query::<ContractQuery>();
        async move { api::contracts::list(&ContractQuery { per_page: Some(50), ..query? }).await }
    });
    let lookups = LocalResource::new(api::catalog::lookups);
    let can_record = move || session.can().record_contracts;
    // Turning pool dates into contracts is a one-off migration of the organisation's data, like an import.
    let can_adopt = move || session.can().import;
    let adopt = Action::new_local(|_: &()| api::contracts::adopt_pool_terms());
    Effect::new(move |_| {
        if let Some(Ok(_)) = adopt.value().get() {
            contracts.refetch();
        }
    });
    view! {
        <Shell title="Contracts">
            <div class="page-head">
                <div>
                    <h1>"Contracts"</h1>
                    <p class="muted">"Every contract covering your pools, the one to decide on soonest first."</p>
                </div>
                <div class="button-row">
                    <A href="/renewals" attr:class="btn">"Calendar"</A>
                    <Show when=can_adopt>
                        <button class="btn" type="button" disabled=move || adopt.pending().get()
                            title="Pools with their own contract dates and no contract get one, so their renewals are alerted"
                            on:click=move |_| { adopt.dispatch(()); }>"Contracts from pool dates"</button>
                    </Show>
                    <Show when=can_record>
                        <A href="/contracts/new" attr:class="btn btn-primary">"New contract"</A>
                    </Show>
                </div>
            </div>
            <div aria-live="polite">
                {move || adopt.value().get().map(|r| match r {
                    Ok(a) => view! { <div class="banner banner-ok" role="status">
                        {format!("{} contract{} recorded for {} pool{}.", a.contracts, if a.contracts == 1 { "" } else { "s" },
                            a.pools, if a.pools == 1 { "" } else { "s" })}</div> }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                })}
            </div>
            <section class="filters" aria-label="Filters">
                <SearchBox id="k-q" label="Search contracts" placeholder="Search number, title or vendor…" update=update/>
                {move || lookups.get().and_then(Result::ok).map(|l| {
                    let vendors: Vec<(String, String)> = l.vendors.iter().map(|v| (v.id.to_string(), v.name.clone())).collect();
                    let departments: Vec<(String, String)> = l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                    let owners: Vec<(String, String)> = l.owners.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
                    let cost_centres: Vec<(String, String)> = l.cost_centres.iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect();
                    view! {
                        <FilterSelect id="k-vendor" label="Vendor" key="vendor_id" options=vendors update=update/>
                        <FilterSelect id="k-department" label="Department" key="department_id" options=departments update=update/>
                        <FilterSelect id="k-owner" label="Owner" key="owner_id" options=owners update=update/>
                        <FilterSelect id="k-cost-centre" label="Cost centre" key="cost_centre_id" options=cost_centres update=update/>
                    }
                })}
            </section>
            <Loaded resource=contracts let:page>
                {if page.items.is_empty() {
                    view! {
                        <EmptyState title="No contracts here">"Record a contract to track its renewal dates."</EmptyState>
                    }.into_any()
                } else {
                    view! {
                        <ListTable page=page id="contracts" count=Count::Total { one: "contract", many: "contracts" } update=update
                            head=move || view! { <SortHeaders columns=&COLUMNS sort=list.param("sort") update=update/> }
                            row=|c| {
                                        let renewal = if c.rolling { "Monthly rolling" } else if c.auto_renew { "Renews automatically" } else { "Explicit renewal" };
                                        view! {
                                            <tr>
                                                <td><A href=format!("/contracts/{}", c.id) attr:class="row-link">{c.title.clone()}</A>
                                                    <div class="muted small">{format!("{} · {} pool{}", c.number, c.pools.len(), if c.pools.len() == 1 { "" } else { "s" })}</div></td>
                                                <td>{c.vendor.name.clone()}</td>
                                                <td><DateText date=Some(c.key_date)/>" " <DaysBadge days=c.days_to_key_date urgency=c.urgency/></td>
                                                <td><DateText date=Some(c.term.end_date)/></td>
                                                <td>{renewal}<div class="muted small">{c.status.label()}</div></td>
                                                <td class="num">{c.value.clone().map(|m| view! { <MoneyText money=m/> }.into_any()).unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}
                                                    {(c.hidden_pools > 0).then(|| view! { <div class="muted small" title="Part of this contract covers pools outside your departments; the value is that of your pools.">"your part"</div> })}</td>
                                                <td class="num">{c.open_alerts}</td>
                                            </tr>
                                        }
                            }/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}
