//! Harness for the end-to-end tests: the real server (fresh SQLite file, random port) serving
//! the release build of the app, and headless Chromium driven through Debian's chromedriver.

pub mod receiver;

use paylinks_server::clock::{Clock, SystemClock};
use paylinks_server::http::StaticApp;
use paylinks_server::rate_limit::RateLimitSetting;
use paylinks_server::store::Store;
use paylinks_server::{AppState, Config};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use thirtyfour::prelude::*;
use thirtyfour::ChromeCapabilities;

pub struct Env {
    /// Where the browser goes: the server's own address, or the proxy in front of it.
    pub base: String,
    /// The server's own address.
    pub server: std::net::SocketAddr,
    pub key: String,
    pub driver: WebDriver,
    _cleanup: Cleanup,
}

/// Stops chromedriver and removes the database even when a test fails half way.
struct Cleanup {
    chromedriver: Child,
    data_dir: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub async fn free_port() -> u16 {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port()
}

/// Headless Chromium as every browser test here runs it, with a `width`×`height` window.
pub fn chrome_capabilities(width: u32, height: u32) -> ChromeCapabilities {
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        &format!("--window-size={width},{height}"),
    ] {
        caps.add_arg(arg).expect("a plain string argument");
    }
    // Keep the page's console, so a test can say a normal load logs no error or warning.
    caps.set_browser_log_level(thirtyfour::LoggingPrefsLogLevel::All).expect("a logging preference");
    caps
}

/// How the server under test is set up where a test needs more than the defaults (its own
/// address as the public base URL, no proxies, no rate limits).
#[derive(Default)]
pub struct Setup {
    /// Where customers reach the server, e.g. a TLS proxy in front of it.
    pub public_base_url: Option<String>,
    /// The `--trusted-proxy` list.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether the production rate limits apply (the checkout's per-client bucket among them).
    pub rate_limited: bool,
    /// Live payments through this Stripe (a fake's), and a live key for the merchant.
    pub stripe: Option<paylinks_server::stripe::StripeConfig>,
}

impl Env {
    /// Starts a server on an empty database and a browser with a `width`×`height` window.
    pub async fn start(width: u32, height: u32) -> Env {
        Env::start_with(width, height, Setup::default()).await
    }

