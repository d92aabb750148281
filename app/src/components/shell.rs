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
    // The small-screen menu: closed again whenever the page changes (a link chosen, or back and forward).
    let menu_open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        menu_open.set(false);
    });
    let header = NodeRef::<leptos::html::Header>::new();
    let close_on_escape = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && menu_open.get_untracked() {
            menu_open.set(false);
            if let Some(button) = menu_button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    // Tabbing past the last item, or clicking the page, leaves the header: the open panel would cover the page.
    let close_when_focus_leaves = move |ev: web_sys::FocusEvent| {
        let stays = ev
            .related_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
            .zip(header.get_untracked())
            .is_some_and(|(to, header)| header.contains(Some(&to)));
        if !stays && menu_open.get_untracked() {
            menu_open.set(false);
        }
    };
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
                    <header class="topbar" node_ref=header on:keydown=close_on_escape on:focusout=close_when_focus_leaves>
                        // Home is where each role's work starts (an admin's overview, an owner's licenses, ...).
                        <A href="/" attr:class="brand" attr:aria-label="Seatwise: your start page">
                            <svg viewBox="0 0 24 24" class="brand-mark" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="3"/><path d="M7 10h10M7 14h6"/></svg>
                            <span>"Seatwise"</span>
                        </A>
                        // Shown on small screens only (style/): the navigation and the user fold into this menu.
                        <button class="btn btn-ghost menu-button" type="button" node_ref=menu_button aria-controls="topbar-menu"
                            aria-expanded=move || menu_open.get().to_string() on:click=move |_| menu_open.update(|o| *o = !*o)>
                            <svg viewBox="0 0 24 24" class="menu-icon" aria-hidden="true"><path d="M4 7h16M4 12h16M4 17h16"/></svg>
                            "Menu"
                        </button>
                        <div id="topbar-menu" class="topbar-menu" class:open=move || menu_open.get()>
                            <nav class="nav" aria-label="Main" on:click=move |_| menu_open.set(false)>
                                // An employee's console is their own seats; the staff reach theirs from the address.
                                {(can.my_seats && !can.read_console).then(|| view! { <A href="/my/seats">"My seats"</A> })}
                                {can.own_licenses.then(|| view! { <A href="/my">"My licenses"</A> })}
                                {can.read_console.then(|| view! {
                                    <A href="/renewals">"Renewals"</A>
                                    <A href="/alerts">"Alerts"<AlertCount/></A>
                                    <A href="/pools">"Inventory"</A>
                                })}
                                {can.read_finance.then(|| view! { <A href="/finance">"Finance"</A> })}
                                {can.read_console.then(|| view! {
                                    <A href="/people">"People"</A>
                                    <A href="/devices">"Devices"</A>
                                })}
                                {can.read_change_requests.then(|| view! { <A href="/changes">"Changes"<ChangeCount/></A> })}
                                {can.read_reclamation.then(|| view! { <A href="/reclamation">"Reclamation"</A> })}
                                {can.import.then(|| view! { <A href="/imports">"Import"</A> })}
                                {can.read_ledger.then(|| view! { <A href="/ledger">"Audit ledger"</A> })}
                                {can.administer.then(|| view! { <A href="/settings">"Settings"</A> })}
                            </nav>
                            <div class="user">
                                <span class="user-id"><span class="user-name">{info.user.name.clone()}</span>
                                    <span class="user-roles muted">{roles}</span></span>
                                <button class="btn btn-ghost" on:click=move |_| logout(session)>"Log out"</button>
                            </div>
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
            // A plain span may not carry aria-label; the words are read from hidden text instead.
            view! {
                <span class="nav-count"><span aria-hidden="true">{c.needs_action}</span>
                    <span class="sr-only">{format!(", {} need action", c.needs_action)}</span></span>
            }
        })
    }
}

/// How many change requests wait for the reader's sign-off, beside the nav link.
#[component]
fn ChangeCount() -> impl IntoView {
    let waiting = LocalResource::new(|| async {
        let query = seatwise_types::ChangeRequestQuery { for_me: Some(true), per_page: Some(1), ..Default::default() };
        crate::api::change_requests::list(&query).await
    });
    move || {
        waiting.get().and_then(Result::ok).filter(|p| p.total > 0).map(|p| {
            view! {
                <span class="nav-count"><span aria-hidden="true">{p.total}</span>
                    <span class="sr-only">{format!(", {} waiting for you", p.total)}</span></span>
            }
        })
    }
}
