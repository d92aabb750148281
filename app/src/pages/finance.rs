//! The finance dashboard: spend, waste, utilization, savings, renewals and budgets of a scope in the reporting
//! currency, each figure with its definition and each bar a link to the pools behind it (the filters in the URL).

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{ChargebackQuery, FinanceQuery, FinanceSummary, Money};

use crate::api;
use crate::components::charts::{BarRow, BarTable, MonthChart};
use crate::components::filters::FilterSelect;
use crate::components::list::{href, use_list_query, ListQuery};
use crate::components::shell::Shell;
use crate::components::{DateText, Loaded, MoneyText};
use crate::format;

/// The dashboard's filters (the summary's own parameters).
const KEYS: [&str; 3] = ["cost_centre_id", "department_id", "vendor_id"];

/// Each figure's definition, as `domain/finance.rs` computes it (shown on hover and listed under the charts).
pub const DEFINITIONS: [(&str, &str); 9] = [
    ("Annual spend", "Unit cost × seats purchased × billing periods a year, for every pool in use (one-time purchases spread over the contract; a site licence at its price)."),
    ("Monthly spend", "A twelfth of each pool's annual spend, rounded to the cent, added up."),
    ("Waste", "Seats paid for and not used: unassigned seats, seats of people who left, and seats whose known use is older than 30 days, × a seat's annual cost. Seats with no usage data are never counted."),
    ("Utilization", "Seats used in the last 30 days ÷ seats whose use a source reports. Seats nothing reports on are \"no data\", not unused."),
    ("Potential savings", "What every reclamation policy would take back now (each seat once), per year."),
    ("Realized savings", "The savings log of the period (restored seats excluded), each at the rate of the day the seat was removed."),
    ("True-up exposure", "Seats held beyond those purchased, × a seat's annual cost."),
    ("Committed", "What the current contract terms commit to in full: the annual spend for the term's days ÷ 365 (a one-time purchase as bought)."),
    ("Renewal pipeline", "Annual spend of pools whose cancel-by date falls within 30, 60 or 90 days; missed: the date passed while the contract runs."),
];

fn definition(name: &str) -> &'static str {
    DEFINITIONS.iter().find(|(n, _)| *n == name).map_or("", |(_, d)| d)
}

/// The current filters plus one slice, as the address of the pools behind it.
fn pools_href(list: &ListQuery, extra: &[(&'static str, String)]) -> String {
    let mut pairs: Vec<(&str, String)> = KEYS.iter().map(|k| (*k, list.param(k))).collect();
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push((k, v.clone()));
    }
    href("/finance/pools", &pairs)
}

/// One headline figure: its value, a note, its definition on hover, and a link to what is behind it.
#[component]
fn Figure(
    label: &'static str,
    value: AnyView,
    note: String,
    link: String,
    #[prop(optional)] warn: bool,
) -> impl IntoView {
    view! {
        <A href=link attr:class="card stat card-link" attr:title=definition(label)>
            <span class="stat-label">{label}</span>
            <span class="stat-value" class:danger=warn>{value}</span>
            <span class="muted small">{note}</span>
        </A>
    }
}

fn percent_of(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    format!("{}%", part * 100 / whole)
}

#[component]
pub fn FinancePage() -> impl IntoView {
    let list = use_list_query("/finance", &KEYS);
    let update = list.update;
    let summary = LocalResource::new(move || {
        let query = list.api_query::<FinanceQuery>();
        async move { api::finance::summary(&query?).await }
    });
    let export = move |format: &'static str| {
        list.api_query::<FinanceQuery>().and_then(|q| api::finance::export_url(&q, format)).unwrap_or_default()
    };
    // This month's costs, for the chosen cost centre when there is one.
    let focus = move || {
        let query = ChargebackQuery { month: None, cost_centre_id: list.param("cost_centre_id").parse().ok() };
        api::finance::focus_url(&query).unwrap_or_default()
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <Shell title="Finance">
            <div class="page-head">
                <div>
                    <h1>"Finance"</h1>
                    <p class="muted">"Spend, waste and savings in one currency, with the pools behind every figure."</p>
                </div>
                <div class="button-row no-print">
                    <a class="btn" href=move || export("csv") download="">"Export CSV"</a>
                    <a class="btn" href=move || export("xlsx") download="">"Export XLSX"</a>
                    <a class="btn" href=focus download="" title="This month's license costs in the FinOps FOCUS columns, by cost centre">"FOCUS CSV"</a>
                    <button class="btn btn-ghost" type="button" on:click=print>"Print"</button>
                </div>
            </div>
            <FinanceTabs current="/finance" list=list/>
            <section class="filters no-print" aria-label="Filters">
                <ScopeFilters update=update/>
            </section>
            <Loaded resource=summary let:s>
                <Dashboard s=s list=list/>
            </Loaded>
        </Shell>
    }
}

