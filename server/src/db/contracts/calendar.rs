//! The renewal calendar and its feeds.

use chrono::NaiveDate;
use seatwise_types::{DateKind, Money};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::{push_filter, ContractFilter};
use crate::db::decode::Cols;
use crate::db::{document, Backend, Sql};

/// One dated entry for the calendar: a term's end or cancel-by date.
#[derive(Debug, Clone)]
pub struct CalendarRow {
    pub contract_id: i64,
    pub number: String,
    pub title: String,
    pub vendor: String,
    pub auto_renew: bool,
    pub end: NaiveDate,
    pub cancel_by: NaiveDate,
    /// The date that matters (cancel-by or end, by renewal kind).
    pub key_date: NaiveDate,
    pub value: Option<Money>,
    pub currency: String,
    /// Covered pools the reader may not see (set by the service).
    pub hidden_pools: i64,
}

/// What an event shows, from `t`, `c` and `v`; `value_minor` is the contract's own value (its term's price, its
/// renewal price, or its pools' annual cost).
const ROW_COLUMNS: &str = "c.id, c.number, c.title, v.name AS vendor_name, c.auto_renew, t.end_date, t.cancel_by, \
     t.key_date, c.currency, COALESCE(t.price_minor, c.renewal_price_minor, (SELECT CAST(SUM(p.annual_cost_minor) \
     AS BIGINT) FROM pools p WHERE p.contract_id = c.id AND p.currency = c.currency)) AS value_minor";

const ROW_FROM: &str =
    " FROM contract_terms t JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id";

/// The result columns of [`ROW_COLUMNS`].
const ROW_FIELDS: [&str; 10] = [
    "id",
    "number",
    "title",
    "vendor_name",
    "auto_renew",
    "end_date",
    "cancel_by",
    "key_date",
    "currency",
    "value_minor",
];

fn calendar_row(r: &AnyRow) -> Result<CalendarRow, sqlx::Error> {
    calendar_row_from(&Cols::new(r, "contracts"))
}

fn calendar_row_from(c: &Cols<'_>) -> Result<CalendarRow, sqlx::Error> {
    let c = c.of("contracts");
    let t = c.of("contract_terms");
    let currency = c.text("currency")?;
    Ok(CalendarRow {
        contract_id: c.i64("id")?,
        number: c.text("number")?,
        title: c.text("title")?,
        vendor: c.text("vendor_name")?,
        auto_renew: c.flag("auto_renew")?,
        end: t.date("end_date")?,
        cancel_by: t.date("cancel_by")?,
        key_date: t.date("key_date")?,
        value: t.opt_money_minor("value_minor")?.map(|m| Money::new(m, currency.clone())),
        currency,
        hidden_pools: 0,
    })
}

async fn rows(db: &AnyPool, sql: &Sql) -> Result<Vec<CalendarRow>, sqlx::Error> {
    sql.query().fetch_all(db).await?.iter().map(calendar_row).collect()
}

