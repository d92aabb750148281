//! Who is told of a request's steps, and the mail that tells them.

use chrono::{DateTime, Utc};
use seatwise_types::{Role, WaitingFor};

use crate::db::change_requests::{self as store, StoredChange};
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::{users, Conn};
use crate::domain::access;
use crate::domain::alert_mail::Outbox;
use crate::domain::change_mail::{self, ChangeMail, Event};
use crate::error::AppResult;

/// The addresses of the license owners who run this pool (as the access policy says), for an ask's notice.
pub(super) async fn pool_owners(tx: &mut Conn, pool_id: i64) -> AppResult<Vec<String>> {
    let Some((place, _)) = store::facts::pools(tx, &[pool_id]).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    Ok(users::having_role(tx, Role::LicenseOwner)
        .await?
        .into_iter()
        .filter(|u| access::may_edit_pool(u, place).is_ok())
        .map(|u| u.email)
        .collect())
}

/// Queue mail about a request to `to` (only with a relay configured: nothing piles up unsent otherwise).
pub(super) async fn notify(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    s: &StoredChange,
    event: Event<'_>,
    to: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(outbox) = outbox else { return Ok(()) };
    let m = ChangeMail {
        id: s.id,
        title: &s.title,
        requester: &s.requested_by.name,
        operations: s.operations.len() as i64,
        preview: &s.preview,
    };
    let rendered = change_mail::render(&m, event, outbox.public_url);
    for recipient in to {
        let mail =
            Mail { alert_id: None, recipient, subject: &rendered.subject, text: &rendered.text, html: &rendered.html };
        mail_store::queue_mail(tx, &mail, now).await?;
    }
    Ok(())
}

/// Who can give the sign-off a request waits for (never its requester, nor for finance its approver).
pub(super) async fn deciders(tx: &mut Conn, s: &StoredChange, waiting: WaitingFor) -> AppResult<Vec<String>> {
    let approver = s.decided_by.as_ref().map(|r| r.id);
    Ok(users::with_roles(tx, access::sign_off_roles(waiting))
        .await?
        .into_iter()
        .filter(|(id, _)| *id != s.requested_by.id && Some(*id) != approver)
        .map(|(_, email)| email)
        .collect())
}

pub(super) async fn requester_address(tx: &mut Conn, s: &StoredChange) -> AppResult<Vec<String>> {
    Ok(users::email_of(tx, s.requested_by.id).await?.into_iter().collect())
}
