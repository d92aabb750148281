use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users and roles.
    Admin,
    /// Sees and edits the pools of their departments.
    LicenseOwner,
    /// Reads everything, sees money, changes nothing.
    Finance,
    /// Signs off requests.
    Approver,
    /// Anyone in the company signed in through the identity provider: sees their own seats.
    Employee,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::LicenseOwner, Role::Finance, Role::Approver, Role::Employee];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::LicenseOwner => "license_owner",
            Role::Finance => "finance",
            Role::Approver => "approver",
            Role::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::LicenseOwner => "License owner",
            Role::Finance => "Finance",
            Role::Approver => "Approver",
            Role::Employee => "Employee",
        }
    }
}

/// An identity provider the login page offers: "Sign in with {name}" leads to `login_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInProvider {
    pub id: String,
    pub name: String,
    pub login_url: String,
}

/// A session ended. When it began through the identity provider, the client sends the browser to
/// `provider_logout_url` to end the provider's session too (RP-initiated logout), which returns it to the login page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOut {
    pub provider_logout_url: Option<String>,
}

/// Who may sign in with a password, for the login page before anyone is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInOptions {
    pub password_login: PasswordLogin,
}

/// Who may sign in with a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasswordLogin {
    All,
    /// Admins only (a break-glass account): the identity provider signs in everyone else.
    Admins,
}

/// The sentence the login page shows for a refused sign-in through the identity provider
/// (`/login?sign_in_error=<code>`), or `None` for a code Seatwise never sends.
pub fn sign_in_refusal(code: &str) -> Option<&'static str> {
    Some(match code {
        "not_configured" => "Sign-in through an identity provider is not set up here.",
        "unavailable" => "The identity provider could not be reached. Try again in a minute.",
        "state" => "That sign-in link was already used, has expired or was started in another browser. Sign in again.",
        "denied" => "The identity provider did not sign you in.",
        "token" => "The identity provider's answer could not be verified, so you were not signed in.",
        "email_unverified" => "Your identity provider has not verified your e-mail address. Ask IT to verify it.",
        "not_in_directory" => "You are not in Seatwise's directory yet. Ask a Seatwise admin to add you.",
        "deactivated" => "Your account is deactivated, so you cannot sign in. Ask a Seatwise admin if this is wrong.",
        _ => return None,
    })
}

/// One row of the group → role mapping: members of the provider's `group` get `role` on every sign-in (a license
/// owner's for `department_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRoleMapping {
    pub group: String,
    pub role: Role,
    #[serde(default)]
    pub department_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Departments a license owner is scoped to.
    pub department_ids: Vec<i64>,
    /// The person this login is (linked, or with the same e-mail address): pools naming them as owner are in a
    /// license owner's scope wherever their department is.
    #[serde(default)]
    pub person_id: Option<i64>,
    /// Incremented by every write; send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Body of `POST /api/v1/session` and `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub user: User,
    pub roles: Vec<Role>,
    /// Departments whose pools this user may see (all of them for admin, finance and approver).
    pub departments: Vec<crate::Department>,
    /// Send as `X-CSRF-Token` on cookie-authenticated writes. Empty for Bearer-authenticated requests.
    pub csrf_token: String,
    /// What the server will allow this user, from `domain::access`; the console shows exactly this.
    pub capabilities: Capabilities,
}

/// The actions a user may take anywhere in the console, as the server's access policy answers them. Per-record
/// rights (this pool, this contract) are still checked on every request; these decide what the console offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capabilities {
    /// Create pools (in the departments they may edit).
    pub create_pools: bool,
    /// Record contracts covering pools they may edit.
    pub record_contracts: bool,
    /// Add vendors and products.
    pub edit_catalog: bool,
    /// Has pools of their own to look after ("My licenses").
    pub own_licenses: bool,
    /// Import HR, Snipe-IT and Microsoft 365 files.
    pub import: bool,
    /// Read and verify the audit ledger.
    pub read_ledger: bool,
    /// Manage users, roles, settings and SCIM tokens.
    pub administer: bool,
    /// Edit people in the directory.
    pub edit_people: bool,
    /// See money (costs, contract values).
    pub see_money: bool,
    /// Register devices (seats can go to them).
    pub register_devices: bool,
    /// Turn pools' own contract dates into contracts ("Contracts from pool dates").
    pub adopt_pool_terms: bool,
    /// Ask for bulk changes to the pools they may edit (change requests).
    pub request_changes: bool,
    /// Read change requests (license owners their own).
    pub read_change_requests: bool,
    /// Sign change requests off: as an approver, or as finance above the policy's thresholds.
    pub approve_changes: bool,
    /// Read reclamation policies, cases, holds and the savings log.
    #[serde(default)]
    pub read_reclamation: bool,
    /// Write and run reclamation policies (license owners for their departments' pools).
    #[serde(default)]
    pub manage_reclamation: bool,
    /// Read the finance figures (within the inventory's scope).
    #[serde(default)]
    pub read_finance: bool,
    /// Set cost centres' budgets (finance and admins).
    #[serde(default)]
    pub keep_budgets: bool,
    /// The console's shared pages: inventory, renewals, alerts, people, devices (every role but employee).
    #[serde(default)]
    pub read_console: bool,
    /// See the seats one holds (a login that is a person of the directory).
    #[serde(default)]
    pub my_seats: bool,
    /// Add exchange rates (admins).
    #[serde(default)]
    pub keep_exchange_rates: bool,
    /// Where this person's work starts: the page the console opens after signing in.
    #[serde(default)]
    pub home: HomePage,
}

/// The page a role starts on: admins on an overview of what needs someone, license owners on their own pools,
/// approvers on the queue waiting for them, finance on the finance dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HomePage {
    #[default]
    Inventory,
    MyLicenses,
    Approvals,
    /// What needs someone across the console (admins).
    Overview,
    /// Spend, waste, savings and chargeback (finance).
    Finance,
    /// The seats one holds (employees).
    MySeats,
}

impl HomePage {
    /// The console's path for it.
    pub fn path(self) -> &'static str {
        match self {
            HomePage::Inventory => "/pools",
            HomePage::MyLicenses => "/my",
            HomePage::Approvals => "/changes?for_me=true",
            HomePage::Overview => "/overview",
            HomePage::Finance => "/finance",
            HomePage::MySeats => "/my/seats",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenCreate {
    pub name: String,
}

/// The secret is shown only in this response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A SCIM token: an organisation credential any admin can see and revoke, whoever created it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScimTokenInfo {
    pub id: i64,
    pub name: String,
    /// Email of the admin who created it.
    pub created_by: Option<String>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// First-run setup: creates the first admin with the one-time token printed by the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupRequest {
    pub token: String,
    pub email: String,
    pub name: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCreate {
    pub email: String,
    pub name: String,
    pub password: String,
    /// Each role once.
    pub roles: Vec<Role>,
    /// Departments a license owner's scope covers, each once.
    #[serde(default)]
    pub department_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRolesUpdate {
    /// Each role once.
    pub roles: Vec<Role>,
    /// Departments a license owner's scope covers, each once.
    #[serde(default)]
    pub department_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}
