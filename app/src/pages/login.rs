use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use seatwise_types::{sign_in_refusal, LoginRequest, PasswordLogin};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::session::{use_session, SessionState};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    // A failed login names no field (which one was wrong is not told), so this only marks fields the server names.
    let err: Signal<Option<ApiError>> = error.into();
    let login = Action::new_local(move |req: &LoginRequest| {
        let req = req.clone();
        async move { api::session::login(&req).await }
    });
    // Where the person was going, or else where their work starts (the server says which, by role).
    let next = move || {
        query
            .with_untracked(|q| q.get("next"))
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| session.can().home.path().into())
    };
    let nav = navigate.clone();
    Effect::new(move |_| match login.value().get() {
        Some(Ok(info)) => {
            session.set_user(info);
            nav(&next(), Default::default());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    Effect::new(move |_| {
        if let SessionState::User(_) = session.get() {
            if login.value().get_untracked().is_none() {
                navigate(&next(), Default::default());
            }
        }
    });
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title("Log in · Seatwise");
    }
    // A sign-in through the identity provider that came back refused says why.
    let refused = query.with_untracked(|q| q.get("sign_in_error")).and_then(|c| sign_in_refusal(&c));
    let options = LocalResource::new(|| async {
        let providers = api::session::providers().await?;
        Ok::<_, ApiError>((providers, api::session::options().await?))
    });
    let password_form = move || {
        view! {
            <TextField id="email" label="Email" value=email error=err kind="email" autocomplete="username" required=true/>
            <TextField id="password" label="Password" value=password error=err kind="password" autocomplete="current-password"
                required=true/>
            <button class="btn btn-primary btn-block" type="submit" disabled=move || login.pending().get()>
                {move || if login.pending().get() { "Logging in…" } else { "Log in" }}
            </button>
        }
    };
    view! {
        <main class="auth-page" id="main">
            <form class="auth-card" novalidate on:submit=move |ev| {
                ev.prevent_default();
                error.set(None);
                login.dispatch(LoginRequest { email: email.get_untracked(), password: password.get_untracked() });
            }>
                <div class="brand brand-large">
                    <svg viewBox="0 0 24 24" class="brand-mark" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="3"/><path d="M7 10h10M7 14h6"/></svg>
                    <span>"Seatwise"</span>
                </div>
                <h1>"Log in"</h1>
                <p class="muted">"Software licenses, owners, renewals and audit in one place."</p>
                {refused.map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
                {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert">{e.message()}</div> })}
                {move || {
                    // Nothing until the options arrive: a form that moved when the provider's button appeared
                    // above it would take a click meant for "Log in". If they cannot be read, the password form.
                    let Some(read) = options.get() else {
                        return view! { <p class="muted auth-wait" aria-busy="true">"Loading sign-in options…"</p> }
                            .into_any();
                    };
                    let o = read.ok();
                    match o.as_ref().and_then(|(providers, _)| providers.first().cloned()) {
                        None => password_form().into_any(),
                        Some(provider) => {
                            let admins_only = o.as_ref().is_some_and(|(_, o)| o.password_login == PasswordLogin::Admins);
                            view! {
                                // rel=external: a full page load to the server, which leaves for the provider (the
                                // app's router would treat the path as one of its pages).
                                <a class="btn btn-primary btn-block" rel="external" href=provider.login_url>
                                    {format!("Sign in with {}", provider.name)}
                                </a>
                                {if admins_only {
                                    view! {
                                        <details class="auth-more">
                                            <summary>"Admin sign-in with a password"</summary>
                                            {password_form()}
                                        </details>
                                    }.into_any()
                                } else {
                                    view! { <p class="auth-or muted">"or with a password"</p> {password_form()} }.into_any()
                                }}
                            }.into_any()
                        }
                    }
                }}
            </form>
        </main>
    }
}
