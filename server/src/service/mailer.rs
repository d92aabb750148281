//! Sending queued e-mail over SMTP. Messages are queued in the database in the same transaction as what caused
//! them (an alert), then sent by whichever instance claims them; a failed send is retried with a growing delay.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock::Clock;
use crate::db::jobs::{self as store, QueuedMail};
use crate::db::Db;
use crate::domain::escape::{is_hostile, single_line, Escaped};
use crate::error::{AppError, AppResult};

/// Attempts before a message is marked failed.
const MAX_ATTEMPTS: i64 = 6;
/// Messages sent per claim; one tick sends batches until the queue is empty.
const BATCH: i64 = 50;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("SMTP URL: {0}")]
    Url(#[from] lettre::transport::smtp::Error),
    #[error("sender address {0:?}: {1}")]
    From(String, lettre::address::AddressError),
}

impl Mailer {
    /// `smtps://user:pass@host:465`, `smtp://user:pass@host:587?tls=required`, or plain `smtp://host:25`.
    pub fn from_url(url: &str, from: &str) -> Result<Self, MailConfigError> {
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(Duration::from_secs(20))).build();
        let from = from.parse().map_err(|e| MailConfigError::From(from.to_string(), e))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, m: &QueuedMail) -> Result<(), String> {
        let message = build(&self.from, m)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The message for a queued mail. The queue may hold text from before input checks (or edited by hand), so the
/// headers are made safe here too: a one-line subject and a bare recipient address.
fn build(from: &Mailbox, m: &QueuedMail) -> Result<Message, String> {
    Message::builder()
        .message_id(Some(message_id(from, m)))
        .from(from.clone())
        .to(recipient(&m.recipient)?)
        .subject(single_line(&m.subject))
        .multipart(MultiPart::alternative_plain_html(m.text.clone(), m.html.clone()))
        .map_err(|e| e.to_string())
}

/// The same Message-ID every time one queued message is sent. A server that dies between the relay taking a message
/// and the outbox recording it leaves it to be sent again (SMTP cannot make that one step); the repeat then carries
/// the first one's Message-ID, so mail programs show it once. The hash keeps two installations' ids apart.
fn message_id(from: &Mailbox, m: &QueuedMail) -> String {
    let content = format!("{}\n{}\n{}\n{}", m.id, m.recipient, m.subject, m.text);
    let digest = crate::domain::secret::sha256_hex(&content);
    format!("<seatwise.{}.{}@{}>", m.id, &digest[..24], from.email.domain())
}

/// The recipient as a bare address: a stored value can name no display name or extra header, and one with a
/// control character is refused rather than cleaned (it would go to a different address).
fn recipient(stored: &str) -> Result<Mailbox, String> {
    if stored.chars().any(is_hostile) {
        return Err(format!("recipient {:?} contains control characters", stored));
    }
    let address: Address = stored.trim().parse().map_err(|e| format!("recipient {stored:?}: {e}"))?;
    Ok(Mailbox::new(None, address))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: u64,
    pub failed: u64,
}

/// How long a claim keeps other senders off a message. Each message's claim is renewed right before it is sent, so
/// the lease need only outlast one send (the SMTP timeout is 20 s); it is also how long the rest of a batch waits
/// when the server that claimed it dies.
const LEASE_MINUTES: i64 = 1;

/// Send every due message this instance can claim (nothing without a relay).
pub async fn deliver_due(db: &Db, clock: &dyn Clock, mailer: Option<&Mailer>) -> AppResult<Delivery> {
    let Some(mailer) = mailer else {
        return Ok(Delivery::default());
    };
    let mut report = Delivery::default();
    let token = crate::domain::secret::random_token("");
    for _ in 0..100 {
        let now = clock.now();
        let lease = chrono::Duration::minutes(LEASE_MINUTES);
        let batch = store::claim_mail(&db.write, &token, now, lease, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let done = send_claimed(db, clock, mailer, &token, &batch).await?;
        report.sent += done.sent;
        report.failed += done.failed;
    }
    Ok(report)
}

/// Send a batch claimed under `token`. A batch can outlive its lease (a slow relay), and then another sender
/// may have claimed the rest: each message's claim is renewed right before it is sent and marked sent only under
/// the same token, so a message whose claim was taken over is left to its new sender, never sent twice.
pub async fn send_claimed(
    db: &Db,
    clock: &dyn Clock,
    mailer: &Mailer,
    token: &str,
    batch: &[QueuedMail],
) -> AppResult<Delivery> {
    let mut report = Delivery::default();
    for m in batch {
        let until = clock.now() + chrono::Duration::minutes(LEASE_MINUTES);
        if !store::renew_claim(&db.write, m.id, token, until).await? {
            continue;
        }
        // Scope is checked when sending, not only when queuing: a recipient who lost access meanwhile is not told.
        if !crate::service::alerts::may_receive(db, m.alert_id, &m.recipient).await? {
            store::mail_withheld(&db.write, m.id, token, "withheld: the recipient no longer has access").await?;
            continue;
        }
        match mailer.send(m).await {
            Ok(()) => {
                if !store::mail_sent(&db.write, m.id, token, clock.now()).await? {
                    // The relay took longer than the lease and another sender claimed the message meanwhile:
                    // it may go out twice. The SMTP timeout (20 s) is far below the lease, so this should not happen.
                    tracing::warn!(outbox_id = m.id, "e-mail sent after its claim was taken over");
                }
                report.sent += 1;
            }
            Err(error) => {
                let attempts = m.attempts + 1;
                let retry = (attempts < MAX_ATTEMPTS)
                    .then(|| clock.now() + chrono::Duration::minutes(2_i64.pow(attempts as u32)));
                tracing::warn!(outbox_id = m.id, attempts, error = %Escaped(&error), "e-mail not sent");
                store::mail_failed(&db.write, m.id, token, &error, retry).await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Build the mailer from configuration; a bad URL is a start-up error, not a silent mail outage.
pub fn configure(url: Option<&str>, from: &str) -> AppResult<Option<Mailer>> {
    url.filter(|u| !u.trim().is_empty()).map(|u| Mailer::from_url(u, from).map_err(AppError::internal)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(recipient: &str, subject: &str) -> QueuedMail {
        QueuedMail {
            id: 1,
            alert_id: None,
            recipient: recipient.into(),
            subject: subject.into(),
            text: "body".into(),
            html: "<p>body</p>".into(),
            attempts: 0,
        }
    }

    /// The header block of a formatted message, unfolded, one header per entry.
    fn headers(m: &Message) -> Vec<String> {
        let raw = String::from_utf8_lossy(&m.formatted()).to_string();
        let head = raw.split("\r\n\r\n").next().unwrap_or_default().replace("\r\n ", " ").replace("\r\n\t", " ");
        head.split("\r\n").map(str::to_string).collect()
    }

    #[test]
    fn a_message_sent_again_keeps_its_message_id() {
        let from: Mailbox = "Seatwise <seatwise@example.com>".parse().expect("from");
        let first = headers(&build(&from, &queued("a@example.com", "Renewal")).expect("built"));
        let again = headers(&build(&from, &queued("a@example.com", "Renewal")).expect("built"));
        let id = |h: &[String]| h.iter().find(|l| l.starts_with("Message-ID: ")).cloned().expect("a Message-ID");
        assert_eq!(id(&first), id(&again));
        assert!(id(&first).starts_with("Message-ID: <seatwise.1.") && id(&first).ends_with("@example.com>"));
        let other = headers(&build(&from, &queued("b@example.com", "Renewal")).expect("built"));
        assert_ne!(id(&first), id(&other), "another message, another id");
    }

    #[test]
    fn stored_text_cannot_add_headers() {
        let from: Mailbox = "Seatwise <seatwise@example.com>".parse().expect("from");
        for subject in [
            "Renewal\r\nBcc: evil@example.com",
            "Renewal\rBcc: evil@example.com",
            "Renewal\nBcc: evil@example.com",
            "Renewal\0\u{1b}[2J\u{202e}Bcc: evil@example.com",
        ] {
            let m = build(&from, &queued("ana@example.com", subject)).expect("message");
            let hs = headers(&m);
            assert!(!hs.iter().any(|h| h.to_ascii_lowercase().starts_with("bcc:")), "{hs:?}");
            assert_eq!(hs.iter().filter(|h| h.starts_with("To: ")).count(), 1, "{hs:?}");
            assert!(hs.iter().all(|h| !h.chars().any(|c| c.is_control())), "{hs:?}");
        }
        // A display name smuggled into the recipient, or a control character in it: refused.
        assert!(build(&from, &queued("Ana <evil@example.com>", "s")).is_err());
        assert!(build(&from, &queued("Evil <evil@example.com>, ana@example.com", "s")).is_err());
        assert!(build(&from, &queued("ana@example.com\r\nBcc: evil@example.com", "s")).is_err());
        assert!(build(&from, &queued("ana\u{202e}@example.com", "s")).is_err());
        let ok = build(&from, &queued("ana@example.com", "s")).expect("message");
        assert!(headers(&ok).contains(&"To: ana@example.com".to_string()), "{:?}", headers(&ok));
    }

    // The pooled transport starts a task, so this needs a runtime like the server has.
    #[tokio::test]
    async fn relay_urls_are_checked_at_start() {
        assert!(configure(None, "Seatwise <a@b.example>").expect("no relay").is_none());
        assert!(configure(Some("  "), "Seatwise <a@b.example>").expect("blank relay").is_none());
        assert!(configure(Some("smtps://user:pass@smtp.example.com:465"), "Seatwise <a@b.example>")
            .expect("valid")
            .is_some());
        assert!(configure(Some("smtp://relay.example.com:587?tls=required"), "a@b.example").expect("valid").is_some());
        assert!(configure(Some("imap://mail.example.com"), "a@b.example").is_err(), "unknown scheme");
        assert!(configure(Some("smtp://relay.example.com"), "not an address").is_err(), "bad sender");
    }
}
