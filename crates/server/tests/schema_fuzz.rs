//! Schemathesis against the real server binary: every operation of `/v2/openapi.json`, public
//! and Devdraft v0 routes included, with the settings in the repository's `schemathesis.toml`. It must find no
//! 5xx and no response that breaks the published schema, and the server must not panic.
//! `cargo xtask test` installs Schemathesis (PyPI, in `.tools/venv`) and sets
//! PAYLINKS_SCHEMATHESIS to it; without it this test says SKIPPED.

mod common;

use common::{temp_db, Db, ServeProcess};
use serde_json::json;

async fn fuzz(db: Db) {
    let Ok(schemathesis) = std::env::var("PAYLINKS_SCHEMATHESIS") else {
        eprintln!("SKIPPED Schemathesis: PAYLINKS_SCHEMATHESIS is not set (`cargo xtask test` sets it)");
        return;
    };
    let db = temp_db(db).await;
    let log = std::env::temp_dir().join(format!("paylinks-fuzz-{}.log", uuid::Uuid::new_v4()));
    let stderr = std::fs::File::create(&log).unwrap();
    let mut server = ServeProcess::start(&db.url, &[("PAYLINKS_RATE_LIMIT", "off")], stderr.into());
    let key = server.key.clone().expect("a first start prints a key");
    let link = server.create_link(&key, &json!({"name": "Fuzzed", "amount_minor": 500, "currency": "USD"})).await;
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemathesis.toml");
    // Blocks one runtime thread while it runs; the server is another process.
    let out = std::process::Command::new(&schemathesis)
        .args(["--config-file", config, "run", &format!("{}/v2/openapi.json", server.base)])
        .env("PAYLINKS_FUZZ_BASE_URL", &server.base)
        .env("PAYLINKS_FUZZ_KEY", &key)
        .env("PAYLINKS_FUZZ_CLIENT_KEY", paylinks_server::store::parse_key(&key).expect("a well-formed key").1)
        .env("PAYLINKS_FUZZ_LINK_ID", link["id"].as_str().unwrap())
        .env("PAYLINKS_FUZZ_PUBLIC_ID", link["public_id"].as_str().unwrap())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {schemathesis}: {e}"));
    server.terminate();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "Schemathesis found problems:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let server_log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(!server_log.contains("panicked"), "the server panicked under fuzzing:\n{server_log}");
    let summary = report.lines().rev().find(|l| l.contains("generated")).unwrap_or_default();
    eprintln!("Schemathesis: {}", summary.trim());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_on_sqlite() {
    fuzz(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_on_postgres() {
    let Some(db) = Db::postgres() else { return };
    fuzz(db).await;
}
