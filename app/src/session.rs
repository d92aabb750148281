//! Who is signed in, shared through context; loaded once from /api/v1/me.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seatwise_types::{Role, SessionInfo};

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

    /// Whether the signed-in user has a role; the server decides what is allowed, this only shapes the UI.
    pub fn has(&self, role: Role) -> bool {
        matches!(self.0.get(), SessionState::User(ref i) if i.roles.contains(&role))
    }
}

pub fn provide_session() {
    let state = RwSignal::new(SessionState::Loading);
    let session = Session(state);
    provide_context(session);
    api::on_unauthenticated(move || state.set(SessionState::Anonymous));
    spawn_local(async move {
        match api::get::<SessionInfo>("/api/v1/me").await {
            Ok(info) => session.set_user(info),
            Err(_) => state.set(SessionState::Anonymous),
        }
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

pub fn logout(session: Session) {
    spawn_local(async move {
        let _ = api::delete("/api/v1/session").await;
        session.0.set(SessionState::Anonymous);
    });
}
