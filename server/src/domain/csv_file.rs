//! Reading uploaded CSV files the same way for every import: lenient about padding, a BOM and how headers are
//! spelled, exact about where each record starts so errors can name the row and the file line.
//!
//! Headers are matched after [`normalise`]: case, spaces, underscores and hyphens do not matter, so Snipe-IT's
//! `First Name`, an HR system's `first_name` and `FIRST-NAME` are the same column.

use std::collections::BTreeMap;

use seatwise_types::{ColumnMatch, FieldError, ImportColumns};

use crate::domain::csv_out::CsvOut;

/// A data record with its row number (first data row is 1) and the file line it starts on.
pub struct Record {
    pub row: u64,
    pub line: u64,
    pub fields: csv::StringRecord,
}

/// A file's headers, as written and normalised. Its records are read one at a time ([`Records`]), so an import
/// holds what it makes of each row, never the whole file a second time.
pub struct CsvFile {
    /// Headers as the file writes them, for messages and for handing rows back.
    pub original: Vec<String>,
    /// Normalised headers ([`normalise`]).
    pub headers: Vec<String>,
}

/// The data records of a file in order: each one read, or an error naming the row and line that could not be.
pub struct Records<'a> {
    inner: csv::StringRecordsIntoIter<&'a [u8]>,
    row: u64,
}

impl Iterator for Records<'_> {
    type Item = Result<Record, FieldError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.inner.next()?;
        self.row += 1;
        let row = self.row;
        Some(match record {
            Ok(fields) => Ok(Record { row, line: fields.position().map_or(row + 1, |p| p.line()), fields }),
            Err(e) => Err(FieldError {
                path: "file".into(),
                message: format!("This row cannot be read as CSV: {e}."),
                row: Some(row),
                line: Some(e.position().map_or(row + 1, |p| p.line())),
            }),
        })
    }
}

/// A header as imports match it: lower case, and any run of spaces, underscores or hyphens as one underscore.
pub fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut gap = false;
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            gap = !out.is_empty();
        } else {
            if gap {
                out.push('_');
                gap = false;
            }
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

impl CsvFile {
    /// The header, and the records after it to be read in turn. `Err` when there is no header to read.
    pub fn open(text: &str) -> Result<(CsvFile, Records<'_>), Vec<FieldError>> {
        let mut reader = reader(text);
        let original: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect(),
            Err(e) => return Err(vec![FieldError::new("file", format!("The header line cannot be read: {e}."))]),
        };
        let headers = original.iter().map(|h| normalise(h)).collect();
        Ok((CsvFile { original, headers }, Records { inner: reader.into_records(), row: 0 }))
    }

    /// Column index by header name, matched as [`normalise`] does.
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = normalise(name);
        self.headers.iter().position(|h| *h == name)
    }

    /// Which headers a kind reads (`fields`: each field with the header spellings that fill it, normalised, the
    /// first found winning) and which it ignores, in file order.
    pub fn columns(&self, fields: &[(&str, &[&str])]) -> ImportColumns {
        let mut used: BTreeMap<usize, &str> = BTreeMap::new();
        for (field, spellings) in fields {
            if let Some(i) = spellings.iter().find_map(|s| self.column(s)) {
                used.entry(i).or_insert(*field);
            }
        }
        let mut columns = ImportColumns::default();
        for (i, header) in self.original.iter().enumerate() {
            match used.get(&i) {
                Some(field) => {
                    columns.recognised.push(ColumnMatch { header: header.clone(), field: field.to_string() })
                }
                None if header.is_empty() => {}
                None => columns.ignored.push(header.clone()),
            }
        }
        columns
    }
}

