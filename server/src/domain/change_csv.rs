//! A change request as a CSV file: one operation per row, pools by id or name, people by e-mail or employee id.
//!
//! Columns (headers matched as every import matches them: case, spaces, underscores and hyphens do not matter):
//! `op` (assign, unassign, reassign, move, set_seats, retire_pool), `pool`, `person`, `from_person`, `to_person`,
//! `from_pool`, `to_pool`, `seats_purchased`. A pool cell of digits is an id, anything else a name; a person cell
//! with `@` is an e-mail address, anything else an employee id.

use seatwise_types::{FieldError, ImportColumns};

use crate::domain::csv_file::CsvFile;

/// The columns and the header spellings that fill them.
pub const FIELDS: [(&str, &[&str]); 8] = [
    ("op", &["op", "operation"]),
    ("pool", &["pool", "pool_id", "pool_name"]),
    ("person", &["person", "email", "employee_id"]),
    ("from_person", &["from_person", "from_email"]),
    ("to_person", &["to_person", "to_email"]),
    ("from_pool", &["from_pool", "from_pool_id"]),
    ("to_pool", &["to_pool", "to_pool_id"]),
    ("seats_purchased", &["seats_purchased", "seats"]),
];

/// How a cell names a pool.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PoolKey {
    Id(i64),
    /// Lower case.
    Name(String),
}

/// How a cell names a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PersonKey {
    /// Lower case.
    Email(String),
    EmployeeId(String),
}

pub fn pool_key(cell: &str) -> PoolKey {
    match cell.parse::<i64>() {
        Ok(id) if cell.chars().all(|c| c.is_ascii_digit()) => PoolKey::Id(id),
        _ => PoolKey::Name(cell.to_lowercase()),
    }
}

pub fn person_key(cell: &str) -> PersonKey {
    if cell.contains('@') {
        PersonKey::Email(cell.to_lowercase())
    } else {
        PersonKey::EmployeeId(cell.to_string())
    }
}

/// One row as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvRow {
    pub row: u64,
    pub line: u64,
    pub op: Option<String>,
    pub pool: Option<String>,
    pub person: Option<String>,
    pub from_person: Option<String>,
    pub to_person: Option<String>,
    pub from_pool: Option<String>,
    pub to_pool: Option<String>,
    pub seats_purchased: Option<String>,
}

/// The rows of a file and which columns it has; a file with no `op` column, or unreadable rows, is refused.
pub fn read(text: &str) -> Result<(Vec<CsvRow>, ImportColumns), Vec<FieldError>> {
    let (file, records) = CsvFile::open(text)?;
    let columns = file.columns(&FIELDS);
    let at = |field: &str| {
        FIELDS
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, spellings)| spellings.iter().find_map(|s| file.column(s)))
    };
    let Some(op) = at("op") else {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "The header has no op column, so no row says what to do. Its columns are: {}.",
                file.original.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", ")
            ),
        )]);
    };
    let cols = [
        at("pool"),
        at("person"),
        at("from_person"),
        at("to_person"),
        at("from_pool"),
        at("to_pool"),
        at("seats_purchased"),
    ];
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        match record {
            Err(e) => errors.push(e),
            Ok(r) => {
                let cell = |i: usize| r.at(cols[i]).map(str::to_string);
                rows.push(CsvRow {
                    row: r.row,
                    line: r.line,
                    op: r.at(Some(op)).map(str::to_lowercase),
                    pool: cell(0),
                    person: cell(1),
                    from_person: cell(2),
                    to_person: cell(3),
                    from_pool: cell(4),
                    to_pool: cell(5),
                    seats_purchased: cell(6),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok((rows, columns))
    } else {
        Err(errors)
    }
}

/// The CSV column an operation's field comes from, for errors about a row of a file.
pub fn column_of(field: &str) -> &str {
    match field {
        "pool_id" => "pool",
        "person_id" => "person",
        "from_person_id" => "from_person",
        "to_person_id" => "to_person",
        "from_pool_id" => "from_pool",
        "to_pool_id" => "to_pool",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_with_their_lines_and_keys_are_read_by_their_shape() {
        let text = "Op,Pool,Person,Seats Purchased\nassign,Jira,ana@example.com,\n\"set_seats\",17,,\"1\n0\"\nUNASSIGN,Jira,E042,\n";
        let (rows, columns) = read(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[1].row, rows[1].line), (2, 3));
        assert_eq!((rows[2].row, rows[2].line, rows[2].op.as_deref()), (3, 5, Some("unassign")));
        assert_eq!(columns.recognised.len(), 4);
        assert_eq!(pool_key("17"), PoolKey::Id(17));
        assert_eq!(pool_key("Jira 2"), PoolKey::Name("jira 2".into()));
        assert_eq!(person_key("Ana@Example.com"), PersonKey::Email("ana@example.com".into()));
        assert_eq!(person_key("10042"), PersonKey::EmployeeId("10042".into()));
    }

    #[test]
    fn a_file_without_an_op_column_says_which_columns_it_has() {
        let errors = read("pool,person\nJira,ana@example.com\n").unwrap_err();
        assert!(errors[0].message.contains("no op column"));
        assert!(errors[0].message.contains("pool, person"));
    }
}
