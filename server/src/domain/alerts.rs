//! Renewal alert states.

use seatwise_types::AlertStatus;

/// The states a person may still act on; a decision or a later stage retires the others.
pub const OPEN_STATUSES: [AlertStatus; 3] = [AlertStatus::Open, AlertStatus::Acknowledged, AlertStatus::Snoozed];

/// Whether an alert in this state still asks for action.
pub fn is_open(status: AlertStatus) -> bool {
    OPEN_STATUSES.contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_and_superseded_alerts_are_closed() {
        assert!(is_open(AlertStatus::Snoozed));
        assert!(!is_open(AlertStatus::Decided));
        assert!(!is_open(AlertStatus::Superseded));
    }
}
