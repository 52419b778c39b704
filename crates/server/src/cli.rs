//! The `paylinks` command line: serve, migrate, and manage API keys. Every flag can also come
//! from an environment variable.

use crate::clock::{Clock, SystemClock};
use crate::http::StaticApp;
use crate::rate_limit::RateLimitSetting;
use crate::state::{AppState, Config};
use crate::store::Store;
use crate::telemetry::Scrapers;
use clap::{Parser, Subcommand, ValueEnum};
use paylinks_api::rules::NAME_MAX_CHARS;
use std::error::Error;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

type CliResult = Result<(), Box<dyn Error>>;

#[derive(Debug, Parser)]
#[command(name = "paylinks", version, about = "Self-hostable payment links: the v2 API server and its tools")]
pub struct Cli {
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/paylinks.sqlite", global = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the app (applies migrations first).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// SQLite: write a consistent copy of the database to a new file, safe while serving
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Create, list and revoke API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PAYLINKS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where customers reach this server (checkout URLs are built from it); default http://LISTEN.
    #[arg(long, env = "PAYLINKS_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// The built app (Trunk's output) to serve at /, instead of the one the binary carries.
    #[arg(long, env = "PAYLINKS_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Another origin allowed to call /v2 from a browser (repeatable; env: comma-separated).
    #[arg(long = "cors-origin", env = "PAYLINKS_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// `off`, or PER_MINUTE[/BURST] per API key; default: sandbox 100/200, live 1000/2000.
    #[arg(long, env = "PAYLINKS_RATE_LIMIT")]
    pub rate_limit: Option<RateLimitSetting>,
    /// Seconds a request may take before it is answered with 503.
    #[arg(long, env = "PAYLINKS_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds a client may take to send a request's headers before the connection is closed.
    #[arg(long, env = "PAYLINKS_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// A reverse proxy (an address or CIDR, repeatable; env: comma-separated) whose Forwarded /
    /// X-Forwarded-For names the client; from any other peer those headers are ignored.
    #[arg(long = "trusted-proxy", env = "PAYLINKS_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve /metrics (Prometheus text) to scrapers that send `Authorization: Bearer TOKEN`;
    /// without it there is no /metrics.
    #[arg(long, env = "PAYLINKS_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Also serve /metrics, and only it, on this address (a private interface, e.g.
    /// 10.0.0.5:9100): without a token to any scraper that reaches it, with one to its bearer.
    #[arg(long, env = "PAYLINKS_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Stripe secret key (sk_live_…, sk_test_… or a restricted rk_…): live links take payments
    /// through Stripe Checkout. Needs --stripe-webhook-secret.
    #[arg(long, env = "PAYLINKS_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// Signing secret (whsec_…) of the Stripe webhook endpoint that points at
    /// PUBLIC_BASE_URL/webhooks/stripe.
    #[arg(long, env = "PAYLINKS_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Where Stripe's API is (tests point it at a local fake).
    #[arg(long, env = "PAYLINKS_STRIPE_API_BASE", default_value = "https://api.stripe.com")]
    pub stripe_api_base: String,
    /// Seconds between the reconciler's looks at live payments Stripe has not told us about.
    #[arg(long, env = "PAYLINKS_RECONCILE_EVERY", default_value_t = 60)]
    pub reconcile_every: u64,
    /// Let webhook deliveries of live endpoints reach loopback and private addresses (and those of
    /// sandbox endpoints reach private ones; sandbox endpoints always may reach loopback).
    #[arg(long, env = "PAYLINKS_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
}

