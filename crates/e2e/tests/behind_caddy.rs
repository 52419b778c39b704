//! The deployment the README describes, for real: Debian's Caddy with a local certificate
//! (`tls internal`) in front of the server, which trusts it (`--trusted-proxy 127.0.0.1`) and
//! builds its URLs from the https address. A customer pays a link through Caddy in headless
//! Chromium, and the checkout's per-client limit counts each client apart: a card tester at
//! 127.0.0.2 runs out of attempts while the customer at 127.0.0.1 still pays. (Linux answers on
//! all of 127.0.0.0/8, so curl's `--interface` makes a second client; curl checks Caddy's
//! certificate against Caddy's own root, the browser is told to accept it.)

use paylinks_e2e::{free_port, Env, Setup};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CADDY: &str = "/usr/bin/caddy";

/// Caddy in front of `upstream` on https://localhost:`port`, with its state in a folder of its own.
struct Caddy {
    child: Child,
    dir: PathBuf,
}

impl Caddy {
    fn start(port: u16, upstream: std::net::SocketAddr) -> Caddy {
        let dir = std::env::temp_dir().join(format!("paylinks-caddy-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        // No admin endpoint, no redirect listener on :80, nothing written outside `dir`.
        let caddyfile = format!(
            "{{\n  admin off\n  skip_install_trust\n  auto_https disable_redirects\n  storage file_system {dir}\n}}\n\
             https://localhost:{port} {{\n  tls internal\n  reverse_proxy {upstream}\n}}\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("Caddyfile"), caddyfile).unwrap();
        let child = Command::new(CADDY)
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(dir.join("Caddyfile"))
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", &dir)
            .env("XDG_CONFIG_HOME", &dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("caddy.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CADDY}: {e}"));
        Caddy { child, dir }
    }

    /// The root certificate Caddy signs `localhost` with.
    fn root_certificate(&self) -> PathBuf {
        self.dir.join("pki/authorities/local/root.crt")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("caddy.log")).unwrap_or_default()
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTPS request through Caddy by curl from the loopback address `from`, verifying Caddy's
/// certificate: the status, the response headers (lower-cased) and the body.
fn curl(caddy: &Caddy, from: &str, method: &str, url: &str, body: Option<&Value>) -> (u16, String, String) {
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--include", "--max-time", "10", "--interface", from]);
    command.arg("--cacert").arg(caddy.root_certificate()).args(["--request", method, url]);
    if let Some(body) = body {
        command.args(["--header", "content-type: application/json", "--data-binary", &body.to_string()]);
    }
    let out = command.output().expect("curl runs");
    assert!(out.status.success(), "curl {url}: {}\n{}", String::from_utf8_lossy(&out.stderr), caddy.log());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, head.to_lowercase(), body.to_owned())
}

/// Waits until Caddy has made its certificate and answers through to the server.
async fn wait_ready(caddy: &Caddy, base: &str) {
    for _ in 0..100 {
        if caddy.root_certificate().exists() {
            let ready = Command::new("curl")
                .args(["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", "--cacert"])
                .arg(caddy.root_certificate())
                .arg(format!("{base}/healthz"))
                .output();
            if ready.is_ok_and(|out| out.stdout == b"200") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("Caddy did not answer on {base}:\n{}", caddy.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_through_caddy_with_tls_and_the_limiter_tells_clients_apart() {
    if !Path::new(CADDY).exists() {
        eprintln!("SKIPPED the Caddy deployment test: no {CADDY} (`cargo xtask test` installs Debian's caddy)");
        return;
    }
    let port = free_port().await;
    let base = format!("https://localhost:{port}");
    let setup = Setup {
        public_base_url: Some(base.clone()),
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        rate_limited: true,
        ..Setup::default()
    };
    let env = Env::start_with(1280, 900, setup).await;
    let caddy = Caddy::start(port, env.server);
    wait_ready(&caddy, &base).await;

    let link = env.create_link(json!({"name": "Through the proxy", "amount_minor": 1500, "currency": "USD"})).await;
    let public_id = link["public_id"].as_str().unwrap();
    assert_eq!(link["url"], format!("{base}/l/{public_id}"), "URLs are built from the public base URL");

    // Over TLS the server asks browsers to stay on https.
    let (status, head, _) = curl(&caddy, "127.0.0.1", "GET", &format!("{base}/l/{public_id}"), None);
    assert_eq!(status, 200);
    assert!(head.contains("strict-transport-security: max-age="), "{head}");

    // A card tester at 127.0.0.2 spends its own checkout attempts (ten at once) and is refused...
    let checkout = format!("{base}/public/payment-links/{public_id}/checkout");
    let statuses: Vec<u16> =
        (0..11).map(|_| curl(&caddy, "127.0.0.2", "POST", &checkout, Some(&json!({}))).0).collect();
    assert_eq!(&statuses[..10], &[400; 10], "invalid attempts are answered, not counted against the link");
    assert_eq!(statuses[10], 429, "the eleventh attempt from one client is refused");

    // ...while the customer at 127.0.0.1, behind the same proxy, pays in the browser.
    env.driver.goto(env.url(&format!("/l/{public_id}"))).await.unwrap();
    env.wait_text(".summary h1", "Through the proxy").await;
    env.fill("#email", "ann@example.com").await;
    env.fill("#name", "Ann Lee").await;
    env.pay_with("4111111111111111").await;
    env.wait_text(".confirmation", "You paid $15.00 to E2E Coffee.").await;
    assert!(env.console_problems().await.is_empty(), "{:?}", env.console_problems().await);
    env.screenshot("checkout-paid-through-caddy").await;

    let (_, payments) = env
        .api(reqwest::Method::GET, &format!("/v2/payment-links/{}/payments", link["id"].as_str().unwrap()), None)
        .await;
    let payments = payments["data"].as_array().unwrap().clone();
    assert_eq!(payments.len(), 1, "one payment, the customer's: {payments:?}");
    assert_eq!(payments[0]["status"], "succeeded");
    env.quit().await;
}
