//! Apply attempts: an attempt's stored end, or, while it has none, whether whoever is applying it is still alive.

use chrono::{DateTime, Duration, Utc};
use seatwise_types::AttemptOutcome;

/// How often a running apply says it is alive (in its progress record, which any instance reads).
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);

/// An attempt with no end that has given no sign of life for this long was cut off: the process applying it
/// stopped, and its transaction with it. Generous beside the heartbeat: a beat may wait for a pooled connection.
pub fn stale() -> Duration {
    Duration::seconds(60)
}

/// At the start of the only process on a SQLite file, an attempt quiet for two heartbeats was the last process's:
/// one still shutting down (within its grace) keeps beating, so its live applies are left alone.
pub fn cut_off_at_start(last_alive: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_alive > Duration::seconds(2 * HEARTBEAT.as_secs() as i64)
}

/// Of the attempts still open at a SQLite server's start, (attempt, what it applies, started at), those cut off:
/// quiet for longer than a live process allows, by their last beat in `alive` (by what they apply).
pub fn cut_off_among(
    open: Vec<(i64, i64, DateTime<Utc>)>,
    alive: &std::collections::HashMap<i64, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<i64> {
    open.into_iter()
        .filter(|(_, owner, started)| cut_off_at_start(last_alive(*started, alive.get(owner).copied()), now))
        .map(|(attempt, _, _)| attempt)
        .collect()
}

/// An attempt's last sign of life: its import's latest progress beat, unless that is older than the attempt
/// itself (a beat left by an earlier attempt of the same import).
pub fn last_alive(started: DateTime<Utc>, beat: Option<DateTime<Utc>>) -> DateTime<Utc> {
    beat.filter(|b| *b > started).unwrap_or(started)
}

/// What an attempt is now: its stored end if it has one, else running while it is alive, else interrupted.
pub fn outcome(stored: Option<AttemptOutcome>, last_alive: DateTime<Utc>, now: DateTime<Utc>) -> AttemptOutcome {
    match stored {
        Some(o) => o,
        None if now - last_alive > stale() => AttemptOutcome::Interrupted,
        None => AttemptOutcome::Running,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_without_an_end_is_running_until_it_goes_quiet() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(outcome(None, t, t + Duration::seconds(59)), AttemptOutcome::Running);
        assert_eq!(outcome(None, t, t + Duration::seconds(61)), AttemptOutcome::Interrupted);
        assert!(!cut_off_at_start(t, t + Duration::seconds(9)), "a process shutting down still beats");
        assert!(cut_off_at_start(t, t + Duration::seconds(11)));
        let failed = Some(AttemptOutcome::Failed);
        assert_eq!(outcome(failed, t, t + Duration::days(1)), AttemptOutcome::Failed);
        assert_eq!(outcome(Some(AttemptOutcome::Applied), t, t), AttemptOutcome::Applied);
    }
}
