//! One cost centre for finance: its spend, waste and savings, its budget (set here by finance), and what it owes
//! for a month: the chargeback statement, pool by pool, of the seats its people hold whoever owns the pool.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use seatwise_types::{BudgetInput, Chargeback, ChargebackQuery, FinanceQuery, Money, PeopleQuery};

use crate::api;
use crate::components::fields::TextField;
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::{DateText, Loaded, MoneyText};
use crate::format;
use crate::pages::record_id;
use crate::session::use_session;

#[component]
pub fn CostCentrePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let month = move || query.with(|q| q.get("month")).filter(|m| !m.is_empty());
    let refresh = RwSignal::new(0u32);
    // Kept here: saving reloads the figures, which draws the budget panel again.
    let saved = RwSignal::new(false);
    let summary = LocalResource::new(move || {
        let id = id();
        refresh.track();
        async move { api::finance::summary(&FinanceQuery { cost_centre_id: Some(id?), ..Default::default() }).await }
    });
    let statement = LocalResource::new(move || {
        let (id, month) = (id(), month());
        async move { api::finance::chargeback(&ChargebackQuery { month, cost_centre_id: Some(id?) }).await }
    });
    // Its people, and how many of them hold a seat (what the statement charges it for).
    let people = LocalResource::new(move || {
        let id = id();
        async move {
            let id = id?;
            let query = |holds: Option<bool>| PeopleQuery {
                cost_centre_id: Some(id),
                holds_seats: holds,
                per_page: Some(1),
                ..Default::default()
            };
            let all = api::people::list(&query(None)).await?;
            let holding = api::people::list(&query(Some(true))).await?;
            Ok::<_, api::ApiError>((id, all.total, holding.total))
        }
    });
    let title = Signal::derive(move || {
        summary
            .get()
            .and_then(Result::ok)
            .and_then(|s| s.by_cost_centre.first().map(|c| seatwise_types::cost_centre_label(&c.code, &c.name)))
            .unwrap_or_else(|| "Cost centre".into())
    });
    view! {
        <Shell title=title>
            <div class="page-head">
                <div>
                    <p class="muted small"><A href="/finance">"Finance"</A>" › cost centre"</p>
                    <h1>{move || title.get()}</h1>
                    <p class="muted">"Its pools' spend and waste, its budget, and what it owes each month for the seats its people hold."</p>
                </div>
                <div class="button-row no-print">
                    {move || id().ok().map(|id| view! {
                        <A href=format!("/finance/pools?cost_centre_id={id}") attr:class="btn">"Its pools"</A>
                        <A href=format!("/people?cost_centre_id={id}") attr:class="btn">"Its people"</A>
                    })}
                </div>
            </div>
            <Loaded resource=summary let:s>
                {match s.by_cost_centre.first().cloned() {
                    None => view! { <p class="muted">"No pool in use is charged to this cost centre: its statement below is what its people hold elsewhere."</p> }.into_any(),
                    Some(c) => {
                        let t = s.totals.clone();
                        view! {
                            <section class="cards" aria-label="Figures">
                                <div class="card stat"><span class="stat-label">"Annual spend"</span><span class="stat-value"><MoneyText money=c.annual_spend.clone()/></span>
                                    <span class="muted small">{format!("{} pools · {} of {} seats held", c.pools, format::number(c.seats_assigned), format::number(c.seats_purchased))}</span></div>
                                <div class="card stat"><span class="stat-label">"Waste"</span><span class="stat-value"><MoneyText money=c.waste_annual.clone()/></span>
                                    <span class="muted small">"Per year"</span></div>
                                <div class="card stat"><span class="stat-label">"Realized savings"</span><span class="stat-value"><MoneyText money=t.realized_savings_annual.clone()/></span>
                                    <span class="muted small">"This year, per year"</span></div>
                                <Loaded resource=people let:p>
                                    <A href=format!("/people?cost_centre_id={}", p.0) attr:class="card stat card-link">
                                        <span class="stat-label">"People"</span><span class="stat-value">{format::number(p.1)}</span>
                                        <span class="muted small">{format!("{} hold seats", format::number(p.2))}</span></A>
                                </Loaded>
                                <div class="card stat"><span class="stat-label">"Potential savings"</span><span class="stat-value"><MoneyText money=t.potential_savings_annual.clone()/></span>
                                    <span class="muted small">"Per year, from reclamation policies"</span></div>
                            </section>
                            <BudgetEditor cost_centre_id=c.id budget=c.budget.clone() currency=s.reporting_currency.clone() refresh=refresh saved=saved/>
                        }.into_any()
                    }
                }}
            </Loaded>
            <Statement statement=statement/>
        </Shell>
    }
}

