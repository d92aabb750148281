//! A small builder for dynamic SQL with numbered parameters, so filters compose without string-pasting values.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryScalar};
use sqlx::Any;

use crate::domain::access::Reach;

#[derive(Debug, Clone)]
pub enum Arg {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::I64(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

/// A list order: the key a list is sorted by, and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<T> {
    pub key: T,
    pub descending: bool,
}

/// Dates from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a parameter placeholder and remember its value.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// `column IN (v1, v2, ...)`; with no values a condition that is false, so it matches nothing.
    pub fn push_in(&mut self, column: &str, values: &[i64]) -> &mut Self {
        self.push_membership(column, "IN", values.iter().copied().map(Arg::from), "1 = 0")
    }

    /// The pools of a reach, for the pool table under `alias`: `(alias.department_id IN (...) OR alias.owner_id =
    /// $n)`; an empty reach matches nothing.
    pub fn push_reach(&mut self, alias: &str, reach: &Reach) -> &mut Self {
        self.push("(").push_in(&format!("{alias}.department_id"), &reach.departments);
        if let Some(owner) = reach.owner_id {
            self.push(" OR ").push(alias).push(".owner_id = ").bind(owner);
        }
        self.push(")")
    }

    /// `column IN ('a', 'b', ...)` for text values (enum names), bound like any other value.
    pub fn push_in_text(&mut self, column: &str, values: &[&str]) -> &mut Self {
        self.push_membership(column, "IN", values.iter().map(|v| Arg::from(*v)), "1 = 0")
    }

    /// `column NOT IN (v1, v2, ...)`; with no values a condition that is true, so it excludes nothing. (A bare
    /// `NOT IN (NULL)` would be NULL for every row and match nothing.)
    pub fn push_not_in(&mut self, column: &str, values: &[i64]) -> &mut Self {
        self.push_membership(column, "NOT IN", values.iter().copied().map(Arg::from), "1 = 1")
    }

    fn push_membership(
        &mut self,
        column: &str,
        op: &str,
        values: impl ExactSizeIterator<Item = Arg>,
        when_empty: &str,
    ) -> &mut Self {
        if values.len() == 0 {
            return self.push(when_empty);
        }
        self.push(column).push(" ").push(op).push(" (");
        for (i, v) in values.enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    /// This statement inside another: `before` and `after` around its text, its parameters unchanged.
    pub fn wrapped(&self, before: &str, after: &str) -> Sql {
        Sql { text: format!("{before}{}{after}", self.text), args: self.args.clone() }
    }

    /// Append another statement's text, its parameters numbered after this one's (`$1` of `other` becomes
    /// `$n+1`). A `$` followed by a digit is always a placeholder in this crate's SQL: no literal holds one.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.args.len();
        let mut rest = other.text.as_str();
        while let Some(at) = rest.find('$') {
            self.text.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if let Ok(n) = rest[..digits].parse::<usize>() {
                self.text.push_str(&(n + offset).to_string());
                rest = &rest[digits..];
            }
        }
        self.text.push_str(rest);
        self.args.extend(other.args.iter().cloned());
        self
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Bool(v) => q.bind(i64::from(*v)),
            };
        }
        q
    }

    pub fn query_scalar<T>(&self) -> QueryScalar<'_, Any, T, AnyArguments<'_>>
    where
        T: Send + Unpin,
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_scalar(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Bool(v) => q.bind(i64::from(*v)),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lists_mean_nothing_and_everything() {
        let mut sql = Sql::new("SELECT 1 WHERE ");
        sql.push_in("id", &[]).push(" AND ").push_not_in("id", &[]);
        assert_eq!(sql.text, "SELECT 1 WHERE 1 = 0 AND 1 = 1");
        let mut sql = Sql::new("");
        sql.push_in("a", &[1, 2]).push(" AND ").push_not_in("b", &[3]);
        assert_eq!(sql.text, "a IN ($1, $2) AND b NOT IN ($3)");
        let mut sql = Sql::new("");
        sql.push_in_text("s", &["open", "snoozed"]);
        assert_eq!(sql.text, "s IN ($1, $2)");
    }

    #[test]
    fn appended_statements_number_their_parameters_after_ours() {
        let mut a = Sql::new("SELECT (SELECT x FROM t WHERE a = ");
        a.bind(1).push(" AND b = ").bind(2).push("), (");
        let mut b = Sql::new("SELECT json_extract(d, '$.k') FROM u WHERE c = ");
        b.bind(3).push(" LIMIT ").bind(4).push(" OFFSET $2");
        a.append(&b).push(")");
        assert_eq!(
            a.text,
            "SELECT (SELECT x FROM t WHERE a = $1 AND b = $2), (SELECT json_extract(d, '$.k') FROM u WHERE c = $3 \
             LIMIT $4 OFFSET $4)"
        );
        assert_eq!(a.args.len(), 4);
    }
}