impl Record {
    /// A trimmed, non-empty cell.
    pub fn get<'a>(&'a self, file: &CsvFile, name: &str) -> Option<&'a str> {
        self.at(file.column(name))
    }

    /// The first of several header spellings the file has, as a trimmed, non-empty cell.
    pub fn get_any<'a>(&'a self, file: &CsvFile, names: &[&str]) -> Option<&'a str> {
        self.at(names.iter().find_map(|n| file.column(n)))
    }

    /// A trimmed, non-empty cell by column index (from [`CsvFile::column`], looked up once per file).
    pub fn at(&self, column: Option<usize>) -> Option<&str> {
        column.and_then(|i| self.fields.get(i)).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// The rows some errors name, as a CSV file: the original header plus an `error` column, then each of those rows
/// as it came with its problems in that column. This is what an apply that skips bad rows hands back to be fixed.
pub fn rows_in_error(text: &str, errors: &[FieldError]) -> Result<String, csv::Error> {
    let mut by_row: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in errors {
        if let Some(row) = e.row {
            by_row.entry(row).or_default().push(format!("{}: {}", e.path, e.message));
        }
    }
    let mut reader = reader(text);
    let mut header: Vec<String> =
        reader.headers()?.iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let width = header.len();
    header.push("error".into());
    let mut out = CsvOut::new(&header)?;
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 1;
        let Some(problems) = by_row.get(&row) else { continue };
        let mut fields: Vec<String> = match record {
            Ok(r) => r.iter().map(str::to_string).collect(),
            Err(_) => Vec::new(),
        };
        fields.resize(width.max(fields.len()), String::new());
        fields.push(problems.join("; "));
        out.row(&fields)?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_case_spaces_and_underscores() {
        assert_eq!(normalise(" First Name "), "first_name");
        assert_eq!(normalise("\u{feff}employee_ID"), "employee_id");
        assert_eq!(normalise("Licensed  to - Email"), "licensed_to_email");
        assert_eq!(normalise("purchase_order"), "purchase_order");
        let (file, records) = CsvFile::open("First Name,LAST_NAME,e-mail,Shoe Size\nA,B,c@example.com,9\n").unwrap();
        assert_eq!(file.column("first_name"), Some(0));
        assert_eq!(file.column("Last Name"), Some(1));
        let records: Vec<Record> = records.collect::<Result<_, _>>().unwrap();
        assert_eq!(records[0].get_any(&file, &["email", "e_mail"]), Some("c@example.com"));
        assert_eq!((records.len(), records[0].row, records[0].line), (1, 1, 2));
        let columns = file.columns(&[("first_name", &["first_name"]), ("email", &["email", "e_mail"])]);
        let recognised: Vec<(&str, &str)> =
            columns.recognised.iter().map(|c| (c.header.as_str(), c.field.as_str())).collect();
        assert_eq!(recognised, [("First Name", "first_name"), ("e-mail", "email")]);
        assert_eq!(columns.ignored, ["LAST_NAME", "Shoe Size"]);
    }

    #[test]
    fn records_are_read_one_at_a_time_with_their_row_and_first_line() {
        let (_, records) = CsvFile::open("a,b\n1,2\n\"two\nlines\",3\n4,5\n").unwrap();
        let read: Vec<(u64, u64)> = records.map(|r| r.map(|r| (r.row, r.line))).collect::<Result<_, _>>().unwrap();
        assert_eq!(read, [(1, 2), (2, 3), (3, 5)]);
    }

    #[test]
    fn rows_in_error_come_back_as_they_were_with_their_problems() {
        let text = "id,Note\n1,fine\n2,\"two\nlines\"\n3,\"a, b\"\n";
        let errors = vec![
            FieldError { path: "Note".into(), message: "is odd".into(), row: Some(2), line: Some(3) },
            FieldError { path: "id".into(), message: "is taken".into(), row: Some(3), line: Some(5) },
            FieldError { path: "Note".into(), message: "is long".into(), row: Some(3), line: Some(5) },
        ];
        let csv = rows_in_error(text, &errors).unwrap();
        assert_eq!(
            csv,
            "\u{feff}id,Note,error\n2,\"two\nlines\",Note: is odd\n3,\"a, b\",id: is taken; Note: is long\n"
        );
    }
}
