//! The signed-in layout: skip link, navigation, header with the user, and the page.

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

use crate::components::Loading;
use crate::session::{logout, use_session, SessionState};

#[component]
pub fn Shell(#[prop(into)] title: Signal<String>, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    Effect::new(move |_| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!("{} · Seatwise", title.get()));
        }
    });
    move || match session.get() {
        SessionState::Loading => view! { <Loading label="Signing in…"/> }.into_any(),
        SessionState::Anonymous => {
            let next = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
            let path = format!("/login?next={}", js_sys::encode_uri_component(&next));
            view! { <Redirect path=path/> }.into_any()
        }
        SessionState::User(info) => {
            let can = info.capabilities;
            let roles = info.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
            let children = children.clone();
            view! {
                <a class="skip-link" href="#main">"Skip to content"</a>
                <div class="layout">
                    <header class="topbar">
                        <A href="/pools" attr:class="brand">
                            <svg viewBox="0 0 24 24" class="brand-mark" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="3"/><path d="M7 10h10M7 14h6"/></svg>
                            <span>"Seatwise"</span>
                        </A>
                        <nav class="nav" aria-label="Main">
                            {can.own_licenses.then(|| view! { <A href="/my">"My licenses"</A> })}
                            <A href="/renewals">"Renewals"</A>
                            <A href="/alerts">"Alerts"<AlertCount/></A>
                            <A href="/pools">"Inventory"</A>
                            <A href="/people">"People"</A>
                            <A href="/devices">"Devices"</A>
                            {can.import.then(|| view! { <A href="/imports">"Import"</A> })}
                            {can.read_ledger.then(|| view! { <A href="/ledger">"Audit ledger"</A> })}
                            {can.administer.then(|| view! { <A href="/settings">"Settings"</A> })}
                        </nav>
                        <div class="user">
                            <span class="user-name">{info.user.name.clone()}</span>
                            <span class="user-roles muted">{roles}</span>
                            <button class="btn btn-ghost" on:click=move |_| logout(session)>"Log out"</button>
                        </div>
                    </header>
                    <main id="main" class="main" tabindex="-1">{children()}</main>
                </div>
            }
            .into_any()
        }
    }
}

/// How many alerts need action, beside the nav link.
#[component]
fn AlertCount() -> impl IntoView {
    let counts = LocalResource::new(crate::api::alerts::counts);
    move || {
        counts.get().and_then(Result::ok).filter(|c| c.needs_action > 0).map(|c| {
            let label = format!("{} need action", c.needs_action);
            view! { <span class="nav-count" aria-label=label>{c.needs_action}</span> }
        })
    }
}
