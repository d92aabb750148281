//! The mail about seat tasks (seat actions left to a person): the new ones to the people who run their pools, and
//! those left longer than `OVERDUE_DAYS` escalated to the admins, one mail per admin listing them, each with its
//! connector's page.

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

/// A new task as the mail to the people who run its pool lists it.
pub struct Assigned<'a> {
    pub person: &'a str,
    pub account: &'a str,
    pub pool: &'a str,
    /// What to do, as the connector words it.
    pub todo: Option<&'a str>,
}

/// The mail telling the people who run a pool that seat changes wait for them to make by hand.
pub fn render_assigned(tasks: &[Assigned<'_>], base_url: &str) -> Rendered {
    let n = tasks.len();
    let subject = format!("{n} seat change{} to make by hand", if n == 1 { "" } else { "s" });
    let link = format!("{}/reclamation/tasks", base_url.trim_end_matches('/'));
    let mut text = String::from(
        "Seatwise changed these seats, and their license has no API it can reach. Please make each change in the          product, then mark it done in Seatwise:\n\n",
    );
    let mut html = String::from(
        "<p>Seatwise changed these seats, and their license has no API it can reach. Please make each change in the          product, then mark it done in Seatwise:</p><ul>",
    );
    for t in tasks {
        let todo = t.todo.unwrap_or("make the change by hand");
        text.push_str(&format!(
            "- {} ({}) in {}: {}\n",
            single_line(t.person),
            single_line(t.account),
            single_line(t.pool),
            single_line(todo)
        ));
        html.push_str(&format!(
            "<li>{} ({}) in {}: {}</li>",
            escape(t.person),
            escape(t.account),
            escape(t.pool),
            escape(todo)
        ));
    }
    text.push_str(&format!("\nYour tasks: {link}\n"));
    html.push_str(&format!("</ul><p><a href=\"{}\">Open your tasks</a></p>", escape(&link)));
    Rendered { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_people_who_run_a_pool_are_told_what_to_do_with_hostile_names_escaped() {
        let tasks = [Assigned {
            person: "Remove <b>Ann</b>",
            account: "ann@example.com",
            pool: "Acrobat",
            todo: Some("Remove the Acrobat license\nBcc: x"),
        }];
        let m = render_assigned(&tasks, "https://seatwise.example.com/");
        assert_eq!(m.subject, "1 seat change to make by hand");
        assert!(
            m.text.contains("Remove <b>Ann</b> (ann@example.com) in Acrobat: Remove the Acrobat license"),
            "{}",
            m.text
        );
        assert!(m.text.contains("https://seatwise.example.com/reclamation/tasks"), "{}", m.text);
        assert!(!m.text.contains("\nBcc"), "{}", m.text);
        assert!(m.html.contains("Remove &lt;b&gt;Ann&lt;/b&gt;"), "{}", m.html);
    }

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
