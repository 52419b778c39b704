//! The `paylinks` binary: keys create / list / revoke round trip against a real database.

mod common;

use std::process::Command;

fn paylinks(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paylinks"))
        .args(["--database-url", db])
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run paylinks");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn keys_create_list_revoke_round_trip() {
    let dir = std::env::temp_dir().join(format!("paylinks-cli-{}", uuid::Uuid::new_v4()));
    let db = format!("sqlite://{}/cli.sqlite", dir.display());

    let (ok, out, err) = paylinks(&db, &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("migrations applied"));

    let (ok, out, err) = paylinks(&db, &["keys", "create", "--merchant", "Acme", "--mode", "live"]);
    assert!(ok, "{err}");
    let secret = out.split_whitespace().find(|w| w.starts_with("rk_live_")).expect("secret printed").to_string();
    assert_eq!(secret.len(), "rk_live_".len() + 32);
    let prefix = &secret[..secret.len() - 24];
    assert!(out.contains(prefix));

    let (ok, out, _) = paylinks(&db, &["keys", "list"]);
    assert!(ok);
    let line = out.lines().find(|l| l.starts_with(prefix)).expect("key listed");
    assert!(
        line.contains("Acme") && line.contains("live") && line.contains("never") && line.contains("active"),
        "{line}"
    );
    assert!(!out.contains(&secret), "list never shows the secret");

    let (ok, out, err) = paylinks(&db, &["keys", "revoke", prefix]);
    assert!(ok, "{err}");
    assert!(out.contains("Revoked"));
    let (_, out, _) = paylinks(&db, &["keys", "list"]);
    assert!(out.lines().find(|l| l.starts_with(prefix)).unwrap().contains("revoked"));

    let (ok, _, err) = paylinks(&db, &["keys", "revoke", prefix]);
    assert!(!ok && err.contains("no active key"), "{err}");
    let (ok, _, err) = paylinks(&db, &["keys", "create", "--merchant", " "]);
    assert!(!ok && err.contains("--merchant"), "{err}");
    let (ok, _, err) = paylinks("mysql://nope", &["migrate"]);
    assert!(!ok && err.contains("sqlite://"), "{err}");

    // The revoked key is refused by the store the server uses.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = paylinks_server::store::Store::connect(&db).await.unwrap();
        assert!(store.authenticate(&secret).await.unwrap().is_none());
    });
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn first_serve_prints_a_working_key_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("paylinks-serve-{}", uuid::Uuid::new_v4()));
    let db = format!("sqlite://{}/serve.sqlite", dir.display());
    let mut server = common::ServeProcess::start(&db, &[], std::process::Stdio::null());
    let (key, base) = (server.key.clone().expect("key printed on first start"), server.base.clone());
    assert!(!base.ends_with(":0"), "the real port is printed: {base}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let client = reqwest::Client::new();
        client.get(format!("{base}/v2/payment-links")).header("x-api-key", &key).send().await.unwrap().status()
    });
    assert_eq!(status, 200);

    let exit = server.terminate();
    assert!(exit.success(), "SIGTERM stops the server cleanly: {exit}");
    assert!(server.stdout.map_while(Result::ok).any(|l| l == "paylinks stopped"));

    // A second start on the same database creates no new merchant or key.
    let (_, out, _) = paylinks(&db, &["keys", "list"]);
    assert_eq!(out.lines().filter(|l| l.starts_with("rk_")).count(), 1, "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `paylinks backup` while the server runs and takes payments: a server started on the copy
/// finds every link and payment; `/readyz` says the database is there and migrated.
#[test]
fn a_backup_taken_while_serving_restores_every_link_and_payment() {
    let dir = std::env::temp_dir().join(format!("paylinks-backup-{}", uuid::Uuid::new_v4()));
    let db = format!("sqlite://{}/live.sqlite", dir.display());
    let mut server = common::ServeProcess::start(&db, &[("PAYLINKS_RATE_LIMIT", "off")], std::process::Stdio::null());
    let key = server.key.clone().expect("a first start prints a key");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();
    let card = serde_json::json!({"email": "ann@example.com", "name": "Ann",
        "card": {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}});
    let (links, payments) = rt.block_on(async {
        assert_eq!(client.get(format!("{}/readyz", server.base)).send().await.unwrap().status(), 200);
        let mut links = Vec::new();
        for i in 0..5 {
            let link =
                server.create_link(&key, &serde_json::json!({"name": format!("Tea {i}"), "amount_minor": 500})).await;
            let url = format!("{}/public/payment-links/{}/checkout", server.base, link["public_id"].as_str().unwrap());
            assert_eq!(client.post(url).json(&card).send().await.unwrap().status(), 200);
            links.push(link["id"].as_str().unwrap().to_string());
        }
        (links, 5)
    });
    let backup = dir.join("backup.sqlite");
    let (ok, out, err) = paylinks(&db, &["backup", "--to", &backup.display().to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains("Backed up"), "{out}");
    let (ok, _, err) = paylinks(&db, &["backup", "--to", &backup.display().to_string()]);
    assert!(!ok && err.contains("exists already"), "an existing file is never overwritten: {err}");
    server.terminate();

    let restored = format!("sqlite://{}", backup.display());
    let mut copy = common::ServeProcess::start(&restored, &[], std::process::Stdio::null());
    assert!(copy.key.is_none(), "the copy has the merchant and its key");
    rt.block_on(async {
        for id in &links {
            let link = copy.get(&key, &format!("/v2/payment-links/{id}")).await;
            assert_eq!(link["completed_count"], 1, "{link}");
            assert_eq!(
                copy.get(&key, &format!("/v2/payment-links/{id}/payments")).await["data"].as_array().unwrap().len(),
                1
            );
        }
        assert_eq!(links.len(), payments);
    });
    copy.terminate();
    let _ = std::fs::remove_dir_all(dir);
}

/// `--metrics-listen`: a second address serves `/metrics` (and nothing else) without a token,
/// counting what the main listener answered; the main listener still has no `/metrics`.
#[test]
fn metrics_listen_serves_only_metrics_on_its_own_address() {
    let dir = std::env::temp_dir().join(format!("paylinks-metrics-{}", uuid::Uuid::new_v4()));
    let db = format!("sqlite://{}/metrics.sqlite", dir.display());
    let env = [("PAYLINKS_METRICS_LISTEN", "127.0.0.1:0")];
    let mut server = common::ServeProcess::start(&db, &env, std::process::Stdio::null());
    let key = server.key.clone().expect("a first start prints a key");
    let metrics = server
        .stdout
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.trim().strip_prefix("Metrics: ").map(String::from))
        .expect("the metrics address is printed");
    let metrics_base = metrics.strip_suffix("/metrics").expect("a /metrics URL");
    assert_ne!(metrics_base, server.base, "its own port");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let listed = client.get(format!("{}/v2/payment-links", server.base)).header("x-api-key", &key);
        assert_eq!(listed.send().await.unwrap().status(), 200);
        assert_eq!(client.get(format!("{}/metrics", server.base)).send().await.unwrap().status(), 404);
        let api_on_metrics = client.get(format!("{metrics_base}/v2/payment-links")).header("x-api-key", &key);
        assert_eq!(api_on_metrics.send().await.unwrap().status(), 404, "the metrics address serves nothing else");
        let res = client.get(&metrics).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("http_requests_total")
                && l.contains("route=\"/v2/payment-links\"")
                && l.contains("status=\"200\"")),
            "{text}"
        );
    });
    assert!(server.terminate().success());
    let _ = std::fs::remove_dir_all(dir);
}

/// Whoever started the server may stop reading its output once it says where it serves (the
/// bench does): it goes on serving, and stops cleanly.
#[test]
fn a_closed_stdout_does_not_stop_the_server() {
    let dir = std::env::temp_dir().join(format!("paylinks-pipe-{}", uuid::Uuid::new_v4()));
    let db = format!("sqlite://{}/pipe.sqlite", dir.display());
    let common::ServeProcess { mut child, base, stdout, .. } =
        common::ServeProcess::start(&db, &[], std::process::Stdio::null());
    drop(stdout);
    let rt = tokio::runtime::Runtime::new().unwrap();
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let status = rt.block_on(async { reqwest::get(format!("{base}/healthz")).await.unwrap().status() });
        assert_eq!(status, 200);
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    assert!(child.wait().unwrap().success(), "it stops cleanly, though no one reads what it says");
    let _ = std::fs::remove_dir_all(dir);
}
