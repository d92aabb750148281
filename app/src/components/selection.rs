//! Choosing rows in a table for a bulk change: a checkbox per row and one for all rows shown, and the bar that
//! turns the chosen rows into a change request (a draft, checked row by row, that someone else approves).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use seatwise_types::{ChangeRequestInput, OperationInput};

use crate::api;
use crate::components::ErrorBanner;

/// The ids of the rows chosen in one table.
#[derive(Clone, Copy)]
pub struct Selection(RwSignal<BTreeSet<i64>>);

impl Selection {
    pub fn new() -> Self {
        Selection(RwSignal::new(BTreeSet::new()))
    }

    pub fn ids(&self) -> Vec<i64> {
        self.0.with(|s| s.iter().copied().collect())
    }

    pub fn count(&self) -> usize {
        self.0.with(BTreeSet::len)
    }

    pub fn contains(&self, id: i64) -> bool {
        self.0.with(|s| s.contains(&id))
    }

    pub fn set(&self, id: i64, on: bool) {
        self.0.update(|s| {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    }

    /// Choose all of `ids` besides what is chosen.
    pub fn add_all(&self, ids: impl IntoIterator<Item = i64>) {
        self.0.update(|s| s.extend(ids));
    }

    pub fn clear(&self) {
        self.0.set(BTreeSet::new());
    }
}

/// The checkbox cell of one row; `label` says which row (read by screen readers).
#[component]
pub fn SelectCell(selection: Selection, id: i64, label: String) -> impl IntoView {
    view! {
        <td class="select-cell">
            <input type="checkbox" aria-label=label prop:checked=move || selection.contains(id)
                on:change=move |ev| selection.set(id, event_target_checked(&ev))/>
        </td>
    }
}

/// The header checkbox: every row shown (`ids`) chosen, or none.
#[component]
pub fn SelectAllHeader(selection: Selection, ids: Vec<i64>, label: &'static str) -> impl IntoView {
    let shown = ids.clone();
    let all = move || !shown.is_empty() && shown.iter().all(|id| selection.contains(*id));
    view! {
        <th scope="col" class="select-cell">
            <input type="checkbox" aria-label=label prop:checked=all
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    for id in &ids {
                        selection.set(*id, on);
                    }
                }/>
        </th>
    }
}

/// What the chosen operation makes of the chosen rows: a title and the operations, or why it cannot yet.
pub type Build = Callback<(), Result<(String, Vec<OperationInput>), String>>;

/// Shown while rows are chosen: their count, the operation controls (`children`), a reason, and the button that
/// drafts the change request and opens it.
#[component]
pub fn BulkRequestBar(
    selection: Selection,
    /// "seats", "pools", "people".
    noun: &'static str,
    /// The same for one: "seat", "pool", "person".
    one: &'static str,
    operations: Build,
    children: ChildrenFn,
) -> impl IntoView {
    let navigate = use_navigate();
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let draft = Action::new_local(|input: &ChangeRequestInput| {
        let input = input.clone();
        async move { api::change_requests::create(&input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = draft.value().get() {
            selection.clear();
            navigate(&format!("/changes/{}", created.id), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match operations.run(()) {
            Ok((title, operations)) => {
                problem.set(None);
                draft.dispatch(ChangeRequestInput {
                    title,
                    reason: reason.get_untracked(),
                    operations,
                    execute_at: None,
                });
            }
            Err(m) => problem.set(Some(m)),
        }
    };
    view! {
        <Show when=move || selection.count() != 0>
            <form class="bulk-bar" aria-label="Change the chosen rows" novalidate on:submit=submit>
                <p class="bulk-count" aria-live="polite"><strong>{move || selection.count()}</strong>{move || format!(" {} chosen", if selection.count() == 1 { one } else { noun })}</p>
                {children()}
                <div class="field">
                    <label for="bulk-reason">"Reason"</label>
                    <input id="bulk-reason" type="text" placeholder="Why, for the approver" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))/>
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" type="submit" disabled=move || draft.pending().get()>"Draft change request"</button>
                    <button class="btn btn-ghost" type="button" on:click=move |_| selection.clear()>"Clear"</button>
                </div>
                <p class="muted small bulk-note">"Nothing changes yet: the request is checked row by row, previewed, and applied once someone else approves it."</p>
                <div class="bulk-messages" aria-live="polite">
                    {move || problem.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    {move || draft.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
                </div>
            </form>
        </Show>
    }
}

/// Which change the bar makes of the chosen rows: `choices` as (operation, what it does); `value` holds one.
#[component]
pub fn OperationChoice(value: RwSignal<String>, choices: &'static [(&'static str, &'static str)]) -> impl IntoView {
    view! {
        <div class="field">
            <label for="bulk-op">"Change"</label>
            <select id="bulk-op" on:change=move |ev| value.set(event_target_value(&ev))>
                {choices.iter().map(|(op, text)| view! { <option value=*op selected=move || value.get() == *op>{*text}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// A pool to act on, from the pools the reader can see (by name); `value` holds its id.
#[component]
pub fn PoolSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// Left out of the choices (the pool the rows are on).
    #[prop(optional)]
    except: Option<i64>,
) -> impl IntoView {
    let pools = LocalResource::new(|| async {
        let query = seatwise_types::PoolQuery { sort: Some("name".into()), per_page: Some(500), ..Default::default() };
        api::pools::list(&query).await
    });
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"Choose a pool…"</option>
                {move || pools.get().and_then(Result::ok).map(|page| page.items.into_iter()
                    .filter(|p| Some(p.id) != except)
                    .map(|p| {
                        let v = p.id.to_string();
                        let chosen = v.clone();
                        view! { <option value=v selected=move || value.get() == chosen>{p.name}</option> }
                    }).collect_view())}
            </select>
        </div>
    }
}

/// The pool id in `value`, or the sentence that asks for one.
pub fn chosen_pool(value: &RwSignal<String>) -> Result<i64, String> {
    value.get_untracked().parse().map_err(|_| "Choose a pool first.".to_string())
}
