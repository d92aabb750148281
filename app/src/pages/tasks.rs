//! Seat tasks: the changes a connector leaves to a person (a license with no API, a dry run, or a change the
//! target refused), for whoever runs the pool to make by hand in the product and then mark done here.

use leptos::prelude::*;
use seatwise_types::PageQuery;

use crate::api;
use crate::components::list::{use_list_query, Count};
use crate::components::shell::Shell;
use crate::pages::connector::SeatActionList;
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
    view! {
        <Shell title="Seat tasks">
            <h1 class="page-title">"Reclamation"</h1>
            <ReclamationTabs current="/reclamation/tasks"/>
            <section class="panel" aria-labelledby="tasks-title">
                <h2 id="tasks-title">"Seat tasks"</h2>
                <p class="muted">"Seats Seatwise changed in pools you run whose product it cannot reach. Make each change in the product, then mark it done: a seat taken back counts as revoked from then."</p>
                <SeatActionList actions=tasks update=update id="seat-tasks" count=Count::Total { one: "task", many: "tasks" }
                    what="What to do" empty_title="Nothing to do by hand"
                    empty_text="When a seat in a pool you run must be changed in a product Seatwise cannot reach, the task appears here and you get an e-mail."/>
            </section>
        </Shell>
    }
}
