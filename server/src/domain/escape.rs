//! Output escaping for text that came from users or imports. Input checks reject control characters in new
//! data, but stored data (older rows, imports, direct database edits) may still hold them, so every output
//! format escapes on its own: iCalendar TEXT values, e-mail headers and log lines.

use std::fmt::{self, Write};

/// Characters that must never reach a line-oriented output raw: C0 and C1 controls (NUL, CR, LF, ESC, DEL...),
/// the Unicode line and paragraph separators, and the bidi embedding, override and isolate controls that make
/// text read differently from how it is stored.
pub fn is_hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || crate::domain::limits::is_bidi_control(c)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// One line of plain text for a header (an e-mail subject or display name): line breaks and tabs become one
/// space, other hostile characters are dropped.
pub fn single_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_break = false;
    for c in s.chars() {
        if is_break(c) {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
        } else {
            in_break = false;
            if !is_hostile(c) {
                out.push(c);
            }
        }
    }
    out
}

/// An iCalendar TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line break (CRLF,
/// CR, LF, the Unicode separators) written as `\n`, other hostile characters dropped. The result holds no CR or
/// LF, so it cannot end its content line.
pub fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if is_hostile(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Shows a value in a log line with every hostile character escaped (`\r`, `\n`, `\u{202e}`) and nothing else
/// changed, for values that are not plain strings (errors whose message may quote user input).
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        for c in text.chars() {
            if is_hostile(c) {
                write!(f, "{}", c.escape_debug())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "A\r\nB\rC\nD\0E\u{1b}[31mF\u{202e}G\u{2066}H\u{2028}I\tJ";

    #[test]
    fn single_line_keeps_no_break_and_no_control() {
        assert_eq!(single_line(HOSTILE), "A B C DE[31mFGH I J");
        assert_eq!(single_line("Renewal\r\nBcc: evil@example.com"), "Renewal Bcc: evil@example.com");
        assert!(!single_line(HOSTILE).chars().any(is_hostile));
        assert_eq!(single_line("Zoom, Inc. — עברית"), "Zoom, Inc. — עברית", "ordinary text is untouched");
    }

    #[test]
    fn ics_text_escapes_per_rfc_5545() {
        assert_eq!(ics_text("a\\b;c,d"), "a\\\\b\\;c\\,d");
        assert_eq!(ics_text("one\r\ntwo\rthree\nfour"), "one\\ntwo\\nthree\\nfour");
        assert_eq!(ics_text("x\0y\u{1b}z\u{202e}w\u{7f}"), "xyzw");
        assert_eq!(ics_text("tab\there"), "tab here");
        let out = ics_text(HOSTILE);
        assert!(!out.contains('\r') && !out.contains('\n') && !out.chars().any(is_hostile), "{out:?}");
    }

    #[test]
    fn escaped_shows_controls_and_leaves_the_rest() {
        assert_eq!(Escaped("a@b.c\r\nERROR forged").to_string(), "a@b.c\\r\\nERROR forged");
        assert_eq!(Escaped("x\u{202e}y\0").to_string(), "x\\u{202e}y\\0");
        assert_eq!(Escaped("plain \"text\"").to_string(), "plain \"text\"");
    }
}
