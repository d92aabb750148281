//! Names that must be unique (vendors, products per vendor, device asset tags, contract numbers per vendor) are
//! refused as a field error whatever their letters: the fuzzer found a second `Ⱥ` answering 500 on SQLite, whose
//! `LOWER` folds ASCII only while the check folded the other side in Rust.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::spawn;

#[tokio::test]
async fn a_repeated_non_ascii_name_is_a_field_error() {
    let app = spawn().await;
    let admin = app.admin().await;
    for (path, body, field) in [
        ("/api/v1/vendors", json!({"name": "Ⱥcme"}), "name"),
        ("/api/v1/devices", json!({"asset_tag": "ȺT-1", "name": "Laptop"}), "asset_tag"),
    ] {
        let first = admin.post(path, body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{path}: {}", first.body);
        let again = admin.post(path, body).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", again.body);
        assert_eq!(again.field_paths(), [field]);
    }
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Ⱥcme'").await;
    let product = json!({"vendor_id": vendor, "name": "Ⱥpp"});
    assert_eq!(admin.post("/api/v1/products", product.clone()).await.status, StatusCode::CREATED);
    let again = admin.post("/api/v1/products", product).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
    assert_eq!(again.field_paths(), ["name"]);
    let contract = json!({"vendor_id": vendor, "number": "Ⱥ-1", "title": "Ⱥ agreement", "term_start": "2026-01-01",
        "term_end": "2026-12-31", "term_months": 12});
    assert_eq!(admin.post("/api/v1/contracts", contract.clone()).await.status, StatusCode::CREATED);
    let again = admin.post("/api/v1/contracts", contract).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
    assert_eq!(again.field_paths(), ["number"]);
    // Case still does not make a new name.
    assert_eq!(admin.post("/api/v1/vendors", json!({"name": "ȺCME"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}
