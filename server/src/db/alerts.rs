//! Renewal alerts and who they were sent to.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Alert, AlertCounts, AlertStatus, DateKind, Decision, Page, Ref};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::decode::Cols;
use super::pools::PoolScope;
use super::{Conn, Sort, Sql};
use crate::clock::to_db;
use crate::domain::alerts::OPEN_STATUSES;
use crate::domain::renewals::urgency;

pub struct NewAlert<'a> {
    pub key: &'a str,
    pub contract_id: i64,
    pub term_id: i64,
    pub kind: DateKind,
    pub stage_days: Option<i64>,
    pub due_date: NaiveDate,
    pub fired_on: NaiveDate,
    pub assigned_to: Option<i64>,
    pub missed: bool,
}

/// Raise an alert; `None` when it was raised before (by this or another instance): the key is unique.
pub async fn insert(conn: &mut Conn, a: &NewAlert<'_>, now: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO alerts (dedupe_key, contract_id, term_id, kind, stage_days, due_date, fired_on, created_at, \
         status, assigned_to, missed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(a.key)
    .bind(a.contract_id)
    .bind(a.term_id)
    .bind(a.kind.as_str())
    .bind(a.stage_days)
    .bind(a.due_date.to_string())
    .bind(a.fired_on.to_string())
    .bind(to_db(now))
    .bind(a.assigned_to)
    .bind(i64::from(a.missed))
    .fetch_optional(conn)
    .await
}

/// Whoever the contract's latest active alert was assigned to, so a new stage keeps the assignee.
pub async fn current_assignee(conn: &mut Conn, contract_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT assigned_to FROM alerts WHERE contract_id = ");
    sql.bind(contract_id).push(" AND ").push_in_text("status", &open_statuses()).push(" ORDER BY id DESC LIMIT 1");
    let v: Option<Option<i64>> = sql.query_scalar().fetch_optional(conn).await?;
    Ok(v.flatten())
}

/// Retire the contract's other active alerts (a later stage or a decision replaces them).
pub async fn supersede_others(conn: &mut Conn, contract_id: i64, keep: i64) -> Result<u64, sqlx::Error> {
    let mut sql = Sql::new("UPDATE alerts SET status = 'superseded' WHERE contract_id = ");
    sql.bind(contract_id).push(" AND id <> ").bind(keep).push(" AND ").push_in_text("status", &open_statuses());
    Ok(sql.query().execute(conn).await?.rows_affected())
}

/// Someone who hears about an alert: an address, and the login behind it if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub user_id: Option<i64>,
}

pub async fn add_recipients(conn: &mut Conn, alert_id: i64, to: &[Recipient]) -> Result<(), sqlx::Error> {
    for r in to {
        sqlx::query("INSERT INTO alert_recipients (alert_id, email, user_id) VALUES ($1, $2, $3)")
            .bind(alert_id)
            .bind(&r.email)
            .bind(r.user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Which alerts an inbox shows: a query parameter of the alert list, so it is one of the shared types.
pub use seatwise_types::Inbox;

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub scope: PoolScope,
    pub inbox: Inbox,
    /// Only alerts sent or assigned to this user.
    pub mine: Option<i64>,
    pub contract_id: Option<i64>,
    /// Only missed cancel-by alerts, or only the others.
    pub missed: Option<bool>,
    pub today: NaiveDate,
    /// Column to order by and whether descending; by date that matters when none.
    pub sort: Option<Sort<AlertSort>>,
}

/// Orders of the alert list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertSort {
    DueDate,
    FiredOn,
    Contract,
    Status,
}

impl AlertSort {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "due_date" => Self::DueDate,
            "fired_on" => Self::FiredOn,
            "contract" => Self::Contract,
            "status" => Self::Status,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            Self::DueDate => "a.due_date",
            Self::FiredOn => "a.fired_on",
            Self::Contract => "LOWER(c.title)",
            Self::Status => "a.status",
        }
    }
}

