//! The approval policy: thresholds for finance's sign-off, how long approvals last, the largest request.

use seatwise_types::ApprovalPolicy;

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store};
use crate::db::Db;
use crate::domain::{access, approval_policy};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

pub async fn policy(db: &Db, actor: &Actor) -> AppResult<ApprovalPolicy> {
    access::change_request_reader(&actor.user)?;
    Ok(store::policy(&db.read).await?)
}

/// Change the approval policy (admins), if it is still at `expected` (409 otherwise). Requests already submitted
/// keep the sign-offs they were submitted with.
pub async fn set_policy(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    input: &ApprovalPolicy,
    expected: Option<i64>,
) -> AppResult<ApprovalPolicy> {
    access::may_change_settings(&actor.user)?;
    let policy = approval_policy::validate(input).map_err(AppError::validation)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::policy(&mut *tx).await?;
    let version = expected.unwrap_or(before.version);
    if !store::save_policy(&mut tx, &policy, version).await? {
        return Err(AppError::Conflict(
            "The approval policy was changed by someone else meanwhile; reload it and try again.".into(),
        ));
    }
    let after = store::policy(&mut *tx).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("approval_policy.update", "approval_policy", Some(1), &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
