//! Seatwise browser console: a client-side Leptos app talking to the REST API.

mod api;
mod components;
mod format;
mod pages;
mod session;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use pages::alerts::{AlertPage, AlertsPage};
use pages::campaigns::{CampaignPage, CampaignsPage};
use pages::change::ChangePage;
use pages::change_policy::ChangePolicyPage;
use pages::change_upload::ChangeUploadPage;
use pages::changes::ChangesPage;
use pages::connector::ConnectorPage;
use pages::contract::ContractPage;
use pages::contract_form::{ContractCreatePage, ContractEditPage};
use pages::contracts::ContractsPage;
use pages::cost_centre::CostCentrePage;
use pages::devices::DevicesPage;
use pages::exchange_rates::ExchangeRatesPage;
use pages::finance::FinancePage;
use pages::finance_pools::FinancePoolsPage;
use pages::import_history::ImportHistoryPage;
use pages::imports::ImportPage;
use pages::inventory::InventoryPage;
use pages::ledger::LedgerPage;
use pages::login::LoginPage;
use pages::my_licenses::MyLicensesPage;
use pages::my_seats::MySeatsPage;
use pages::overview::OverviewPage;
use pages::people::{PeoplePage, PersonPage};
use pages::pool::PoolPage;
use pages::pool_form::{PoolCreatePage, PoolEditPage};
use pages::reclamation::ReclamationPage;
use pages::reclamation_cases::{CasesPage, HoldsPage};
use pages::reclamation_policy::{PolicyCreatePage, PolicyEditPage, PolicyPage};
use pages::renewals::RenewalsPage;
use pages::respond::RespondPage;
use pages::savings::SavingsPage;
use pages::settings::SettingsPage;
use pages::setup::SetupPage;
use pages::tasks::TasksPage;
use pages::NotFound;

/// The console's front door: where the signed-in person's work starts, or the login page.
#[component]
fn Home() -> impl IntoView {
    let session = session::use_session();
    move || match session.get() {
        session::SessionState::Loading => None,
        session::SessionState::Anonymous => Some(view! { <Redirect path="/login"/> }),
        session::SessionState::User(info) => Some(view! { <Redirect path=info.capabilities.home.path()/> }),
    }
}

#[component]
fn App() -> impl IntoView {
    session::provide_session();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <Route path=path!("/pools") view=InventoryPage/>
                <Route path=path!("/pools/new") view=PoolCreatePage/>
                <Route path=path!("/pools/:id") view=PoolPage/>
                <Route path=path!("/pools/:id/edit") view=PoolEditPage/>
                <Route path=path!("/my") view=MyLicensesPage/>
                <Route path=path!("/my/seats") view=MySeatsPage/>
                <Route path=path!("/overview") view=OverviewPage/>
                <Route path=path!("/finance") view=FinancePage/>
                <Route path=path!("/finance/pools") view=FinancePoolsPage/>
                <Route path=path!("/finance/rates") view=ExchangeRatesPage/>
                <Route path=path!("/finance/cost-centres/:id") view=CostCentrePage/>
                <Route path=path!("/people") view=PeoplePage/>
                <Route path=path!("/devices") view=DevicesPage/>
                <Route path=path!("/people/:id") view=PersonPage/>
                <Route path=path!("/renewals") view=RenewalsPage/>
                <Route path=path!("/contracts") view=ContractsPage/>
                <Route path=path!("/contracts/new") view=ContractCreatePage/>
                <Route path=path!("/contracts/:id") view=ContractPage/>
                <Route path=path!("/contracts/:id/edit") view=ContractEditPage/>
                <Route path=path!("/alerts") view=AlertsPage/>
                <Route path=path!("/alerts/:id") view=AlertPage/>
                <Route path=path!("/settings") view=SettingsPage/>
                <Route path=path!("/connectors/:id") view=ConnectorPage/>
                <Route path=path!("/ledger") view=LedgerPage/>
                <Route path=path!("/changes") view=ChangesPage/>
                <Route path=path!("/changes/new") view=ChangeUploadPage/>
                <Route path=path!("/changes/policy") view=ChangePolicyPage/>
                <Route path=path!("/changes/:id") view=ChangePage/>
                <Route path=path!("/reclamation") view=ReclamationPage/>
                <Route path=path!("/reclamation/policies/new") view=PolicyCreatePage/>
                <Route path=path!("/reclamation/policies/:id") view=PolicyPage/>
                <Route path=path!("/reclamation/policies/:id/edit") view=PolicyEditPage/>
                <Route path=path!("/reclamation/cases") view=CasesPage/>
                <Route path=path!("/reclamation/holds") view=HoldsPage/>
                <Route path=path!("/reclamation/campaigns") view=CampaignsPage/>
                <Route path=path!("/reclamation/campaigns/:id") view=CampaignPage/>
                <Route path=path!("/respond/:token") view=RespondPage/>
                <Route path=path!("/savings") view=SavingsPage/>
                <Route path=path!("/reclamation/tasks") view=TasksPage/>
                <Route path=path!("/imports") view=ImportPage/>
                <Route path=path!("/imports/history") view=ImportHistoryPage/>
            </Routes>
        </Router>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
