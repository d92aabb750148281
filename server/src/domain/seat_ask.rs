//! Asking for a seat of one's own (My seats): what an ask must say, what it becomes (a one-row change request
//! through the approval queue), and which asks still wait.

use seatwise_types::limits::ASK_REASON_CHARS as MAX_REASON;
use seatwise_types::{ChangeStatus, FieldError, OperationInput};

use super::limits;

/// The reason, trimmed, or why it will not do: the approver decides on it, so it is required.
pub fn reason(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    let mut errors = Vec::new();
    if text.is_empty() {
        errors.push(FieldError::new("reason", "is required: say what you need the license for"));
    } else if text.chars().count() > MAX_REASON {
        errors.push(FieldError::new("reason", format!("must be at most {MAX_REASON} characters")));
    }
    limits::check_text(&mut errors, "reason", Some(text));
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(text.to_string()),
    }
}

/// The change request's one row: a seat of `pool_id` for `person_id`.
pub fn operation(pool_id: i64, person_id: i64) -> OperationInput {
    OperationInput {
        op: Some("assign".into()),
        pool_id: Some(pool_id),
        person_id: Some(person_id),
        ..OperationInput::default()
    }
}

/// The change request's title, as the approval queue lists it.
pub fn title(pool: &str, person: &str) -> String {
    let pool: String = pool.chars().take(120).collect();
    let person: String = person.chars().take(60).collect();
    format!("Seat of {pool} for {person}")
}

/// The pool a change request asks a seat of for `person_id`, if that is what it is (one row assigning them).
pub fn asked_pool(operations: &[OperationInput], person_id: i64) -> Option<i64> {
    match operations {
        [o] if o.op.as_deref() == Some("assign") && o.person_id == Some(person_id) => o.pool_id,
        _ => None,
    }
}

/// The states of an ask still on its way: not yet decided, or approved and not yet applied.
pub const WAITING: [ChangeStatus; 4] =
    [ChangeStatus::Draft, ChangeStatus::Submitted, ChangeStatus::Approved, ChangeStatus::Piloted];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ask_needs_a_reason_of_reasonable_length_and_names_its_one_row() {
        assert_eq!(reason("  For the Q3 design review  ").unwrap(), "For the Q3 design review");
        assert!(reason("   ").unwrap_err().message.contains("required"));
        assert!(reason(&"x".repeat(MAX_REASON + 1)).unwrap_err().message.contains("at most"));
        assert!(reason("a\u{0}b").is_err());
        let op = operation(4, 9);
        assert_eq!(asked_pool(std::slice::from_ref(&op), 9), Some(4));
        assert_eq!(asked_pool(std::slice::from_ref(&op), 8), None);
        assert_eq!(asked_pool(&[op.clone(), op], 9), None);
        assert!(WAITING.contains(&ChangeStatus::Submitted) && !WAITING.contains(&ChangeStatus::Rejected));
        assert_eq!(title("Figma", "Liam Okafor"), "Seat of Figma for Liam Okafor");
    }
}