/// This year's budget beside actual and projection; finance (and admins) set it here.
#[component]
fn BudgetEditor(
    cost_centre_id: i64,
    budget: Option<seatwise_types::BudgetFigures>,
    /// The reporting currency a budget is set in.
    currency: String,
    refresh: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let may_keep = move || session.can().keep_budgets;
    let year = budget.as_ref().map(|b| b.year).unwrap_or_else(|| js_sys::Date::new_0().get_full_year() as i32);
    let amount = RwSignal::new(budget.as_ref().map(|b| format::decimal(&b.budget)).unwrap_or_default());
    let saver = Saver::new(
        move |input: BudgetInput| async move { api::finance::set_budget(cost_centre_id, year, &input).await },
        move |_| {
            saved.set(true);
            refresh.update(|n| *n += 1);
        },
    );
    let error = saver.error;
    let label = format!("Budget ({currency})");
    // Kept outside the closures so the submit handler stays `Copy`.
    let currency = StoredValue::new(currency);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let code = currency.get_value();
        let built = format::parse_amount(&amount.get_untracked(), &code)
            .map(|minor| BudgetInput { amount: Money::new(minor, code.as_str()) })
            .ok_or_else(|| {
                vec![seatwise_types::FieldError::new("amount.amount_minor", "must be an amount such as 250000.00")]
            });
        saver.submit(built);
    };
    view! {
        <section class="panel" aria-labelledby="budget-title">
            <h2 id="budget-title">{format!("Budget for {year}")}</h2>
            {match budget.clone() {
                Some(b) => view! {
                    <p>"Spent so far "<MoneyText money=b.actual_to_date.clone()/>", heading for "<MoneyText money=b.projection.clone()/>
                        " by the end of the year, against a budget of "<MoneyText money=b.budget.clone()/>"."
                        {(b.projection.amount_minor > b.budget.amount_minor).then(|| view! { " "<span class="badge badge-danger">"Over budget"</span> })}</p>
                }.into_any(),
                None => view! { <p class="muted">"No budget set for this year."</p> }.into_any(),
            }}
            {move || may_keep().then(|| view! {
                <form class="inline-form" on:submit=submit>
                    <TextField id="budget-amount" label=label.clone() value=amount error=error path="amount.amount_minor"
                        also="amount.currency" inputmode="decimal" inline=true/>
                    <button class="btn btn-primary" type="submit">"Save budget"</button>
                    {move || saved.get().then(|| view! { <span class="muted" role="status">"Budget saved."</span> })}
                </form>
            })}
        </section>
    }
}

/// This month as `YYYY-MM`, in the browser's calendar (the statement's own default is the organisation's).
fn this_month() -> String {
    let now = js_sys::Date::new_0();
    format!("{:04}-{:02}", now.get_full_year(), now.get_month() + 1)
}

/// A month's chargeback statement, with a month picker kept in the URL.
#[component]
fn Statement(statement: LocalResource<api::ApiResult<Chargeback>>) -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let choose = move |ev: leptos::ev::Event| {
        let month = event_target_value(&ev);
        let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
        let target = if month.is_empty() { path } else { format!("{path}?month={month}") };
        navigate(&target, Default::default());
    };
    view! {
        <section class="panel" aria-labelledby="statement-title">
            <div class="panel-head">
                <h2 id="statement-title">"Chargeback statement"</h2>
                <div class="field inline no-print">
                    <label for="statement-month">"Month"</label>
                    <input id="statement-month" type="month" on:change=choose prop:value=move || {
                        query.with(|q| q.get("month")).filter(|m| !m.is_empty()).unwrap_or_else(this_month)
                    }/>
                </div>
            </div>
            <Loaded resource=statement let:c>
                {
                    let total = c.total.clone();
                    let lines: Vec<_> = c.items.iter().flat_map(|i| i.lines.clone()).collect();
                    view! {
                        <p class="muted small">{format!("{}: seats counted on ", c.month)}<DateText date=Some(c.counted_on)/>
                            ", each pool's month shared by its method (by seat held unless its owner chose otherwise)."</p>
                        {if lines.is_empty() {
                            view! { <p class="muted">"Nothing owed this month."</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap" tabindex="0">
                                <table class="table" id="chargeback">
                                    <thead><tr><th scope="col">"Pool"</th><th scope="col" class="minor">"Method"</th>
                                        <th scope="col" class="num">"Seats held"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                                    <tbody>{lines.into_iter().map(|l| view! {
                                        <tr><td><A href=format!("/pools/{}", l.pool_id)>{l.pool_name}</A></td>
                                            <td class="minor">{l.method.label()}</td>
                                            <td class="num">{format::number(l.seats)}</td>
                                            <td class="num"><MoneyText money=l.amount/></td></tr>
                                    }).collect_view()}</tbody>
                                    <tfoot><tr><th scope="row" colspan="3">"Total"</th><td class="num"><MoneyText money=total/></td></tr></tfoot>
                                </table>
                                </div>
                            }.into_any()
                        }}
                    }
                }
            </Loaded>
        </section>
    }
}