/// The Stripe account from the flags, checked: none when no secret key is given.
fn stripe_config(args: &ServeArgs) -> Result<Option<crate::stripe::StripeConfig>, String> {
    let key = args.stripe_secret_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
    let secret = args.stripe_webhook_secret.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let (key, secret) = match (key, secret) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err("--stripe-secret-key needs --stripe-webhook-secret (the whsec_… of the Stripe webhook \
                        endpoint for PUBLIC_BASE_URL/webhooks/stripe): without it paid payments would never be recorded"
                .into())
        }
        (None, Some(_)) => return Err("--stripe-webhook-secret is set but --stripe-secret-key is not".into()),
        (Some(key), Some(secret)) => (key, secret),
    };
    if !["sk_live_", "sk_test_", "rk_live_", "rk_test_"].iter().any(|p| key.starts_with(p)) {
        return Err(
            "--stripe-secret-key must be a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_…)".into()
        );
    }
    if !secret.starts_with("whsec_") {
        return Err("--stripe-webhook-secret must be a webhook signing secret (whsec_…)".into());
    }
    let api_base = args.stripe_api_base.trim_end_matches('/').to_string();
    if !matches!(url::Url::parse(&api_base).map(|u| u.scheme().to_string()).as_deref(), Ok("http" | "https")) {
        return Err(format!("--stripe-api-base must be an http(s) URL, got {api_base}"));
    }
    let timeout = Duration::from_secs(20);
    Ok(Some(crate::stripe::StripeConfig { secret_key: key.into(), webhook_secret: secret.into(), api_base, timeout }))
}

