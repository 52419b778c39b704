//! Cross-cutting HTTP: security headers, CORS, timeouts, JSON fallbacks and the built app.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use paylinks_api::ErrorCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// Where Trunk puts the checkout page's own build, inside the app's directory.
pub const CHECKOUT_DIR: &str = "checkout";

/// The built pages: the dashboard's and the checkout's `index.html`, the hashes of their inline
/// loaders (the Content-Security-Policy lets exactly those run), and where the other files are.
#[derive(Clone)]
pub struct StaticApp {
    /// The app's folder (`--static-dir`), or `None`: the copy inside the binary.
    pub dir: Option<PathBuf>,
    pub pages: AppPages,
    pub script_hashes: Vec<String>,
}

/// Shared, not copied, by every app route that falls back to them.
#[derive(Clone)]
pub struct AppPages {
    pub dashboard: Bytes,
    /// `None` when only the dashboard was built: `/l/…` then gets the dashboard's page.
    pub checkout: Option<Bytes>,
}

impl StaticApp {
    /// Loads `dir/index.html` and `dir/checkout/index.html` (as Trunk built them); `None` when
    /// the app has not been built.
    pub fn load(dir: &Path) -> Option<StaticApp> {
        let read = |path: PathBuf| std::fs::read(path).ok();
        let checkout = read(dir.join(CHECKOUT_DIR).join("index.html"));
        StaticApp::from_pages(read(dir.join("index.html"))?, checkout, Some(dir.to_path_buf()))
    }

    /// The app this binary carries, if it was built with one.
    pub fn embedded() -> Option<StaticApp> {
        let checkout = crate::embedded::file(&format!("{CHECKOUT_DIR}/index.html"));
        StaticApp::from_pages(crate::embedded::file("index.html")?, checkout, None)
    }

    fn from_pages(dashboard: Vec<u8>, checkout: Option<Vec<u8>>, dir: Option<PathBuf>) -> Option<StaticApp> {
        let dashboard = String::from_utf8(dashboard).ok()?;
        let checkout = checkout.and_then(|html| String::from_utf8(html).ok());
        let mut hashes = inline_script_hashes(&dashboard);
        hashes.extend(checkout.iter().flat_map(|html| inline_script_hashes(html)));
        let pages = AppPages { dashboard: Bytes::from(dashboard), checkout: checkout.map(Bytes::from) };
        Some(StaticApp { dir, pages, script_hashes: hashes })
    }
}

/// `'sha256-…'` sources for every inline `<script>` (Trunk's module loader).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else { break };
        let Some(close) = rest.find("</script>") else { break };
        let tag = &rest[..open_end];
        if !tag.contains("src=") && open_end < close {
            let digest = Sha256::digest(&rest.as_bytes()[open_end + 1..close]);
            hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &rest[close + "</script>".len()..];
    }
    hashes
}

/// The app's policy. Only a local server (its public URL on localhost) lets the page reach and
/// show `http://localhost` (a sandbox link's images and redirects during development).
pub fn content_security_policy(script_hashes: &[String], local: bool) -> HeaderValue {
    let scripts = std::iter::once("'self' 'wasm-unsafe-eval'".to_string())
        .chain(script_hashes.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let localhost = if local { " http://localhost:* http://127.0.0.1:*" } else { "" };
    let policy = format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' https: data:{localhost}; \
         connect-src 'self' https:{localhost}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::try_from(policy).unwrap_or(HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

/// What every response carries besides its own headers.
#[derive(Clone)]
pub struct SecurityHeaders {
    pub csp: HeaderValue,
    /// `Strict-Transport-Security`, when the public URL is https.
    pub hsts: Option<HeaderValue>,
}

/// Headers every response carries.
pub async fn security_headers(set: SecurityHeaders, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("revkeen-version", HeaderValue::from_static(paylinks_api::API_VERSION));
    headers.insert(header::CONTENT_SECURITY_POLICY, set.csp);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Some(hsts) = set.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    response
}

/// A client's `X-Request-Id` is kept only if it is 1 to 64 of `A-Z a-z 0-9 . _ : -` (it goes
/// into logs); otherwise the server gives the request its own.
pub async fn sanitize_request_id(mut request: Request, next: Next) -> Response {
    let acceptable = |v: &HeaderValue| {
        (1..=64).contains(&v.len()) && v.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || b".:_-".contains(b))
    };
    let headers = request.headers_mut();
    let ids = headers.get_all("x-request-id").iter().collect::<Vec<_>>();
    if ids.len() != 1 || !acceptable(ids[0]) {
        headers.remove("x-request-id");
    }
    next.run(request).await
}

/// Answers with a JSON 503 when a request runs longer than `limit`.
pub async fn timeout(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            ApiError::unavailable().into_response()
        }
    }
}

/// Hashed assets (`name-<hex>.ext`: Trunk writes a 64-bit hash, so up to 16 digits) never change: cache them for a
/// year. Everything else (index.html) is revalidated.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let value =
        if hashed && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// App routes (paths without a file extension) get a page: `/l/…` the checkout's, the rest the
/// dashboard's, which shows its own "not found" page for routes it does not know.
pub async fn spa_fallback(pages: Option<AppPages>, uri: Uri) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    let Some(pages) = pages.filter(|_| !last.contains('.')) else {
        return not_found().await;
    };
    let html = match pages.checkout {
        Some(checkout) if uri.path().starts_with("/l/") => checkout,
        _ => pages.dashboard,
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], Body::from(html)).into_response()
}

pub async fn not_found() -> Response {
    ApiError::new(ErrorCode::ResourceMissing, "No such route.").into_response()
}

pub async fn method_not_allowed() -> Response {
    let mut response =
        ApiError::new(ErrorCode::InvalidRequest, "This method is not allowed on this route.").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

const EXPOSED: [HeaderName; 4] = [
    HeaderName::from_static("idempotency-replayed"),
    header::RETRY_AFTER,
    HeaderName::from_static("revkeen-version"),
    HeaderName::from_static("x-request-id"),
];

/// CORS for `/v2`: the listed origins and the server's own; the headers the contract names.
pub fn v2_cors(origins: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PATCH])
        .allow_headers([
            HeaderName::from_static("x-api-key"),
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("revkeen-version"),
        ])
        .expose_headers(EXPOSED)
        .max_age(Duration::from_secs(600))
}

/// CORS for `/public`: any origin, no credentials.
pub fn public_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("idempotency-key")])
        .expose_headers(EXPOSED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script src="/a.js"></script><script type="module">import init from '/x.js';</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        assert!(hashes[0].starts_with("'sha256-") && hashes[0].ends_with("='"));
    }

    #[test]
    fn recognises_hashed_assets() {
        assert!(is_hashed_asset("/paylinks-app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/paylinks-app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/paylinks-app-7ce00a30c5ab33f.js"), "a hash with its leading zero dropped");
        assert!(is_hashed_asset("/checkout/checkout-4396dacaacb5d72d_bg.wasm"));
        assert!(!is_hashed_asset("/my-cafe.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.svg"));
    }
}
