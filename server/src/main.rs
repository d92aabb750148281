use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use seatwise_server::clock::{OffsetClock, SharedClock, SystemClock};
use seatwise_server::config::{Cli, Command, ServeArgs};
use seatwise_server::db::attempts::Work;
use seatwise_server::db::Db;
use seatwise_server::service::accounts::{self, Bootstrap};
use seatwise_server::service::oidc::OidcConfig;
use seatwise_server::service::{attempt, jobs, ledger, mailer};
use seatwise_server::state::{AppState, Settings};
use seatwise_server::{app, domain, telemetry};
use seatwise_server::{demo, generate};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_logging(&cli.serve.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("seatwise: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let db = Db::connect(&cli.database_url)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", redacted(&cli.database_url)))?;
    db.migrate().await?;
    let mut settings = Settings {
        secure_cookies: cli.serve.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        request_timeout: std::time::Duration::from_secs(cli.serve.request_timeout),
        import_timeout: std::time::Duration::from_secs(cli.serve.import_timeout),
        shutdown_grace: std::time::Duration::from_secs(cli.serve.shutdown_grace),
        metrics_token: cli.serve.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        ..Settings::default()
    };
    settings.public_url = cli.serve.public_url.clone().unwrap_or_else(|| format!("http://{}", cli.serve.bind));
    settings.trusted_proxies = cli.serve.trusted_proxies.clone();
    if let Some(n) = cli.serve.hash_concurrency {
        settings.hash_concurrency = n;
    }
    settings.oidc = oidc_config(&cli.serve, &settings.public_url)?;
    settings.passwords_for_admins_only = cli.serve.password_login == "admins";
    settings.credentials_key = credentials_key(&cli.serve)?;
    let mailer = mailer::configure(cli.serve.smtp_url.as_deref(), &cli.serve.smtp_from)?;
    let clock: SharedClock = match cli.serve.clock_offset_file.clone() {
        Some(path) => {
            tracing::warn!(file = %path.display(), "the clock is moved by the offset in this file: for tests only");
            Arc::new(OffsetClock { path })
        }
        None => Arc::new(SystemClock),
    };
    let state = AppState::new(db, clock, settings).with_mailer(mailer);
    match cli.command {
        None | Some(Command::Serve) => {
            // Advisory: the history reads an attempt left open as interrupted later anyway.
            for work in [Work::Import, Work::ChangeRequest] {
                match attempt::recover_interrupted(&state.db, &state.progress, work).await {
                    Ok(0) => {}
                    Ok(cut_off) => {
                        tracing::warn!(cut_off, ?work, "applies cut off when the server stopped are marked interrupted")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, ?work, "could not check for applies cut off when the server stopped")
                    }
                }
            }
            serve(state, cli.serve).await
        }
        Some(Command::VerifyLedger) => {
            let v = ledger::verify(&state.db).await?;
            println!("{}", v.message);
            Ok(if v.ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
        Some(Command::Backup { to }) => {
            seatwise_server::db::backup::sqlite_into(&state.db, &to).await?;
            println!("Backed up to {}. Restore: stop the servers, put the file in the database's place, then run `seatwise verify-ledger`.", to.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Generate { people, pools, assignments, seed, contracts, products, no_usage }) => {
            let size = generate::Size {
                people,
                pools,
                assignments,
                seed,
                contracts,
                products: usize::from(products),
                usage: !no_usage,
            };
            generate::run(&state.db, &*state.clock, &size).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(state: AppState, args: ServeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    let addr = listener.local_addr()?;
    if let Some(metrics_bind) = args.metrics_bind {
        let metrics = tokio::net::TcpListener::bind(metrics_bind).await?;
        println!("Metrics are served at http://{}/metrics", metrics.local_addr()?);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, app::metrics_router()).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let base = args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    if args.demo {
        let password = args.demo_password.clone().unwrap_or_else(|| domain::secret::random_token("")[..16].to_string());
        if demo::seed(&state, &password).await? {
            demo::seed_change_requests(&state).await?;
            demo::seed_reclamation(&state).await?;
            println!("Demo data created. Log in with any of these accounts, password: {password}");
            for (email, roles) in demo::account_emails()? {
                println!("  {email:<24} {roles}");
            }
        } else if args.demo_password.is_some() {
            println!("Demo data already present; demo accounts use the password you set.");
        }
    }
    let admin = args.admin_email.clone().zip(args.admin_password.clone());
    match accounts::bootstrap(&state.db, &*state.clock, &state.hasher, admin).await? {
        Bootstrap::Ready => {}
        Bootstrap::AdminCreated(email) => println!("Created the first admin: {email}"),
        Bootstrap::SetupToken(token) => {
            println!("No accounts yet. Create the first admin within this run at:\n  {base}/setup?token={token}")
        }
    }
    app::spawn_housekeeping(state.clone());
    if args.job_interval > 0 {
        jobs::spawn(state.worker(), std::time::Duration::from_secs(args.job_interval));
    }
    println!("Seatwise is running at {base}");
    tracing::info!(%addr, "listening");
    app::serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}

/// Sign-in through the identity provider, when its issuer, client id and secret are all given (some but not all
/// is a mistake worth stopping for).
fn oidc_config(args: &ServeArgs, public_url: &str) -> Result<Option<OidcConfig>, Box<dyn std::error::Error>> {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    match (given(&args.oidc_issuer), given(&args.oidc_client_id), given(&args.oidc_client_secret)) {
        (None, None, None) => Ok(None),
        (Some(issuer), Some(client_id), Some(client_secret)) => Ok(Some(OidcConfig {
            issuer,
            client_id,
            client_secret,
            name: args.oidc_name.trim().to_string(),
            scopes: args
                .oidc_scopes
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && s != "openid")
                .collect(),
            groups_claim: args.oidc_groups_claim.trim().to_string(),
            employee_id_claim: args
                .oidc_employee_id_claim
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            redirect_url: format!("{}/api/v1/auth/oidc/callback", public_url.trim_end_matches('/')),
            post_logout_url: format!("{}/login", public_url.trim_end_matches('/')),
        })),
        _ => Err("--oidc-issuer, --oidc-client-id and --oidc-client-secret go together: give all three or none".into()),
    }
}

/// The credentials key from the environment or its file (both is a mistake worth stopping for, as is a key that is
/// not 32 bytes of base64).
fn credentials_key(
    args: &ServeArgs,
) -> Result<Option<seatwise_server::domain::sealed::CredentialsKey>, Box<dyn std::error::Error>> {
    use seatwise_server::domain::sealed::CredentialsKey;
    let text = match (&args.credentials_key, &args.credentials_key_file) {
        (Some(_), Some(_)) => return Err("give the credentials key or its file, not both".into()),
        (Some(k), None) => k.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("the credentials key file {} cannot be read: {e}", path.display()))?,
        (None, None) => return Ok(None),
    };
    Ok(Some(CredentialsKey::parse(&text)?))
}
