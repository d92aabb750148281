//! Reading a list of rows as one JSON document the database builds, where that is what makes a list fast.
//!
//! sqlx runs each SQLite connection on its own thread and hands every result row to the request across a channel:
//! about 10 µs a row, where SQLite takes 1–2 µs to produce one, so a page of 100 seats or a quarter's 500 calendar
//! events spent most of its time crossing threads. Built by SQLite as one `json_group_array` of objects, the rows
//! cross once and are read by the same mappers through [`Cols::doc`]. (SQLite keeps an ordered subquery's order for
//! the aggregate over it, its ticket 2942.) PostgreSQL's rows arrive in batches over the socket, so there they are
//! read as they come.

use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::{scalar_json, Cols};
use super::{Backend, Sql};

/// The rows of a list, either as the database returned them or as the objects of its document.
pub enum Rows {
    Table(Vec<AnyRow>),
    Doc(Vec<Map<String, Value>>),
}

impl Rows {
    /// Each row mapped, in order, as a row of `table`.
    pub fn map<T>(
        &self,
        table: &'static str,
        f: impl Fn(&Cols) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Rows::Table(rows) => rows.iter().map(|r| f(&Cols::new(r, table))).collect(),
            Rows::Doc(rows) => rows.iter().map(|r| f(&Cols::doc(r, table))).collect(),
        }
    }
}

/// The rows of `sql` in its order. `columns` names every result column the mappers read (on SQLite the document
/// holds only these).
pub async fn fetch(db: &AnyPool, backend: Backend, sql: &Sql, columns: &[&str]) -> Result<Rows, sqlx::Error> {
    match backend {
        Backend::Postgres => Ok(Rows::Table(sql.query().fetch_all(db).await?)),
        Backend::Sqlite => {
            let fields: Vec<String> = columns.iter().map(|c| format!("'{c}', x.{c}")).collect();
            let doc =
                sql.wrapped(&format!("SELECT json_group_array(json_object({})) FROM (", fields.join(", ")), ") x");
            let text: String = doc.query_scalar().fetch_one(db).await?;
            Ok(Rows::Doc(scalar_json("(document)", "rows", &text)?))
        }
    }
}
