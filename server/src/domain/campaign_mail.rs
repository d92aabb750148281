//! The e-mail a campaign sends each person it asks: one message listing all their seats in it, why each was
//! selected, and Keep and Release links per seat and for all. The links only open the response page, which asks
//! again and answers with a POST: mail scanners that open every link change nothing.

use chrono::NaiveDate;

use super::alert_mail::{escape, Rendered};
use super::escape::single_line;

pub struct LetterSeat<'a> {
    pub case_id: i64,
    pub license: &'a str,
    pub holder: &'a str,
    pub why: &'a str,
    /// The holder's comment with a Keep a manager is asked to confirm.
    pub holder_comment: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The holder is asked about their own seats.
    Holder,
    /// A reviewer (manager or owner) is asked about other people's seats.
    Review,
    /// A manager is asked to confirm their reports' Keep.
    Confirm,
}

pub struct Letter<'a> {
    pub kind: Kind,
    pub reminder: bool,
    pub campaign: &'a str,
    pub respondent: &'a str,
    pub deadline: NaiveDate,
    pub contact: &'a str,
    pub without_answer: &'a str,
    pub seats: &'a [LetterSeat<'a>],
}

/// The response page's address for `token`, preset to a choice (and a seat).
fn link(base: &str, token: &str, choice: &str, case_id: Option<i64>) -> String {
    match case_id {
        Some(id) => format!("{base}/respond/{token}?choice={choice}&case={id}"),
        None => format!("{base}/respond/{token}?choice={choice}"),
    }
}

pub fn render(l: &Letter<'_>, base_url: &str, token: &str) -> Rendered {
    let base = base_url.trim_end_matches('/');
    let n = l.seats.len();
    let (keep, release) = match l.kind {
        Kind::Holder => ("Keep", "Release"),
        Kind::Review | Kind::Confirm => ("Keep", "Remove"),
    };
    let campaign = single_line(l.campaign);
    let (subject, headline) = match l.kind {
        Kind::Holder => (
            format!("Do you still need {}?", if n == 1 { "this license" } else { "these licenses" }),
            format!(
                "Hello {}, you hold {n} license{} that {} not been used lately. Do you still need {}?",
                l.respondent,
                if n == 1 { "" } else { "s" },
                if n == 1 { "has" } else { "have" },
                if n == 1 { "it" } else { "them" }
            ),
        ),
        Kind::Review => (
            format!("Access review: {campaign}"),
            format!("Hello {}, please confirm whether these {n} people still need their license.", l.respondent),
        ),
        Kind::Confirm => (
            format!("Please confirm: {campaign}"),
            format!(
                "Hello {}, {n} of your reports asked to keep a license. Please confirm or remove it.",
                l.respondent
            ),
        ),
    };
    let subject = if l.reminder { format!("Reminder: {subject}") } else { subject };
    let answer_by = format!("Please answer by {} ({}). {}", l.deadline, campaign, l.without_answer);
    let all = (link(base, token, "keep", None), link(base, token, "release", None));
    let mut text = format!("{headline}\n\n{answer_by}\n\n");
    let mut rows = String::new();
    for s in l.seats {
        let who = if l.kind == Kind::Holder { String::new() } else { format!("{}: ", s.holder) };
        text.push_str(&format!("- {who}{} ({})\n", s.license, s.why));
        if let Some(c) = s.holder_comment {
            text.push_str(&format!("  Their comment: {c}\n"));
        }
        let (k, r) = (link(base, token, "keep", Some(s.case_id)), link(base, token, "release", Some(s.case_id)));
        text.push_str(&format!("  {keep}: {k}\n  {release}: {r}\n"));
        let comment =
            s.holder_comment.map(|c| format!("<br><em>Their comment: {}</em>", escape(c))).unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td style=\"padding:6px 12px 6px 0\"><strong>{}{}</strong><br><span style=\"color:#4b5563\">{}</span>{comment}</td>\
             <td style=\"padding:6px 0\"><a href=\"{}\">{keep}</a> · <a href=\"{}\">{release}</a></td></tr>",
            escape(&who),
            escape(s.license),
            escape(s.why),
            escape(&k),
            escape(&r),
        ));
    }
    if n > 1 {
        text.push_str(&format!("\n{keep} all: {}\n{release} all: {}\n", all.0, all.1));
    }
    text.push_str(&format!(
        "\nThe links open a page where you confirm your answer; opening them changes nothing.\nQuestions: {}\n",
        l.contact
    ));
    let all_html = if n > 1 {
        format!(
            "<p><a href=\"{}\" style=\"background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none\">{keep} all</a> \
             <a href=\"{}\" style=\"padding:8px 14px\">{release} all</a></p>",
            escape(&all.0),
            escape(&all.1)
        )
    } else {
        String::new()
    };
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\">\
         <p style=\"font-size:16px\">{}</p><p>{}</p><table>{rows}</table>{all_html}\
         <p style=\"color:#4b5563\">The links open a page where you confirm your answer; opening them changes nothing. \
         Questions: {}</p></body></html>",
        escape(&headline),
        escape(&answer_by),
        escape(l.contact),
    );
    Rendered { subject: single_line(&subject), text, html }
}

