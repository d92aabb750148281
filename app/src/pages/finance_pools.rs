//! The pools behind the finance figures: the slice a chart bar or a figure stands for (its filters in the URL),
//! each pool with its own figures and a link to its seats.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{FinancePool, FinancePoolQuery, Page};

use crate::api;
use crate::components::filters::SortHeaders;
use crate::components::list::{use_list_query, Pager};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText};
use crate::format;
use crate::pages::finance::{FinanceTabs, ScopeFilters};

const KEYS: [&str; 9] = [
    "cost_centre_id",
    "department_id",
    "vendor_id",
    "utilization",
    "within_days",
    "missed",
    "position",
    "sort",
    "page",
];

const COLUMNS: &[(&str, &str, bool)] = &[
    ("name", "Pool", false),
    ("", "Cost centre", false),
    ("annual_spend", "Annual spend", true),
    ("waste_annual", "Waste", true),
    ("", "Seats held", true),
    ("utilization", "Utilization", true),
    ("", "Position", false),
    ("", "Right-size", true),
    ("cancel_by", "Cancel by", false),
];

const MINOR: &[&str] = &["Cost centre", "Seats held", "Position", "Right-size", "Cancel by"];

/// The slice in words, for the heading.
fn slice(list: &crate::components::list::ListQuery) -> String {
    let mut parts = Vec::new();
    if !list.param("product_id").is_empty() {
        parts.push("of one product".to_string());
    }
    match list.param("utilization").as_str() {
        "" => {}
        "none" => parts.push("without usage data".to_string()),
        b => parts.push(format!("utilization from {b}%")),
    }
    if let Ok(d) = list.param("within_days").parse::<i64>() {
        parts.push(format!("cancel-by date within {d} days"));
    }
    if list.param("missed") == "true" {
        parts.push("cancel-by date missed".into());
    }
    match list.param("position").as_str() {
        "waste" => parts.push("with waste".into()),
        "shortfall" => parts.push("held beyond what was bought".into()),
        _ => {}
    }
    if parts.is_empty() {
        "Every pool in the scope".into()
    } else {
        format!("Pools {}", parts.join(", "))
    }
}

#[component]
pub fn FinancePoolsPage() -> impl IntoView {
    let list = use_list_query("/finance/pools", &KEYS);
    let update = list.update;
    let pools = LocalResource::new(move || {
        let query = list.api_query::<FinancePoolQuery>();
        async move { api::finance::pools(&FinancePoolQuery { per_page: Some(50), ..query? }).await }
    });
    let slice_filters: [(&str, &str); 5] = [
        ("product_id", "Product"),
        ("utilization", "Utilization"),
        ("within_days", "Pipeline"),
        ("missed", "Missed"),
        ("position", "Position"),
    ];
    view! {
        <Shell title="Pools behind the figures">
            <div class="page-head"><div>
                <h1>"Pools behind the figures"</h1>
                <p class="muted">{move || slice(&list)}</p>
            </div>
            <div class="button-row">
                {move || list.param("cost_centre_id").parse::<i64>().ok().map(|id| view! {
                    <A href=format!("/finance/cost-centres/{id}") attr:class="btn">"Cost centre statement"</A>
                })}
            </div></div>
            <FinanceTabs current="/finance/pools" list=list/>
            <section class="filters" aria-label="Filters">
                <ScopeFilters update=update/>
                {move || slice_filters.iter().any(|(k, _)| !list.param(k).is_empty()).then(|| view! {
                    <button class="btn btn-ghost" type="button" on:click=move |_| update.run(
                        slice_filters.iter().map(|(k, _)| (*k, String::new())).collect())>"Show every pool"</button>
                })}
            </section>
            <Loaded resource=pools let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No pools here">"No pool in this scope matches the slice."</EmptyState> }.into_any()
                } else {
                    let pages = Page::<()> { items: vec![], total: page.total, page: page.page, per_page: page.per_page }.page_count();
                    view! {
                        <p class="muted" id="finance-pools-count">{format!("{} pools", format::number(page.total))}</p>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="finance-pools">
                                <thead><tr><SortHeaders columns=COLUMNS sort=list.param("sort") update=update minor=MINOR/></tr></thead>
                                <tbody>{page.items.into_iter().map(|p| view! { <PoolRow pool=p/> }).collect_view()}</tbody>
                            </table>
                        </div>
                        <Pager current=page.page pages=pages update=update/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

fn money_or_dash(m: Option<seatwise_types::Money>) -> AnyView {
    match m {
        Some(m) => view! { <MoneyText money=m/> }.into_any(),
        None => view! { <span class="muted" title="No exchange rate for its currency">"—"</span> }.into_any(),
    }
}

#[component]
fn PoolRow(pool: FinancePool) -> impl IntoView {
    let p = pool;
    let position = match p.position.as_str() {
        "under_licensed" => {
            view! { <span class="badge badge-danger">{format!("Short {}", p.shortfall_seats)}</span> }.into_any()
        }
        "over_licensed" => view! { <span class="badge badge-warn">"Over-licensed"</span> }.into_any(),
        "balanced" => view! { <span class="badge badge-ok">"Balanced"</span> }.into_any(),
        _ => view! { <span class="badge badge-muted">"Site licence"</span> }.into_any(),
    };
    let seats = match p.seats_purchased {
        Some(bought) => format!("{} / {}", format::number(p.seats_assigned), format::number(bought)),
        None => format::number(p.seats_assigned),
    };
    let utilization = match p.utilization_percent {
        Some(u) => view! { <span>{format!("{u}%")}</span> }.into_any(),
        None => view! { <span class="muted">"No data"</span> }.into_any(),
    };
    let converted = p.rate.as_ref().map(|r| format!("{} at {} from {}", format::money(&p.annual_cost), r.rate, r.date));
    let hover = converted.clone().unwrap_or_default();
    let right_size = match (p.right_size_seats, p.seats_purchased) {
        (Some(to), Some(bought)) if to < bought => {
            let saving = p.right_size_saving_annual.clone();
            view! { <span>{format!("{to} seats")}<div class="muted small">{saving.map(|s| format!("saves {}", format::money(&s)))}</div></span> }.into_any()
        }
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <td><A href=format!("/pools/{}", p.id)>{p.name.clone()}</A><div class="muted small">{p.vendor.name.clone()}</div></td>
            <td class="minor">{p.cost_centre.code.clone()}</td>
            <td class="num" title=hover>{money_or_dash(p.annual_spend.clone())}
                {converted.map(|c| view! { <div class="muted small">{c}</div> })}</td>
            <td class="num">{money_or_dash(p.waste_annual.clone())}<div class="muted small">{format!("{} seats", p.waste_seats)}</div></td>
            <td class="num minor">{seats}</td>
            <td class="num">{utilization}</td>
            <td class="minor">{position}</td>
            <td class="num minor">{right_size}</td>
            <td class="minor"><DateText date=p.cancel_by/></td>
        </tr>
    }
}
