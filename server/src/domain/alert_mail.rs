//! The e-mail an alert sends: subject, plain text and HTML with the same content and a link to act on it. The
//! subject is a header: it is made one line with no control characters, whatever the stored title holds.

use chrono::NaiveDate;
use seatwise_types::DateKind;
#[cfg(test)]
use seatwise_types::Money;

use seatwise_types::format_money_plain;

use super::escape::single_line;

/// Where alert mail is queued from. There is one only when an SMTP relay is configured (nothing is queued
/// otherwise, so nothing piles up unsent), and it carries the console's address the links in mail point at.
#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a> {
    pub public_url: &'a str,
}

pub struct AlertMail<'a> {
    pub alert_id: i64,
    pub contract_id: i64,
    pub title: &'a str,
    pub vendor: &'a str,
    pub number: &'a str,
    pub kind: DateKind,
    pub stage_days: Option<i64>,
    /// The cancel-by date has passed undecided (see `domain::renewals::due_alert`).
    pub missed: bool,
    pub due_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    pub value: Option<&'a seatwise_types::Money>,
    /// The visible pools' names; the recipient's view of the contract.
    pub pools: &'a [String],
    /// Covered pools outside the recipient's scope, left out of `pools` and `value`.
    pub hidden_pools: i64,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Facts as the rows of an HTML table, escaped (every mail lists its facts this way).
