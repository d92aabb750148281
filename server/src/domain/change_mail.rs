//! The e-mail a change request sends: to approvers when it waits for them (and a reminder when it has waited),
//! to finance when its second sign-off is due, and to its requester when it is decided, applied or lapses.

use seatwise_types::{format_money_plain, ChangePreview};

use super::alert_mail::{escape, fact_rows, Rendered};
use super::escape::single_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// It waits for an approver's sign-off.
    Waiting,
    /// The approver approved; finance signs off next.
    WaitingForFinance,
    Reminder,
    Approved,
    Rejected {
        comment: &'a str,
    },
    /// `rows` of `of` applied (fewer: a pilot).
    Applied {
        rows: i64,
        of: i64,
    },
    Expired,
    /// Someone asked for a seat of their own of a pool (My seats): its owners are told; an approver decides.
    Asked {
        pool_id: i64,
        pool: &'a str,
        reason: &'a str,
    },
}

pub struct ChangeMail<'a> {
    pub id: i64,
    pub title: &'a str,
    pub requester: &'a str,
    pub operations: i64,
    pub preview: &'a ChangePreview,
}

pub fn render(m: &ChangeMail<'_>, event: Event<'_>, base_url: &str) -> Rendered {
    let base = base_url.trim_end_matches('/');
    // The pool's owners read the pool, where the seat would be; the request itself is the approvers'.
    let link = match event {
        Event::Asked { pool_id, .. } => format!("{base}/pools/{pool_id}"),
        _ => format!("{base}/change-requests/{}", m.id),
    };
    let name = format!("#{} “{}”", m.id, m.title);
    // Plain in the subject: a header of ASCII stays readable in every client (and in the sink's raw text).
    let short = format!("#{} {}", m.id, m.title);
    let (subject, headline, action) = match event {
        Event::Waiting => (
            format!("Approval needed: {short}"),
            format!("{} asks for approval of change request {name}.", m.requester),
            "Review and approve or reject",
        ),
        Event::WaitingForFinance => (
            format!("Finance approval needed: {short}"),
            format!("Change request {name} from {} was approved and needs a finance approval too.", m.requester),
            "Review and approve or reject",
        ),
        Event::Reminder => (
            format!("Still waiting for approval: {short}"),
            format!("Change request {name} from {} is still waiting for a decision.", m.requester),
            "Review and approve or reject",
        ),
        Event::Approved => (
            format!("Approved: {short}"),
            format!("Your change request {name} was approved and can be applied."),
            "Open it to apply",
        ),
        Event::Rejected { .. } => {
            (format!("Rejected: {short}"), format!("Your change request {name} was rejected."), "Open it")
        }
        Event::Applied { rows, of } if rows < of => (
            format!("Pilot applied: {short}"),
            format!("The pilot of change request {name} was applied: {rows} of {of} operations. Confirm the rest or roll it back."),
            "Open it",
        ),
        Event::Applied { .. } => (format!("Applied: {short}"), format!("Change request {name} was applied."), "Open it"),
        Event::Asked { pool, .. } => (
            format!("Seat asked for: {}", pool.chars().take(120).collect::<String>()),
            format!(
                "{} asked for a seat of “{pool}”. An approver decides on it in the approval queue (change request {name}).",
                m.requester
            ),
            "Open the pool",
        ),
        Event::Expired => (
            format!("Approval expired: {short}"),
            format!("The approval of change request {name} expired before it was applied. Submit it again to go on."),
            "Open it",
        ),
    };
    let mut facts: Vec<(&str, String)> = vec![
        ("Operations", m.operations.to_string()),
        ("People losing a seat", m.preview.people_losing_seats.to_string()),
    ];
    if !m.preview.annual_cost_change.is_empty() {
        let costs: Vec<String> = m.preview.annual_cost_change.iter().map(format_money_plain).collect();
        facts.push(("Annual cost change", costs.join(", ")));
    }
    if let Event::Rejected { comment } = event {
        facts.push(("Why", comment.to_string()));
    }
    if let Event::Asked { reason, .. } = event {
        facts = vec![("Why", reason.to_string())];
    }
    let mut text = format!("{headline}\n\n");
    for (k, v) in &facts {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push_str(&format!("\n{action}:\n{link}\n"));
    let rows = fact_rows(&facts);
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\">\
         <p style=\"font-size:16px\">{}</p><table>{rows}</table>\
         <p><a href=\"{}\" style=\"background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none\">\
         {}</a></p></body></html>",
        escape(&headline),
        escape(&link),
        escape(action),
    );
    Rendered { subject: single_line(&subject), text, html }
}

#[cfg(test)]
mod tests {
    use seatwise_types::Money;

    use super::*;

    #[test]
    fn hostile_titles_stay_text() {
        let preview = ChangePreview { annual_cost_change: vec![Money::new(-12_000, "EUR")], ..Default::default() };
        let m =
            ChangeMail { id: 7, title: "<b>x</b>\r\nBcc: a@b", requester: "Ann", operations: 25, preview: &preview };
        let r = render(&m, Event::Waiting, "https://seatwise.example/");
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'), "{}", r.subject);
        assert!(r.html.contains("&lt;b&gt;x&lt;/b&gt;") && !r.html.contains("<b>x"));
        assert!(r.text.contains("https://seatwise.example/change-requests/7"));
        assert!(r.text.contains("Operations: 25"));
    }
}
