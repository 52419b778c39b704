//! Test harness: the real server on a random port over a fresh database (a SQLite file, or a
//! new PostgreSQL database when PAYLINKS_TEST_POSTGRES_URL is set), driven over real HTTP.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod receiver;

use paylinks_server::clock::{Clock, ManualClock};
use paylinks_server::rate_limit::RateLimitSetting;
use paylinks_server::store::{Scope, Store};
use paylinks_server::{AppState, Config};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const PG_ENV: &str = "PAYLINKS_TEST_POSTGRES_URL";

/// Declares each listed `async fn(Db)` as two tests, on SQLite and on PostgreSQL, for tests that
/// start their server their own way.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::common::Db::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = $crate::common::Db::postgres() else { return };
                super::$name(db).await;
            })*
        }
    };
}

/// Declares each listed `async fn(TestApp)` as two tests: on SQLite, and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::common::TestApp::spawn($crate::common::Db::Sqlite).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = $crate::common::Db::postgres() else { return };
                super::$name($crate::common::TestApp::spawn(db).await).await;
            })*
        }
    };
}

pub enum Db {
    Sqlite,
    Postgres(String),
}

impl Db {
    /// The PostgreSQL backend, or `None` (with a note on stderr) when no server is configured.
    pub fn postgres() -> Option<Db> {
        match std::env::var(PG_ENV) {
            Ok(url) if !url.is_empty() => Some(Db::Postgres(url)),
            _ => {
                eprintln!("SKIPPED on PostgreSQL: {PG_ENV} is not set");
                None
            }
        }
    }
}

/// A database that exists for one test and is removed after it, even when the test fails.
pub struct TempDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

impl Drop for TempDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(async {
                        sqlx::any::install_default_drivers();
                        if let Ok(pool) = sqlx::AnyPool::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&pool)
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub async fn temp_db(db: Db) -> TempDb {
    let id = uuid::Uuid::new_v4().simple().to_string();
    match db {
        Db::Sqlite => {
            let dir = std::env::temp_dir().join(format!("paylinks-test-{id}"));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}/test.sqlite", dir.display());
            TempDb { url, cleanup: Cleanup::File(dir) }
        }
        Db::Postgres(admin_url) => {
            sqlx::any::install_default_drivers();
            let name = format!("paylinks_test_{id}");
            let pool = sqlx::AnyPool::connect(&admin_url).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.unwrap();
            pool.close().await;
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path(&name);
            TempDb { url: url.to_string(), cleanup: Cleanup::Database { admin_url, name } }
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    /// A sandbox key of merchant "Acme".
    pub key: String,
    pub scope: Scope,
    /// The test's own database, for checks that look under the API.
    pub db_url: String,
    /// The running server's state, for tests of the write path itself.
    pub state: AppState,
    _db: TempDb,
}

pub struct Options {
    pub rate_limit: RateLimitSetting,
    pub cors_origins: Vec<String>,
    pub request_timeout: Duration,
    pub header_timeout: Duration,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub metrics_token: Option<String>,
    pub static_app: Option<paylinks_server::http::StaticApp>,
    /// Live payments through this Stripe (a fake's address).
    pub stripe: Option<paylinks_server::stripe::StripeConfig>,
    pub reconcile_every: Duration,
    pub allow_private_webhooks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_limit: RateLimitSetting::Off,
            cors_origins: vec!["https://dash.example.com".into()],
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            static_app: None,
            stripe: None,
            reconcile_every: Duration::from_secs(60),
            allow_private_webhooks: false,
        }
    }
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        TestApp::spawn_with(db, Options::default()).await
    }

    pub async fn spawn_with(db: Db, options: Options) -> TestApp {
        let db = temp_db(db).await;
        let store = Store::connect(&db.url).await.expect("open the test database");
        store.migrate().await.expect("migrate");
        let clock = Arc::new(ManualClock::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = Config {
            public_base_url: base.clone(),
            cors_origins: options.cors_origins,
            rate_limit: options.rate_limit,
            request_timeout: options.request_timeout,
            header_timeout: options.header_timeout,
            trusted_proxies: options.trusted_proxies,
            metrics_token: options.metrics_token,
            static_app: options.static_app,
            stripe: options.stripe.map(|c| paylinks_server::stripe::Stripe::new(c).expect("a Stripe client")),
            reconcile_every: options.reconcile_every,
            allow_private_webhooks: options.allow_private_webhooks,
        };
        let state = AppState::new(store.clone(), config, clock.clone());
        tokio::spawn(paylinks_server::serve(listener, state.clone(), std::future::pending()));
        let key = store.create_key("Acme", false, clock.now()).await.unwrap();
        let scope = Scope { merchant_id: key.owner.merchant_id, livemode: false };
        let db_url = db.url.clone();
        TestApp { base, client: reqwest::Client::new(), store, clock, key: key.secret, scope, db_url, state, _db: db }
    }

    pub async fn new_key(&self, merchant: &str, livemode: bool) -> String {
        self.store.create_key(merchant, livemode, self.clock.now()).await.unwrap().secret
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get_as(&self, key: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("x-api-key", key).send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_as(&self.key, path).await
    }

    /// POST or PATCH a JSON body with the default key.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> reqwest::Response {
        self.send_as(&self.key, method, path, body, None).await
    }

    pub async fn send_as(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.url(path)).header("x-api-key", key).json(body);
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        req.send().await.unwrap()
    }

    pub async fn create(&self, body: &Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, "/v2/payment-links", body).await
    }

    /// Creates a link that must succeed and returns it.
    pub async fn create_ok(&self, body: &Value) -> Value {
        let res = self.create(body).await;
        let status = res.status();
        let json: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "{json}");
        json
    }

    pub async fn simple_link(&self, name: &str) -> Value {
        self.create_ok(&json!({ "name": name, "amount_minor": 1000, "currency": "USD" })).await
    }

    pub async fn set_status(&self, id: &str, status: &str) -> reqwest::Response {
        self.send(reqwest::Method::PATCH, &format!("/v2/payment-links/{id}/status"), &json!({ "status": status })).await
    }
}

