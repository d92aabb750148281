//! The form fields every form uses: a label, the control, an optional hint, and the server's error for the field
//! beside it (marked `aria-invalid` and described by the message, so focus lands on it after a failed save).

use leptos::prelude::*;

use super::{error_id, FieldMessage};
use crate::api::ApiError;

/// Whether the last error names the field at `path` (or `also`; with `each`, any path under `path`).
fn invalid(
    error: Signal<Option<ApiError>>,
    path: &'static str,
    also: Option<&'static str>,
    each: bool,
) -> Signal<bool> {
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref().is_some_and(|e| {
                e.fields()
                    .iter()
                    .any(|f| f.path == path || Some(f.path.as_str()) == also || (each && f.path.starts_with(path)))
            })
        })
    })
}

/// What `aria-describedby` names: the hint, then the error message.
fn described_by(id: &str, hint: Option<&str>, path: &str) -> String {
    match hint {
        Some(_) => format!("{id}-hint {}", error_id(path)),
        None => error_id(path),
    }
}

/// A text input (or a textarea with `rows`) bound to `value`. Its server error is the one at `path` (the id
/// unless given); `also` names a second path shown beside it (a money's amount and the money as a whole).
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional)] path: Option<&'static str>,
    #[prop(optional)] also: Option<&'static str>,
    /// Show every error under `path` with its own path (a list written one item per line).
    #[prop(optional)]
    each: bool,
    /// What the field takes, shown under it (the limits from `seatwise_types::limits` where it has them).
    #[prop(optional, into)]
    hint: Option<String>,
    /// The input's `type`; `text` unless given.
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The latest date a date field takes.
    #[prop(optional, into)]
    max: Option<String>,
    /// Rows of a multi-line field (a textarea).
    #[prop(optional)]
    rows: Option<u32>,
    /// Values the browser suggests while typing.
    #[prop(optional)]
    suggestions: &'static [&'static str],
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] required: bool,
    /// Extra classes of the field (e.g. `span-2` in a form grid).
    #[prop(optional)]
    class: &'static str,
    /// Label and control side by side in an inline form, without the field's own box.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    let path = path.unwrap_or(id);
    let is_invalid = invalid(error, path, also, each);
    let aria_invalid = move || if is_invalid.get() { "true" } else { "false" };
    let describedby = described_by(id, hint.as_deref(), path);
    let list_id = (!suggestions.is_empty()).then(|| format!("{id}-options"));
    let control = match rows {
        Some(rows) => view! {
            <textarea id=id rows=rows.to_string() aria-invalid=aria_invalid aria-describedby=describedby disabled=move || disabled.get()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        None => view! {
            <input id=id type=kind.unwrap_or("text") inputmode=inputmode autocomplete=autocomplete max=max list=list_id.clone()
                required=required aria-invalid=aria_invalid aria-describedby=describedby disabled=move || disabled.get()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
        .into_any(),
    };
    let inner = view! {
        <label for=id>{label}</label>
        {control}
        {list_id.map(|l| view! { <datalist id=l>{suggestions.iter().map(|s| view! { <option value=*s/> }).collect_view()}</datalist> })}
        {hint.map(|h| view! { <p class="muted small" id=format!("{id}-hint")>{h}</p> })}
        <FieldMessage error=error path=path each=each/>
        {also.map(|p| view! { <FieldMessage error=error path=p/> })}
    };
    if inline {
        inner.into_any()
    } else {
        view! { <div class=field_class(class)>{inner}</div> }.into_any()
    }
}

/// A select bound to `value`, with `options` as (value, text) and, if given, a first empty choice `placeholder`.
/// `on_change` runs after `value` took the chosen option.
#[component]
pub fn SelectField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional)] path: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] on_change: Option<Callback<String>>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] inline: bool,
) -> impl IntoView {
    let path = path.unwrap_or(id);
    let is_invalid = invalid(error, path, None, false);
    let aria_invalid = move || if is_invalid.get() { "true" } else { "false" };
    let describedby = described_by(id, hint, path);
    let inner = view! {
        <label for=id>{label}</label>
        <select id=id aria-invalid=aria_invalid aria-describedby=describedby disabled=move || disabled.get() on:change=move |ev| {
            let chosen = event_target_value(&ev);
            value.set(chosen.clone());
            if let Some(f) = on_change {
                f.run(chosen);
            }
        }>
            // The property, not the attribute: once someone has chosen, only the property moves the choice (a form
            // cleared after saving shows its placeholder again).
            {placeholder.map(|p| view! { <option value="" prop:selected=move || value.get().is_empty()>{p}</option> })}
            {move || options.get().into_iter().map(|(v, text)| {
                let option = v.clone();
                view! { <option value=v.clone() selected=value.get_untracked() == v prop:selected=move || value.get() == option>{text}</option> }
            }).collect_view()}
        </select>
        {hint.map(|h| view! { <p class="muted small" id=format!("{id}-hint")>{h}</p> })}
        <FieldMessage error=error path=path/>
    };
    if inline {
        inner.into_any()
    } else {
        view! { <div class=field_class(class)>{inner}</div> }.into_any()
    }
}

fn field_class(extra: &str) -> String {
    if extra.is_empty() {
        "field".into()
    } else {
        format!("field {extra}")
    }
}
