//! Sign-in through the identity provider: a real OpenID provider (npm's oidc-provider) started per test, driven
//! as a browser drives it; the attacks made with the test's own keys (idp.mjs tampers with the ID token).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{spawn_opts, Options, TestApp};

async fn app() -> TestApp {
    spawn_opts(Options { demo: true, oidc: true, ..Default::default() }).await
}

/// An active person of the demo directory without a login: (id, name, e-mail).
async fn someone(app: &TestApp, skip: usize) -> (i64, String) {
    let id = app
        .id_of_owned(format!(
            "SELECT id FROM people WHERE status = 'active' AND email NOT IN (SELECT email FROM users) \
             ORDER BY id LIMIT 1 OFFSET {skip}"
        ))
        .await;
    let email: String =
        sqlx::query_scalar("SELECT email FROM people WHERE id = $1").bind(id).fetch_one(&app.db.read).await.unwrap();
    (id, email)
}

async fn me(browser: &crate::common::Client) -> (StatusCode, serde_json::Value) {
    let r = browser.send(Method::GET, "/api/v1/me", None).await;
    (r.status, r.body)
}

#[tokio::test]
async fn an_employee_signs_in_through_the_provider_linked_to_their_person() {
    let app = app().await;
    let idp = app.idp.clone().unwrap();
    let providers = app.anonymous().send(Method::GET, "/api/v1/auth/providers", None).await;
    assert_eq!(providers.body, json!([{"id": "oidc", "name": "Test IdP", "login_url": "/api/v1/auth/oidc/login"}]));
    let options = app.anonymous().send(Method::GET, "/api/v1/session/options", None).await;
    assert_eq!(options.body, json!({"password_login": "all"}));
    let (person, email) = someone(&app, 0).await;
    idp.account("emp-1", json!({"email": email.to_uppercase(), "email_verified": true, "name": "Emp One"})).await;

    let signed = app.sign_in_via_idp("emp-1").await;
    assert_eq!(signed.location, "/", "{}", signed.location);
    let (status, body) = me(&signed.browser).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["user"]["email"].as_str(), body["user"]["person_id"].as_i64()),
        (Some(email.as_str()), Some(person))
    );
    assert_eq!(body["roles"], json!(["employee"]), "no mapping: a first sign-in makes an employee");
    let users = || async { app.id_of("SELECT COUNT(*) FROM users").await };
    let before = users().await;
    // The next sign-in is the same user, found by their subject at the provider.
    let again = app.sign_in_via_idp("emp-1").await;
    assert_eq!(again.location, "/");
    assert_eq!(me(&again.browser).await.1["user"]["id"], body["user"]["id"]);
    assert_eq!(users().await, before);
    let created = app
        .id_of_owned(format!(
            "SELECT COUNT(*) FROM ledger_entries WHERE action = 'user.create' AND actor = 'oidc:Test IdP' AND record_id = {}",
            body["user"]["id"]
        ))
        .await;
    assert_eq!(created, 1, "the first sign-in is ledgered");
    // The replayed callback (same code and state) signs nobody in.
    assert_eq!(again.browser.follow(&again.callback).await, "/login?sign_in_error=state");

    // Logging out ends the session here and hands the browser to the provider's logout, with the ID token as the
    // hint and the login page to come back to (RP-initiated logout).
    let mut browser = again.browser;
    browser.csrf = me(&browser).await.1["csrf_token"].as_str().map(str::to_string);
    let out = browser.send(Method::DELETE, "/api/v1/session", None).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let url = reqwest::Url::parse(out.body["provider_logout_url"].as_str().unwrap()).unwrap();
    assert_eq!(url.as_str().split('?').next(), Some(format!("{}/session/end", idp.issuer).as_str()));
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params.get("post_logout_redirect_uri"), Some(&format!("{}/login", app.base)));
    assert_eq!(params.get("client_id").map(String::as_str), Some("seatwise"));
    assert!(params.get("id_token_hint").is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(me(&browser).await.0, StatusCode::UNAUTHORIZED);
    // The provider accepts the hint: in the same browser its logout page asks to confirm.
    let page = browser.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let text = page.text().await.unwrap();
    assert!(text.contains("Yes, sign me out"), "{text}");
}

