//! The `paylinks` binary: keys create / list / revoke round trip against a real database.

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
