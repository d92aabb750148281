//! Organisation settings, daily job claims, the mail outbox and calendar feed tokens: the tables background work
//! coordinates through, so several instances on one database never do the same work twice.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Any, AnyPool, Executor};

use super::decode::Cols;
use super::Conn;
use crate::clock::to_db;

/// The settings row's version (read it before `org_settings`: a write in between then makes the pair stale, never
/// newer-looking than the values, so a client's If-Match cannot skip a change).
pub async fn org_settings_version<'e, E: Executor<'e, Database = Any>>(exec: E) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM org_settings WHERE id = 1").fetch_one(exec).await
}

/// The organisation settings row as stored (the service parses and checks the values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettingsRow {
    pub timezone: String,
    /// Alert stages in days, comma-separated.
    pub alert_stages: String,
    pub rolling_review_months: i64,
    pub daily_run_hour: i64,
    pub reporting_currency: String,
    pub right_size_buffer_percent: i64,
}

pub async fn org_settings<'e, E: Executor<'e, Database = Any>>(exec: E) -> Result<OrgSettingsRow, sqlx::Error> {
    let r = sqlx::query(
        "SELECT timezone, alert_stages, rolling_review_months, daily_run_hour, reporting_currency, \
         right_size_buffer_percent FROM org_settings WHERE id = 1",
    )
    .fetch_one(exec)
    .await?;
    let c = Cols::new(&r, "org_settings");
    Ok(OrgSettingsRow {
        timezone: c.text("timezone")?,
        alert_stages: c.text("alert_stages")?,
        rolling_review_months: c.i64("rolling_review_months")?,
        daily_run_hour: c.i64("daily_run_hour")?,
        reporting_currency: c.text("reporting_currency")?,
        right_size_buffer_percent: c.i64("right_size_buffer_percent")?,
    })
}

pub async fn save_org_settings(conn: &mut Conn, row: &OrgSettingsRow, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE org_settings SET timezone = $1, alert_stages = $2, rolling_review_months = $3, daily_run_hour = $4, \
         reporting_currency = $5, right_size_buffer_percent = $6, updated_at = $7 WHERE id = 1",
    )
    .bind(&row.timezone)
    .bind(&row.alert_stages)
    .bind(row.rolling_review_months)
    .bind(row.daily_run_hour)
    .bind(&row.reporting_currency)
    .bind(row.right_size_buffer_percent)
    .bind(to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Claim a job's run for an organisation day. True for exactly one claimant, unless the holder's lease ran out
/// without finishing (it crashed); then the next caller takes it over.
pub async fn claim_run(
    db: &AnyPool,
    job: &str,
    day: NaiveDate,
    instance: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<bool, sqlx::Error> {
    let until = to_db(now + lease);
    let inserted = sqlx::query(
        "INSERT INTO job_runs (job, run_date, claimed_by, claimed_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job, run_date) DO NOTHING",
    )
    .bind(job)
    .bind(day.to_string())
    .bind(instance)
    .bind(&until)
    .execute(db)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(true);
    }
    let taken = sqlx::query(
        "UPDATE job_runs SET claimed_by = $1, claimed_until = $2 WHERE job = $3 AND run_date = $4 \
         AND finished_at IS NULL AND claimed_until < $5",
    )
    .bind(instance)
    .bind(&until)
    .bind(job)
    .bind(day.to_string())
    .bind(to_db(now))
    .execute(db)
    .await?;
    Ok(taken.rows_affected() == 1)
}

pub async fn finish_run(
    db: &AnyPool,
    job: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
    summary: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_runs SET finished_at = $1, summary = $2 WHERE job = $3 AND run_date = $4")
        .bind(to_db(now))
        .bind(summary)
        .bind(job)
        .bind(day.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// A finished run of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRun {
    pub day: NaiveDate,
    pub finished_at: DateTime<Utc>,
    pub summary: String,
}

/// The most recent finished run of a job.
pub async fn last_run(db: &AnyPool, job: &str) -> Result<Option<FinishedRun>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT run_date, finished_at, summary FROM job_runs WHERE job = $1 AND finished_at IS NOT NULL \
         ORDER BY run_date DESC LIMIT 1",
    )
    .bind(job)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let c = Cols::new(&r, "job_runs");
        Ok(FinishedRun {
            day: c.date("run_date")?,
            finished_at: c.timestamp("finished_at")?,
            summary: c.text("summary")?,
        })
    })
    .transpose()
}