#[tokio::test]
async fn roles_follow_the_providers_groups_at_every_sign_in() {
    let app = app().await;
    let idp = app.idp.clone().unwrap();
    let admin = app.admin().await;
    let it = app.id_of("SELECT id FROM departments ORDER BY id LIMIT 1").await;
    let bad = admin
        .put(
            "/api/v1/settings/sign-in-groups",
            json!([{"group": " ", "role": "approver"}, {"group": "owners", "role": "license_owner"},
                   {"group": "fin", "role": "finance", "department_id": it}, {"group": "all", "role": "employee"}]),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.field_paths(), ["[0].group", "[1].department_id", "[2].department_id", "[3].role"]);
    assert_eq!(app.finance().await.get("/api/v1/settings/sign-in-groups").await.status, StatusCode::FORBIDDEN);
    let mapping = json!([{"group": "owners-it", "role": "license_owner", "department_id": it},
                         {"group": "seatwise-approvers", "role": "approver", "department_id": null}]);
    let r = admin.put("/api/v1/settings/sign-in-groups", mapping.clone()).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &mapping));

    let (_, email) = someone(&app, 1).await;
    let claims = |groups: serde_json::Value| json!({"email": email, "email_verified": true, "groups": groups});
    idp.account("appr-1", claims(json!(["Seatwise-Approvers", "owners-it", "other"]))).await;
    let signed = app.sign_in_via_idp("appr-1").await;
    assert_eq!(signed.location, "/");
    let body = me(&signed.browser).await.1;
    assert_eq!(
        (&body["roles"], &body["user"]["department_ids"]),
        (&json!(["approver", "license_owner"]), &json!([it]))
    );
    let user = body["user"]["id"].as_i64().unwrap();

    // Out of the groups at the provider: out of the roles at the next sign-in (an employee still), and each
    // change is ledgered.
    idp.account("appr-1", claims(json!([]))).await;
    let signed = app.sign_in_via_idp("appr-1").await;
    assert_eq!(me(&signed.browser).await.1["roles"], json!(["employee"]));
    let changes = app
        .id_of_owned(format!("SELECT COUNT(*) FROM ledger_entries WHERE action = 'user.roles' AND record_id = {user}"))
        .await;
    assert_eq!(changes, 2);
}

#[tokio::test]
async fn a_person_who_left_or_was_deactivated_cannot_sign_in_and_their_sessions_end() {
    let app = app().await;
    let idp = app.idp.clone().unwrap();
    let (person, email) = someone(&app, 2).await;
    idp.account("leaver", json!({"email": email, "email_verified": true})).await;
    let signed = app.sign_in_via_idp("leaver").await;
    assert_eq!(me(&signed.browser).await.0, StatusCode::OK);
    // SCIM's active=false and HR's termination both leave the person terminated.
    app.exec(&format!("UPDATE people SET status = 'terminated' WHERE id = {person}")).await;
    assert_eq!(me(&signed.browser).await.0, StatusCode::UNAUTHORIZED, "the session ended");
    assert_eq!(app.sign_in_via_idp("leaver").await.refusal().as_deref(), Some("deactivated"));
}

