//! The approval queue: change requests with their size, cost and blast radius; "waiting for me" for approvers,
//! "mine" for requesters, and the history for everyone allowed. Filters and page live in the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{ChangeRequestQuery, ChangeRequestSummary, ChangeStatus, WaitingFor};

use crate::api;
use crate::components::filters::{FilterSelect, FilterToggle};
use crate::components::list::{use_list_query, Count, ListTable};
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded, MoneyText, StatusBadge};
use crate::format;
use crate::session::use_session;

const KEYS: [&str; 5] = ["for_me", "mine", "status", "waiting_for", "page"];

#[component]
pub fn ChangesPage() -> impl IntoView {
    let session = use_session();
    let list = use_list_query("/changes", &KEYS);
    let update = list.update;
    let requests = LocalResource::new(move || {
        let query = list.api_query::<ChangeRequestQuery>();
        async move { api::change_requests::list(&ChangeRequestQuery { per_page: Some(50), ..query? }).await }
    });
    let can_request = move || session.can().request_changes;
    let can_approve = move || session.can().approve_changes;
    let statuses: Vec<(String, String)> =
        ChangeStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    view! {
        <Shell title="Change requests">
            <div class="page-head">
                <div>
                    <h1>"Change requests"</h1>
                    <p class="muted">"Bulk changes wait here until someone other than their requester approves them."</p>
                </div>
                <div class="button-row">
                    <A href="/changes/policy" attr:class="btn">"Approval policy"</A>
                    <Show when=can_request>
                        <A href="/changes/new" attr:class="btn btn-primary">"New from a file"</A>
                    </Show>
                </div>
            </div>
            <section class="filters" aria-label="Filters">
                <Show when=can_approve>
                    <FilterToggle id="c-for-me" label="Waiting for me" key="for_me" update=update/>
                </Show>
                <Show when=can_request>
                    <FilterToggle id="c-mine" label="My requests" key="mine" update=update/>
                </Show>
                <FilterSelect id="c-status" label="Status" key="status" options=statuses.clone() update=update/>
                <FilterSelect id="c-waiting" label="Waiting for" key="waiting_for" update=update
                    options=vec![("approver".into(), "An approver".into()), ("finance".into(), "Finance".into())]/>
                <Show when=move || list.filtered()>
                    <button class="btn btn-ghost" type="button" on:click=move |_| list.clear_filters()>"Clear filters"</button>
                </Show>
            </section>
            <Loaded resource=requests let:page>
                {if page.items.is_empty() {
                    view! {
                        <EmptyState title="No change requests here">
                            "Choose rows in the inventory, a pool or the people list and pick a change, or upload a file of changes."
                        </EmptyState>
                    }.into_any()
                } else {
                    view! {
                        <ListTable page=page id="change-requests" count=Count::Total { one: "request", many: "requests" } update=update
                            head=|| view! {
                                <th scope="col">"Request"</th><th scope="col">"Requested by"</th><th scope="col">"Status"</th>
                                <th scope="col">"Waiting"</th><th scope="col" class="num">"Rows"</th>
                                <th scope="col" class="num">"Annual cost change"</th><th scope="col" class="num">"People losing a seat"</th>
                            }
                            row=|r| view! { <RequestRow request=r/> }/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn RequestRow(request: ChangeRequestSummary) -> impl IntoView {
    let r = request;
    let waiting = match (r.status, r.submitted_at) {
        (ChangeStatus::Submitted, Some(at)) => format::age(&at),
        _ => "—".into(),
    };
    let rows = if r.applied_count > 0 && r.applied_count < r.operation_count {
        format!("{} of {} applied", format::number(r.applied_count), format::number(r.operation_count))
    } else {
        format::number(r.operation_count)
    };
    view! {
        <tr>
            <td><A href=format!("/changes/{}", r.id) attr:class="row-link">{format!("#{} {}", r.id, r.title)}</A>
                {r.rollback_of.map(|o| view! { <div class="muted small">{format!("Rolls back #{o}")}</div> })}</td>
            <td>{r.requested_by.name.clone()}</td>
            <td><StatusBadge status=r.status/>
                {r.waiting_for.map(|w| view! { <div class="muted small">{waiting_label(w)}</div> })}
                {r.needs_finance.then(|| view! { <div class="muted small">"Needs finance sign-off"</div> })}</td>
            <td>{waiting}</td>
            <td class="num">{rows}
                {(r.error_count > 0).then(|| view! { <div class="small danger">{format!("{} with errors", r.error_count)}</div> })}</td>
            <td class="num">{if r.annual_cost_change.is_empty() {
                view! { <span class="muted">"none"</span> }.into_any()
            } else {
                r.annual_cost_change.into_iter().map(|m| view! { <div><MoneyText money=m/></div> }).collect_view().into_any()
            }}</td>
            <td class="num">{format::number(r.people_losing_seats)}</td>
        </tr>
    }
}

/// Whose sign-off a request waits for, as a phrase.
pub fn waiting_label(w: WaitingFor) -> &'static str {
    match w {
        WaitingFor::Approver => "for an approver",
        WaitingFor::Finance => "for finance",
    }
}
