//! Reading stored rows: the only place that reads a column by name.
//!
//! Row mappers wrap a row in [`Cols`], naming the table, and read each column through a typed method. A value
//! that does not decode (a malformed date, timestamp, JSON document, flag, enum or amount) is an error naming
//! `table.column` and the value: stored data that does not decode means the database was edited by hand or
//! damaged, so it becomes an internal error logged with its cause, never a default.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Why a stored value was refused.
#[derive(Debug)]
pub struct BadValue {
    pub value: String,
    pub reason: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored value {:?} does not decode: {}", self.value, self.reason)
    }
}

impl std::error::Error for BadValue {}

/// A value a column holds, read from a database row or from a document's JSON value (where `null` is only an
/// optional value's `None`).
trait Cell: for<'a> sqlx::Decode<'a, sqlx::Any> + sqlx::Type<sqlx::Any> + Sized {
    const EXPECTED: &'static str;
    fn from_json(v: &serde_json::Value) -> Option<Self>;
}

impl Cell for i64 {
    const EXPECTED: &'static str = "an integer is required";
    fn from_json(v: &serde_json::Value) -> Option<Self> {
        v.as_i64()
    }
}

impl Cell for f64 {
    const EXPECTED: &'static str = "a number is required";
    fn from_json(v: &serde_json::Value) -> Option<Self> {
        v.as_f64()
    }
}

impl Cell for String {
    const EXPECTED: &'static str = "text is required";
    fn from_json(v: &serde_json::Value) -> Option<Self> {
        v.as_str().map(str::to_string)
    }
}

impl<T: Cell> Cell for Option<T>
where
    Option<T>: for<'a> sqlx::Decode<'a, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_json(v: &serde_json::Value) -> Option<Self> {
        if v.is_null() {
            Some(None)
        } else {
            T::from_json(v).map(Some)
        }
    }
}

/// The columns of a document's rows, each row an array of values in this order (see [`super::document`]).
/// Found by a linear search: a few dozen short names compare faster than they hash.
pub struct DocNames(Vec<String>);

impl DocNames {
    pub fn new(columns: &[&str]) -> Self {
        Self(columns.iter().map(|c| c.to_string()).collect())
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.0.iter().position(|c| c == column)
    }
}

/// Where a row's values come from: a database row, or one array of a document the database built (see
/// [`super::document`]). Both are read by the same mappers with the same policy.
#[derive(Clone, Copy)]
enum Source<'r> {
    Row(&'r AnyRow),
    Doc(&'r DocNames, &'r [serde_json::Value]),
}

/// A row of a named table (or query result), read column by column.
pub struct Cols<'r> {
    source: Source<'r>,
    table: &'static str,
}

impl<'r> Cols<'r> {
    pub fn new(row: &'r AnyRow, table: &'static str) -> Self {
        Self { source: Source::Row(row), table }
    }

    /// A row that came as one array of a JSON document, its values the columns `names` names.
    pub fn doc(names: &'r DocNames, row: &'r [serde_json::Value], table: &'static str) -> Self {
        Self { source: Source::Doc(names, row), table }
    }

    /// The same row read as another table's (a joined row names each table's columns).
    pub fn of(&self, table: &'static str) -> Self {
        Self { source: self.source, table }
    }

    fn error(&self, column: &str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> sqlx::Error {
        sqlx::Error::ColumnDecode { index: format!("{}.{column}", self.table), source: source.into() }
    }

    /// The error for a stored value that does not decode (also for a mapper that refuses one after reading it).
    pub fn bad(&self, column: &str, value: &str, reason: impl fmt::Display) -> sqlx::Error {
        self.error(column, BadValue { value: value.chars().take(80).collect(), reason: reason.to_string() })
    }

    fn raw<T: Cell>(&self, column: &str) -> Result<T, sqlx::Error> {
        match self.source {
            Source::Row(row) => row.try_get::<T, _>(column).map_err(|e| match e {
                sqlx::Error::ColumnDecode { source, .. } => self.error(column, source),
                other => other,
            }),
            Source::Doc(names, row) => match names.index(column).and_then(|i| row.get(i)) {
                None => Err(sqlx::Error::ColumnNotFound(format!("{}.{column}", self.table))),
                Some(v) => T::from_json(v).ok_or_else(|| self.bad(column, &v.to_string(), T::EXPECTED)),
            },
        }
    }

    pub fn i64(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.raw(column)
    }

    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.raw(column)
    }

    /// A count or size that cannot be negative.
    pub fn count(&self, column: &str) -> Result<u64, sqlx::Error> {
        let v = self.i64(column)?;
        u64::try_from(v).map_err(|e| self.bad(column, &v.to_string(), e))
    }

