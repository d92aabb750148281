//! The daily reclamation run (claimed in the database by one instance, like the renewal run): seats whose hold
//! has ended are revoked, then every enabled policy runs as the person who wrote its current version.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::{Actor, Via};
use crate::clock::Clock;
use crate::db::reclamation::policies as store;
use crate::db::{users, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::renewals::Org;
use crate::error::AppResult;

use super::{holds, run};

/// Who the ledger names for what the run does itself (holds ending).
pub const DAILY_RUN: &str = "seatwise:daily-reclamation";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct DailySummary {
    /// Seats revoked because their hold ended.
    pub released: i64,
    pub policies_run: i64,
    pub cases_opened: i64,
    /// Policies that could not run, each with why.
    pub refused: Vec<String>,
}

pub async fn run_day(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    org: &Org,
    now: DateTime<Utc>,
) -> AppResult<DailySummary> {
    let mut summary = DailySummary::default();
    let mut tx = db.begin().await?;
    summary.released = holds::release(&mut tx, org, DAILY_RUN, now, None).await?;
    tx.commit().await?;
    for id in store::enabled(&db.read).await? {
        let mut conn = db.read.acquire().await?;
        let writer = match store::writer(&mut conn, id).await? {
            Some(user) => users::load_in(&mut conn, user).await?,
            None => None,
        };
        drop(conn);
        let Some(user) = writer else {
            summary.refused.push(format!("policy {id}: its writer has no account any more"));
            continue;
        };
        let actor = Actor { user, via: Via::Token };
        match run::run(db, clock, outbox, &actor, id).await {
            Ok(r) => {
                summary.policies_run += 1;
                summary.cases_opened += r.opened;
            }
            // One policy that cannot run (its writer lost the right, it asks for consent) does not stop the rest.
            Err(e) => {
                tracing::warn!(policy = id, error = %e, "reclamation policy not run");
                summary.refused.push(format!("policy {id}: {e}"));
            }
        }
    }
    Ok(summary)
}
