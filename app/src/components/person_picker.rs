//! Search people by name or email and pick one; used to assign and reassign seats.

use leptos::prelude::*;
use seatwise_types::{Page, PeopleQuery, Person, PersonStatus};

use crate::api;

#[component]
pub fn PersonPicker(
    /// Label of the search field.
    label: &'static str,
    /// Called with the chosen person.
    on_pick: Callback<Person>,
    #[prop(default = "picker")] id: &'static str,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = LocalResource::new(move || {
        let q = query.get();
        async move {
            if q.trim().chars().count() < 2 {
                return Ok(Page { items: Vec::<Person>::new(), total: 0, page: 1, per_page: 8 });
            }
            let query =
                PeopleQuery { q: Some(q), status: Some(PersonStatus::Active), per_page: Some(8), ..Default::default() };
            api::people::list(&query).await
        }
    });
    let list_id = format!("{id}-results");
    view! {
        <div class="picker">
            <label for=id>{label}</label>
            <input id=id type="search" autocomplete="off" placeholder="Type a name or email…" aria-controls=list_id.clone()
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <ul class="picker-results" id=list_id aria-live="polite">
                {move || results.get().and_then(Result::ok).map(|page| {
                    if page.items.is_empty() && query.get_untracked().trim().chars().count() >= 2 {
                        return view! { <li class="muted small">"Nobody active matches."</li> }.into_any();
                    }
                    page.items.into_iter().map(|p| {
                        let person = p.clone();
                        let dept = p.department.as_ref().map(|d| d.name.clone()).unwrap_or_default();
                        view! {
                            <li>
                                <button type="button" class="picker-option" on:click=move |_| {
                                    on_pick.run(person.clone());
                                    query.set(String::new());
                                }>
                                    <span>{p.name.clone()}</span>
                                    <span class="muted small">{format!("{} · {}", p.email, dept)}</span>
                                </button>
                            </li>
                        }
                    }).collect_view().into_any()
                })}
            </ul>
        </div>
    }
}
