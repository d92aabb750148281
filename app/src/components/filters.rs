//! Filter controls whose state lives in the URL, so a filtered view can be bookmarked and shared.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::list::Changes;

#[component]
pub fn FilterSelect(
    id: &'static str,
    label: &'static str,
    key: &'static str,
    options: Vec<(String, String)>,
    update: Callback<Changes>,
) -> impl IntoView {
    let query = use_query_map();
    let current = move || query.with(|q| q.get(key)).unwrap_or_default();
    view! {
        <div class="filter">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| update.run(vec![(key, event_target_value(&ev))]) prop:value=current>
                <option value="">"All"</option>
                {options.into_iter().map(|(value, text)| {
                    let v = value.clone();
                    view! { <option value=value selected=move || current() == v>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn FilterToggle(
    id: &'static str,
    label: &'static str,
    key: &'static str,
    update: Callback<Changes>,
) -> impl IntoView {
    let query = use_query_map();
    let on = move || query.with(|q| q.get(key)).is_some_and(|v| v == "true");
    view! {
        <label class="filter-toggle" for=id>
            <input id=id type="checkbox" prop:checked=on
                on:change=move |ev| update.run(vec![(key, if event_target_checked(&ev) { "true".into() } else { String::new() })])/>
            {label}
        </label>
    }
}

/// Column headers that sort the list: click once for ascending, again for descending; the order lives in the URL.
/// `columns` are (sort key, label, numeric); an empty key is a header that does not sort. `minor` names (by label)
/// the columns a phone leaves out so the key figures stay in view; their cells carry the class `minor` too.
#[component]
pub fn SortHeaders(
    columns: &'static [(&'static str, &'static str, bool)],
    sort: String,
    update: Callback<Changes>,
    #[prop(optional)] minor: &'static [&'static str],
) -> impl IntoView {
    columns
        .iter()
        .map(|(key, label, numeric)| {
            let minor = minor.contains(label);
            if key.is_empty() {
                return view! { <th scope="col" class:num=*numeric class:minor=minor>{*label}</th> }.into_any();
            }
            let (state, next) = if sort == *key {
                ("ascending", format!("-{key}"))
            } else if sort == format!("-{key}") {
                ("descending", key.to_string())
            } else {
                ("none", key.to_string())
            };
            let arrow = match state {
                "ascending" => "↑",
                "descending" => "↓",
                _ => "↕",
            };
            view! {
                <th scope="col" aria-sort=state class:num=*numeric class:minor=minor>
                    <button class="sort" type="button" on:click=move |_| update.run(vec![("sort", next.clone())])>
                        {*label}<span class="sort-arrow" aria-hidden="true">{arrow}</span>
                    </button>
                </th>
            }
            .into_any()
        })
        .collect_view()
}

/// The free-text search of a list, kept in the URL's `q`.
#[component]
pub fn SearchBox(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    update: Callback<Changes>,
) -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(String::new());
    Effect::new(move |_| search.set(query.with(|q| q.get("q")).unwrap_or_default()));
    view! {
        <form class="filter-search" role="search" on:submit=move |ev| {
            ev.prevent_default();
            update.run(vec![("q", search.get_untracked())]);
        }>
            <label for=id class="sr-only">{label}</label>
            <input id=id type="search" placeholder=placeholder
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))
                on:change=move |ev| update.run(vec![("q", event_target_value(&ev))])/>
        </form>
    }
}

/// Shown while a list is narrowed to what one import created or changed (`import_id`), with a way back to all.
#[component]
pub fn ImportFilterNote(update: Callback<Changes>, what: &'static str) -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("import_id")).filter(|v| !v.is_empty()).map(|id| {
            view! {
                <p class="banner banner-info" role="status">
                    {format!("Only the {what} import #{id} created or changed. ")}
                    <button class="btn btn-ghost" type="button" on:click=move |_| update.run(vec![("import_id", String::new())])>
                        {format!("Show all {what}")}
                    </button>
                </p>
            }
        })
    }
}