/// Terms with an end (or, auto-renewing, a cancel-by) date in `from..=to`.
pub async fn calendar(
    db: &AnyPool,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CalendarRow>, sqlx::Error> {
    let mut sql = Sql::new("SELECT ");
    sql.push(ROW_COLUMNS).push(ROW_FROM);
    push_filter(&mut sql, f);
    sql.push(" AND ((t.end_date >= ").bind(from.to_string()).push(" AND t.end_date <= ").bind(to.to_string());
    sql.push(") OR (c.auto_renew = 1 AND t.cancel_by >= ").bind(from.to_string());
    sql.push(" AND t.cancel_by <= ").bind(to.to_string()).push(")) ORDER BY t.key_date, c.id");
    rows(db, &sql).await
}

/// Terms whose date that matters (`key_date`) is in `from..=to`: what is up for decision.
pub async fn due_terms(
    db: &AnyPool,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CalendarRow>, sqlx::Error> {
    let mut sql = Sql::new("SELECT ");
    sql.push(ROW_COLUMNS).push(ROW_FROM);
    push_filter(&mut sql, f);
    sql.push(" AND t.key_date >= ").bind(from.to_string()).push(" AND t.key_date <= ").bind(to.to_string());
    sql.push(" ORDER BY t.key_date, c.id");
    rows(db, &sql).await
}

/// Terms due in one window of the pipeline, in one currency: how many and what they are worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTotal {
    /// Index of the first window (of the `ends` given) the term's date falls in.
    pub window: usize,
    pub currency: String,
    pub terms: i64,
    /// The sum of the values the terms have (`None` when none has one).
    pub value_minor: Option<i64>,
}

/// Terms whose date that matters is from `from` to the last of `ends`, counted and summed per window (each
/// window ends on one of `ends`, in order) and currency: the pipeline of someone who sees every contract, so no
/// row needs revaluing and none has to leave the database.
pub async fn due_totals(
    db: &AnyPool,
    f: &ContractFilter,
    from: NaiveDate,
    ends: &[NaiveDate],
) -> Result<Vec<DueTotal>, sqlx::Error> {
    let Some(last) = ends.last() else { return Ok(Vec::new()) };
    let mut sql =
        Sql::new("SELECT w, currency, COUNT(*) AS n, CAST(SUM(value_minor) AS BIGINT) AS total FROM (SELECT CASE");
    for (i, end) in ends.iter().enumerate() {
        sql.push(" WHEN t.key_date <= ").bind(end.to_string()).push(" THEN ").push(&i.to_string());
    }
    sql.push(" END AS w, ").push(ROW_COLUMNS).push(ROW_FROM);
    push_filter(&mut sql, f);
    sql.push(" AND t.key_date >= ").bind(from.to_string()).push(" AND t.key_date <= ").bind(last.to_string());
    sql.push(") due GROUP BY w, currency ORDER BY w, currency");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "contract_terms");
            let window = c.count("w")?;
            Ok(DueTotal {
                window: usize::try_from(window).map_err(|e| c.bad("w", &window.to_string(), e))?,
                currency: c.text("currency")?,
                terms: c.i64("n")?,
                value_minor: c.opt_money_minor("total")?,
            })
        })
        .collect()
}

/// The two kinds of calendar event: a term's date column, the kind, and when the date counts.
const HALVES: [(&str, DateKind, &str); 2] =
    [("cancel_by", DateKind::CancelBy, " AND c.auto_renew = 1"), ("end_date", DateKind::End, "")];

/// The terms and contracts an event filter reads (the vendor only for free text).
fn push_event_from(sql: &mut Sql, f: &ContractFilter) {
    sql.push(" FROM contract_terms t JOIN contracts c ON c.id = t.contract_id");
    if f.q.is_some() {
        sql.push(" JOIN vendors v ON v.id = c.vendor_id");
    }
    push_filter(sql, f);
}

/// How many events of one kind fall on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub kind: DateKind,
    pub count: i64,
}

/// Events per day and kind in `from..=to`, by day, cancel-by before end. Each kind is grouped in the order of its
/// `(date, contract_id)` index, so only the list of days is sorted, never the range's events.
pub async fn day_counts(
    db: &AnyPool,
    backend: Backend,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayCount>, sqlx::Error> {
    let mut sql = Sql::new("SELECT day, kind, n FROM (");
    for (i, (column, kind, only)) in HALVES.into_iter().enumerate() {
        sql.push(if i == 0 { "SELECT t." } else { " UNION ALL SELECT t." }).push(column);
        sql.push(" AS day, '").push(kind.as_str()).push("' AS kind, COUNT(*) AS n");
        if only.is_empty() && f.is_everything() {
            // Counting every term's end date reads the terms' index alone.
            sql.push(" FROM contract_terms t WHERE 1 = 1");
        } else {
            push_event_from(&mut sql, f);
        }
        sql.push(only).push(" AND t.").push(column).push(" >= ").bind(from.to_string());
        sql.push(" AND t.").push(column).push(" <= ").bind(to.to_string()).push(" GROUP BY t.").push(column);
    }
    sql.push(") x ORDER BY day, kind");
    document::fetch(db, backend, &sql, &["day", "kind", "n"]).await?.map("contract_terms", |c| {
        Ok(DayCount { date: c.date("day")?, kind: c.parsed("kind", DateKind::parse)?, count: c.i64("n")? })
    })
}

/// One event: a term's date of one kind, with what it shows.
#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DateKind,
    pub term_id: i64,
    pub row: CalendarRow,
}