/// The scope of the figures: cost centre, department, vendor (each kept in the URL).
#[component]
pub fn ScopeFilters(update: Callback<crate::components::list::Changes>) -> impl IntoView {
    let lookups = LocalResource::new(api::catalog::lookups);
    move || {
        lookups.get().and_then(Result::ok).map(|l| {
            let cost_centres: Vec<(String, String)> =
                l.cost_centres.iter().map(|c| (c.id.to_string(), c.label())).collect();
            let departments: Vec<(String, String)> =
                l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
            let vendors: Vec<(String, String)> = l.vendors.iter().map(|v| (v.id.to_string(), v.name.clone())).collect();
            view! {
                <FilterSelect id="f-cost-centre" label="Cost centre" key="cost_centre_id" options=cost_centres update=update/>
                <FilterSelect id="f-department" label="Department" key="department_id" options=departments update=update/>
                <FilterSelect id="f-vendor" label="Vendor" key="vendor_id" options=vendors update=update/>
            }
        })
    }
}

/// The dashboard's tabs: the figures, and the pools behind them.
#[component]
pub fn FinanceTabs(current: &'static str, list: ListQuery) -> impl IntoView {
    let tab = move |path: &'static str, label: &'static str| {
        let target = move || {
            let pairs: Vec<(&str, String)> = KEYS.iter().map(|k| (*k, list.param(k))).collect();
            href(path, &pairs)
        };
        view! { <A href=target exact=true attr:class="tab" attr:aria-current=(current == path).then_some("page")>{label}</A> }
    };
    view! {
        <nav class="tabs no-print" aria-label="Finance">
            {tab("/finance", "Dashboard")}
            {tab("/finance/pools", "Pools behind the figures")}
            {tab("/finance/rates", "Exchange rates")}
        </nav>
    }
}