    pub fn f64(&self, column: &str) -> Result<f64, sqlx::Error> {
        self.raw(column)
    }

    pub fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.raw(column)
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.raw(column)
    }

    /// A 0/1 integer column.
    pub fn flag(&self, column: &str) -> Result<bool, sqlx::Error> {
        match self.i64(column)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad(column, &v.to_string(), "a flag is 0 or 1")),
        }
    }

    /// A 0/1 integer column that may be NULL (read through an outer join or a subquery).
    pub fn opt_flag(&self, column: &str) -> Result<Option<bool>, sqlx::Error> {
        match self.opt_i64(column)? {
            None => Ok(None),
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            Some(v) => Err(self.bad(column, &v.to_string(), "a flag is 0 or 1")),
        }
    }

    /// An amount in minor units (cents); stored amounts are never negative.
    pub fn money_minor(&self, column: &str) -> Result<i64, sqlx::Error> {
        let v = self.i64(column)?;
        if v < 0 {
            return Err(self.bad(column, &v.to_string(), "an amount is not negative"));
        }
        Ok(v)
    }

    pub fn opt_money_minor(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        match self.opt_i64(column)? {
            Some(v) if v < 0 => Err(self.bad(column, &v.to_string(), "an amount is not negative")),
            other => Ok(other),
        }
    }

    /// A `YYYY-MM-DD` text column.
    pub fn date(&self, column: &str) -> Result<NaiveDate, sqlx::Error> {
        let v = self.text(column)?;
        self.parse_date(column, &v)
    }

    pub fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        self.opt_text(column)?.map(|v| self.parse_date(column, &v)).transpose()
    }

    fn parse_date(&self, column: &str, v: &str) -> Result<NaiveDate, sqlx::Error> {
        NaiveDate::from_str(v).map_err(|e| self.bad(column, v, e))
    }

    /// An RFC 3339 UTC text column (see `clock::to_db`).
    pub fn timestamp(&self, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        let v = self.text(column)?;
        self.parse_timestamp(column, &v)
    }

    pub fn opt_timestamp(&self, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        self.opt_text(column)?.map(|v| self.parse_timestamp(column, &v)).transpose()
    }

    fn parse_timestamp(&self, column: &str, v: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        crate::clock::parse_db(v).map_err(|e| self.bad(column, v, e))
    }

    /// A JSON document column.
    pub fn json<T: DeserializeOwned>(&self, column: &str) -> Result<T, sqlx::Error> {
        let v = self.text(column)?;
        serde_json::from_str(&v).map_err(|e| self.bad(column, &v, e))
    }

    pub fn opt_json<T: DeserializeOwned>(&self, column: &str) -> Result<Option<T>, sqlx::Error> {
        self.opt_text(column)?.map(|v| serde_json::from_str(&v).map_err(|e| self.bad(column, &v, e))).transpose()
    }

    /// A text column holding one of an enum's names.
    pub fn parsed<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        let v = self.text(column)?;
        parse(&v).ok_or_else(|| self.bad(column, &v, "not one of the known values"))
    }

    pub fn opt_parsed<T>(&self, column: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, sqlx::Error> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(v) => parse(&v).map(Some).ok_or_else(|| self.bad(column, &v, "not one of the known values")),
        }
    }
}

/// Map a query's rows as they arrive: a large result (every person, for an import's plan) never exists twice in
/// memory, once as rows and once as values.
pub async fn map_each<'e, T>(
    mut rows: futures_util::stream::BoxStream<'e, Result<AnyRow, sqlx::Error>>,
    map: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>, sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(map(&row)?);
    }
    Ok(out)
}

/// The error for a value read outside a row (`query_scalar`, or text kept as read and decoded later).
fn bad_scalar(table: &'static str, column: &str, v: &str, reason: impl fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: format!("{table}.{column}"),
        source: Box::new(BadValue { value: v.chars().take(80).collect(), reason: reason.to_string() }),
    }
}

/// Decode a value read as a bare scalar (`query_scalar`) with the same policy.
pub fn scalar_date(table: &'static str, column: &str, v: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::from_str(v).map_err(|e| bad_scalar(table, column, v, e))
}

pub fn scalar_timestamp(table: &'static str, column: &str, v: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    crate::clock::parse_db(v).map_err(|e| bad_scalar(table, column, v, e))
}

pub fn scalar_parsed<T>(
    table: &'static str,
    column: &str,
    v: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    parse(v).ok_or_else(|| bad_scalar(table, column, v, "not one of the known values"))
}

