pub mod alerts;
pub mod campaigns;
pub mod change;
pub mod change_policy;
pub mod change_upload;
pub mod changes;
pub mod connector;
pub mod connectors;
pub mod contract;
pub mod contract_form;
pub mod contracts;
pub mod cost_centre;
pub mod devices;
pub mod exchange_rates;
pub mod finance;
pub mod finance_pools;
pub mod import_history;
pub mod import_preview;
pub mod imports;
pub mod inventory;
pub mod ledger;
pub mod login;
pub mod my_licenses;
pub mod my_seats;
pub mod overview;
pub mod people;
pub mod pool;
pub mod pool_form;
pub mod reclamation;
pub mod reclamation_cases;
pub mod reclamation_policy;
pub mod renewals;
pub mod respond;
pub mod savings;
pub mod settings;
pub mod setup;
pub mod sign_in_groups;
pub mod tasks;
pub mod webhooks;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{ApiError, ApiResult};
use crate::components::shell::Shell;

/// The record id in a page's address (`/pools/:id`); one that is not a number names no record.
pub fn record_id(param: Option<String>) -> ApiResult<i64> {
    param
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| ApiError::failure("not_found", "There is nothing at this address.").with_status(404))
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Shell title="Not found">
            <div class="page-head"><h1>"Page not found"</h1></div>
            <p>"There is nothing at this address. " <A href="/pools">"Back to the inventory"</A></p>
        </Shell>
    }
}
