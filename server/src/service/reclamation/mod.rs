//! Reclamation: policies find the seats nobody uses (`policies`), a run turns findings into cases and acts on
//! them (`run`), cases are worked and restored (`cases`), holds defer revocation (`holds`), and every seat removed
//! is priced in the savings log (`savings`); holders give their own seats back (`given_back`); campaigns ask people first
//! (`campaigns`), who answer through their link (`respond`), and their deadlines are kept (`campaign_upkeep`).

pub mod campaign_upkeep;
pub mod campaigns;
pub mod cases;
pub mod daily;
pub mod decide;
pub mod given_back;
pub mod holds;
pub mod offboarding;
mod open;
pub mod policies;
pub mod respond;
pub mod run;
pub mod savings;
pub mod settle;

/// Days a reclaimed or downgraded seat can be given back.
pub const RESTORE_DAYS: i64 = 30;
