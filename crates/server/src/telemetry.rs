//! `/metrics` in Prometheus text format: requests by route and status with their latency,
//! payments by outcome, idempotency replays and rate-limit refusals. One recorder per process
//! (every server in it shares it). Never public: on the main listener the route is 404 without
//! `--metrics-token`, and with it a scrape must send `Authorization: Bearer TOKEN`; a separate
//! `--metrics-listen` address (a private interface) serves it to any scraper that reaches it,
//! unless a token is set there too.

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Latency buckets in seconds: a few milliseconds to the request timeout.
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0];

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder =
            PrometheusBuilder::new().set_buckets(&LATENCY_BUCKETS).expect("the latency buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only what reaches it");
        }
        handle
    })
}

/// Folds the latency histograms' buffered samples into their buckets every few seconds, for as
/// long as the server runs: without it every request's sample is kept until a scrape, and memory
/// grows with traffic on a server nobody scrapes.
pub async fn upkeep() {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        handle().run_upkeep();
    }
}

/// Middleware for the API routers (after routing, so the route is the template, never the raw
/// path with its ids).
pub async fn track(request: Request, next: Next) -> Response {
    handle();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Who may read `/metrics` on a listener.
#[derive(Debug, Clone)]
pub enum Scrapers {
    /// Nobody: the route is 404 (the main listener without a token).
    Nobody,
    /// Whoever reaches the listener (a separate, private `--metrics-listen` address).
    Anyone,
    /// A scraper sending `Authorization: Bearer TOKEN`.
    Holding(String),
}

/// `GET /metrics`, for the scrapers `allowed`.
pub fn scrape(allowed: &Scrapers, headers: &HeaderMap) -> Response {
    match allowed {
        Scrapers::Nobody => return StatusCode::NOT_FOUND.into_response(),
        Scrapers::Anyone => {}
        Scrapers::Holding(token) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            if !presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(token.as_bytes()))) {
                return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
            }
        }
    }
    let text = handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// The router of a `--metrics-listen` address: `/metrics` and nothing else.
pub fn router(allowed: Scrapers) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(move |headers: HeaderMap| async move { scrape(&allowed, &headers) }))
}

/// A payment ran: `succeeded` or `failed`, per mode.
pub fn payment(status: &str, livemode: bool) {
    let mode = if livemode { "live" } else { "sandbox" };
    metrics::counter!("payments_total", "status" => status.to_string(), "mode" => mode).increment(1);
}

/// A write was answered from its stored reply.
pub fn idempotent_replay() {
    metrics::counter!("idempotency_replays_total").increment(1);
}

/// A request was refused by a rate limit.
pub fn rate_limited() {
    metrics::counter!("rate_limit_refusals_total").increment(1);
}
