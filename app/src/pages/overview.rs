//! An admin's overview: what needs someone now across the console (missed cancel-by dates, alerts, requests
//! waiting for approval, open reclamation cases) beside the inventory's figures, each a link to where it is done.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{AlertQuery, CaseQuery, ChangeRequestQuery, PoolQuery, SavingsQuery};

use crate::api;
use crate::components::shell::Shell;
use crate::components::{Loaded, MoneyText};
use crate::format;

/// One figure that links to where it is worked on; `warn` when it needs someone.
#[component]
fn Figure(
    label: &'static str,
    value: String,
    href: &'static str,
    note: String,
    #[prop(optional)] warn: bool,
) -> impl IntoView {
    view! {
        <A href=href attr:class="card stat card-link">
            <span class="stat-label">{label}</span>
            <span class="stat-value" class:danger=warn>{value}</span>
            <span class="muted">{note}</span>
        </A>
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let summary = LocalResource::new(|| async { api::pools::summary(&PoolQuery::default()).await });
    let work = LocalResource::new(|| async {
        let missed =
            api::alerts::list(&AlertQuery { missed: Some(true), per_page: Some(1), ..Default::default() }).await?;
        let alerts = api::alerts::counts().await?;
        let queue = api::change_requests::list(&ChangeRequestQuery {
            for_me: Some(true),
            per_page: Some(1),
            ..Default::default()
        })
        .await?;
        let open = CaseQuery { state: Some("open".into()), per_page: Some(1), ..Default::default() };
        let cases = api::reclamation::cases(&open).await?;
        Ok::<_, api::ApiError>((missed.total, alerts.needs_action, queue.total, cases.total))
    });
    let savings = LocalResource::new(|| async {
        api::reclamation::savings(&SavingsQuery { per_page: Some(1), ..Default::default() }).await
    });
    view! {
        <Shell title="Overview">
            <div class="page-head"><div>
                <h1>"Overview"</h1>
                <p class="muted">"What needs someone now, and where the licenses stand."</p>
            </div></div>
            <h2 class="section-title">"Needs someone"</h2>
            <Loaded resource=work let:w>
                {
                    let (missed, alerts, queue, cases) = w;
                    view! {
                        <section class="cards" aria-label="Work waiting">
                            <Figure label="Missed cancel-by dates" value=format::number(missed) href="/alerts" warn={missed > 0}
                                note={if missed > 0 { "Renewing without a decision".to_string() } else { "None".to_string() }}/>
                            <Figure label="Alerts to decide" value=format::number(alerts) href="/alerts" warn={alerts > 0}
                                note="Renewals and cancel-by dates".into()/>
                            <Figure label="Waiting for your approval" value=format::number(queue) href="/changes?for_me=true"
                                note="Change requests".into()/>
                            <Figure label="Open reclamation cases" value=format::number(cases) href="/reclamation/cases"
                                note="Seats being taken back".into()/>
                        </section>
                    }
                }
            </Loaded>
            <h2 class="section-title">"Licenses"</h2>
            <Loaded resource=summary let:s>
                <section class="cards" aria-label="Inventory">
                    <Figure label="Pools" value=format::number(s.pools) href="/pools"
                        note=format!("{} of {} seats in use", format::number(s.seats_assigned), format::number(s.seats_purchased))/>
                    <A href="/pools" attr:class="card stat card-link">
                        <span class="stat-label">"Annual cost"</span>
                        <span class="stat-value">{s.annual_cost.iter().map(|m| view! { <MoneyText money=m.clone()/> }).collect_view()}</span>
                        <span class="muted">"Every pool"</span>
                    </A>
                    <Figure label="Over-assigned pools" value=format::number(s.over_assigned_pools) href="/pools?over_assigned=true"
                        warn={s.over_assigned_pools > 0} note="More seats given than bought".into()/>
                    <Figure label="Contracts ending in 90 days" value=format::number(s.expiring_90_days) href="/renewals"
                        note="See the renewal calendar".into()/>
                </section>
            </Loaded>
            <Loaded resource=savings let:page>
                <section class="cards" aria-label="Savings">
                    <A href="/savings" attr:class="card stat card-link">
                        <span class="stat-label">"Saved by reclamation, per year"</span>
                        <span class="stat-value">{page.totals.annual.iter().map(|m| view! { <MoneyText money=m.clone()/> }).collect_view()}</span>
                        <span class="muted">{format!("{} seats taken back", format::number(page.total))}</span>
                    </A>
                </section>
            </Loaded>
        </Shell>
    }
}