/// For every day in `from..=to` and each kind, its first `per_kind` events by contract (then term), in no
/// particular order: a day's first N events, whatever their kinds, are among these with `per_kind = N`.
///
/// Each day takes its few from the `(date, contract_id)` index and stops, so the cost follows the days and
/// `per_kind`, not how many events the range holds. The per-day pick is a correlated subquery: SQLite serves
/// `t.id IN (...)` as key lookups; PostgreSQL, which would run it against every term, takes it as a LATERAL join
/// that reads the whole event, so its contracts are looked up per event rather than hashed all at once.
pub async fn day_events(
    db: &AnyPool,
    backend: Backend,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
    per_kind: i64,
) -> Result<Vec<CalendarEntry>, sqlx::Error> {
    let mut sql = Sql::default();
    for (i, (column, kind, only)) in HALVES.into_iter().enumerate() {
        sql.push(if i == 0 { "SELECT d.day, '" } else { " UNION ALL SELECT d.day, '" }).push(kind.as_str());
        match backend {
            Backend::Sqlite => sql.push("' AS kind, t.id AS term_id, ").push(ROW_COLUMNS),
            Backend::Postgres => sql.push("' AS kind, pick.*"),
        };
        sql.push(" FROM (SELECT DISTINCT ").push(column).push(" AS day FROM contract_terms WHERE ").push(column);
        sql.push(" >= ").bind(from.to_string()).push(" AND ").push(column).push(" <= ").bind(to.to_string());
        sql.push(") d ");
        let first_of_day = |sql: &mut Sql| {
            sql.push(only).push(" AND t.").push(column).push(" = d.day ORDER BY t.contract_id, t.id LIMIT ");
            sql.bind(per_kind);
        };
        match backend {
            Backend::Sqlite => {
                sql.push("JOIN contract_terms t ON t.id IN (SELECT t.id");
                push_event_from(&mut sql, f);
                first_of_day(&mut sql);
                sql.push(") JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id");
            }
            Backend::Postgres => {
                sql.push("CROSS JOIN LATERAL (SELECT t.id AS term_id, ").push(ROW_COLUMNS).push(ROW_FROM);
                push_filter(&mut sql, f);
                first_of_day(&mut sql);
                sql.push(") pick");
            }
        }
    }
    let fields: Vec<&str> = ["day", "kind", "term_id"].into_iter().chain(ROW_FIELDS).collect();
    document::fetch(db, backend, &sql, &fields).await?.map("contract_terms", |t| {
        Ok(CalendarEntry {
            date: t.date("day")?,
            kind: t.parsed("kind", DateKind::parse)?,
            term_id: t.i64("term_id")?,
            row: calendar_row_from(t)?,
        })
    })
}

/// Contracts a user owns (a covered pool's owner is their person) or watches, for their calendar feed.
pub async fn feed_contract_ids(db: &AnyPool, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT p.contract_id FROM pools p JOIN people o ON o.id = p.owner_id JOIN users u \
           ON (u.person_id = o.id OR LOWER(u.email) = LOWER(o.email)) \
         WHERE u.id = $1 AND p.contract_id IS NOT NULL \
         UNION SELECT contract_id FROM contract_watchers WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}
