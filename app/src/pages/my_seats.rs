//! My seats: the licenses the signed-in person holds, when they last used each, and what each costs.

use leptos::prelude::*;
use seatwise_types::MySeat;

use crate::api;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText};

#[component]
pub fn MySeatsPage() -> impl IntoView {
    let seats = LocalResource::new(api::people::my_seats);
    view! {
        <Shell title="My seats">
            <div class="page-head">
                <div>
                    <h1>"My seats"</h1>
                    <p class="muted">"The software licenses you hold, when you last used each, and what each costs the company."</p>
                </div>
            </div>
            <Loaded resource=seats let:list>
                {if list.is_empty() {
                    view! { <EmptyState title="You hold no licenses">"Licenses given to you appear here."</EmptyState> }.into_any()
                } else {
                    view! { <SeatTable seats=list/> }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn SeatTable(seats: Vec<MySeat>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="my-seats">
                <thead><tr><th scope="col">"License"</th><th scope="col">"Vendor"</th><th scope="col">"Yours since"</th>
                    <th scope="col">"Last used"</th><th scope="col" class="num">"Cost a month"</th></tr></thead>
                <tbody>
                    {seats.into_iter().map(|m| {
                        let MySeat { seat: s, last_used_at, usage_source } = m;
                        let used = match (last_used_at, &usage_source) {
                            (Some(at), Some(source)) => view! { <DateText date=Some(at.date_naive())/><span class="muted small">{format!(" ({source})")}</span> }.into_any(),
                            (None, Some(source)) => view! { <span>"Never"</span><span class="muted small">{format!(" ({source})")}</span> }.into_any(),
                            _ => view! { <span class="muted">"No data"</span> }.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{s.pool.name.clone()}</td>
                                <td>{s.vendor.name.clone()}</td>
                                <td><DateText date=Some(s.assigned_at.date_naive())/></td>
                                <td>{used}</td>
                                <td class="num"><MoneyText money=s.monthly_cost.clone()/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
