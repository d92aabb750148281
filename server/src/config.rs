//! Command line and environment configuration.

use std::net::{IpAddr, SocketAddr};

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "seatwise", version, about = "Seatwise software-license management console")]
pub struct Cli {
    /// Database URL: `sqlite://path/to/file.db` or `postgres://user:pass@host/db`.
    #[arg(long = "database", env = "DATABASE_URL", default_value = "sqlite://data/seatwise.db", global = true)]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SEATWISE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Seed believable demo data into an empty database.
    #[arg(long, env = "SEATWISE_DEMO")]
    pub demo: bool,

    /// Password for the demo accounts; a random one is generated and printed when unset.
    #[arg(long, env = "SEATWISE_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,

    /// Email of the first admin, created on an empty database (with SEATWISE_ADMIN_PASSWORD).
    #[arg(long, env = "SEATWISE_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    #[arg(long, env = "SEATWISE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Public base URL, used in printed links; `https://` also marks session cookies `Secure`.
    #[arg(long, env = "SEATWISE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// SMTP relay for alert e-mail: `smtps://user:pass@host:465`, `smtp://user:pass@host:587?tls=required`,
    /// or `smtp://host:25` (no TLS, local relays only). No e-mail is sent when unset.
    #[arg(long, env = "SEATWISE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of alert e-mail.
    #[arg(long, env = "SEATWISE_SMTP_FROM", default_value = "Seatwise <seatwise@localhost>")]
    pub smtp_from: String,

    /// Seconds between background job ticks (daily renewal run, mail delivery); 0 turns them off.
    #[arg(long, env = "SEATWISE_JOB_INTERVAL", default_value_t = 60)]
    pub job_interval: u64,

    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-For` names the client address for
    /// login throttling. Without it the header is ignored: any client could write anything there.
    #[arg(long = "trusted-proxy", env = "SEATWISE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Password hashes allowed to run at once (each takes about 19 MiB); default: one per CPU core.
    #[arg(long, env = "SEATWISE_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// Seconds a request may run before it is stopped with 503 `timeout` (its transaction rolls back).
    #[arg(long, env = "SEATWISE_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,

    /// Seconds applying an import or a change request's stage may run (it grows with the rows; progress is shown
    /// meanwhile).
    #[arg(long, env = "SEATWISE_IMPORT_TIMEOUT", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_timeout: u64,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C before the process exits anyway.
    #[arg(long, env = "SEATWISE_SHUTDOWN_GRACE", default_value_t = 20)]
    pub shutdown_grace: u64,

    /// Bearer token that `/metrics` on the main listener requires; without it (and without --metrics-bind)
    /// `/metrics` is not served.
    #[arg(long, env = "SEATWISE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Separate address serving `/metrics` without a token (keep it private to the scraper).
    #[arg(long, env = "SEATWISE_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// OpenID Connect issuer of the organisation's identity provider (its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`); with the client id and secret, "Sign in with …" appears.
    #[arg(long, env = "SEATWISE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    #[arg(long, env = "SEATWISE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    #[arg(long, env = "SEATWISE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// The provider's name on the login page ("Sign in with …").
    #[arg(long, env = "SEATWISE_OIDC_NAME", default_value = "your organisation's account")]
    pub oidc_name: String,

    /// Scopes asked for besides `openid` (comma-separated); add `groups` for Okta.
    #[arg(long, env = "SEATWISE_OIDC_SCOPES", value_delimiter = ',', default_value = "email,profile")]
    pub oidc_scopes: Vec<String>,

    /// The ID token claim that lists the user's groups (`groups` for Entra ID, Okta and Keycloak).
    #[arg(long, env = "SEATWISE_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,

    /// The ID token claim carrying the HR employee id (e.g. `employee_id`), to match people imported from HR files.
    #[arg(long, env = "SEATWISE_OIDC_EMPLOYEE_ID_CLAIM")]
    pub oidc_employee_id_claim: Option<String>,

    /// Who may sign in with a password: `all`, or `admins` once everyone else signs in through the provider.
    #[arg(long, env = "SEATWISE_PASSWORD_LOGIN", default_value = "all", value_parser = ["all", "admins"])]
    pub password_login: String,

    /// Log format: `pretty` or `json`.
    #[arg(long, env = "SEATWISE_LOG_FORMAT", default_value = "pretty")]
    pub log_format: String,

    /// The key that seals connectors' credentials at rest: base64 of 32 random bytes (`openssl rand -base64 32`).
    #[arg(long, env = "SEATWISE_CREDENTIALS_KEY", hide_env_values = true)]
    pub credentials_key: Option<String>,

    /// The same key read from a file (a mounted secret), instead of the environment.
    #[arg(long, env = "SEATWISE_CREDENTIALS_KEY_FILE")]
    pub credentials_key_file: Option<std::path::PathBuf>,

    /// For tests only: move the server's clock by the seconds written in this file (read on every use), so a
    /// running server can be taken past a deadline.
    #[arg(long, env = "SEATWISE_CLOCK_OFFSET_FILE")]
    pub clock_offset_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Verify the hash chain of the audit ledger; exits non-zero and names the first bad entry on a mismatch.
    VerifyLedger,
    /// Copy a live SQLite database into a new file while the servers keep writing (PostgreSQL: pg_dump).
    Backup {
        /// The new file (never overwritten).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Fill an empty database with a large generated company, for benchmarks.
    Generate {
        #[arg(long, default_value_t = 100_000)]
        people: usize,
        #[arg(long, default_value_t = 5_000)]
        pools: usize,
        #[arg(long, default_value_t = 1_000_000)]
        assignments: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Also give every pool a contract (for the renewal job benchmark).
        #[arg(long)]
        contracts: bool,
        /// How many products the pools are spread over (1 to 100): 1 puts every seat under one product, for the
        /// policy benchmark.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=100))]
        products: u16,
        /// Write no usage signals (by default most seats get a sign-in of varied age from one or two sources).
        #[arg(long)]
        no_usage: bool,
    },
}