/// Status code and JSON body.
pub async fn parts(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

/// Asserts the contract's error body shape and returns it.
pub async fn expect_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    let (got, body) = parts(res).await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body.get("details").is_some(), "details must be present (null or object): {body}");
    body
}

/// The real `paylinks serve` binary on a free port over `db`, started as a child process.
pub struct ServeProcess {
    pub child: std::process::Child,
    /// The sandbox key printed on a first start (`None` when the database had a merchant).
    pub key: Option<String>,
    pub base: String,
    /// The rest of stdout, for what the server prints later.
    pub stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl ServeProcess {
    pub fn start(db: &str, env: &[(&str, &str)], stderr: std::process::Stdio) -> ServeProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_paylinks"))
            .args(["--database-url", db, "serve", "--listen", "127.0.0.1:0", "--static-dir", "no-such-dir"])
            .envs(env.iter().copied())
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start paylinks serve");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let (mut key, mut base) = (None, None);
        for line in stdout.by_ref().map_while(Result::ok) {
            if let Some(k) = line.split_whitespace().find(|w| w.starts_with("rk_sandbox_")) {
                key = Some(k.to_string());
            }
            if let Some(rest) = line.strip_prefix("paylinks is serving on ") {
                base = rest.split_whitespace().next().map(String::from);
                break;
            }
        }
        ServeProcess { child, key, base: base.expect("the server prints its address"), stdout }
    }

    /// POSTs `body` to `path` with `key` (it must answer 201) and returns the answer.
    pub async fn create(&self, key: &str, path: &str, body: &Value) -> Value {
        let req = reqwest::Client::new().post(format!("{}{path}", self.base)).header("x-api-key", key);
        let res = req.json(body).send().await.unwrap();
        assert_eq!(res.status(), 201, "{path}");
        res.json().await.unwrap()
    }

    /// Creates a link with `key` (it must succeed) and returns it.
    pub async fn create_link(&self, key: &str, body: &Value) -> Value {
        self.create(key, "/v2/payment-links", body).await
    }

    /// Registers a webhook endpoint for `events` (it must answer 201) and returns it.
    pub async fn add_endpoint(&self, key: &str, url: &str, events: &[&str]) -> Value {
        let body = serde_json::json!({"url": url, "enabled_events": events});
        self.create(key, "/v2/webhook-endpoints", &body).await["data"].clone()
    }

    /// GETs `path` with `key` (it must answer 200) and returns the body.
    pub async fn get(&self, key: &str, path: &str) -> Value {
        let res = reqwest::Client::new().get(format!("{}{path}", self.base)).header("x-api-key", key).send().await;
        let res = res.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.unwrap()
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        self.child.wait().unwrap()
    }
}
