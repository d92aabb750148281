//! The one CSV writer every export uses. Each cell goes through [`neutralise`], so a name such as
//! `=HYPERLINK(...)` that came in through an import, SCIM or a form never runs when the file is opened in a
//! spreadsheet. `scripts/check-seams.py` keeps CSV writing in this module.

/// A text cell as an export writes it: one a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading apostrophe, so opening the file runs nothing. A plain number
/// (`-12.50`) is left as it is: a spreadsheet reads it as the number it is.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// An amount as an export's number cell: major units in the currency's digits, without the code ("1260.00").
pub fn amount(m: &seatwise_types::Money) -> String {
    let plain = seatwise_types::format_money_plain(m);
    plain.split(' ').next().unwrap_or_default().to_string()
}

/// A CSV file being written: a header, then rows of any width (a row handed back as uploaded may be short or long).
pub struct CsvOut {
    out: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Result<Self, csv::Error> {
        let mut out = Self { out: csv::WriterBuilder::new().flexible(true).from_writer(Vec::new()) };
        out.row(header)?;
        Ok(out)
    }

    /// One row, every cell neutralised.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), csv::Error> {
        self.out.write_record(cells.iter().map(|c| neutralise(c.as_ref())))
    }

    /// The file's text, after a byte-order mark: without one, Excel reads UTF-8 as the local code page and garbles
    /// every accented name (every importer here skips it).
    pub fn finish(self) -> Result<String, csv::Error> {
        Ok(format!("\u{feff}{}", self.finish_plain()?))
    }

    /// The file's text without a byte-order mark, for machine readers that take the mark for part of the first
    /// column's name (FinOps tools reading FOCUS).
    pub fn finish_plain(self) -> Result<String, csv::Error> {
        let bytes = self.out.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_cells_never_start_a_formula() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+1 555"), "'+1 555");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Ann Lee"), "Ann Lee");
        assert_eq!(neutralise("-12.50"), "-12.50");
        assert_eq!(neutralise("-"), "'-");
    }

    #[test]
    fn every_row_goes_through_it() {
        let mut out = CsvOut::new(&["name", "amount"]).unwrap();
        out.row(&["=cmd|' /C calc'!A0", "-5.00"]).unwrap();
        out.row(&["short"]).unwrap();
        assert_eq!(out.finish().unwrap(), "\u{feff}name,amount\n'=cmd|' /C calc'!A0,-5.00\nshort\n");
    }
}
