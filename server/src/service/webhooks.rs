//! Webhooks (admins): chosen events posted as signed JSON to a service desk. An event is queued in the transaction
//! that made it (`emit`), so nothing is sent for a change that rolled back and nothing made is lost; deliveries
//! are claimed in the database, retried with a growing delay, and each is visible with its last answer.

use chrono::{DateTime, Utc};
use seatwise_types::{DeliveryStatus, Page, PageQuery, Webhook, WebhookDelivery, WebhookEvent, WebhookInput};
use serde::Serialize;

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::webhooks as store;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::connector::{retry_delay, MAX_ATTEMPTS};
use crate::domain::sealed::{self, CredentialsKey};
use crate::domain::secret::random_token;
use crate::domain::webhook as rules;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

/// How long one delivery may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const BATCH: i64 = 50;
const LEASE_MINUTES: i64 = 2;

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Page<Webhook>> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let items = store::list(&mut conn, None).await?;
    let total = items.len() as i64;
    Ok(Page { items, total, page: 1, per_page: total.max(1) })
}

/// Make a webhook; the answer carries its signing secret, this once.
pub async fn create(
    db: &Db,
    clock: &dyn Clock,
    key: Option<&CredentialsKey>,
    actor: &Actor,
    input: &WebhookInput,
) -> AppResult<Webhook> {
    access::may_manage_connectors(&actor.user)?;
    let errors = rules::validate(input);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let Some(key) = key else {
        return Err(AppError::Conflict(
            "Webhook secrets are sealed with the server's credentials key, and none is configured \
             (SEATWISE_CREDENTIALS_KEY or SEATWISE_CREDENTIALS_KEY_FILE)."
                .into(),
        ));
    };
    let secret = random_token("whsec_");
    let sealed_secret = sealed::seal(key, secret.as_bytes())
        .ok_or_else(|| AppError::internal("the webhook secret could not be sealed".to_string()))?;
    let now = clock.now();
    let who = actor.ledger_name();
    let mut tx = db.begin().await?;
    let (name, url) = (input.name.trim(), input.url.trim());
    let id = store::insert(&mut tx, name, url, &sealed_secret, &input.events, who, now).await?;
    let events: Vec<&str> = input.events.iter().map(|e| e.as_str()).collect();
    let record = serde_json::json!({"webhook_id": id, "name": name, "url": url, "events": events});
    ledger::record(&mut tx, now, who, Change::created("webhook.create", "webhook", Some(id), &record)).await?;
    let mut made = store::list(&mut tx, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(format!("webhook {id} vanished")))?;
    tx.commit().await?;
    made.secret = Some(secret);
    Ok(made)
}

/// A webhook's deliveries, newest first.
pub async fn deliveries(db: &Db, actor: &Actor, id: i64, q: &PageQuery) -> AppResult<Page<WebhookDelivery>> {
    access::may_manage_connectors(&actor.user)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let mut conn = db.read.acquire().await?;
    if store::list(&mut conn, Some(id)).await?.is_empty() {
        return Err(AppError::NotFound("webhook"));
    }
    let (items, total) = store::deliveries(&mut conn, id, per_page, (page - 1) * per_page).await?;
    Ok(Page { items, total, page, per_page })
}

/// Queue `event` once per item of `data` for the webhooks that take it, in the caller's transaction.
pub async fn emit<T: Serialize>(tx: &mut Conn, event: WebhookEvent, data: &[T], now: DateTime<Utc>) -> AppResult<()> {
    if data.is_empty() || !store::wanted(tx, event).await? {
        return Ok(());
    }
    let bodies = data
        .iter()
        .map(|d| {
            serde_json::to_string(&serde_json::json!({"event": event.as_str(), "occurred_at": now, "data": d}))
                .map_err(|e| AppError::internal_in("writing a webhook body", e))
        })
        .collect::<AppResult<Vec<String>>>()?;
    store::enqueue(tx, event, &bodies, now).await?;
    Ok(())
}

/// What one round of delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    pub delivered: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// Post every due delivery this instance can claim.
pub async fn deliver_due(db: &Db, clock: &dyn Clock, key: Option<&CredentialsKey>) -> AppResult<Posted> {
    let token = random_token("");
    let lease = chrono::Duration::minutes(LEASE_MINUTES);
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::internal_in("building the HTTP client", e))?;
    let mut out = Posted::default();
    loop {
        let batch = store::claim(&db.write, &token, clock.now(), lease, BATCH).await?;
        if batch.is_empty() {
            return Ok(out);
        }
        for d in batch {
            let now = clock.now();
            let sent = match key.and_then(|k| sealed::open(k, &d.sealed_secret)) {
                None => Err((None, "The webhook's secret does not open with the server's credentials key.".into())),
                Some(secret) => post(&http, &d, &String::from_utf8_lossy(&secret), now).await,
            };
            let attempted = match sent {
                Ok(status) => store::Attempted {
                    status: DeliveryStatus::Delivered,
                    last_error: None,
                    response_status: Some(status),
                    next_attempt_at: now,
                    delivered_at: Some(now),
                },
                Err((status, error)) => {
                    let gave_up = d.attempts + 1 >= MAX_ATTEMPTS;
                    store::Attempted {
                        status: if gave_up { DeliveryStatus::Failed } else { DeliveryStatus::Pending },
                        last_error: Some(error),
                        response_status: status,
                        next_attempt_at: now + retry_delay(d.attempts),
                        delivered_at: None,
                    }
                }
            };
            if store::settle(&db.write, d.id, &token, &attempted).await? {
                match attempted.status {
                    DeliveryStatus::Delivered => out.delivered += 1,
                    DeliveryStatus::Pending => out.retrying += 1,
                    DeliveryStatus::Failed => out.failed += 1,
                }
            }
        }
    }
}

/// POST one delivery, signed; the receiver's status when it took it (2xx), else that status (if any) and why.
async fn post(
    http: &reqwest::Client,
    d: &store::Claimed,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<i64, (Option<i64>, String)> {
    let timestamp = now.timestamp();
    let reply = http
        .post(&d.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "Seatwise-Webhooks")
        .header("X-Seatwise-Event", d.event.as_str())
        .header("X-Seatwise-Delivery", d.id.to_string())
        .header("X-Seatwise-Timestamp", timestamp.to_string())
        .header("X-Seatwise-Signature", rules::signature(secret, timestamp, &d.body))
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| {
            let why = if e.is_timeout() {
                format!("No answer within {} s.", TIMEOUT.as_secs())
            } else if e.is_connect() {
                "The receiver could not be reached (connection refused or no such host).".to_string()
            } else {
                e.without_url().to_string()
            };
            (None, why)
        })?;
    let status = i64::from(reply.status().as_u16());
    if reply.status().is_success() {
        Ok(status)
    } else {
        Err((Some(status), format!("The receiver answered {}.", reply.status())))
    }
}
