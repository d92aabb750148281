//! One click never destroys work: an action that removes seats first says what will happen (how many, whose, the
//! saving) and runs only when that is confirmed. The question opens in place, beside the button, with the focus on
//! the confirming button; Cancel or Escape closes it and changes nothing.

use leptos::html;
use leptos::prelude::*;

/// A button whose action runs only after a confirmation that says what it will do.
#[component]
pub fn ConfirmButton(
    /// The button's text ("Run now", "Unassign").
    label: String,
    /// What happens, in a sentence or two, read when the button is pressed.
    #[prop(into)]
    question: Signal<String>,
    /// The confirming button's text, naming the act ("Reclaim 13 seats").
    #[prop(into)]
    confirm: Signal<String>,
    on_confirm: Callback<()>,
    /// The button's class; `btn` by default.
    #[prop(optional)]
    class: Option<&'static str>,
    /// An accessible name for the button when its text is shared by several (a row's "Unassign").
    #[prop(optional)]
    aria_label: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let confirm_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(b) = confirm_ref.get() {
                let _ = b.focus();
            }
        }
    });
    let close = move || open.set(false);
    view! {
        <span class="confirm-wrap">
            <button class=class.unwrap_or("btn") type="button" aria-label=aria_label aria-expanded=move || open.get().to_string()
                disabled=move || disabled.get() on:click=move |_| open.update(|o| *o = !*o)>{label}</button>
            <Show when=move || open.get()>
                <div class="confirm panel" role="group" aria-label="Confirm"
                    on:keydown=move |ev| if ev.key() == "Escape" { close(); }>
                    <p>{move || question.get()}</p>
                    <div class="button-row">
                        <button node_ref=confirm_ref class="btn btn-danger" type="button"
                            on:click=move |_| { close(); on_confirm.run(()); }>{move || confirm.get()}</button>
                        <button class="btn" type="button" on:click=move |_| close()>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </span>
    }
}
