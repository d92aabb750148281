//! Signing in and out, who is signed in, and first-run setup.

use seatwise_types::{LoginRequest, SessionInfo, SetupRequest, SignInOptions, SignInProvider, SignedOut, User};

use super::ApiResult;

pub async fn me() -> ApiResult<SessionInfo> {
    super::get("/me").await
}

/// Who may sign in with a password (no session needed).
pub async fn options() -> ApiResult<SignInOptions> {
    super::get("/session/options").await
}

/// The identity providers to offer, each with the server address that leaves for it (no session needed).
pub async fn providers() -> ApiResult<Vec<SignInProvider>> {
    super::get("/auth/providers").await
}

pub async fn login(request: &LoginRequest) -> ApiResult<SessionInfo> {
    super::post("/session", request).await
}

/// End the session; where to send the browser when the identity provider's session should end too.
pub async fn logout() -> ApiResult<SignedOut> {
    super::delete_with_answer("/session").await
}

/// Create the first admin with the one-time token the server printed.
pub async fn setup(request: &SetupRequest) -> ApiResult<User> {
    super::post("/setup", request).await
}