    /// [`Env::start`], with the server set up as `setup` says.
    pub async fn start_with(width: u32, height: u32, setup: Setup) -> Env {
        let dist = workspace_root().join("dist");
        let app = StaticApp::load(&dist).unwrap_or_else(|| {
            panic!(
                "no built app in {}: `cargo xtask test` builds it (trunk build --release) before these tests",
                dist.display()
            )
        });
        let data_dir = std::env::temp_dir().join(format!("paylinks-e2e-{}", uuid::Uuid::new_v4()));
        let store = Store::connect(&format!("sqlite://{}/e2e.sqlite", data_dir.display())).await.unwrap();
        store.migrate().await.unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
        let live = setup.stripe.is_some();
        let key = store.create_key("E2E Coffee", live, clock.now()).await.unwrap().secret;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let base = setup.public_base_url.unwrap_or_else(|| format!("http://{server}"));
        let config = Config {
            public_base_url: base.clone(),
            cors_origins: vec![],
            rate_limit: if setup.rate_limited { RateLimitSetting::Default } else { RateLimitSetting::Off },
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            trusted_proxies: setup.trusted_proxies,
            metrics_token: None,
            static_app: Some(app),
            stripe: setup.stripe.map(|c| paylinks_server::stripe::Stripe::new(c).expect("a Stripe client")),
            reconcile_every: Duration::from_secs(60),
            allow_private_webhooks: false,
        };
        tokio::spawn(paylinks_server::serve(listener, AppState::new(store, config, clock), std::future::pending()));

        let chromedriver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port().await;
        let chromedriver = Command::new(&chromedriver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver_path}: {e} (cargo xtask test installs it)"));
        let mut caps = chrome_capabilities(width, height);
        // Behind a TLS proxy with a local certificate the browser has no root for.
        caps.accept_insecure_certs(base.starts_with("https://")).unwrap();
        // Let the page use the clipboard, so "Copy URL" can be checked by reading it back.
        let allow = serde_json::json!({"*": {"setting": 1}});
        let prefs = serde_json::json!({
            "profile.content_settings.exceptions.clipboard": allow,
        });
        caps.add_experimental_option("prefs", prefs).unwrap();
        // Desktop Chrome will not make a window narrower than about 500 px: phones are emulated.
        if width < 500 {
            let metrics = serde_json::json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}});
            caps.add_experimental_option("mobileEmulation", metrics).unwrap();
        }
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut driver = None;
        for _ in 0..100 {
            match WebDriver::new(&webdriver, caps.clone()).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let driver = driver.expect("chromedriver did not start");
        Env { base, server, key, driver, _cleanup: Cleanup { chromedriver, data_dir } }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits for an element (the app renders after its wasm loads).
    pub async fn find(&self, css: &str) -> WebElement {
        self.wait_for(By::Css(css), css).await
    }

    /// [`Env::find`] by XPath (a button by its words, say).
    pub async fn find_xpath(&self, xpath: &str) -> WebElement {
        self.wait_for(By::XPath(xpath), xpath).await
    }

    async fn wait_for(&self, by: By, what: &str) -> WebElement {
        let query = self.driver.query(by).wait(Duration::from_secs(10), Duration::from_millis(50));
        query.first().await.unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Waits until `css`'s text contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        for _ in 0..200 {
            if let Ok(el) = self.driver.find(By::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if text.contains(needle) {
                        return text;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} never contained {needle:?}");
    }

    /// Waits until the address bar's URL contains `needle`, and returns it.
    pub async fn wait_url(&self, needle: &str) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.driver.current_url().await.unwrap().to_string();
            if url.contains(needle) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the address never contained {needle:?}; it is {url}");
    }

    /// Waits until the keyboard focus is on the element with `id` (the app moves focus on the
    /// next animation frame after it renders an error).
    pub async fn wait_focus(&self, id: &str) {
        let mut focused = serde_json::Value::Null;
        for _ in 0..100 {
            focused = self.driver.execute("return document.activeElement.id", vec![]).await.unwrap().json().clone();
            if focused == id {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the keyboard never landed on #{id}; it is on {focused}");
    }

    /// The warnings and errors the page's console logged since the last call (Chromium clears its
    /// buffer when it is read).
    pub async fn console_problems(&self) -> Vec<String> {
        let entries = self.driver.browser_log().await.expect("the browser log (goog:loggingPrefs is set)");
        entries.into_iter().filter(|e| e.level == "WARNING" || e.level == "SEVERE").map(|e| e.message).collect()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    pub async fn sign_in(&self) {
        self.driver.goto(self.url("/")).await.unwrap();
        self.fill("#api-key", &self.key).await;
        self.find("button[type=submit]").await.click().await.unwrap();
        self.find("header.top .mode").await;
    }

    /// On a checkout page: fills the card fields and presses pay.
    pub async fn pay_with(&self, card: &str) {
        self.fill("#card-number", card).await;
        self.fill("#card-expiry", "1234").await;
        self.fill("#card-cvc", "123").await;
        self.find("button.pay").await.click().await.unwrap();
    }

    /// Saves a screenshot for people to look at (not compared by any test).
    pub async fn screenshot(&self, name: &str) {
        let dir = workspace_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        self.driver.screenshot(&dir.join(format!("{name}.png"))).await.unwrap();
    }

    /// The links the API has for this merchant (the truth the browser is checked against).
    pub async fn api_links(&self) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("http://{}/v2/payment-links?limit=100", self.server))
            .header("x-api-key", &self.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Calls the API with the merchant's key: status and JSON body.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        // Straight to the server: the merchant's calls, not the browser's, so no proxy in between.
        let url = format!("http://{}{path}", self.server);
        let mut request = reqwest::Client::new().request(method, url).header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Creates a link through the API; it must succeed.
    pub async fn create_link(&self, body: serde_json::Value) -> serde_json::Value {
        let (status, link) = self.api(reqwest::Method::POST, "/v2/payment-links", Some(&body)).await;
        assert_eq!(status, 201, "{link}");
        link
    }

    /// Whether a JavaScript dialog (alert, confirm) is open.
    pub async fn dialog_open(&self) -> bool {
        self.driver.get_alert_text().await.is_ok()
    }

    /// Whether the page fits its window's width (no horizontal scrolling).
    pub async fn fits_width(&self) -> bool {
        let script = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth";
        self.driver.execute(script, vec![]).await.unwrap().json().as_bool().unwrap_or(false)
    }

    /// Why a page does not fit: its scroll and window widths, then each element that sticks out
    /// past the window's right edge or past its own box (tag.class, first words, widths).
    pub async fn overflowing(&self) -> Vec<String> {
        let script = "const root = document.documentElement, w = root.clientWidth;\
            const wide = [...document.querySelectorAll('body *')]\
              .filter(e => e.getBoundingClientRect().right > w + 1 || e.scrollWidth > e.clientWidth + 1)\
              .map(e => `${e.tagName.toLowerCase()}.${e.className} ${(e.textContent || '').trim().slice(0, 40)} ${e.scrollWidth}/${e.clientWidth}`);\
            return [`page ${root.scrollWidth} wide in a ${w} px window`].concat(wide)";
        let found = self.driver.execute(script, vec![]).await.unwrap();
        serde_json::from_value(found.json().clone()).unwrap_or_default()
    }

    /// What the page can read from the clipboard (the test granted it the permission).
    pub async fn clipboard_text(&self) -> String {
        let script = "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('error: ' + e))";
        let value = self.driver.execute_async(script, vec![]).await.unwrap();
        value.json().as_str().unwrap_or_default().to_string()
    }

    pub async fn quit(self) {
        let _ = self.driver.clone().quit().await;
    }
}
