//! Who is signed in, shared through context; loaded once when the app starts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seatwise_types::{Capabilities, SessionInfo};

use crate::api;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Loading,
    Anonymous,
    User(SessionInfo),
}

#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<SessionState>);

impl Session {
    pub fn get(&self) -> SessionState {
        self.0.get()
    }

    pub fn set_user(&self, info: SessionInfo) {
        api::set_csrf(&info.csrf_token);
        self.0.set(SessionState::User(info));
    }

    /// What the server allows the signed-in user (nothing when signed out). The console offers exactly this; the
    /// server still checks every request.
    pub fn can(&self) -> Capabilities {
        match self.0.get() {
            SessionState::User(i) => i.capabilities,
            _ => Capabilities::default(),
        }
    }
}

pub fn provide_session() {
    let state = RwSignal::new(SessionState::Loading);
    let session = Session(state);
    provide_context(session);
    api::on_unauthenticated(move || state.set(SessionState::Anonymous));
    spawn_local(async move {
        match api::session::me().await {
            Ok(info) => session.set_user(info),
            Err(_) => state.set(SessionState::Anonymous),
        }
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Log out; a session begun through the identity provider goes on to the provider's logout, which brings the
/// browser back to the login page.
pub fn logout(session: Session) {
    spawn_local(async move {
        let provider = api::session::logout().await.ok().and_then(|out| out.provider_logout_url);
        session.0.set(SessionState::Anonymous);
        if let (Some(url), Some(window)) = (provider, web_sys::window()) {
            let _ = window.location().assign(&url);
        }
    });
}