/// One seat waiting for its pool owner's decision.
pub struct OwnerSeat<'a> {
    pub license: &'a str,
    pub holder: &'a str,
    /// What happened: "asked to keep it: “…”", "no answer by the deadline".
    pub why: String,
}

/// The notice to a pool's owners that seats of a campaign wait for their decision, linking to them.
pub fn render_owner(campaign_id: i64, campaign: &str, seats: &[OwnerSeat<'_>], base_url: &str) -> Rendered {
    let base = base_url.trim_end_matches('/');
    let link = format!("{base}/reclamation/cases?campaign_id={campaign_id}&state=awaiting_approval");
    let n = seats.len();
    let headline = format!(
        "{n} seat{} of the campaign “{}” wait{} for your decision: keep {} or take {} back.",
        if n == 1 { "" } else { "s" },
        single_line(campaign),
        if n == 1 { "s" } else { "" },
        if n == 1 { "it" } else { "them" },
        if n == 1 { "it" } else { "them" }
    );
    let mut text = format!("{headline}\n\n");
    let mut rows = String::new();
    for s in seats {
        text.push_str(&format!("- {}: {} ({})\n", s.holder, s.license, s.why));
        rows.push_str(&format!(
            "<li><strong>{}</strong>: {} <span style=\"color:#4b5563\">({})</span></li>",
            escape(s.holder),
            escape(s.license),
            escape(&s.why)
        ));
    }
    text.push_str(&format!("\nDecide:\n{link}\n"));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\">\
         <p style=\"font-size:16px\">{}</p><ul>{rows}</ul>\
         <p><a href=\"{}\" style=\"background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none\">\
         Decide</a></p></body></html>",
        escape(&headline),
        escape(&link)
    );
    let subject = format!("Your decision: {}", single_line(campaign));
    Rendered { subject: single_line(&subject), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_lists_every_seat_with_its_links() {
        let seats = [
            LetterSeat {
                case_id: 4,
                license: "Salesforce <b>",
                holder: "Ana",
                why: "No sign-in for 95 days",
                holder_comment: None,
            },
            LetterSeat { case_id: 5, license: "Zoom", holder: "Ana", why: "Never signed in", holder_comment: None },
        ];
        let l = Letter {
            kind: Kind::Holder,
            reminder: true,
            campaign: "Q4\r\nBcc: x@y",
            respondent: "Ana",
            deadline: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            contact: "Olivia Owner <owner@example.com>",
            without_answer: "Seats without an answer by the deadline are taken back.",
            seats: &seats,
        };
        let r = render(&l, "https://sw.example/", "swr_abc");
        assert_eq!(r.subject, "Reminder: Do you still need these licenses?");
        assert!(r.text.contains("https://sw.example/respond/swr_abc?choice=release&case=4"));
        assert!(r.text.contains("https://sw.example/respond/swr_abc?choice=keep&case=5"));
        assert!(r.text.contains("Release all: https://sw.example/respond/swr_abc?choice=release"));
        assert!(r.html.contains("Salesforce &lt;b&gt;") && !r.html.contains("Salesforce <b>"));
        assert!(!r.text.contains("\r\nBcc"));
        let waiting = [OwnerSeat { license: "Zoom", holder: "Ana <i>", why: "asked to keep it: “calls”".into() }];
        let o = render_owner(7, "Q4\r\nBcc: x@y", &waiting, "https://sw.example");
        assert_eq!(o.subject, "Your decision: Q4 Bcc: x@y");
        assert!(o.text.contains("https://sw.example/reclamation/cases?campaign_id=7&state=awaiting_approval"));
        assert!(o.html.contains("Ana &lt;i&gt;") && !o.html.contains("<i>"));
    }
}
