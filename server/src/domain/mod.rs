//! Domain rules: pure functions with no I/O, used by the services and tested on their own.

pub mod access;
pub mod alert_mail;
pub mod alerts;
pub mod apply_attempt;
pub mod approval_policy;
pub mod change_csv;
pub mod change_mail;
pub mod change_request;
pub mod change_rollback;
pub mod csv_file;
pub mod escape;
pub mod graph;
pub mod hr;
pub mod ics;
pub mod ledger;
pub mod limits;
pub mod login_guard;
pub mod people;
pub mod pool;
pub mod reclamation;
pub mod renewal_seats;
pub mod renewals;
pub mod scim;
pub mod secret;
pub mod snipeit;
pub mod version;
