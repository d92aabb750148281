//! Stored data that does not decode is an internal error naming the column in the log, never a default: a
//! corrupt date, timestamp and JSON document written straight into the database (on SQLite, and on PostgreSQL
//! when the suite runs there).

use reqwest::StatusCode;

use crate::common::{spawn, LogSink, Reply};

/// The answer is the generic internal error: the column and the stored value stay in the log.
fn assert_internal(r: &Reply, column: &str) {
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "internal", "{:?}", r.body);
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{:?}", r.body);
    assert!(!message.contains(column), "the answer leaks {column}: {message}");
}

fn assert_logged(sink: &LogSink, column: &str, value: &str) {
    let text = sink.text();
    let line =
        text.lines().find(|l| l.contains(column)).unwrap_or_else(|| panic!("no log line names {column}:\n{text}"));
    assert!(line.contains(value), "the log line does not show the stored value {value}: {line}");
}

/// Store `value` in `table.column` of the row with the smallest id, then read it through each of `reads` (a path
/// with `{id}` standing for that row's id).
async fn corrupt_and_read(table: &str, column: &str, value: &str, reads: &[&str]) {
    let (sink, _guard) = LogSink::capture();
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.id_of(&format!("SELECT MIN(id) FROM {table}")).await;
    app.exec(&format!("UPDATE {table} SET {column} = '{value}' WHERE id = {id}")).await;
    for path in reads {
        assert_internal(&admin.get(&path.replace("{id}", &id.to_string())).await, column);
    }
    assert_logged(&sink, &format!("{table}.{column}"), value);
}

#[tokio::test]
async fn a_corrupt_date_is_an_internal_error_naming_the_column() {
    corrupt_and_read("pools", "contract_end", "not-a-date", &["/api/v1/pools/{id}", "/api/v1/pools?per_page=500"])
        .await;
}

#[tokio::test]
async fn a_corrupt_timestamp_is_an_internal_error_naming_the_column() {
    corrupt_and_read("pools", "updated_at", "yesterday", &["/api/v1/pools/{id}"]).await;
}

#[tokio::test]
async fn a_corrupt_json_document_is_an_internal_error_naming_the_column() {
    let reads = ["/api/v1/contracts/{id}", "/api/v1/contracts?per_page=500"];
    corrupt_and_read("contracts", "documents", "{broken", &reads).await;
}

#[tokio::test]
async fn the_rest_of_the_data_still_reads_while_one_row_is_corrupt() {
    let app = spawn().await;
    let admin = app.admin().await;
    let pools: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM pools ORDER BY id LIMIT 2").fetch_all(&app.db.read).await.unwrap();
    app.exec(&format!("UPDATE pools SET contract_end = 'not-a-date' WHERE id = {}", pools[0])).await;
    assert_eq!(admin.get(&format!("/api/v1/pools/{}", pools[1])).await.status, StatusCode::OK);
}