/// The mail outbox: messages waiting to be sent.
const MAIL: super::outbox::Outbox = super::outbox::Outbox { table: "outbox", due: "status = 'pending'" };

pub struct Mail<'a> {
    pub alert_id: Option<i64>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

pub async fn queue_mail(conn: &mut Conn, m: &Mail<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (alert_id, recipient, subject, body_text, body_html, created_at, status, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $6)",
    )
    .bind(m.alert_id)
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.text)
    .bind(m.html)
    .bind(to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub alert_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attempts: i64,
}

/// Lease up to `limit` due messages to this sender. The status and lease are checked again by the UPDATE itself,
/// so two senders racing for the same row cannot both win it.
pub async fn claim_mail(
    db: &AnyPool,
    token: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<QueuedMail>, sqlx::Error> {
    super::outbox::claim(db, &MAIL, token, now, lease, limit).await?;
    let rows = sqlx::query(
        "SELECT id, alert_id, recipient, subject, body_text, body_html, attempts FROM outbox WHERE status = 'pending' \
         AND claim_token = $1 ORDER BY id",
    )
    .bind(token)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "outbox");
            Ok(QueuedMail {
                id: c.i64("id")?,
                alert_id: c.opt_i64("alert_id")?,
                recipient: c.text("recipient")?,
                subject: c.text("subject")?,
                text: c.text("body_text")?,
                html: c.text("body_html")?,
                attempts: c.i64("attempts")?,
            })
        })
        .collect()
}

/// Extend this sender's lease on one message right before sending it; false when the lease ran out and another
/// sender took the message over (or it is no longer pending), and then it must not be sent by us.
pub async fn renew_claim(db: &AnyPool, id: i64, token: &str, until: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    super::outbox::renew(db, &MAIL, id, token, until).await
}

/// Mark a message sent, if the claim is still ours.
pub async fn mail_sent(db: &AnyPool, id: i64, token: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, claimed_until = NULL, \
         claim_token = NULL, last_error = NULL WHERE id = $2 AND claim_token = $3",
    )
    .bind(to_db(now))
    .bind(id)
    .bind(token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record a failed attempt: retry at `retry_at`, or give up (`None`). Only while the claim is ours.
pub async fn mail_failed(
    db: &AnyPool,
    id: i64,
    token: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = $1, attempts = attempts + 1, next_attempt_at = COALESCE($2, next_attempt_at), \
         claimed_until = NULL, claim_token = NULL, last_error = $3 WHERE id = $4 AND claim_token = $5",
    )
    .bind(if retry_at.is_some() { "pending" } else { "failed" })
    .bind(retry_at.map(to_db))
    .bind(error)
    .bind(id)
    .bind(token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Give up on a message without sending it (its recipient may no longer read what it is about).
pub async fn mail_withheld(db: &AnyPool, id: i64, token: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'failed', claimed_until = NULL, claim_token = NULL, last_error = $1 \
         WHERE id = $2 AND claim_token = $3",
    )
    .bind(reason)
    .bind(id)
    .bind(token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Messages in the outbox by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn outbox_counts(db: &AnyPool) -> Result<OutboxCounts, sqlx::Error> {
    let r = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
         COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed FROM outbox",
    )
    .fetch_one(db)
    .await?;
    let c = Cols::new(&r, "outbox");
    Ok(OutboxCounts { pending: c.i64("pending")?, sent: c.i64("sent")?, failed: c.i64("failed")? })
}

/// Replace a user's calendar feed token (the old address stops working).
pub async fn replace_feed(
    conn: &mut Conn,
    user_id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    revoke_feeds(conn, user_id, now).await?;
    sqlx::query("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(token_hash)
        .bind(to_db(now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_feeds(conn: &mut Conn, user_id: i64, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(to_db(now))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// A user's active calendar feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feed {
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The active feed of a user.
pub async fn feed_of(db: &AnyPool, user_id: i64) -> Result<Option<Feed>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT created_at, last_used_at FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let c = Cols::new(&r, "calendar_feeds");
        Ok(Feed { created_at: c.timestamp("created_at")?, last_used_at: c.opt_timestamp("last_used_at")? })
    })
    .transpose()
}

/// The user a live feed token belongs to, noting the use.
pub async fn feed_user(db: &AnyPool, token_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE calendar_feeds SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING user_id",
    )
    .bind(to_db(now))
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(user)
}