pub fn scalar_json<T: DeserializeOwned>(table: &'static str, column: &str, v: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(v).map_err(|e| bad_scalar(table, column, v, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn row(select: &str) -> AnyRow {
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect("sqlite::memory:").await.expect("connect");
        sqlx::query(select).fetch_one(&db).await.expect("row")
    }

    fn column_of(e: sqlx::Error) -> String {
        match e {
            sqlx::Error::ColumnDecode { index, .. } => index,
            other => panic!("not a decode error: {other}"),
        }
    }

    #[tokio::test]
    async fn bad_values_are_errors_naming_table_and_column() {
        let r = row("SELECT 'not-a-date' AS d, 'yesterday' AS ts, '{broken' AS j, 2 AS f, -5 AS m, 'maybe' AS e, \
             '2026-11-23' AS good_d, '2026-11-23T09:00:00.000000Z' AS good_ts, NULL AS missing")
        .await;
        let c = Cols::new(&r, "pools");
        assert_eq!(column_of(c.date("d").unwrap_err()), "pools.d");
        assert_eq!(column_of(c.opt_date("d").unwrap_err()), "pools.d");
        assert_eq!(column_of(c.timestamp("ts").unwrap_err()), "pools.ts");
        assert_eq!(column_of(c.json::<Vec<String>>("j").unwrap_err()), "pools.j");
        assert_eq!(column_of(c.flag("f").unwrap_err()), "pools.f");
        assert_eq!(column_of(c.opt_flag("f").unwrap_err()), "pools.f");
        assert_eq!(column_of(c.money_minor("m").unwrap_err()), "pools.m");
        assert_eq!(column_of(c.count("m").unwrap_err()), "pools.m");
        assert_eq!(column_of(c.parsed("e", |_| None::<()>).unwrap_err()), "pools.e");
        // A NULL where a value is required is refused too, with the column named.
        assert_eq!(column_of(c.text("missing").unwrap_err()), "pools.missing");

        assert_eq!(c.date("good_d").unwrap().to_string(), "2026-11-23");
        assert_eq!(crate::clock::to_db(c.timestamp("good_ts").unwrap()), "2026-11-23T09:00:00.000000Z");
        assert_eq!(c.opt_date("missing").unwrap(), None);
        assert_eq!(c.opt_flag("missing").unwrap(), None);
    }

    #[test]
    fn a_document_row_is_read_with_the_same_policy() {
        let names = DocNames::new(&["d", "ts", "f", "m", "n", "missing", "good_d", "good_ts", "i", "t"]);
        let row: Vec<serde_json::Value> = serde_json::from_str(
            r#"["not-a-date", "yesterday", 2, -5, "12", null, "2026-11-23", "2026-11-23T09:00:00.000000Z", 7, "x"]"#,
        )
        .unwrap();
        let c = Cols::doc(&names, &row, "pools");
        assert_eq!(column_of(c.date("d").unwrap_err()), "pools.d");
        assert_eq!(column_of(c.timestamp("ts").unwrap_err()), "pools.ts");
        assert_eq!(column_of(c.flag("f").unwrap_err()), "pools.f");
        assert_eq!(column_of(c.money_minor("m").unwrap_err()), "pools.m");
        // Text where a number belongs, and null where a value is required, are refused with the column named.
        assert_eq!(column_of(c.i64("n").unwrap_err()), "pools.n");
        assert_eq!(column_of(c.text("missing").unwrap_err()), "pools.missing");
        assert_eq!(column_of(c.i64("missing").unwrap_err()), "pools.missing");
        assert!(matches!(c.text("absent"), Err(sqlx::Error::ColumnNotFound(name)) if name == "pools.absent"));

        assert_eq!(c.date("good_d").unwrap().to_string(), "2026-11-23");
        assert_eq!(crate::clock::to_db(c.timestamp("good_ts").unwrap()), "2026-11-23T09:00:00.000000Z");
        assert_eq!((c.i64("i").unwrap(), c.text("t").unwrap()), (7, "x".to_string()));
        assert_eq!((c.opt_date("missing").unwrap(), c.opt_i64("missing").unwrap()), (None, None));
        assert_eq!(c.of("people").opt_text("missing").unwrap(), None);
        assert_eq!(column_of(c.of("people").date("d").unwrap_err()), "people.d");
    }

    #[test]
    fn the_stored_value_is_kept_short_in_the_message() {
        let e = scalar_json::<Vec<String>>("contracts", "documents", &"x".repeat(500)).unwrap_err();
        let text = crate::error::chain(&e);
        assert!(text.contains("contracts.documents"), "{text}");
        assert!(text.len() < 300, "{text}");
        assert_eq!(column_of(scalar_date("pools", "contract_end", "nope").unwrap_err()), "pools.contract_end");
        assert_eq!(column_of(scalar_timestamp("pools", "updated_at", "nope").unwrap_err()), "pools.updated_at");
    }
}
