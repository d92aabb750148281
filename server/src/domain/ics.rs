//! The iCalendar (RFC 5545) feed of renewal dates: all-day events with stable UIDs, so calendar apps update
//! events in place when a date moves instead of adding duplicates.

use chrono::{DateTime, Days, NaiveDate, Utc};
use icalendar::{Calendar, Component, EventLike};
use seatwise_types::DateKind;

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

pub fn render(entries: &[FeedEntry], owner: &str, base_url: &str, now: DateTime<Utc>) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"));
    cal.append_property(("PRODID", "-//Seatwise//Renewal calendar//EN"));
    cal.append_property(("CALSCALE", "GREGORIAN"));
    cal.append_property(("METHOD", "PUBLISH"));
    cal.append_property(("X-WR-CALNAME", format!("Seatwise renewals ({owner})").as_str()));
    // Ask subscribers to refresh a few times a day; dates rarely move faster than that.
    cal.append_property(("REFRESH-INTERVAL;VALUE=DURATION", "PT6H"));
    cal.append_property(("X-PUBLISHED-TTL", "PT6H"));
    let host = url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_string));
    let host = host.unwrap_or_else(|| "seatwise.local".into());
    for e in entries {
        let what = match e.kind {
            DateKind::CancelBy => "Cancel by",
            DateKind::End => "Contract ends",
            DateKind::Review => "Review",
        };
        let link = format!("{}/contracts/{}", base_url.trim_end_matches('/'), e.contract_id);
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("contract-{}-{}-{}@{host}", e.contract_id, e.kind.as_str(), e.date))
            .timestamp(now)
            .summary(&format!("{what}: {} ({})", e.title, e.vendor))
            .description(&format!("Contract {} with {}. {}\n{link}", e.number, e.vendor, e.detail))
            .url(&link)
            .all_day(e.date)
            .ends(e.date.checked_add_days(Days::new(1)).unwrap_or(e.date))
            .add_property("TRANSP", "TRANSPARENT");
        cal.push(event.done());
    }
    cal.done().to_string()
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
}
