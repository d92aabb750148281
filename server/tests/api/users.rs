//! User accounts: roles and department scope are sets of what exists; a bad one is a field error that changes
//! nothing (the fuzzer found repeats and unknown departments answering 500).

use reqwest::StatusCode;
use serde_json::json;

use crate::common::spawn;

#[tokio::test]
async fn repeated_roles_or_departments_are_refused_by_index() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let dept = app.id_of("SELECT MIN(id) FROM departments").await;
    let ledger = app.ledger_len().await;
    let r = admin
        .put(
            &format!("/api/v1/users/{id}/roles"),
            json!({"roles": ["finance", "approver", "finance"], "department_ids": [dept, dept]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_paths(), ["roles[2]", "department_ids[1]"], "{}", r.body);
    let create = admin
        .post(
            "/api/v1/users",
            json!({"email": "twice@example.com", "name": "Twice", "password": "long enough pw",
                "roles": ["approver", "approver"]}),
        )
        .await;
    assert_eq!(create.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", create.body);
    assert_eq!(create.field_paths(), ["roles[1]"]);
    assert_eq!(app.ledger_len().await, ledger, "nothing was written");
    let users = admin.get("/api/v1/users").await.body;
    let finance = users.as_array().unwrap().iter().find(|u| u["id"] == id).unwrap();
    assert_eq!(finance["roles"], json!(["finance"]));
}

#[tokio::test]
async fn an_unknown_department_in_a_role_update_is_a_field_error() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let dept = app.id_of("SELECT MIN(id) FROM departments").await;
    let r = admin
        .put(
            &format!("/api/v1/users/{id}/roles"),
            json!({"roles": ["license_owner"], "department_ids": [dept, 987654]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_paths(), ["department_ids[1]"], "{}", r.body);
    let ok = admin
        .put(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["license_owner"], "department_ids": [dept]}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["department_ids"], json!([dept]));
}
