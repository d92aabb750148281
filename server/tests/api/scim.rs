//! SCIM provisioning as Entra ID and Okta do it: create, filter, deactivate (three shapes), delete.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, Client, TestApp};

fn sample(name: &str) -> Value {
    let path = format!("{}/../tests/fixtures/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

async fn scim_client(app: &TestApp) -> Client {
    let token = app.admin().await.post("/api/v1/scim/tokens", json!({"name": "entra"})).await;
    assert_eq!(token.status, StatusCode::CREATED);
    let mut c = app.anonymous();
    c.bearer = Some(token.body["token"].as_str().unwrap().to_string());
    c
}

async fn provision_with_seat(app: &TestApp, scim: &Client, email: &str) -> i64 {
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
        "name": {"givenName": "Test", "familyName": "Person"}, "externalId": format!("ext-{email}"), "active": true});
    let r = scim.post("/scim/v2/Users", user).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/scim+json");
    let id: i64 = r.body["id"].as_str().unwrap().parse().unwrap();
    let pool = app.pool_id("Zoom Workplace Business").await;
    let seat = app.admin().await.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": id})).await;
    assert_eq!(seat.status, StatusCode::CREATED, "{}", seat.body);
    id
}

async fn assert_reclaimed(app: &TestApp, id: i64) {
    let person = app.admin().await.get(&format!("/api/v1/people/{id}")).await;
    assert_eq!(person.body["status"], "terminated");
    // Offboarding: the seat is reclaimed at once (no hold), by a case that says why.
    let seats = app.admin().await.get(&format!("/api/v1/people/{id}/seats")).await;
    assert_eq!(seats.body, serde_json::json!([]), "{}", seats.body);
    let cases = app.admin().await.get(&format!("/api/v1/reclamation/cases?person_id={id}")).await;
    assert_eq!(cases.body["items"][0]["state"], "reclaimed", "{}", cases.body);
    assert_eq!(cases.body["items"][0]["origin"], "offboarding");
    assert_eq!(cases.body["items"][0]["reason"]["kind"], "terminated");
}

#[tokio::test]
async fn scim_needs_a_scim_token() {
    let app = spawn().await;
    assert_eq!(app.anonymous().get("/scim/v2/Users").await.status, StatusCode::UNAUTHORIZED);
    let personal = app.admin().await.post("/api/v1/tokens", json!({"name": "mine"})).await;
    let mut c = app.anonymous();
    c.bearer = Some(personal.body["token"].as_str().unwrap().to_string());
    assert_eq!(c.get("/scim/v2/Users").await.status, StatusCode::UNAUTHORIZED, "personal tokens are not SCIM tokens");
    let scim = scim_client(&app).await;
    assert_eq!(scim.get("/scim/v2/ServiceProviderConfig").await.body["patch"]["supported"], true);
    assert_eq!(scim.get("/scim/v2/ResourceTypes").await.body["Resources"][0]["endpoint"], "/Users");
    assert_eq!(scim.get("/scim/v2/Schemas").await.body["totalResults"], 1);
    assert_eq!(scim.get("/api/v1/pools").await.status, StatusCode::UNAUTHORIZED, "SCIM tokens only work on /scim");
}

