//! The iCalendar (RFC 5545) feed of renewal dates: all-day events with stable UIDs, so calendar apps update
//! events in place when a date moves instead of adding duplicates. Written by hand so every user-supplied value
//! goes through one TEXT escaping (`escape::ics_text`): no CR or LF from a title can end a content line.

use chrono::{DateTime, Days, NaiveDate, Utc};
use seatwise_types::DateKind;

use super::escape::{self, ics_text};

/// One dated entry of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub contract_id: i64,
    pub kind: DateKind,
    pub date: NaiveDate,
    pub title: String,
    pub vendor: String,
    pub number: String,
    /// The other date, for the description (the end date of a cancel-by entry and vice versa).
    pub detail: String,
}

/// Content lines longer than this many octets are folded (RFC 5545 §3.1).
const FOLD_OCTETS: usize = 75;

/// Append one content line, folded on character boundaries. `value` must already be escaped for its type.
fn line(out: &mut String, name: &str, value: &str) {
    let full = format!("{name}:{value}");
    let mut limit = FOLD_OCTETS;
    let mut rest = full.as_str();
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // Continuation lines start with the folding space, which counts.
        limit = FOLD_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// A value of a non-TEXT type (a URI, an identifier built from configuration): nothing to escape by the
/// grammar, but no control character may end the line early either.
fn raw(s: &str) -> String {
    s.chars().filter(|c| !escape::is_hostile(*c)).collect()
}

pub fn render(entries: &[FeedEntry], owner: &str, base_url: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN", "VCALENDAR");
    line(&mut out, "VERSION", "2.0");
    line(&mut out, "PRODID", "-//Seatwise//Renewal calendar//EN");
    line(&mut out, "CALSCALE", "GREGORIAN");
    line(&mut out, "METHOD", "PUBLISH");
    line(&mut out, "X-WR-CALNAME", &ics_text(&format!("Seatwise renewals ({owner})")));
    // Ask subscribers to refresh a few times a day; dates rarely move faster than that.
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION", "PT6H");
    line(&mut out, "X-PUBLISHED-TTL", "PT6H");
    let host = url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_string));
    let host = host.unwrap_or_else(|| "seatwise.local".into());
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for e in entries {
        let what = match e.kind {
            DateKind::CancelBy => "Cancel by",
            DateKind::End => "Contract ends",
            DateKind::Review => "Review",
        };
        let link = format!("{}/contracts/{}", base_url.trim_end_matches('/'), e.contract_id);
        let end = e.date.checked_add_days(Days::new(1)).unwrap_or(e.date);
        line(&mut out, "BEGIN", "VEVENT");
        line(&mut out, "UID", &ics_text(&format!("contract-{}-{}-{}@{host}", e.contract_id, e.kind.as_str(), e.date)));
        line(&mut out, "DTSTAMP", &stamp);
        line(&mut out, "SUMMARY", &ics_text(&format!("{what}: {} ({})", e.title, e.vendor)));
        line(
            &mut out,
            "DESCRIPTION",
            &ics_text(&format!("Contract {} with {}. {}\n{link}", e.number, e.vendor, e.detail)),
        );
        line(&mut out, "URL", &raw(&link));
        line(&mut out, "DTSTART;VALUE=DATE", &e.date.format("%Y%m%d").to_string());
        line(&mut out, "DTEND;VALUE=DATE", &end.format("%Y%m%d").to_string());
        line(&mut out, "TRANSP", "TRANSPARENT");
        line(&mut out, "END", "VEVENT");
    }
    line(&mut out, "END", "VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_day_events_with_stable_uids() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let entry = FeedEntry {
            contract_id: 4,
            kind: DateKind::CancelBy,
            date: d,
            title: "Figma, Design; \"Org\"".into(),
            vendor: "Figma".into(),
            number: "FIG-1".into(),
            detail: "Ends 2026-12-31.".into(),
        };
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").expect("ts").to_utc();
        let text = render(&[entry], "omar@example.com", "https://seatwise.example.com/", now);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("UID:contract-4-cancel_by-2026-12-01@seatwise.example.com\r\n"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20261201\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20261202\r\n"), "{text}");
        assert!(text.contains("DTSTAMP:20261123T090000Z\r\n"), "{text}");
        // Commas and semicolons are escaped in text values.
        assert!(text.contains("SUMMARY:Cancel by: Figma\\, Design\\; \"Org\" (Figma)"), "{text}");
        assert!(text.lines().all(|l| l.len() <= 75), "lines are folded: {text}");
    }

    fn entry(title: &str) -> FeedEntry {
        FeedEntry {
            contract_id: 7,
            kind: DateKind::End,
            date: NaiveDate::from_ymd_opt(2027, 1, 31).expect("date"),
            title: title.into(),
            vendor: "Acme\r\nBEGIN:VEVENT".into(),
            number: "N-1\0".into(),
            detail: "Cancel by 2026-12-31.".into(),
        }
    }

    #[test]
    fn hostile_text_cannot_end_a_content_line() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").expect("ts").to_utc();
        for title in [
            "Evil\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:forged",
            "Evil\nEND:VEVENT\nBEGIN:VEVENT",
            "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT",
            "Nul\0byte and \u{1b}[2J escape",
            "bidi \u{202e}gnp.exe\u{202c} \u{2066}isolate\u{2069}",
            "sep\u{2028}line\u{2029}para",
        ] {
            let text = render(&[entry(title)], "own\r\ner", "https://s.example.com", now);
            // Every CR is part of a CRLF, and every line is a property or a folded continuation of one.
            assert_eq!(text.matches('\r').count(), text.matches("\r\n").count(), "{text:?}");
            assert_eq!(text.matches('\n').count(), text.matches("\r\n").count(), "{text:?}");
            let lines = |want: &str| text.split("\r\n").filter(|l| *l == want).count();
            assert_eq!((lines("BEGIN:VEVENT"), lines("END:VEVENT")), (1, 1), "{text:?}");
            assert!(!text.split("\r\n").any(|l| l.starts_with("SUMMARY:forged")), "{text:?}");
            assert!(!text.chars().any(|c| c != '\r' && c != '\n' && escape::is_hostile(c)), "{text:?}");
            assert!(text.lines().all(|l| l.len() <= 75), "{text}");
        }
        let text = render(&[entry("a\r\nb\rc\nd")], "owner", "https://s.example.com", now);
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Contract ends: a\\nb\\nc\\nd (Acme\\nBEGIN:VEVENT)\r\n"), "{unfolded}");
        assert!(unfolded.contains("DESCRIPTION:Contract N-1 with Acme\\nBEGIN:VEVENT. "), "NUL dropped: {unfolded}");
        assert!(unfolded.contains("X-WR-CALNAME:Seatwise renewals (owner)\r\n"), "{unfolded}");
    }

    #[test]
    fn folding_splits_on_character_boundaries() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").expect("ts").to_utc();
        let long = "é".repeat(100) + "🎉" + &"ü".repeat(60);
        let text = render(&[entry(&long)], "owner", "https://s.example.com", now);
        assert!(text.lines().all(|l| l.len() <= 75), "{text}");
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&long), "folding loses nothing");
    }
}