const ALERT_SELECT: &str = "SELECT a.id, a.contract_id, c.number, c.title, v.name AS vendor_name, a.kind, \
     a.stage_days, a.due_date, t.end_date, t.cancel_by, c.auto_renew, a.fired_on, a.status, a.snoozed_until, \
     a.assigned_to, u.name AS assigned_name, a.acknowledged_by, a.decision, a.decision_comment, a.decided_by, \
     a.decided_at, a.missed";

const ALERT_FROM: &str =
    " FROM alerts a JOIN contracts c ON c.id = a.contract_id JOIN vendors v ON v.id = c.vendor_id \
     JOIN contract_terms t ON t.id = a.term_id LEFT JOIN users u ON u.id = a.assigned_to";

fn push_filter(sql: &mut Sql, f: &AlertFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(scope) = &f.scope {
        sql.push(" AND EXISTS (SELECT 1 FROM pools sp WHERE sp.contract_id = a.contract_id AND ");
        sql.push_reach("sp", scope).push(")");
    }
    let today = f.today.to_string();
    match f.inbox {
        Inbox::NeedsAction => {
            sql.push(" AND (a.status IN ('open', 'acknowledged') OR (a.status = 'snoozed' AND a.snoozed_until <= ");
            sql.bind(today).push("))");
        }
        Inbox::Snoozed => {
            sql.push(" AND a.status = 'snoozed' AND a.snoozed_until > ").bind(today);
        }
        Inbox::Decided => {
            sql.push(" AND a.status = 'decided'");
        }
        Inbox::All => {}
    }
    if let Some(user) = f.mine {
        sql.push(" AND (a.assigned_to = ").bind(user);
        sql.push(" OR EXISTS (SELECT 1 FROM alert_recipients r WHERE r.alert_id = a.id AND r.user_id = ");
        sql.bind(user).push("))");
    }
    if let Some(c) = f.contract_id {
        sql.push(" AND a.contract_id = ").bind(c);
    }
    if let Some(missed) = f.missed {
        sql.push(" AND a.missed = ").bind(i64::from(missed));
    }
}

fn alert_from_row(r: &AnyRow, today: NaiveDate) -> Result<Alert, sqlx::Error> {
    let c = Cols::new(r, "alerts");
    let due_date = c.date("due_date")?;
    let days_left = (due_date - today).num_days();
    Ok(Alert {
        id: c.i64("id")?,
        contract_id: c.i64("contract_id")?,
        contract_number: c.text("number")?,
        contract_title: c.text("title")?,
        vendor: c.text("vendor_name")?,
        kind: c.parsed("kind", DateKind::parse)?,
        stage_days: c.opt_i64("stage_days")?,
        due_date,
        end_date: c.date("end_date")?,
        cancel_by: if c.flag("auto_renew")? { Some(c.date("cancel_by")?) } else { None },
        days_left,
        urgency: urgency(days_left),
        fired_on: c.date("fired_on")?,
        status: c.parsed("status", AlertStatus::parse)?,
        snoozed_until: c.opt_date("snoozed_until")?,
        assigned_to: match c.opt_i64("assigned_to")? {
            Some(id) => Some(Ref { id, name: c.text("assigned_name")? }),
            None => None,
        },
        acknowledged_by: c.opt_text("acknowledged_by")?,
        decision: c.opt_parsed("decision", Decision::parse)?,
        decision_comment: c.opt_text("decision_comment")?,
        decided_by: c.opt_text("decided_by")?,
        decided_at: c.opt_timestamp("decided_at")?,
        missed: c.flag("missed")?,
    })
}