#[tokio::test]
async fn every_forged_or_misdirected_answer_is_refused() {
    let app = app().await;
    let idp = app.idp.clone().unwrap();
    let (_, email) = someone(&app, 3).await;
    idp.account("emp-3", json!({"email": email, "email_verified": true})).await;

    // Tokens changed after the provider made them, made with the test's own keys (idp.mjs).
    for kind in ["audience", "issuer", "expired", "nonce", "wrong-key", "alg-none"] {
        idp.tamper(kind).await;
        let signed = app.sign_in_via_idp("emp-3").await;
        assert_eq!(signed.refusal().as_deref(), Some("token"), "{kind}: {}", signed.location);
        assert_eq!(me(&signed.browser).await.0, StatusCode::UNAUTHORIZED, "{kind}");
    }

    // The callback in another browser than the one that started the sign-in; a missing or altered state.
    let (_, reached) = app.to_callback("emp-3").await;
    let callback = reached.unwrap();
    let other = crate::common::Client {
        http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        ..app.anonymous()
    };
    assert_eq!(other.follow(&callback).await, "/login?sign_in_error=state");
    let (browser, reached) = app.to_callback("emp-3").await;
    let callback = reached.unwrap();
    let without_state: String = callback.split("&state=").next().unwrap().to_string();
    assert_eq!(browser.follow(&without_state).await, "/login?sign_in_error=state");
    let altered = callback.replace("state=", "state=x");
    assert_eq!(browser.follow(&altered).await, "/login?sign_in_error=state");
    // The provider's own refusal.
    let denied = format!("{}/api/v1/auth/oidc/callback?error=access_denied&state=x", app.base);
    assert_eq!(browser.follow(&denied).await, "/login?sign_in_error=denied");

    // A user the provider no longer lists cannot get past it.
    idp.remove_account("emp-3").await;
    let (_, reached) = app.to_callback("emp-3").await;
    assert!(reached.unwrap_err().contains("No such user"));

    // An address the provider did not verify matches nobody; an unknown verified one is not in the directory.
    idp.account("unverified", json!({"email": email, "email_verified": false})).await;
    assert_eq!(app.sign_in_via_idp("unverified").await.refusal().as_deref(), Some("email_unverified"));
    idp.account("stranger", json!({"email": "stranger@elsewhere.example", "email_verified": true})).await;
    assert_eq!(app.sign_in_via_idp("stranger").await.refusal().as_deref(), Some("not_in_directory"));

    // An HR employee id in the configured claim finds the person when nothing else does.
    let (hr_person, _) = someone(&app, 4).await;
    app.exec(&format!("UPDATE people SET employee_id = 'E-4242' WHERE id = {hr_person}")).await;
    idp.account("hr-only", json!({"employee_id": "E-4242"})).await;
    let signed = app.sign_in_via_idp("hr-only").await;
    assert_eq!(signed.location, "/", "{}", signed.location);
    assert_eq!(me(&signed.browser).await.1["user"]["person_id"], hr_person);

    // The provider rotates its signing key: the new key is fetched, and the sign-in goes through.
    idp.account("emp-3", json!({"email": email, "email_verified": true})).await;
    assert_eq!(app.sign_in_via_idp("emp-3").await.location, "/");
    idp.rotate_keys().await;
    assert_eq!(app.sign_in_via_idp("emp-3").await.location, "/");
}

#[tokio::test]
async fn passwords_can_be_kept_for_a_break_glass_admin_only() {
    let app =
        spawn_opts(Options { demo: true, oidc: true, passwords_for_admins_only: true, ..Default::default() }).await;
    let options = app.anonymous().send(Method::GET, "/api/v1/session/options", None).await;
    assert_eq!(options.body["password_login"], "admins");
    let owner = app
        .anonymous()
        .send(
            Method::POST,
            "/api/v1/session",
            Some(json!({"email": "owner@example.com", "password": crate::common::PASSWORD})),
        )
        .await;
    assert_eq!(owner.status, StatusCode::FORBIDDEN, "{}", owner.body);
    assert_eq!(app.admin().await.get("/api/v1/me").await.status, StatusCode::OK);
    // Without a provider configured, none is offered, and its sign-in says so rather than failing.
    let plain = crate::common::spawn_with(false).await;
    assert_eq!(plain.anonymous().send(Method::GET, "/api/v1/auth/providers", None).await.body, json!([]));
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/api/v1/auth/oidc/login", plain.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login?sign_in_error=not_configured");
}
