//! Reading a list of rows as one JSON document the database builds, where that is what makes a list fast.
//!
//! sqlx runs each SQLite connection on its own thread and hands every result row to the request across a channel:
//! about 10 µs a row, where SQLite takes 1–2 µs to produce one, so a page of 100 seats or a quarter's 500 calendar
//! events spent most of its time crossing threads. Built by SQLite as one `json_group_array` of arrays, the rows
//! cross once and are read by the same mappers through [`Cols::doc`]. (SQLite keeps an ordered subquery's order for
//! the aggregate over it, its ticket 2942.) PostgreSQL's rows arrive in batches over the socket, so there they are
//! read as they come.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::{scalar_json, Cols, DocNames};
use super::{Backend, Sql};

/// The rows of a list, either as the database returned them or as the objects of its document.
pub enum Rows {
    Table(Vec<AnyRow>),
    /// Each row an array of the values of the columns `DocNames` names, in that order.
    Doc(DocNames, Vec<Vec<Value>>),
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
            Rows::Doc(names, rows) => rows.iter().map(|r| f(&Cols::doc(names, r, table))).collect(),
        }
    }
}

/// The rows of `sql` in its order. `columns` names every result column the mappers read (on SQLite the document
/// holds only these).
pub async fn fetch(db: &AnyPool, backend: Backend, sql: &Sql, columns: &[&str]) -> Result<Rows, sqlx::Error> {
    match backend {
        Backend::Postgres => Ok(Rows::Table(sql.query().fetch_all(db).await?)),
        Backend::Sqlite => {
            let text: String = as_document(sql, columns).query_scalar().fetch_one(db).await?;
            Ok(Rows::Doc(DocNames::new(columns), scalar_json("(document)", "rows", &text)?))
        }
    }
}

/// A page of `list` and the number `count` counts: on SQLite one statement, as every statement a request runs
/// costs a crossing of threads; on PostgreSQL the two statements.
pub async fn fetch_counted(
    db: &AnyPool,
    backend: Backend,
    count: &Sql,
    list: &Sql,
    columns: &[&str],
) -> Result<(i64, Rows), sqlx::Error> {
    match backend {
        Backend::Postgres => {
            let total = count.query_scalar().fetch_one(db).await?;
            Ok((total, Rows::Table(list.query().fetch_all(db).await?)))
        }
        Backend::Sqlite => {
            let mut both = Sql::new("SELECT (");
            both.append(count).push(") AS total, (").append(&as_document(list, columns)).push(") AS items");
            let row = both.query().fetch_one(db).await?;
            let c = Cols::new(&row, "(document)");
            let items = c.text("items")?;
            Ok((c.i64("total")?, Rows::Doc(DocNames::new(columns), scalar_json("(document)", "rows", &items)?)))
        }
    }
}

/// `sql`'s rows as one JSON array of arrays, each the values of `columns` in order (arrays, not objects: the
/// names would be built, sent and parsed again for every row).
fn as_document(sql: &Sql, columns: &[&str]) -> Sql {
    let fields: Vec<String> = columns.iter().map(|c| format!("x.{c}")).collect();
    sql.wrapped(&format!("SELECT json_group_array(json_array({})) FROM (", fields.join(", ")), ") x")
}