pub async fn list(db: &AnyPool, f: &AlertFilter, page: i64, per_page: i64) -> Result<Page<Alert>, sqlx::Error> {
    let total = count(db, f).await?;
    let mut sql = Sql::new(ALERT_SELECT);
    sql.push(ALERT_FROM);
    push_filter(&mut sql, f);
    let (column, desc) = f.sort.map_or(("a.due_date", false), |s| (s.key.column(), s.descending));
    sql.push(" ORDER BY ").push(column).push(if desc { " DESC" } else { "" });
    sql.push(", a.id LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let rows = sql.query().fetch_all(db).await?;
    let items = rows.iter().map(|r| alert_from_row(r, f.today)).collect::<Result<_, _>>()?;
    Ok(Page { items, total, page, per_page })
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    id: i64,
    today: NaiveDate,
) -> Result<Option<Alert>, sqlx::Error> {
    let mut sql = Sql::new(ALERT_SELECT);
    sql.push(ALERT_FROM).push(" WHERE a.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.map(|r| alert_from_row(&r, today)).transpose()
}

async fn count(db: &AnyPool, f: &AlertFilter) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*)");
    sql.push(ALERT_FROM);
    push_filter(&mut sql, f);
    sql.query_scalar().fetch_one(db).await
}

pub async fn counts(
    db: &AnyPool,
    scope: &PoolScope,
    user_id: i64,
    today: NaiveDate,
) -> Result<AlertCounts, sqlx::Error> {
    let all = AlertFilter { scope: scope.clone(), today, ..Default::default() };
    let mine = AlertFilter { mine: Some(user_id), ..all.clone() };
    Ok(AlertCounts { needs_action: count(db, &all).await?, mine: count(db, &mine).await? })
}

/// The names of `domain::alerts::OPEN_STATUSES`, as stored.
pub fn open_statuses() -> [&'static str; OPEN_STATUSES.len()] {
    OPEN_STATUSES.map(AlertStatus::as_str)
}

/// Acknowledge an alert that is still in the state the caller read (`expected`); false when it moved meanwhile
/// (decided, superseded, or changed by someone else), and then nothing is written.
pub async fn acknowledge(
    conn: &mut Conn,
    id: i64,
    expected: AlertStatus,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE alerts SET status = 'acknowledged', snoozed_until = NULL, acknowledged_by = $1, acknowledged_at = $2 \
         WHERE id = $3 AND status = $4",
    )
    .bind(by)
    .bind(to_db(at))
    .bind(id)
    .bind(expected.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Take the alert's row lock for the rest of the transaction (a no-op write, which locks on SQLite and
/// PostgreSQL alike), so what is read next is what the change replaces. False when the alert is gone.
pub async fn lock(conn: &mut Conn, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE alerts SET status = status WHERE id = $1").bind(id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Snooze an alert still in the `expected` state; false when it moved.
pub async fn snooze(conn: &mut Conn, id: i64, expected: AlertStatus, until: NaiveDate) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE alerts SET status = 'snoozed', snoozed_until = $1 WHERE id = $2 AND status = $3")
        .bind(until.to_string())
        .bind(id)
        .bind(expected.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Assign an alert still in the `expected` state; false when it moved.
pub async fn assign(
    conn: &mut Conn,
    id: i64,
    expected: AlertStatus,
    user_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE alerts SET assigned_to = $1 WHERE id = $2 AND status = $3")
        .bind(user_id)
        .bind(id)
        .bind(expected.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Record a decision on an alert that is still active; false when it was decided or superseded meanwhile.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    decision: Decision,
    comment: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE alerts SET status = 'decided', snoozed_until = NULL, decision = ");
    sql.bind(decision.as_str()).push(", decision_comment = ").bind(comment).push(", decided_by = ").bind(by);
    sql.push(", decided_at = ").bind(to_db(at)).push(" WHERE id = ").bind(id);
    sql.push(" AND ").push_in_text("status", &open_statuses());
    Ok(sql.query().execute(conn).await?.rows_affected() == 1)
}

/// Users who received an alert.
pub async fn recipient_emails(db: &AnyPool, alert_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM alert_recipients WHERE alert_id = $1 ORDER BY email")
        .bind(alert_id)
        .fetch_all(db)
        .await
}

/// The contract an alert is about.
pub async fn contract_of(db: &AnyPool, alert_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT contract_id FROM alerts WHERE id = $1").bind(alert_id).fetch_optional(db).await
}
