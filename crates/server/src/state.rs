//! What every request handler shares: the store, the clock, the configuration, and the
//! in-memory helpers (rate limits, known keys, unwritten page views).

use crate::clock::Clock;
use crate::http::StaticApp;
use crate::known_keys::KnownKeys;
use crate::processor::{PaymentProcessor, SandboxProcessor};
use crate::rate_limit::{RateLimitSetting, RateLimiter};
use crate::store::Store;
use crate::stripe::Stripe;
use crate::views::ViewCounter;
use chrono::{DateTime, Utc};
use paylinks_api::PaymentLink;
use std::sync::Arc;
use std::time::Duration;

/// Everything the server is told at start.
#[derive(Clone)]
pub struct Config {
    /// Where customers reach the app, without a trailing slash (`http://127.0.0.1:8080`).
    pub public_base_url: String,
    /// Origins besides the server's own that may call `/v2` from a browser.
    pub cors_origins: Vec<String>,
    pub rate_limit: RateLimitSetting,
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Reverse proxies whose forwarding headers name the client (`client_ip`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `/metrics` asks for; none: no `/metrics`.
    pub metrics_token: Option<String>,
    /// The built app (Trunk's `dist/`), if it has been built.
    pub static_app: Option<StaticApp>,
    /// The Stripe account live links take payments into; none: live links cannot be paid.
    pub stripe: Option<Stripe>,
    /// How often the reconciler asks Stripe about payments it has not heard of.
    pub reconcile_every: Duration,
    /// Whether webhook deliveries may reach private addresses (`--allow-private-webhooks`).
    pub allow_private_webhooks: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    /// Recently verified keys and when each key's use was last written down.
    pub keys: Arc<KnownKeys>,
    /// Views of public pages not written to the database yet.
    pub views: Arc<ViewCounter>,
}

impl AppState {
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            store,
            clock,
            config: Arc::new(config),
            limiter: Arc::default(),
            keys: Arc::default(),
            views: Arc::default(),
        }
    }

    /// How links read and show over HTTP right now.
    pub fn link_view(&self) -> LinkView<'_> {
        LinkView { base_url: &self.config.public_base_url, now: self.clock.now() }
    }

    /// Who charges a card typed on our page: the sandbox, for test links only (a live link's card
    /// is typed on Stripe's page: `live`).
    pub fn processor(&self, livemode: bool) -> Option<&dyn PaymentProcessor> {
        (!livemode).then_some(&SandboxProcessor as &dyn PaymentProcessor)
    }
}

/// How the HTTP layer reads and shows links: as of one moment (the store computes each status as
/// of `now`), with their URLs where customers reach this server.
#[derive(Debug, Clone, Copy)]
pub struct LinkView<'a> {
    base_url: &'a str,
    pub now: DateTime<Utc>,
}

impl LinkView<'_> {
    /// `link` with its public URL.
    pub fn show(&self, mut link: PaymentLink) -> PaymentLink {
        link.url = format!("{}/l/{}", self.base_url, link.public_id);
        link
    }
}
