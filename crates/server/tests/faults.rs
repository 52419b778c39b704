//! Faults: the database becomes unavailable and comes back (a JSON 503 with Retry-After, no
//! panic, recovery without a restart), and a client that trickles its headers is cut off.

mod common;

use common::{expect_error, parts, Db, Options, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(readyz_is_ready_only_when_the_database_is_migrated);

/// `/readyz` is 200 with every migration of this build applied and 503 when one is missing
/// (a database from an older release not yet migrated); `/healthz` stays 200 either way.
async fn readyz_is_ready_only_when_the_database_is_migrated(app: TestApp) {
    let (status, body) = parts(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].clone()), (200, json!("ready")));
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (status, body) = parts(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].clone()), (503, json!("migrations pending")));
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

fn body() -> serde_json::Value {
    json!({"name": "During an outage", "amount_minor": 100, "currency": "USD"})
}

async fn expect_unavailable(res: reqwest::Response) {
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    expect_error(res, 503, "service_unavailable").await;
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)), "Retry-After is missing");
}

/// Another process holds SQLite's write lock (as a long `paylinks keys` command or a backup
/// could): writes wait out the busy timeout, then get a 503; reads go on; once the lock is
/// released writes work again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_by_another_process_is_a_503_then_recovers() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let mut blocker = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.db_url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut blocker).await.unwrap();
    expect_unavailable(app.create(&body()).await).await;
    assert_eq!(app.get("/v2/payment-links").await.status(), 200, "reads go on beside a writer");
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    let (status, link) = parts(app.create(&body()).await).await;
    assert_eq!(status, 201, "{link}");
}

/// PostgreSQL stops accepting connections and drops the open ones; requests get a 503 until it
/// accepts them again, then everything works without restarting the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusing_connections_is_a_503_then_recovers() {
    let Some(db) = Db::postgres() else { return };
    let Db::Postgres(admin_url) = &db else { unreachable!() };
    let admin_url = admin_url.clone();
    let app = TestApp::spawn(db).await;
    assert_eq!(app.create(&body()).await.status(), 201);
    let name = app.db_url.rsplit('/').next().unwrap().to_string();
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url).await.unwrap();
    let set_allowed = |allowed: bool| format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allowed}");
    sqlx::query(&set_allowed(false)).execute(&admin).await.unwrap();
    sqlx::query(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        .execute(&admin)
        .await
        .unwrap();
    expect_unavailable(app.create(&body()).await).await;
    expect_unavailable(app.get("/v2/payment-links").await).await;
    sqlx::query(&set_allowed(true)).execute(&admin).await.unwrap();
    admin.close().await;
    let (status, page) = parts(app.get("/v2/payment-links").await).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["pagination"]["total"], 1, "the link from before the outage is there: {page}");
    assert_eq!(app.create(&body()).await.status(), 201);
}

/// A client that sends its headers a byte at a time is disconnected once the header timeout
/// passes, and the server keeps answering others meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_are_cut_off() {
    let options = Options { header_timeout: Duration::from_secs(1), ..Options::default() };
    let app = TestApp::spawn_with(Db::Sqlite, options).await;
    let mut slow = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let started = Instant::now();
    let request = b"GET /healthz HTTP/1.1\r\nhost: test\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut cut_off = false;
    for byte in request {
        if slow.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        // Closed by the server: the read end sees EOF (or a reset).
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(250), slow.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                cut_off = true;
                break;
            }
            Ok(Ok(_)) | Err(_) => {}
        }
        assert_eq!(app.get("/healthz").await.status(), 200, "others are served meanwhile");
    }
    let waited = started.elapsed();
    assert!(cut_off, "still connected after {waited:?}");
    assert!(waited < Duration::from_secs(5), "cut off only after {waited:?}");
}
