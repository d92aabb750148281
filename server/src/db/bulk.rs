//! The one bulk-write path. Rows travel as one JSON array of arrays in a single text parameter (`$1`) and are
//! expanded in SQL (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL), so a chunk of 10,000 rows binds one parameter instead of a hundred thousand. sqlx's `Any`
//! driver binds no arrays and offers no `COPY`, so JSON is the mechanism both backends share; the SQL that
//! differs is in [`rows_table`] alone. Imports, bulk ledger appends, the demo and the generator write through it.

use chrono::{DateTime, Utc};
use seatwise_types::PersonStatus;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::Conn;
use crate::clock::to_db;

/// A column of the rows table: its name and how it is read from the JSON array.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    Int(&'static str),
    Text(&'static str),
}

/// Rows per statement: large enough that per-statement costs vanish, small enough to report progress between.
pub const CHUNK: usize = 10_000;

/// The rows of `$1` as a table `r` with the ordinal `r.n` (input order) and `cols`, by position in each row.
fn rows_table(conn: &Conn, cols: &[Col]) -> String {
    let postgres = super::Backend::of(conn) == super::Backend::Postgres;
    let mut select = String::from(if postgres { "SELECT e.n" } else { "SELECT key AS n" });
    for (i, c) in cols.iter().enumerate() {
        select.push_str(&match (postgres, c) {
            (true, Col::Int(name)) => format!(", CAST(e.v ->> {i} AS BIGINT) AS {name}"),
            (true, Col::Text(name)) => format!(", e.v ->> {i} AS {name}"),
            // SQLite's `->>` yields integers for JSON integers and text for strings.
            (false, Col::Int(name) | Col::Text(name)) => format!(", value ->> {i} AS {name}"),
        });
    }
    // PostgreSQL: binary JSON, parsed once, each row's fields read without re-parsing it.
    select.push_str(if postgres {
        " FROM jsonb_array_elements(CAST($1 AS jsonb)) WITH ORDINALITY AS e(v, n)"
    } else {
        " FROM json_each($1)"
    });
    format!("({select}) AS r")
}

/// A statement over rows: `{rows}` in its SQL stands for the rows table `r`, `$2`, `$3`, ... for `args`.
pub struct Statement<'a> {
    pub sql: &'a str,
    pub cols: &'a [Col],
    pub args: &'a [&'a str],
}

fn encode<T: Serialize>(rows: &[T]) -> Result<String, sqlx::Error> {
    serde_json::to_string(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn query<'q>(
    sql: &'q str,
    json: String,
    args: &[&str],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql).bind(json);
    for a in args {
        q = q.bind(a.to_string());
    }
    q
}

/// Run the statement once per chunk of `rows` (each row serialises as a JSON array: a tuple); rows affected.
pub async fn execute<T: Serialize>(conn: &mut Conn, s: &Statement<'_>, rows: &[T]) -> Result<u64, sqlx::Error> {
    let sql = s.sql.replace("{rows}", &rows_table(conn, s.cols));
    let started = std::time::Instant::now();
    let mut chunks = rows.chunks(CHUNK);
    let mut next = chunks.next().map(encode).transpose()?;
    let mut affected = 0;
    while let Some(json) = next.take() {
        // The database works on this chunk (SQLite on its connection's own thread, PostgreSQL in its server) while
        // the next one is encoded here. `join!` polls in order, so the statement is sent before encoding starts.
        let (done, encoded) = tokio::join!(query(&sql, json, s.args).execute(&mut *conn), async {
            chunks.next().map(encode).transpose()
        });
        affected += done?.rows_affected();
        next = encoded?;
    }
    tracing::debug!(rows = rows.len(), elapsed = ?started.elapsed(), statement = summary(s.sql), "bulk write");
    Ok(affected)
}

/// The start of a statement, for the log.
fn summary(sql: &str) -> &str {
    sql.get(..sql.len().min(48)).unwrap_or(sql)
}

/// An `INSERT ... SELECT ... FROM {rows} ORDER BY r.n RETURNING id`: the new ids in input order (ids grow in
/// insertion order on both backends, so each chunk's are sorted).
pub async fn insert_ids<T: Serialize>(conn: &mut Conn, s: &Statement<'_>, rows: &[T]) -> Result<Vec<i64>, sqlx::Error> {
    let sql = s.sql.replace("{rows}", &rows_table(conn, s.cols));
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(encode(chunk)?);
        for a in s.args {
            q = q.bind(a.to_string());
        }
        let mut chunk_ids = q.fetch_all(&mut *conn).await?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// A query over rows (e.g. `... WHERE x.id IN (SELECT r.id FROM {rows})`), for reading back what was written.
pub async fn fetch<T: Serialize>(conn: &mut Conn, s: &Statement<'_>, rows: &[T]) -> Result<Vec<AnyRow>, sqlx::Error> {
    let sql = s.sql.replace("{rows}", &rows_table(conn, s.cols));
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        out.extend(query(&sql, encode(chunk)?, s.args).fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Ids as rows of one column `r.id`.
pub fn ids(ids: &[i64]) -> Vec<(i64,)> {
    ids.iter().map(|id| (*id,)).collect()
}

pub const ID: &[Col] = &[Col::Int("id")];

/// `sql` over ids given as the rows `r.id` of `{rows}`.
pub fn over_ids<'a>(sql: &'a str, args: &'a [&'a str]) -> Statement<'a> {
    Statement { sql, cols: ID, args }
}

pub struct PersonRow {
    pub name: String,
    pub email: String,
    pub department_id: i64,
    pub cost_centre_id: i64,
    pub status: PersonStatus,
}

/// Insert people (demo, generator); returns their ids in input order.
pub async fn insert_people(conn: &mut Conn, rows: &[PersonRow], now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO people (name, email, department_id, cost_centre_id, status, created_at) \
              SELECT r.name, r.email, r.department_id, r.cost_centre_id, r.status, $2 FROM {rows} ORDER BY r.n \
              RETURNING id",
        cols: &[
            Col::Text("name"),
            Col::Text("email"),
            Col::Int("department_id"),
            Col::Int("cost_centre_id"),
            Col::Text("status"),
        ],
        args: &[&at],
    };
    let rows: Vec<_> =
        rows.iter().map(|r| (&r.name, &r.email, r.department_id, r.cost_centre_id, r.status.as_str())).collect();
    insert_ids(conn, &statement, &rows).await
}

pub struct SeatRow {
    pub pool_id: i64,
    pub person_id: i64,
    pub assigned_at: DateTime<Utc>,
}

/// Insert seats as they are (demo, generator); counters are set afterwards with [`recount_seats`].
pub async fn insert_seats(conn: &mut Conn, rows: &[SeatRow], assigned_by: &str) -> Result<(), sqlx::Error> {
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by) \
              SELECT r.pool_id, r.person_id, r.assigned_at, $2 FROM {rows}",
        cols: &[Col::Int("pool_id"), Col::Int("person_id"), Col::Text("assigned_at")],
        args: &[assigned_by],
    };
    let rows: Vec<_> = rows.iter().map(|r| (r.pool_id, r.person_id, to_db(r.assigned_at))).collect();
    execute(conn, &statement, &rows).await?;
    Ok(())
}

/// Bring every pool's seat counter in line with its assignment rows after a bulk load.
pub async fn recount_seats(conn: &mut Conn) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE pools SET seats_assigned = (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = pools.id)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn is_empty(db: &sqlx::AnyPool) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM pools) + (SELECT COUNT(*) FROM people)").fetch_one(db).await?;
    Ok(n == 0)
}
