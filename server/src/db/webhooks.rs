//! Webhooks, the events each takes, and their deliveries (an outbox claimed like the mail's). The sealed secret
//! is read only for signing.

use chrono::{DateTime, Utc};
use seatwise_types::{DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};

pub async fn insert(
    conn: &mut Conn,
    name: &str,
    url: &str,
    sealed_secret: &str,
    events: &[WebhookEvent],
    by: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhooks (name, url, secret, active, created_at, created_by) VALUES ($1, $2, $3, 1, $4, $5) \
         RETURNING id",
    )
    .bind(name)
    .bind(url)
    .bind(sealed_secret)
    .bind(to_db(now))
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    for e in events {
        sqlx::query("INSERT INTO webhook_events (webhook_id, event) VALUES ($1, $2)")
            .bind(id)
            .bind(e.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

const SELECT: &str = "SELECT w.id, w.name, w.url, w.active, w.created_at, w.created_by, \
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending') AS pending, \
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed') AS failed \
    FROM webhooks w";

fn webhook_from(r: &AnyRow) -> Result<Webhook, sqlx::Error> {
    let c = Cols::new(r, "webhooks");
    Ok(Webhook {
        id: c.i64("id")?,
        name: c.text("name")?,
        url: c.text("url")?,
        events: Vec::new(),
        active: c.flag("active")?,
        secret: None,
        pending: c.i64("pending")?,
        failed: c.i64("failed")?,
        created_at: c.timestamp("created_at")?,
        created_by: c.text("created_by")?,
    })
}

/// Webhooks (all, or the one `id`), with their events.
pub async fn list(conn: &mut Conn, id: Option<i64>) -> Result<Vec<Webhook>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    if let Some(id) = id {
        sql.push(" WHERE w.id = ").bind(id);
    }
    sql.push(" ORDER BY w.id");
    let mut hooks: Vec<Webhook> =
        sql.query().fetch_all(&mut *conn).await?.iter().map(webhook_from).collect::<Result<_, _>>()?;
    let rows =
        sqlx::query("SELECT webhook_id, event FROM webhook_events ORDER BY webhook_id, event").fetch_all(conn).await?;
    for r in rows {
        let c = Cols::new(&r, "webhook_events");
        let (hook, event) = (c.i64("webhook_id")?, c.parsed("event", WebhookEvent::parse)?);
        if let Some(h) = hooks.iter_mut().find(|h| h.id == hook) {
            h.events.push(event);
        }
    }
    for h in &mut hooks {
        h.events.sort_by_key(|e| WebhookEvent::ALL.iter().position(|a| a == e));
    }
    Ok(hooks)
}

/// Queue `event` with each of `bodies` (JSON text) for every active webhook that takes it; how many deliveries.
pub async fn enqueue(
    conn: &mut Conn,
    event: WebhookEvent,
    bodies: &[String],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let rows: Vec<(&str,)> = bodies.iter().map(|b| (b.as_str(),)).collect();
    let at = to_db(now);
    let args: [&str; 2] = [event.as_str(), &at];
    let statement = Statement {
        sql: "INSERT INTO webhook_deliveries (webhook_id, event, body, status, next_attempt_at, created_at) \
              SELECT w.id, $2, r.body, 'pending', $3, $3 FROM {rows} \
              JOIN webhook_events e ON e.event = $2 JOIN webhooks w ON w.id = e.webhook_id AND w.active = 1 \
              ORDER BY r.n, w.id",
        cols: &[Col::Text("body")],
        args: &args,
    };
    bulk::execute(conn, &statement, &rows).await
}

/// Whether any active webhook takes `event` (when none does, events cost nothing).
pub async fn wanted(conn: &mut Conn, event: WebhookEvent) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_events e JOIN webhooks w ON w.id = e.webhook_id WHERE e.event = $1 \
         AND w.active = 1",
    )
    .bind(event.as_str())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A claimed delivery, with where and how to send it.
pub struct Claimed {
    pub id: i64,
    pub webhook_id: i64,
    pub event: WebhookEvent,
    pub body: String,
    pub url: String,
    pub sealed_secret: String,
    pub attempts: i64,
}

/// Claim up to `limit` due deliveries under `token` until `now + lease`.
pub async fn claim(
    db: &AnyPool,
    token: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let deliveries = super::outbox::Outbox { table: "webhook_deliveries", due: "status = 'pending'" };
    super::outbox::claim(db, &deliveries, token, now, lease, limit).await?;
    let rows = sqlx::query(
        "SELECT d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret FROM webhook_deliveries d \
         JOIN webhooks w ON w.id = d.webhook_id WHERE d.claim_token = $1 AND d.status = 'pending' ORDER BY d.id",
    )
    .bind(token)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "webhook_deliveries");
            Ok(Claimed {
                id: c.i64("id")?,
                webhook_id: c.i64("webhook_id")?,
                event: c.parsed("event", WebhookEvent::parse)?,
                body: c.text("body")?,
                url: c.of("webhooks").text("url")?,
                sealed_secret: c.of("webhooks").text("secret")?,
                attempts: c.i64("attempts")?,
            })
        })
        .collect()
}

/// What one attempt did.
pub struct Attempted {
    pub status: DeliveryStatus,
    pub last_error: Option<String>,
    pub response_status: Option<i64>,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Record an attempt under the claim (a delivery whose claim was taken over is left to its new sender).
pub async fn settle(db: &AnyPool, id: i64, token: &str, a: &Attempted) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_error = $2, response_status = $3, \
           next_attempt_at = $4, delivered_at = $5, claimed_until = NULL, claim_token = NULL \
         WHERE id = $6 AND claim_token = $7",
    )
    .bind(a.status.as_str())
    .bind(a.last_error.clone())
    .bind(a.response_status)
    .bind(to_db(a.next_attempt_at))
    .bind(a.delivered_at.map(to_db))
    .bind(id)
    .bind(token)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn delivery_from(r: &AnyRow) -> Result<WebhookDelivery, sqlx::Error> {
    let c = Cols::new(r, "webhook_deliveries");
    let status = c.parsed("status", DeliveryStatus::parse)?;
    Ok(WebhookDelivery {
        id: c.i64("id")?,
        webhook_id: c.i64("webhook_id")?,
        event: c.parsed("event", WebhookEvent::parse)?,
        status,
        attempts: c.i64("attempts")?,
        last_error: c.opt_text("last_error")?,
        response_status: c.opt_i64("response_status")?,
        body: c.json("body")?,
        created_at: c.timestamp("created_at")?,
        next_attempt_at: if status == DeliveryStatus::Pending { Some(c.timestamp("next_attempt_at")?) } else { None },
        delivered_at: c.opt_timestamp("delivered_at")?,
    })
}

/// A webhook's deliveries, newest first, and how many it has.
pub async fn deliveries(
    conn: &mut Conn,
    webhook_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<WebhookDelivery>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1")
        .bind(webhook_id)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(
        "SELECT id, webhook_id, event, status, attempts, last_error, response_status, body, created_at, \
         next_attempt_at, delivered_at FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC \
         LIMIT $2 OFFSET $3",
    )
    .bind(webhook_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows.iter().map(delivery_from).collect::<Result<_, _>>()?, total))
}