/// `10.0.0.0/8`, or a single address (`127.0.0.1`, `::1`).
fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("expected an IP address or CIDR like 10.0.0.0/8, got `{s}`"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyMode {
    Sandbox,
    Live,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key (and the merchant, if new); the secret is printed once.
    Create {
        #[arg(long, env = "PAYLINKS_MERCHANT")]
        merchant: String,
        #[arg(long, value_enum, default_value = "sandbox")]
        mode: KeyMode,
    },
    /// List keys: prefix, merchant, mode, created, last used, revoked. Never secrets.
    List,
    /// Revoke the key with this prefix (as `keys list` shows it); a running server refuses it
    /// within a second (it trusts a key it has just verified for that long).
    Revoke { prefix: String },
}

pub async fn run(cli: Cli) -> CliResult {
    let store = Store::connect(&cli.database_url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", redact(&cli.database_url)))?;
    store.migrate().await.map_err(|e| format!("cannot apply migrations: {e}"))?;
    let clock = SystemClock::default();
    match cli.command {
        Command::Migrate => println!("migrations applied"),
        Command::Serve(args) => serve(store.clone(), *args).await?,
        Command::Backup { to } => {
            if to.exists() {
                return Err(format!("{} exists already; back up to a new file", to.display()).into());
            }
            store.backup_to(&to).await.map_err(|e| format!("cannot back up to {}: {e}", to.display()))?;
            println!("Backed up to {} (restore: stop the server, put it in place of the database file)", to.display());
        }
        Command::Keys { command: KeysCommand::Create { merchant, mode } } => {
            let merchant = merchant.trim();
            let mut errors = paylinks_api::FieldErrors::default();
            paylinks_api::rules::check_text(&mut errors, "--merchant", merchant, NAME_MAX_CHARS);
            if let Some(problem) = errors.get("--merchant") {
                return Err(format!("--merchant {problem}").into());
            }
            let key = store.create_key(merchant, mode == KeyMode::Live, clock.now()).await?;
            println!(
                "Created a {} key for merchant \"{merchant}\".",
                if key.owner.livemode { "live" } else { "sandbox" }
            );
            println!("Secret (shown only now; store it safely): {}", key.secret);
            println!("Prefix (to list or revoke it): {}", key.prefix);
        }
        Command::Keys { command: KeysCommand::List } => {
            println!("{:<22} {:<24} {:<8} {:<20} {:<20} STATUS", "PREFIX", "MERCHANT", "MODE", "CREATED", "LAST USED");
            let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
            for key in store.list_keys().await? {
                println!(
                    "{:<22} {:<24} {:<8} {:<20} {:<20} {}",
                    key.prefix,
                    key.merchant_name,
                    if key.livemode { "live" } else { "sandbox" },
                    fmt(key.created_at),
                    key.last_used_at.map_or_else(|| "never".to_string(), fmt),
                    key.revoked_at.map_or_else(|| "active".to_string(), |t| format!("revoked {}", fmt(t))),
                );
            }
        }
        Command::Keys { command: KeysCommand::Revoke { prefix } } => {
            if !store.revoke_key(&prefix, clock.now()).await? {
                return Err(format!("no active key with prefix {prefix}").into());
            }
            println!("Revoked {prefix}; requests with it get 401 (a running server within a second).");
        }
    }
    store.close().await;
    Ok(())
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

async fn serve(store: Store, args: ServeArgs) -> CliResult {
    let stripe = stripe_config(&args)?.map(crate::stripe::Stripe::new).transpose()?;
    for origin in &args.cors_origins {
        if url::Url::parse(origin).is_err() {
            return Err(format!("--cors-origin must be an origin like https://dash.example.com, got {origin}").into());
        }
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    // The bound address, so that `--listen 127.0.0.1:0` prints the port it got.
    let listening = format!("http://{}", listener.local_addr().unwrap_or(args.listen));
    let base = args.public_base_url.unwrap_or_else(|| listening.clone());
    let base = base.trim_end_matches('/').to_string();
    if !matches!(url::Url::parse(&base).map(|u| u.scheme().to_string()).as_deref(), Ok("http" | "https")) {
        return Err(format!("--public-base-url must be an http(s) URL, got {base}").into());
    }
    let metrics_token = args.metrics_token.filter(|t| !t.is_empty());
    let metrics = match args.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr} (--metrics-listen): {e}"))?;
            let addr = listener.local_addr().unwrap_or(addr);
            let allowed = metrics_token.clone().map_or(Scrapers::Anyone, Scrapers::Holding);
            let router = crate::telemetry::router(allowed);
            Some((addr, tokio::spawn(async move { axum::serve(listener, router).await })))
        }
        None => None,
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    if store.merchant_count().await? == 0 {
        let key = store.create_key("Sandbox merchant", false, clock.now()).await?;
        println!("First start: created the sandbox merchant \"Sandbox merchant\".");
        println!("  API key (shown once, keep it): {}", key.secret);
        println!("  Dashboard: {base}/  (sign in with the key)");
    }
    let static_app = match &args.static_dir {
        Some(dir) => StaticApp::load(dir).or_else(|| {
            tracing::warn!(dir = %dir.display(), "no built app in --static-dir; serving the API only");
            None
        }),
        None => StaticApp::embedded().or_else(|| {
            tracing::warn!("this binary carries no app (build it with `cargo xtask dev`); serving the API only");
            None
        }),
    };
    let config = Config {
        public_base_url: base.clone(),
        cors_origins: args.cors_origins,
        rate_limit: args.rate_limit.unwrap_or(RateLimitSetting::Default),
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        trusted_proxies: args.trusted_proxies,
        metrics_token,
        static_app,
        stripe: stripe.clone(),
        reconcile_every: Duration::from_secs(args.reconcile_every.max(1)),
        allow_private_webhooks: args.allow_private_webhooks,
    };
    let mut lines =
        vec![format!("paylinks is serving on {listening} (API: {listening}/v2, OpenAPI: {listening}/v2/openapi.json)")];
    if base != listening {
        lines.push(format!("  Links and the dashboard are reached at {base}"));
    }
    if let Some((addr, _)) = &metrics {
        lines.push(format!("  Metrics: http://{addr}/metrics"));
    }
    match &stripe {
        Some(stripe) => {
            let mode = if stripe.config().secret_key.contains("_test_") { "test mode" } else { "live" };
            lines.push(format!(
                "  Live links take payments through Stripe Checkout ({mode}); Stripe's webhook: {base}/webhooks/stripe"
            ));
            if !base.starts_with("https://") {
                lines.push(format!(
                    "  Warning: live payments are on but {base} is not https://; customers' data would travel in clear"
                ));
            }
        }
        None => lines
            .push("  Live links cannot take payments (no --stripe-secret-key); sandbox links use test cards".into()),
    }
    say(&lines);
    crate::serve(listener, AppState::new(store, config, clock), shutdown_signal()).await?;
    if let Some((_, task)) = metrics {
        task.abort();
    }
    say(&["paylinks stopped".to_string()]);
    Ok(())
}

/// Prints what a running server has to say. Whoever started it may stop reading once it says
/// where it serves (a closed pipe): that is no reason to stop serving, as `println!` would.
fn say(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
