//! A change request's rows read into operations: each names its pools and people, and reads back as the row it
//! came from; a row with a missing field or an unknown `op` is an error naming that row and field.

use seatwise_types::{FieldError, OperationInput};

/// One checked-in-shape operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Assign {
        pool_id: i64,
        person_id: i64,
    },
    Unassign {
        pool_id: i64,
        person_id: i64,
    },
    Reassign {
        pool_id: i64,
        from_person_id: i64,
        to_person_id: i64,
    },
    Move {
        from_pool_id: i64,
        to_pool_id: i64,
        person_id: i64,
    },
    SetSeats {
        pool_id: i64,
        seats_purchased: i64,
    },
    RetirePool {
        pool_id: i64,
    },
    /// A retired pool back in use (what rolling back a retirement does first).
    RestorePool {
        pool_id: i64,
    },
}

pub const OPS: [&str; 7] = ["assign", "unassign", "reassign", "move", "set_seats", "retire_pool", "restore_pool"];

impl Operation {
    /// The pools it changes, the first one first.
    pub fn pools(&self) -> Vec<i64> {
        match *self {
            Self::Assign { pool_id, .. }
            | Self::Unassign { pool_id, .. }
            | Self::Reassign { pool_id, .. }
            | Self::SetSeats { pool_id, .. }
            | Self::RetirePool { pool_id }
            | Self::RestorePool { pool_id } => vec![pool_id],
            Self::Move { from_pool_id, to_pool_id, .. } => vec![from_pool_id, to_pool_id],
        }
    }

    /// The people whose seats it changes.
    pub fn people(&self) -> Vec<i64> {
        match *self {
            Self::Assign { person_id, .. } | Self::Unassign { person_id, .. } | Self::Move { person_id, .. } => {
                vec![person_id]
            }
            Self::Reassign { from_person_id, to_person_id, .. } => vec![from_person_id, to_person_id],
            Self::SetSeats { .. } | Self::RetirePool { .. } | Self::RestorePool { .. } => Vec::new(),
        }
    }

    /// The operation as sent in a request.
    pub fn input(&self) -> OperationInput {
        let op = |name: &str| Some(name.to_string());
        match *self {
            Self::Assign { pool_id, person_id } => OperationInput {
                op: op("assign"),
                pool_id: Some(pool_id),
                person_id: Some(person_id),
                ..Default::default()
            },
            Self::Unassign { pool_id, person_id } => OperationInput {
                op: op("unassign"),
                pool_id: Some(pool_id),
                person_id: Some(person_id),
                ..Default::default()
            },
            Self::Reassign { pool_id, from_person_id, to_person_id } => OperationInput {
                op: op("reassign"),
                pool_id: Some(pool_id),
                from_person_id: Some(from_person_id),
                to_person_id: Some(to_person_id),
                ..Default::default()
            },
            Self::Move { from_pool_id, to_pool_id, person_id } => OperationInput {
                op: op("move"),
                from_pool_id: Some(from_pool_id),
                to_pool_id: Some(to_pool_id),
                person_id: Some(person_id),
                ..Default::default()
            },
            Self::SetSeats { pool_id, seats_purchased } => OperationInput {
                op: op("set_seats"),
                pool_id: Some(pool_id),
                seats_purchased: Some(seats_purchased),
                ..Default::default()
            },
            Self::RetirePool { pool_id } => {
                OperationInput { op: op("retire_pool"), pool_id: Some(pool_id), ..Default::default() }
            }
            Self::RestorePool { pool_id } => {
                OperationInput { op: op("restore_pool"), pool_id: Some(pool_id), ..Default::default() }
            }
        }
    }
}

pub(super) fn row_error(row: u64, path: &str, message: impl Into<String>) -> FieldError {
    FieldError { path: path.into(), message: message.into(), row: Some(row), line: None }
}

/// Read each row into an operation; rows are numbered from 1. A row with a missing field or an unknown `op` is
/// an error naming that row and field, and is left out.
pub fn parse(rows: &[OperationInput]) -> (Vec<(u64, Operation)>, Vec<FieldError>) {
    let mut ops = Vec::new();
    let mut errors = Vec::new();
    if rows.is_empty() {
        errors.push(FieldError::new("operations", "add at least one operation"));
    }
    for (i, input) in rows.iter().enumerate() {
        let row = i as u64 + 1;
        let mut missing = Vec::new();
        let mut need = |path: &'static str, v: Option<i64>| {
            if v.is_none() {
                missing.push(path);
            }
            v.unwrap_or(0)
        };
        let op = match input.op.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(row_error(row, "op", format!("is required: one of {}", OPS.join(", "))));
                continue;
            }
            Some("assign") => Operation::Assign {
                pool_id: need("pool_id", input.pool_id),
                person_id: need("person_id", input.person_id),
            },
            Some("unassign") => Operation::Unassign {
                pool_id: need("pool_id", input.pool_id),
                person_id: need("person_id", input.person_id),
            },
            Some("reassign") => Operation::Reassign {
                pool_id: need("pool_id", input.pool_id),
                from_person_id: need("from_person_id", input.from_person_id),
                to_person_id: need("to_person_id", input.to_person_id),
            },
            Some("move") => Operation::Move {
                from_pool_id: need("from_pool_id", input.from_pool_id),
                to_pool_id: need("to_pool_id", input.to_pool_id),
                person_id: need("person_id", input.person_id),
            },
            Some("set_seats") => Operation::SetSeats {
                pool_id: need("pool_id", input.pool_id),
                seats_purchased: need("seats_purchased", input.seats_purchased),
            },
            Some("retire_pool") => Operation::RetirePool { pool_id: need("pool_id", input.pool_id) },
            Some("restore_pool") => Operation::RestorePool { pool_id: need("pool_id", input.pool_id) },
            Some(other) => {
                let shown: String = other.chars().take(40).collect();
                errors.push(row_error(
                    row,
                    "op",
                    format!("{shown:?} is not an operation: use one of {}", OPS.join(", ")),
                ));
                continue;
            }
        };
        if missing.is_empty() {
            ops.push((row, op));
        } else {
            errors.extend(missing.into_iter().map(|path| row_error(row, path, "is required for this operation")));
        }
    }
    (ops, errors)
}
