//! First run: create the first admin with the one-time token the server printed.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use seatwise_types::SetupRequest;

use crate::api::{self, ApiError};
use crate::components::fields::TextField;

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let setup = Action::new_local(move |req: &SetupRequest| {
        let req = req.clone();
        async move { api::session::setup(&req).await }
    });
    Effect::new(move |_| match setup.value().get() {
        Some(Ok(_)) => done.set(true),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let err: Signal<Option<ApiError>> = error.into();
    view! {
        <main class="auth-page" id="main">
            <Show when=move || !done.get() fallback=|| view! {
                <div class="auth-card"><h1>"Admin created"</h1><p>"You can now " <A href="/login">"log in"</A>"."</p></div>
            }>
                <form class="auth-card" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    error.set(None);
                    setup.dispatch(SetupRequest {
                        token: query.with_untracked(|q| q.get("token")).unwrap_or_default(),
                        email: email.get_untracked(),
                        name: name.get_untracked(),
                        password: password.get_untracked(),
                    });
                }>
                    <h1>"Set up Seatwise"</h1>
                    <p class="muted">"Create the first administrator account."</p>
                    {move || error.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="banner banner-error" role="alert">{e.message()}</div> })}
                    <TextField id="name" label="Your name" value=name error=err/>
                    <TextField id="email" label="Email" value=email error=err kind="email"/>
                    <TextField id="password" label="Password (10 characters or more)" value=password error=err kind="password"
                        autocomplete="new-password"/>
                    <button class="btn btn-primary btn-block" type="submit" disabled=move || setup.pending().get()>"Create admin"</button>
                </form>
            </Show>
        </main>
    }
}
