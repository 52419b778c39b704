//! The paylinks server: the v2 payment-links API (and Devdraft's v0 over the same links), the
//! public checkout routes and the built app.

pub mod auth;
pub mod body;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod embedded;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod known_keys;
pub mod live;
pub mod markdown;
pub mod openapi;
pub mod outbox;
pub mod processor;
pub mod purchase;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod store;
pub mod stripe;
pub mod telemetry;
pub mod views;
pub mod write;

pub use crate::state::{AppState, Config, LinkView};
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<HeaderValue> {
    let parsed = url::Url::parse(url).ok()?;
    HeaderValue::try_from(parsed.origin().ascii_serialization()).ok()
}

/// Key-protected answers hold merchants' and customers' data: no cache may keep them.
fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    let origins =
        std::iter::once(&config.public_base_url).chain(&config.cors_origins).filter_map(|u| origin_of(u)).collect();
    let (v2, v2_doc) = routes::v2().split_for_parts();
    let (public, public_doc) = routes::public().split_for_parts();
    let (v0, v0_doc) = routes::v0().split_for_parts();
    let openapi = Arc::new(openapi::document(v2_doc, public_doc, v0_doc));
    let v2 = v2
        .route(
            "/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned()) }
            }),
        )
        .route_layer(axum::middleware::from_fn(telemetry::track))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(no_store())
        .layer(http::v2_cors(origins));
    // Server-to-server only: no CORS.
    let v0 = v0
        .route_layer(axum::middleware::from_fn(telemetry::track))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::middleware::from_fn(routes::v0::devdraft_errors))
        .layer(no_store());
    let public = public
        .route_layer(axum::middleware::from_fn(telemetry::track))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(http::public_cors());
    let app_files = config.static_app.clone();
    let pages = app_files.as_ref().map(|a| a.pages.clone());
    let spa = move |uri| http::spa_fallback(pages.clone(), uri);
    let site: Router<AppState> = match app_files.as_ref().map(|a| a.dir.clone()) {
        Some(Some(dir)) => Router::new().fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .fallback(axum::handler::HandlerWithoutStateExt::into_service(spa)),
        ),
        Some(None) => Router::new().fallback(move |uri: axum::http::Uri| {
            let spa = spa.clone();
            async move { embedded::serve(uri.clone(), spa(uri)).await }
        }),
        None => Router::new().fallback(spa),
    };
    let local =
        url::Url::parse(&config.public_base_url).is_ok_and(|u| matches!(u.host_str(), Some("localhost" | "127.0.0.1")));
    let csp = app_files.map_or_else(
        || HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        |a| http::content_security_policy(&a.script_hashes, local),
    );
    let hsts = config
        .public_base_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let security = http::SecurityHeaders { csp, hsts };
    let timeout = config.request_timeout;
    let trusted_proxies = config.trusted_proxies.clone();
    let scrapers = config.metrics_token.clone().map_or(telemetry::Scrapers::Nobody, telemetry::Scrapers::Holding);
    Router::new()
        .nest("/v2", v2)
        .nest("/public", public)
        .nest("/api/v0", v0)
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }))
        .route("/readyz", get(readyz))
        .route("/webhooks/stripe", axum::routing::post(routes::stripe::webhook))
        .route(
            "/metrics",
            get(move |headers: axum::http::HeaderMap| async move { telemetry::scrape(&scrapers, &headers) }),
        )
        .merge(site.layer(axum::middleware::from_fn(http::cache_control)))
        .layer(DefaultBodyLimit::max(body::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(move |req, next| http::timeout(timeout, req, next)))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(move |req, next| http::security_headers(security.clone(), req, next)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(move |req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let client = client_ip::client_ip(req.extensions(), req.headers(), &trusted_proxies);
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, client = %client)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(http::sanitize_request_id))
        .with_state(state)
}

/// `/readyz`: 200 when the database answers and its migrations are those of this build, else
/// 503 (for a load balancer or systemd to wait on; `/healthz` says only that the process runs).
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    match state.store.is_ready().await {
        Ok(true) => axum::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Ok(false) => {
            let body = axum::Json(serde_json::json!({ "status": "migrations pending" }));
            (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
        }
        Err(err) => {
            tracing::warn!(error = %err, "not ready: the database does not answer");
            let body = axum::Json(serde_json::json!({ "status": "database unavailable" }));
            (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
        }
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let purge = tokio::spawn(purge_expired(state.clone()));
    let flush = tokio::spawn(flush_views(state.clone()));
    let forget = tokio::spawn(forget_idle_buckets(state.clone()));
    let upkeep = tokio::spawn(telemetry::upkeep());
    let reconcile = state
        .config
        .stripe
        .clone()
        .map(|stripe| tokio::spawn(live::reconcile(state.clone(), stripe, state.config.reconcile_every)));
    let deliver = match outbox::Outbox::new(state.config.allow_private_webhooks) {
        Ok(outbox) => tokio::spawn(outbox::run(state.clone(), outbox)),
        Err(err) => return Err(std::io::Error::other(format!("cannot make the webhook client: {err}"))),
    };
    let header_timeout = state.config.header_timeout;
    let result = serve_connections(listener, app(state.clone()), header_timeout, shutdown).await;
    purge.abort();
    flush.abort();
    forget.abort();
    upkeep.abort();
    deliver.abort();
    if let Some(reconcile) = reconcile {
        reconcile.abort();
    }
    if let Err(err) = state.views.flush(&state.store).await {
        tracing::warn!(error = %err, "could not write the last page views");
    }
    result
}

/// Accepts connections until `shutdown`, then waits for the open ones to finish their requests.
/// A client must send a request's headers within `header_timeout` (so a slow trickle of headers
/// cannot hold connections open); what comes after is bounded by the request timeout.
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The client address feeds the checkout's limit against card testing.
        let service = tower::Layer::layer(&axum::Extension(axum::extract::ConnectInfo(client)), router.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), hyper_util::service::TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Forgets rate-limit buckets that are full again, every ten seconds, so the limiter holds only
/// the clients and keys of the last minute or so.
async fn forget_idle_buckets(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(10));
    loop {
        every.tick().await;
        state.limiter.forget_idle(std::time::Instant::now());
    }
}

/// Writes counted page views once a second.
async fn flush_views(state: AppState) {
    let mut every = tokio::time::interval(views::FLUSH_EVERY);
    loop {
        every.tick().await;
        if let Err(err) = state.views.flush(&state.store).await {
            tracing::warn!(error = %err, "could not write page views; keeping them for the next try");
        }
    }
}

/// Deletes idempotency keys past their 24 hours and events past their 30 days, once an hour.
async fn purge_expired(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        let now = state.clock.now();
        match state.store.purge_idempotency_keys(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "expired idempotency keys deleted"),
            Err(err) => tracing::warn!(error = %err, "could not purge idempotency keys"),
        }
        match state.store.purge_events(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "events older than 30 days deleted"),
            Err(err) => tracing::warn!(error = %err, "could not purge events"),
        }
    }
}
