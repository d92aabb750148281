//! Reading uploaded CSV files the same way for every import: lenient about padding and a BOM, exact about where
//! each record starts so errors can name the row and the file line.

use seatwise_types::FieldError;

/// A data record with its row number (first data row is 1) and the file line it starts on.
pub struct Record {
    pub row: u64,
    pub line: u64,
    pub fields: csv::StringRecord,
}

/// The whole file: lower-cased headers, the records that could be read, and errors for those that could not.
pub struct CsvFile {
    pub headers: Vec<String>,
    pub records: Vec<Record>,
    pub errors: Vec<FieldError>,
}

impl CsvFile {
    pub fn read(text: &str) -> Result<CsvFile, Vec<FieldError>> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase()).collect(),
            Err(e) => return Err(vec![FieldError::new("file", format!("cannot read the header: {e}"))]),
        };
        let mut records = Vec::new();
        let mut errors = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let row = i as u64 + 1;
            match record {
                Ok(fields) => {
                    let line = fields.position().map_or(row + 1, |p| p.line());
                    records.push(Record { row, line, fields });
                }
                Err(e) => {
                    let line = e.position().map_or(row + 1, |p| p.line());
                    errors.push(FieldError {
                        path: "file".into(),
                        message: e.to_string(),
                        row: Some(row),
                        line: Some(line),
                    });
                }
            }
        }
        Ok(CsvFile { headers, records, errors })
    }

    /// Column index by header name, case-insensitive.
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = name.to_lowercase();
        self.headers.iter().position(|h| *h == name)
    }
}

impl Record {
    /// A trimmed, non-empty cell.
    pub fn get<'a>(&'a self, file: &CsvFile, name: &str) -> Option<&'a str> {
        self.at(file.column(name))
    }

    /// A trimmed, non-empty cell by column index (from [`CsvFile::column`], looked up once per file).
    pub fn at(&self, column: Option<usize>) -> Option<&str> {
        column.and_then(|i| self.fields.get(i)).map(str::trim).filter(|v| !v.is_empty())
    }
}