#[component]
fn Dashboard(s: FinanceSummary, list: ListQuery) -> impl IntoView {
    let t = s.totals.clone();
    let money_view = |m: &Money| view! { <MoneyText money=m.clone()/> }.into_any();
    let utilization = match t.utilization_percent {
        Some(p) => view! { <span>{format!("{p}%")}</span> }.into_any(),
        None => view! { <span class="muted">"No data"</span> }.into_any(),
    };
    let cost_centres: Vec<BarRow> = s
        .by_cost_centre
        .iter()
        .map(|c| BarRow {
            label: seatwise_types::cost_centre_label(&c.code, &c.name),
            href: pools_href(&list, &[("cost_centre_id", c.id.to_string())]),
            value: c.annual_spend.clone(),
            note: format!(
                "{} pools · {} of {} seats held",
                c.pools,
                format::number(c.seats_assigned),
                format::number(c.seats_purchased)
            ),
        })
        .collect();
    let group_rows = |groups: &[seatwise_types::GroupFigures], key: &'static str| -> Vec<BarRow> {
        groups
            .iter()
            .take(10)
            .map(|g| BarRow {
                label: g.name.clone(),
                href: pools_href(&list, &[(key, g.id.to_string())]),
                value: g.annual_spend.clone(),
                note: format!("{} pools · waste {}", g.pools, format::money(&g.waste_annual)),
            })
            .collect()
    };
    let departments = group_rows(&s.by_department, "department_id");
    let products = group_rows(&s.by_product, "product_id");
    let vendors: Vec<BarRow> = {
        let mut v: Vec<_> = s.by_vendor.iter().filter(|v| v.waste_annual.amount_minor > 0).collect();
        v.sort_by_key(|v| std::cmp::Reverse(v.waste_annual.amount_minor));
        v.into_iter()
            .take(10)
            .map(|v| BarRow {
                label: v.name.clone(),
                href: pools_href(&list, &[("vendor_id", v.id.to_string()), ("position", "waste".into())]),
                value: v.waste_annual.clone(),
                note: format!("of {} a year", format::money(&v.annual_spend)),
            })
            .collect()
    };
    let bands: Vec<BarRow> = s
        .by_utilization
        .iter()
        .map(|b| {
            let (label, key) = match (b.from_percent, b.to_percent) {
                (Some(from), Some(to)) if to >= 100 => (format!("{from}–100%"), from.to_string()),
                (Some(from), Some(to)) => (format!("{from}–{to}%"), from.to_string()),
                _ => ("No usage data".to_string(), "none".to_string()),
            };
            BarRow {
                label,
                href: pools_href(&list, &[("utilization", key)]),
                value: b.annual_spend.clone(),
                note: format!("{} pools", b.pools),
            }
        })
        .collect();
    let mut pipeline: Vec<BarRow> = s
        .renewal_pipeline
        .iter()
        .map(|b| BarRow {
            label: format!("Cancel-by within {} days", b.within_days),
            href: pools_href(&list, &[("within_days", b.within_days.to_string())]),
            value: b.value.clone(),
            note: format!("{} pools", b.pools),
        })
        .collect();
    pipeline.push(BarRow {
        label: "Missed: renewing as they are".into(),
        href: pools_href(&list, &[("missed", "true".into())]),
        value: s.missed_renewals.value.clone(),
        note: format!("{} pools", s.missed_renewals.pools),
    });
    let budgets: Vec<_> = s.by_cost_centre.iter().filter_map(|c| c.budget.clone().map(|b| (c.clone(), b))).collect();
    let savings_link = href("/savings", &[("from", s.from.to_string()), ("to", s.to.to_string())]);
    view! {
        {(!s.unconverted.is_empty()).then(|| view! {
            <p class="banner banner-warn" role="status">
                {format!("Left out of the money for want of an exchange rate: {}. Admins add rates under Exchange rates.",
                    s.unconverted.iter().map(|u| format!("{} pools in {} ({})", u.pools, u.currency, format::money(&u.annual_spend))).collect::<Vec<_>>().join(", "))}
            </p>
        })}
        <p class="muted small">{format!("All amounts in {}, priced on ", s.reporting_currency)}<DateText date=Some(s.as_of)/>
            ". Savings realized from "<DateText date=Some(s.from)/>" to "<DateText date=Some(s.to)/>
            ". Hover over a figure for its definition."</p>
        <section class="cards figure-cards" aria-label="Figures">
            <Figure label="Annual spend" value=money_view(&t.annual_spend) link=pools_href(&list, &[("sort", "-annual_spend".into())])
                note=format!("{} a month", format::money(&t.monthly_spend))/>
            <Figure label="Waste" value=money_view(&t.waste_annual) link=pools_href(&list, &[("position", "waste".into()), ("sort", "-waste_annual".into())])
                warn={t.waste_annual.amount_minor > 0} note=format!("{} of spend, per year", percent_of(t.waste_annual.amount_minor, t.annual_spend.amount_minor))/>
            <Figure label="Utilization" value=utilization link=pools_href(&list, &[("sort", "utilization".into())])
                note=format!("{} active of {} seats with data; {} without", format::number(t.seats_active), format::number(t.seats_with_usage), format::number(t.seats_without_usage))/>
            <Figure label="Potential savings" value=money_view(&t.potential_savings_annual) link="/reclamation".into()
                note="Per year, from reclamation policies".into()/>
            <Figure label="Realized savings" value=money_view(&t.realized_savings_annual) link=savings_link
                note=format!("Hard {} · avoided {}", format::money(&t.hard_savings_annual), format::money(&t.cost_avoided_annual))/>
            <Figure label="Committed" value=money_view(&t.committed_value) link=pools_href(&list, &[("sort", "cancel_by".into())])
                note="Current contract terms, in full".into()/>
            <Figure label="True-up exposure" value=money_view(&t.true_up_annual) link=pools_href(&list, &[("position", "shortfall".into())])
                warn={t.shortfall_seats > 0} note=format!("{} seats held beyond those bought", format::number(t.shortfall_seats))/>
        </section>
        <div class="grid-2 charts">
            <BarTable id="spend-by-cost-centre" title="Spend by cost centre" value_label="Annual spend" rows=cost_centres
                empty="No pools in this scope."/>
            <MonthChart id="spend-over-time" title="Spend over time" months=s.spend_over_time.clone()/>
            <BarTable id="waste-by-vendor" title="Waste by vendor" value_label="Waste per year" rows=vendors
                empty="No waste: every seat bought is held and used."/>
            <BarTable id="utilization" title="Utilization of pools" value_label="Annual spend" rows=bands empty=""/>
            <BarTable id="renewal-pipeline" title="Renewal pipeline" value_label="Annual value" rows=pipeline empty=""/>
            <BudgetPanel budgets=budgets/>
            <BarTable id="spend-by-department" title="Spend by department" value_label="Annual spend" rows=departments
                empty="No pools in this scope."/>
            <BarTable id="spend-by-product" title="Top products by spend" value_label="Annual spend" rows=products
                empty="No pools in this scope."/>
        </div>
        <div class="grid-2">
            <section class="panel" aria-labelledby="rates-title">
                <h2 id="rates-title">"Exchange rates used"</h2>
                {if s.rates.is_empty() {
                    view! { <p class="muted">{format!("Every amount here is in {}: no conversion.", s.reporting_currency)}</p> }.into_any()
                } else {
                    view! {
                        <table class="table" id="rates">
                            <thead><tr><th scope="col">"Currency"</th><th scope="col" class="num">{format!("{} per unit", s.reporting_currency)}</th><th scope="col">"From"</th></tr></thead>
                            <tbody>{s.rates.iter().map(|r| view! {
                                <tr><td>{r.currency.clone()}</td><td class="num">{r.rate.clone()}</td><td><DateText date=Some(r.date)/></td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="panel" aria-labelledby="definitions-title">
                <h2 id="definitions-title">"How each figure is counted"</h2>
                <dl class="definitions">
                    {DEFINITIONS.iter().map(|(name, text)| view! { <dt>{*name}</dt><dd>{*text}</dd> }).collect_view()}
                </dl>
            </section>
        </div>
    }
}

/// Budget against actual and the year-end projection, for the cost centres that have a budget.
#[component]
fn BudgetPanel(budgets: Vec<(seatwise_types::CostCentreFigures, seatwise_types::BudgetFigures)>) -> impl IntoView {
    let largest = budgets
        .iter()
        .map(|(_, b)| b.budget.amount_minor.max(b.projection.amount_minor).max(b.actual_to_date.amount_minor))
        .max()
        .unwrap_or(1)
        .max(1);
    let scaled = move |m: &Money| (m.amount_minor * 100 / largest).clamp(0, 100).to_string();
    view! {
        <section class="panel chart" aria-labelledby="budgets-title">
            <h2 id="budgets-title" title="Spend this year to date, and where the year ends if this month's spend holds, beside the budget.">"Budget against actual"</h2>
            {if budgets.is_empty() {
                view! { <p class="muted">"No cost centre in this scope has a budget for this year."</p> }.into_any()
            } else {
                view! {
                    <p class="legend muted small" aria-hidden="true">
                        <span class="swatch swatch-actual"></span>"Actual to date "
                        <span class="swatch swatch-projection"></span>"Projected year end "
                        <span class="swatch swatch-budget"></span>"Budget"
                    </p>
                    <div class="table-wrap" tabindex="0">
                    <table class="table bars" id="budgets">
                        <thead><tr><th scope="col">"Cost centre"</th><th scope="col">"Actual · projection · budget"</th></tr></thead>
                        <tbody>{budgets.iter().map(|(c, b)| {
                            let over = b.projection.amount_minor > b.budget.amount_minor;
                            let label = seatwise_types::cost_centre_label(&c.code, &c.name);
                            view! { <tr>
                                <td><A href=format!("/finance/cost-centres/{}", c.id)>{label}</A></td>
                                <td><div class="bar-cell budget-cell">
                                    <svg class="bar budget-bar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
                                        <rect class="projection" x="0" y="2" height="8" width=scaled(&b.projection)/>
                                        <rect class="actual" x="0" y="2" height="8" width=scaled(&b.actual_to_date)/>
                                        <rect class="budget-mark" y="0" height="12" width="0.8" x=scaled(&b.budget)/>
                                    </svg>
                                    <span><MoneyText money=b.actual_to_date.clone()/>" · "<MoneyText money=b.projection.clone()/>" of "<MoneyText money=b.budget.clone()/>
                                        {over.then(|| view! { <span class="badge badge-danger">"Over budget"</span> })}</span>
                                </div></td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
