//! Renewal alerts and who they were sent to.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Alert, AlertCounts, AlertStatus, DateKind, Decision, Ref};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::pools::DepartmentScope;
use super::{date, parse_enum, Conn, Sql};
use crate::clock::{from_db, to_db};
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
}

/// Raise an alert; `None` when it was raised before (by this or another instance): the key is unique.
pub async fn insert(conn: &mut Conn, a: &NewAlert<'_>, now: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO alerts (dedupe_key, contract_id, term_id, kind, stage_days, due_date, fired_on, created_at, \
         status, assigned_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) \
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
    .fetch_optional(conn)
    .await
}

/// Whoever the contract's latest active alert was assigned to, so a new stage keeps the assignee.
pub async fn current_assignee(conn: &mut Conn, contract_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let v: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT assigned_to FROM alerts WHERE contract_id = $1 AND status IN ('open', 'acknowledged', 'snoozed') \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(contract_id)
    .fetch_optional(conn)
    .await?;
    Ok(v.flatten())
}

/// Retire the contract's other active alerts (a later stage or a decision replaces them).
pub async fn supersede_others(conn: &mut Conn, contract_id: i64, keep: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE alerts SET status = 'superseded' WHERE contract_id = $1 AND id <> $2 \
         AND status IN ('open', 'acknowledged', 'snoozed')",
    )
    .bind(contract_id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn add_recipients(conn: &mut Conn, alert_id: i64, to: &[(String, Option<i64>)]) -> Result<(), sqlx::Error> {
    for (email, user_id) in to {
        sqlx::query("INSERT INTO alert_recipients (alert_id, email, user_id) VALUES ($1, $2, $3)")
            .bind(alert_id)
            .bind(email)
            .bind(*user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Which alerts an inbox shows: a query parameter of the alert list, so it is one of the shared types.
pub use seatwise_types::Inbox;

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub scope: DepartmentScope,
    pub inbox: Inbox,
    /// Only alerts sent or assigned to this user.
    pub mine: Option<i64>,
    pub contract_id: Option<i64>,
    pub today: NaiveDate,
    /// Column to order by and whether descending; by date that matters when none.
    pub sort: Option<(AlertSort, bool)>,
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
     a.decided_at";

const ALERT_FROM: &str =
    " FROM alerts a JOIN contracts c ON c.id = a.contract_id JOIN vendors v ON v.id = c.vendor_id \
     JOIN contract_terms t ON t.id = a.term_id LEFT JOIN users u ON u.id = a.assigned_to";

fn push_filter(sql: &mut Sql, f: &AlertFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(scope) = &f.scope {
        sql.push(" AND EXISTS (SELECT 1 FROM pools sp WHERE sp.contract_id = a.contract_id AND ");
        sql.push_in("sp.department_id", scope).push(")");
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
}

fn alert_from_row(r: &AnyRow, today: NaiveDate) -> Result<Alert, sqlx::Error> {
    let due_date = date(&r.try_get::<String, _>("due_date")?)?;
    let days_left = (due_date - today).num_days();
    let assigned: Option<i64> = r.try_get("assigned_to")?;
    let decision: Option<String> = r.try_get("decision")?;
    let snoozed: Option<String> = r.try_get("snoozed_until")?;
    let decided_at: Option<String> = r.try_get("decided_at")?;
    Ok(Alert {
        id: r.try_get("id")?,
        contract_id: r.try_get("contract_id")?,
        contract_number: r.try_get("number")?,
        contract_title: r.try_get("title")?,
        vendor: r.try_get("vendor_name")?,
        kind: parse_enum(&r.try_get::<String, _>("kind")?, DateKind::parse)?,
        stage_days: r.try_get("stage_days")?,
        due_date,
        end_date: date(&r.try_get::<String, _>("end_date")?)?,
        cancel_by: if r.try_get::<i64, _>("auto_renew")? != 0 {
            Some(date(&r.try_get::<String, _>("cancel_by")?)?)
        } else {
            None
        },
        days_left,
        urgency: urgency(days_left),
        fired_on: date(&r.try_get::<String, _>("fired_on")?)?,
        status: parse_enum(&r.try_get::<String, _>("status")?, AlertStatus::parse)?,
        snoozed_until: snoozed.map(|s| date(&s)).transpose()?,
        assigned_to: match assigned {
            Some(id) => Some(Ref { id, name: r.try_get("assigned_name")? }),
            None => None,
        },
        acknowledged_by: r.try_get("acknowledged_by")?,
        decision: decision.map(|d| parse_enum(&d, Decision::parse)).transpose()?,
        decision_comment: r.try_get("decision_comment")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: decided_at.map(|d| from_db(&d)),
    })
}

pub async fn list(pool: &AnyPool, f: &AlertFilter, page: i64, per_page: i64) -> Result<(Vec<Alert>, i64), sqlx::Error> {
    let total = count(pool, f).await?;
    let mut sql = Sql::new(ALERT_SELECT);
    sql.push(ALERT_FROM);
    push_filter(&mut sql, f);
    let (column, desc) = f.sort.map_or(("a.due_date", false), |(s, d)| (s.column(), d));
    sql.push(" ORDER BY ").push(column).push(if desc { " DESC" } else { "" });
    sql.push(", a.id LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let rows = sql.query().fetch_all(pool).await?;
    Ok((rows.iter().map(|r| alert_from_row(r, f.today)).collect::<Result<_, _>>()?, total))
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

async fn count(pool: &AnyPool, f: &AlertFilter) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*)");
    sql.push(ALERT_FROM);
    push_filter(&mut sql, f);
    sql.query_scalar().fetch_one(pool).await
}

pub async fn counts(
    pool: &AnyPool,
    scope: &DepartmentScope,
    user_id: i64,
    today: NaiveDate,
) -> Result<AlertCounts, sqlx::Error> {
    let all = AlertFilter { scope: scope.clone(), today, ..Default::default() };
    let mine = AlertFilter { mine: Some(user_id), ..all.clone() };
    Ok(AlertCounts { needs_action: count(pool, &all).await?, mine: count(pool, &mine).await? })
}

/// The alert states a person may still act on (a decision or a later stage retires the others).
const ACTIVE: &str = "('open', 'acknowledged', 'snoozed')";

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
    let text = format!(
        "UPDATE alerts SET status = 'decided', snoozed_until = NULL, decision = $1, decision_comment = $2, \
         decided_by = $3, decided_at = $4 WHERE id = $5 AND status IN {ACTIVE}"
    );
    let done = sqlx::query(&text)
        .bind(decision.as_str())
        .bind(comment)
        .bind(by)
        .bind(to_db(at))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Users who received an alert.
pub async fn recipient_emails(pool: &AnyPool, alert_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM alert_recipients WHERE alert_id = $1 ORDER BY email")
        .bind(alert_id)
        .fetch_all(pool)
        .await
}

/// The contract an alert is about.
pub async fn contract_of(pool: &AnyPool, alert_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT contract_id FROM alerts WHERE id = $1").bind(alert_id).fetch_optional(pool).await
}
