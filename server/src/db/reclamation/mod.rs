//! Reclamation's storage: usage signals, policies and their versions, cases, campaigns and their letters, holds and
//! the savings log.

pub mod campaigns;
pub mod cases;
pub mod holds;
pub mod policies;
pub mod savings;
pub mod usage;