#[tokio::test]
async fn create_filter_and_page_users() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let id = provision_with_seat(&app, &scim, "new.hire@example.com").await;
    let r = scim.get("/scim/v2/Users?filter=userName%20eq%20%22New.Hire@example.com%22").await;
    assert_eq!(r.body["totalResults"], 1);
    assert_eq!(r.body["Resources"][0]["id"], id.to_string());
    assert_eq!(r.body["Resources"][0]["active"], true);
    let r = scim.get("/scim/v2/Users?filter=externalId%20eq%20%22ext-new.hire@example.com%22").await;
    assert_eq!(r.body["totalResults"], 1);
    let page = scim.get("/scim/v2/Users?startIndex=11&count=5").await;
    assert_eq!(page.body["startIndex"], 11);
    assert_eq!(page.body["itemsPerPage"], 5);
    assert_eq!(page.body["totalResults"], 302);
    let dup = scim.post("/scim/v2/Users", json!({"userName": "new.hire@example.com"})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["scimType"], "uniqueness");
    let bad = scim.get("/scim/v2/Users?filter=userName%20co%20%22x%22").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(scim.get("/scim/v2/Users/999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unpaged_list_holds_the_whole_directory_in_id_order() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let id = provision_with_seat(&app, &scim, "late.joiner@example.com").await;
    // The demo's 301 people and the new one: a client that lists without `count` sees the user it just created.
    let all = scim.get("/scim/v2/Users").await;
    assert_eq!(all.body["totalResults"], 302);
    assert_eq!(all.body["itemsPerPage"], 302);
    let ids: Vec<i64> =
        all.body["Resources"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().parse().unwrap()).collect();
    assert!(ids.contains(&id), "the new user is listed");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id, so pages do not shift");
    // Pages as a provider walks them: consecutive, no gaps or repeats.
    let first = scim.get("/scim/v2/Users?startIndex=1&count=150").await;
    let second = scim.get("/scim/v2/Users?startIndex=151&count=150").await;
    let paged: Vec<&Value> = first.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["Resources"].as_array().unwrap())
        .collect();
    assert_eq!(paged.len(), 300);
    assert!(paged.iter().zip(&ids).all(|(u, id)| u["id"].as_str().and_then(|s| s.parse().ok()) == Some(*id)));
    assert_eq!(scim.get("/scim/v2/Users?count=0").await.body["itemsPerPage"], 0);
    let config = scim.get("/scim/v2/ServiceProviderConfig").await;
    assert_eq!(config.body["filter"]["maxResults"], 1000);
}

#[tokio::test]
async fn entra_patch_deactivation_marks_seats() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let id = provision_with_seat(&app, &scim, "entra.user@example.com").await;
    let r = scim
        .send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{id}"), Some(sample("scim-entra-deactivate.json")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    assert_reclaimed(&app, id).await;
}

#[tokio::test]
async fn okta_patch_and_put_deactivations_mark_seats() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let a = provision_with_seat(&app, &scim, "okta.one@example.com").await;
    let r = scim
        .send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{a}"), Some(sample("scim-okta-deactivate.json")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_reclaimed(&app, a).await;

    let b = provision_with_seat(&app, &scim, "omar.haddad@example.com").await;
    let mut put = sample("scim-okta-put-user.json");
    put["id"] = json!(b.to_string());
    let r = scim.put(&format!("/scim/v2/Users/{b}"), put).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["externalId"], "00u1abcdEFGH2345");
    assert_reclaimed(&app, b).await;
}

#[tokio::test]
async fn delete_terminates_and_keeps_the_person() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let id = provision_with_seat(&app, &scim, "leaver@example.com").await;
    assert_eq!(scim.delete(&format!("/scim/v2/Users/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_reclaimed(&app, id).await;
    // Gone for SCIM, kept by Seatwise with its history and seats.
    let gone = scim.get(&format!("/scim/v2/Users/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert_eq!(
        scim.get("/scim/v2/Users?filter=userName%20eq%20%22leaver@example.com%22").await.body["totalResults"],
        0
    );
    // Re-provisioning brings the same person back, active again; the seat marks stay for the owner to resolve.
    let back = scim.post("/scim/v2/Users", json!({"userName": "leaver@example.com", "active": true})).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    assert_eq!(back.body["id"], id.to_string());
    assert_eq!(back.body["active"], true);
    let history = app.admin().await.get(&format!("/api/v1/people/{id}/history")).await;
    assert!(history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"].as_str().unwrap().starts_with("scim:")));
}

#[tokio::test]
async fn patch_keeps_what_the_provider_sent_and_removes_on_request() {
    let app = spawn().await;
    let scim = scim_client(&app).await;
    let id = provision_with_seat(&app, &scim, "kept@example.com").await;
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "replace", "path": "name.givenName", "value": "Kim"},
        {"op": "remove", "path": "externalId"}]});
    let r = scim.send(reqwest::Method::PATCH, &format!("/scim/v2/Users/{id}"), Some(add)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"]["givenName"], "Kim");
    assert!(r.body.get("externalId").is_none());
    let only = scim.get(&format!("/scim/v2/Users/{id}?attributes=userName")).await;
    assert_eq!(only.body["userName"], "kept@example.com");
    assert!(only.body.get("name").is_none());
}
