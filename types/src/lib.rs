//! JSON shapes of the Seatwise REST API, shared by the server and the browser app so the two cannot disagree.
//!
//! Only data and tiny pure helpers live here; domain rules live in the server's `domain` module.

pub mod auth;
pub mod campaigns;
pub mod change_requests;
pub mod connectors;
pub mod error;
pub mod finance;
pub mod imports;
pub mod inventory;
pub mod ledger;
pub mod limits;
pub mod list;
pub mod money;
pub mod query;
pub mod reclamation;
pub mod renewals;
pub mod webhooks;
pub mod when;

pub use auth::*;
pub use campaigns::*;
pub use change_requests::*;
pub use connectors::*;
pub use error::*;
pub use finance::*;
pub use imports::*;
pub use inventory::*;
pub use ledger::*;
pub use list::*;
pub use money::*;
pub use query::*;
pub use reclamation::*;
pub use renewals::*;
pub use webhooks::*;
