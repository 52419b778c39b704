//! Serving the built app: CSP with the loader's hash, caching, SPA fallback, compression; and
//! the request timeout.

mod common;

use common::{expect_error, Db, Options, TestApp};
use paylinks_server::http::StaticApp;
use std::time::Duration;

const LOADER: &str = "import init from '/paylinks-app-0123456789abcdef.js'; await init();";
const CHECKOUT_LOADER: &str = "import init from '/checkout/checkout-0123456789abcdef.js'; await init();";

fn page(loader: &str) -> String {
    format!("<!DOCTYPE html><html><head><script type=\"module\">{loader}</script></head><body></body></html>")
}

fn built_app() -> (std::path::PathBuf, StaticApp) {
    let dir = std::env::temp_dir().join(format!("paylinks-dist-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), page(LOADER)).unwrap();
    std::fs::create_dir_all(dir.join("checkout")).unwrap();
    std::fs::write(dir.join("checkout").join("index.html"), page(CHECKOUT_LOADER)).unwrap();
    std::fs::write(dir.join("paylinks-app-0123456789abcdef.js"), "export default function init() {}\n".repeat(200))
        .unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg/>").unwrap();
    let app = StaticApp::load(&dir).expect("index.html loads");
    (dir, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_app_with_a_strict_csp_caching_and_fallback() {
    let (dir, static_app) = built_app();
    let app = TestApp::spawn_with(Db::Sqlite, Options { static_app: Some(static_app), ..Options::default() }).await;

    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    use base64::Engine;
    use sha2::Digest;
    let hash = |s: &str| base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s.as_bytes()));
    let (dashboard, checkout) = (hash(LOADER), hash(CHECKOUT_LOADER));
    assert!(
        csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{dashboard}' 'sha256-{checkout}'")),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.text().await.unwrap().contains(LOADER));

    // App routes fall back to their page: checkout links to the checkout's own build, the rest
    // to the dashboard; missing files and API routes do not.
    for (route, loader) in [
        ("/links", LOADER),
        ("/links/pl_AAAAAAAAAAAAAAAAAAAA", LOADER),
        ("/l/pl_AAAAAAAAAAAAAAAAAAAA", CHECKOUT_LOADER),
    ] {
        let res = app.client.get(app.url(route)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{route}");
        assert!(res.text().await.unwrap().contains(loader), "{route}");
    }
    expect_error(app.client.get(app.url("/missing.js")).send().await.unwrap(), 404, "resource_missing").await;
    expect_error(app.get("/v2/nope").await, 404, "resource_missing").await;

    // Hashed assets are immutable for a year and compressed on request.
    let res = app
        .client
        .get(app.url("/paylinks-app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-encoding"], "br");
    let res = app.client.get(app.url("/favicon.svg")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_get_a_json_503_with_retry_after() {
    let options = Options { request_timeout: Duration::from_nanos(1), ..Options::default() };
    let app = TestApp::spawn_with(Db::Sqlite, options).await;
    let res = app.get("/v2/payment-links").await;
    assert_eq!(res.headers()["retry-after"], "1");
    expect_error(res, 503, "service_unavailable").await;
}
