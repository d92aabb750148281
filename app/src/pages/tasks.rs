//! Seat tasks: the changes a connector leaves to a person (a license with no API, a dry run, or a change the
//! target refused), for whoever runs the pool to make by hand in the product and then mark done here.

use leptos::prelude::*;
use seatwise_types::PageQuery;

use crate::api;
use crate::components::list::{use_list_query, Count, ListTable};
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded};
use crate::pages::connector::{action_head, mark_done, ActionRow, DoneBanner};
use crate::pages::reclamation::ReclamationTabs;

const KEYS: [&str; 1] = ["page"];

#[component]
pub fn TasksPage() -> impl IntoView {
    let list = use_list_query("/reclamation/tasks".to_string(), &KEYS);
    let update = list.update;
    let tasks = LocalResource::new(move || {
        let query = list.api_query::<PageQuery>();
        async move { api::connectors::tasks(&PageQuery { per_page: Some(50), ..query? }).await }
    });
    let done = mark_done();
    Effect::new(move |_| {
        if let Some(Ok(_)) = done.value().get() {
            tasks.refetch();
        }
    });
    view! {
        <Shell title="Seat tasks">
            <h1 class="page-title">"Reclamation"</h1>
            <ReclamationTabs current="/reclamation/tasks"/>
            <section class="panel" aria-labelledby="tasks-title">
                <h2 id="tasks-title">"Seat tasks"</h2>
                <p class="muted">"Seats Seatwise changed in pools you run whose product it cannot reach. Make each change in the product, then mark it done: a seat taken back counts as revoked from then."</p>
                <DoneBanner done=done/>
                <Loaded resource=tasks let:page>
                    {if page.items.is_empty() {
                        view! { <EmptyState title="Nothing to do by hand">"When a seat in a pool you run must be changed in a product Seatwise cannot reach, the task appears here and you get an e-mail."</EmptyState> }.into_any()
                    } else {
                        view! {
                            <ListTable page=page id="seat-tasks" count=Count::Total { one: "task", many: "tasks" } update=update
                                head=|| action_head("What to do")
                                row=move |a| view! { <ActionRow action=a done=done/> }/>
                        }.into_any()
                    }}
                </Loaded>
            </section>
        </Shell>
    }
}
