//! The mail that escalates overdue tasks: seat actions left to a person for longer than `OVERDUE_DAYS`, one
//! mail per admin listing them, each with its connector's page.

use super::alert_mail::{escape, Rendered};
use super::escape::single_line;

/// Days a task may wait for a person before the admins are told.
pub const OVERDUE_DAYS: i64 = 3;

/// One overdue task as the mail lists it.
pub struct Task<'a> {
    pub connector_id: i64,
    pub connector: &'a str,
    pub person: &'a str,
    pub pool: &'a str,
    pub waiting_days: i64,
}

pub fn render(tasks: &[Task<'_>], base_url: &str) -> Rendered {
    let n = tasks.len();
    let subject =
        format!("{n} seat task{} waiting for a person for over {OVERDUE_DAYS} days", if n == 1 { "" } else { "s" });
    let mut text = String::from(
        "These seat changes could not be made through an API and wait for someone to make them by hand, then mark \
         them done:\n\n",
    );
    let mut html = String::from(
        "<p>These seat changes could not be made through an API and wait for someone to make them by hand, then \
         mark them done:</p><ul>",
    );
    for t in tasks {
        let link = format!("{}/connectors/{}?status=manual", base_url.trim_end_matches('/'), t.connector_id);
        text.push_str(&format!(
            "- {} in {} ({}), waiting {} days: {link}\n",
            single_line(t.person),
            single_line(t.pool),
            single_line(t.connector),
            t.waiting_days
        ));
        html.push_str(&format!(
            "<li>{} in {} ({}), waiting {} days: <a href=\"{}\">open the tasks</a></li>",
            escape(t.person),
            escape(t.pool),
            escape(t.connector),
            t.waiting_days,
            escape(&link)
        ));
    }
    html.push_str("</ul>");
    Rendered { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_lists_each_task_with_its_link_and_escapes_names() {
        let tasks = [Task {
            connector_id: 4,
            connector: "Acrobat <by hand>",
            person: "Ann\nBcc: x",
            pool: "Acrobat",
            waiting_days: 5,
        }];
        let m = render(&tasks, "https://seatwise.example.com/");
        assert_eq!(m.subject, "1 seat task waiting for a person for over 3 days");
        assert!(m.text.contains("https://seatwise.example.com/connectors/4?status=manual"), "{}", m.text);
        assert!(!m.text.contains("\nBcc"), "{}", m.text);
        assert!(m.html.contains("Acrobat &lt;by hand&gt;"), "{}", m.html);
    }
}
