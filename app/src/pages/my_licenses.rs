//! An owner's own pools: what needs attention first, then the rest.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::renewal::MissedCancelBy;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText, Utilization};

#[component]
pub fn MyLicensesPage() -> impl IntoView {
    let mine = LocalResource::new(api::pools::mine);
    view! {
        <Shell title="My licenses">
            <div class="page-head">
                <div>
                    <h1>"My licenses"</h1>
                    <p class="muted">"The pools you own, with what needs your attention first."</p>
                </div>
            </div>
            <MissedCancelBy/>
            <Loaded resource=mine let:list>
                {if list.is_empty() {
                    view! { <EmptyState title="You own no pools yet">"Pools of your departments appear here."</EmptyState> }.into_any()
                } else {
                    let needing = list.iter().filter(|o| !o.attention.is_empty()).count();
                    let marked: i64 = list.iter().map(|o| o.marked_seats).sum();
                    view! {
                        <section class="cards" aria-label="Summary">
                            <div class="card stat"><span class="stat-label">"Pools"</span><span class="stat-value">{list.len()}</span></div>
                            <div class="card stat"><span class="stat-label">"Need attention"</span>
                                <span class={if needing > 0 { "stat-value warn" } else { "stat-value" }}>{needing}</span></div>
                            <div class="card stat"><span class="stat-label">"Seats held by people who left"</span>
                                <span class={if marked > 0 { "stat-value warn" } else { "stat-value" }}>{marked}</span></div>
                        </section>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="my-licenses">
                                <thead><tr><th scope="col">"Pool"</th><th scope="col">"Needs attention"</th><th scope="col">"Utilization"</th>
                                    <th scope="col" class="num">"Annual cost"</th><th scope="col">"Cancel by"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|o| {
                                        let p = o.pool;
                                        view! {
                                            <tr>
                                                <td><A href=format!("/pools/{}", p.id) attr:class="row-link">{p.name.clone()}</A>
                                                    <div class="muted small">{format!("{} · {}", p.vendor.name, p.department.name)}</div></td>
                                                <td>
                                                    {if o.attention.is_empty() {
                                                        view! { <span class="muted">"All good"</span> }.into_any()
                                                    } else {
                                                        view! { <ul class="attention">{o.attention.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul> }.into_any()
                                                    }}
                                                </td>
                                                <td><Utilization assigned=p.seats_assigned purchased=p.seats_purchased percent=p.utilization_percent/></td>
                                                <td class="num"><MoneyText money=p.annual_cost.clone()/></td>
                                                <td><DateText date=p.cancel_by/></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}