pub(crate) fn fact_rows(facts: &[(&str, String)]) -> String {
    facts
        .iter()
        .map(|(k, v)| {
            format!(
                "<tr><th align=\"left\" style=\"padding:4px 12px 4px 0\">{}</th><td>{}</td></tr>",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

pub fn render(m: &AlertMail<'_>, base_url: &str) -> Rendered {
    let base = base_url.trim_end_matches('/');
    let alert_link = format!("{base}/alerts/{}", m.alert_id);
    let contract_link = format!("{base}/contracts/{}", m.contract_id);
    let renews_on = seatwise_types::renews_on(m.end_date);
    let headline = match (m.kind, m.stage_days) {
        _ if m.missed => format!(
            "The cancel-by date of {} ({}) passed on {} with no decision: it renews itself on {renews_on}",
            m.title, m.vendor, m.due_date
        ),
        (DateKind::Review, _) => format!("Time to review {} ({})", m.title, m.vendor),
        (DateKind::CancelBy, Some(days)) => {
            format!("{days} days to cancel {} ({}) before it renews itself", m.title, m.vendor)
        }
        (DateKind::End, Some(days)) => format!("{} ({}) ends in {days} days", m.title, m.vendor),
        (_, None) => format!("Renewal decision due for {} ({})", m.title, m.vendor),
    };
    let subject = single_line(&match m.kind {
        _ if m.missed => format!("Missed cancel-by, renews {renews_on}: {} ({})", m.title, m.vendor),
        DateKind::CancelBy => format!("Cancel by {}: {} ({})", m.due_date, m.title, m.vendor),
        DateKind::End => format!("Ends {}: {} ({})", m.due_date, m.title, m.vendor),
        DateKind::Review => format!("Review due: {} ({})", m.title, m.vendor),
    });
    let mut facts: Vec<(&str, String)> = vec![("Contract", format!("{} with {}", m.number, m.vendor))];
    if m.auto_renew {
        facts.push(("Cancel by", m.due_date.to_string()));
        facts.push(("Renews automatically on", renews_on.to_string()));
    } else {
        facts.push(("Ends", m.end_date.to_string()));
    }
    if let Some(v) = m.value {
        facts.push(("Value", format_money_plain(v)));
    }
    if !m.pools.is_empty() {
        facts.push(("Licenses", m.pools.join(", ")));
    }
    if m.hidden_pools > 0 {
        facts.push((
            "Note",
            "Part of this contract covers pools outside your departments; they are left out here.".into(),
        ));
    }
    if m.missed {
        facts.push(("What can still be done", seatwise_types::MISSED_CANCEL_BY_ADVICE.into()));
    }
    let mut text = format!("{headline}.\n\n");
    for (k, v) in &facts {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push_str(&format!(
        "\nDecide in Seatwise (renew, renew with changes, renegotiate, cancel or let lapse):\n{alert_link}\n\nContract: \
         {contract_link}\n"
    ));
    let rows = fact_rows(&facts);
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\">\
         <h1 style=\"font-size:18px\">{}</h1><table>{rows}</table>\
         <p><a href=\"{}\" style=\"background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none\">\
         Open the alert and decide</a></p><p><a href=\"{}\">View the contract</a></p></body></html>",
        escape(&headline),
        escape(&alert_link),
        escape(&contract_link),
    );
    Rendered { subject, text, html }
}

/// The e-mail telling someone an alert was assigned to them.
pub fn assignment(a: &seatwise_types::Alert, assigned_by: &str, base_url: &str) -> Rendered {
    let link = format!("{}/alerts/{}", base_url.trim_end_matches('/'), a.id);
    let what = format!("{} {} for {} ({})", a.kind.label(), a.due_date, a.contract_title, a.vendor);
    let subject = single_line(&format!("Assigned to you: {what}"));
    let text = format!(
        "{assigned_by} assigned you the renewal alert \"{what}\" (contract {}).\n\nOpen it and decide:\n{link}\n",
        a.contract_number
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\"><p>{} assigned you the \
         renewal alert <strong>{}</strong> (contract {}).</p><p><a href=\"{}\">Open it and decide</a></p></body></html>",
        escape(assigned_by),
        escape(&what),
        escape(&a.contract_number),
        escape(&link)
    );
    Rendered { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_html_carry_the_same_facts_and_links() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let value = Money::new(1_250_000, "USD");
        let pools = vec!["Figma <Org>".to_string()];
        let m = AlertMail {
            alert_id: 9,
            contract_id: 4,
            title: "Figma Organization",
            vendor: "Figma",
            number: "FIG-2026",
            kind: DateKind::CancelBy,
            stage_days: Some(30),
            missed: false,
            due_date: d("2026-12-01"),
            end_date: d("2026-12-31"),
            auto_renew: true,
            value: Some(&value),
            pools: &pools,
            hidden_pools: 0,
        };
        let r = render(&m, "https://seatwise.example.com/");
        assert_eq!(r.subject, "Cancel by 2026-12-01: Figma Organization (Figma)");
        assert!(r.text.contains("https://seatwise.example.com/alerts/9"));
        assert!(r.text.contains("Renews automatically on: 2027-01-01"));
        assert!(r.text.contains("Value: 12500.00 USD"), "{}", r.text);
        assert!(r.html.contains("Figma &lt;Org&gt;"), "HTML is escaped");
        assert!(r.html.contains("href=\"https://seatwise.example.com/contracts/4\""));
        assert!(!r.text.contains("outside your departments"));
        let partial = render(&AlertMail { hidden_pools: 2, ..m }, "https://seatwise.example.com/");
        assert!(partial.text.contains("Part of this contract covers pools outside your departments"));
        let missed = render(&AlertMail { missed: true, stage_days: None, ..m }, "https://seatwise.example.com/");
        assert_eq!(missed.subject, "Missed cancel-by, renews 2027-01-01: Figma Organization (Figma)");
        assert!(missed.text.starts_with("The cancel-by date of Figma Organization (Figma) passed on 2026-12-01"));
        assert!(missed.text.contains("plan the cancellation for the next term"), "{}", missed.text);
    }

    #[test]
    fn subjects_are_one_line_without_controls_whatever_the_title() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        for title in ["A\r\nBcc: x@example.com", "A\rB", "A\nB", "A\0B", "A\u{202e}B\u{2066}C", "A\u{1b}[2JB"] {
            let m = AlertMail {
                alert_id: 1,
                contract_id: 2,
                title,
                vendor: "V\r\nX-Evil: 1",
                number: "N",
                kind: DateKind::End,
                stage_days: Some(30),
                missed: false,
                due_date: d("2026-12-01"),
                end_date: d("2026-12-31"),
                auto_renew: false,
                value: None,
                pools: &[],
                hidden_pools: 0,
            };
            let r = render(&m, "https://s.example.com");
            assert!(!r.subject.chars().any(crate::domain::escape::is_hostile), "{:?}", r.subject);
            assert!(r.subject.starts_with("Ends 2026-12-01: A"), "{:?}", r.subject);
        }
    }
}
