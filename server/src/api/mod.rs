//! The REST API under `/api/v1`: routes and the OpenAPI document, generated from the same handler list.

pub mod alerts;
pub mod calendar;
pub mod campaigns;
pub mod catalog;
pub mod change_requests;
pub mod connectors;
pub mod contracts;
pub mod devices;
pub mod document;
pub mod extract;
pub mod finance;
pub mod imports;
pub mod ledger;
pub mod my_seats;
pub mod oidc;
pub mod people;
pub mod pools;
pub mod reclamation;
pub mod scim;
pub mod session;
pub mod tokens;
pub mod users;
pub mod versioning;
pub mod webhooks;

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Seatwise API", description = "Software-license management: inventory, owners, renewals, audit."),
    modifiers(&Security),
    // Referenced only by query parameters (`GET /alerts?inbox=`, `POST /imports/snipeit?cost_per=`), which do not
    // register their schemas.
    components(schemas(seatwise_types::Inbox, seatwise_types::CostBasis)),
    tags(
        (name = "session", description = "Log in and out"),
        (name = "pools", description = "License pools and seats"),
        (name = "catalog", description = "Vendors, products, departments, cost centres"),
        (name = "people", description = "The people directory, their seats and status"),
        (name = "renewals", description = "Contracts, renewal calendar, alerts and decisions"),
        (name = "ledger", description = "Tamper-evident audit ledger"),
        (name = "change requests", description = "Bulk changes: validate, preview, four-eyes approval, apply"),
        (name = "imports", description = "HR and identity-provider files: preview, then apply"),
        (name = "tokens", description = "API and SCIM tokens"),
        (name = "users", description = "Accounts and roles"),
        (name = "connectors", description = "Where seat decisions are pushed: SCIM, Microsoft Graph, Okta, manual"),
        (name = "webhooks", description = "Signed outgoing events for service desks"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Session cookie from POST /api/v1/session; writes also need the X-CSRF-Token header.",
            ))),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::me))
        .routes(routes!(session::setup))
        .routes(routes!(oidc::providers))
        .routes(routes!(oidc::sign_in_options))
        .routes(routes!(oidc::start_sign_in))
        .routes(routes!(oidc::finish_sign_in))
        .routes(routes!(oidc::get_group_roles, oidc::set_group_roles))
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(tokens::create_scim_token, tokens::list_scim_tokens))
        .routes(routes!(tokens::revoke_scim_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_roles))
        .routes(routes!(pools::list_pools, pools::create_pool))
        .routes(routes!(pools::get_pool, pools::update_pool))
        .routes(routes!(pools::pool_detail))
        .routes(routes!(pools::pool_history))
        .routes(routes!(pools::pool_activity))
        .routes(routes!(pools::list_assignments, pools::create_assignment))
        .routes(routes!(pools::seat_holders))
        .routes(routes!(pools::delete_assignment))
        .routes(routes!(pools::reassign_assignment))
        .routes(routes!(pools::inventory_summary))
        .routes(routes!(pools::lookups))
        .routes(routes!(pools::my_licenses))
        .routes(routes!(my_seats::my_seats))
        .routes(routes!(my_seats::release_seat))
        .routes(routes!(my_seats::catalog))
        .routes(routes!(my_seats::my_requests, my_seats::ask))
        .routes(routes!(catalog::list_vendors, catalog::create_vendor))
        .routes(routes!(catalog::get_vendor))
        .routes(routes!(catalog::list_products, catalog::create_product))
        .routes(routes!(catalog::list_departments))
        .routes(routes!(catalog::list_cost_centres))
        .routes(routes!(devices::list_devices, devices::create_device))
        .routes(routes!(people::list_people))
        .routes(routes!(people::get_person))
        .routes(routes!(people::person_seats))
        .routes(routes!(people::person_history))
        .routes(routes!(people::set_person_status))
        .routes(routes!(imports::list_imports))
        .routes(routes!(imports::get_import))
        .routes(routes!(imports::skipped_rows))
        .routes(routes!(imports::list_sku_mappings))
        .routes(routes!(imports::set_sku_mapping))
        .routes(routes!(imports::apply_import))
        .routes(routes!(imports::import_progress))
        .routes(routes!(contracts::list_contracts, contracts::create_contract))
        .routes(routes!(contracts::get_contract, contracts::update_contract))
        .routes(routes!(contracts::decide_contract))
        .routes(routes!(contracts::contract_history))
        .routes(routes!(contracts::watch_contract))
        .routes(routes!(contracts::adopt_pool_terms))
        .routes(routes!(alerts::list_alerts))
        .routes(routes!(alerts::alert_counts))
        .routes(routes!(alerts::get_alert))
        .routes(routes!(alerts::acknowledge_alert))
        .routes(routes!(alerts::snooze_alert))
        .routes(routes!(alerts::assign_alert))
        .routes(routes!(alerts::decide_alert))
        .routes(routes!(calendar::get_calendar))
        .routes(routes!(calendar::calendar_day))
        .routes(routes!(calendar::feed_status, calendar::create_feed, calendar::revoke_feed))
        .routes(routes!(calendar::feed_ics))
        .routes(routes!(calendar::get_settings, calendar::update_settings))
        .routes(routes!(change_requests::list_change_requests, change_requests::create_change_request))
        .routes(routes!(change_requests::get_change_request, change_requests::update_change_request))
        .routes(routes!(change_requests::rollback_change_request))
        .routes(routes!(change_requests::get_approval_policy, change_requests::update_approval_policy))
        .routes(routes!(change_requests::submit_change_request))
        .routes(routes!(change_requests::approve_change_request))
        .routes(routes!(change_requests::reject_change_request))
        .routes(routes!(change_requests::apply_change_request))
        .routes(routes!(change_requests::change_request_progress))
        .routes(routes!(reclamation::list_policies, reclamation::create_policy))
        .routes(routes!(reclamation::get_policy, reclamation::update_policy))
        .routes(routes!(reclamation::policy_versions))
        .routes(routes!(reclamation::dry_run_policy))
        .routes(routes!(reclamation::run_policy))
        .routes(routes!(reclamation::list_cases))
        .routes(routes!(reclamation::get_case))
        .routes(routes!(reclamation::restore_case))
        .routes(routes!(campaigns::start_campaign, campaigns::list_campaigns))
        .routes(routes!(campaigns::get_campaign))
        .routes(routes!(campaigns::campaign_record_csv))
        .routes(routes!(campaigns::decide_case))
        .routes(routes!(campaigns::response_page, campaigns::answer_response))
        .routes(routes!(reclamation::time_to_revoke))
        .routes(routes!(reclamation::list_holds, reclamation::create_hold))
        .routes(routes!(reclamation::lift_hold))
        .routes(routes!(reclamation::list_savings))
        .routes(routes!(reclamation::export_savings_csv))
        .routes(routes!(reclamation::export_savings_xlsx))
        .routes(routes!(connectors::list_connectors, connectors::create_connector))
        .routes(routes!(connectors::get_connector, connectors::update_connector, connectors::remove_connector))
        .routes(routes!(connectors::test_connector))
        .routes(routes!(connectors::list_seat_actions))
        .routes(routes!(connectors::seat_action_done))
        .routes(routes!(connectors::list_tasks))
        .routes(routes!(connectors::reconcile_connector))
        .routes(routes!(connectors::last_reconciliation))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(ledger::list_ledger))
        .routes(routes!(ledger::verify_ledger));
    // Uploads get a larger body limit than the JSON endpoints (the inner limit wins).
    let uploads = OpenApiRouter::new()
        .routes(routes!(imports::upload_hr))
        .routes(routes!(imports::upload_snipeit))
        .routes(routes!(imports::upload_graph_users))
        .routes(routes!(imports::upload_graph_skus))
        .routes(routes!(imports::upload_usage))
        .routes(routes!(change_requests::create_change_request_from_csv))
        .routes(routes!(finance::list_exchange_rates, finance::create_exchange_rate))
        .routes(routes!(finance::create_exchange_rates_from_csv))
        .routes(routes!(finance::finance_summary))
        .routes(routes!(finance::finance_chargeback))
        .routes(routes!(finance::finance_pools))
        .routes(routes!(finance::finance_export_csv))
        .routes(routes!(finance::finance_export_xlsx))
        .routes(routes!(finance::finance_focus_csv))
        .routes(routes!(finance::list_budgets))
        .routes(routes!(finance::set_budget, finance::delete_budget))
        .routes(routes!(finance::pool_chargeback, finance::set_pool_chargeback))
        .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_IMPORT_BYTES));
    let (router, mut doc) =
        OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1.merge(uploads)).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    document::complete(&mut doc);
    (router, doc)
}

/// A file to download: its type and its `Content-Disposition` (an attachment's name).
pub(crate) fn download(
    content_type: &'static str,
    disposition: &'static str,
    body: impl axum::response::IntoResponse,
) -> impl axum::response::IntoResponse {
    use axum::http::header;
    ([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition)], body)
}
