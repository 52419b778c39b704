//! The release server as a child process on a database of its own, with a sandbox key.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Server {
    pub base: String,
    pub key: String,
    child: Child,
}

/// A fresh database: a SQLite file in `dir`, or a new database on the PostgreSQL server at `admin_url`.
pub async fn fresh_database(dir: &Path, postgres_admin_url: Option<&str>, name: &str) -> String {
    match postgres_admin_url {
        None => {
            let path = dir.join(format!("{name}.sqlite"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            format!("sqlite://{}", path.display())
        }
        Some(admin) => {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(admin).await.expect("connect to PostgreSQL");
            let db = format!("paylinks_bench_{name}");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).execute(&pool).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {db}")).execute(&pool).await.unwrap();
            pool.close().await;
            let (base, _) = admin.rsplit_once('/').expect("a PostgreSQL URL ends with /database");
            format!("{base}/{db}")
        }
    }
}

fn paylinks(binary: &Path, database_url: &str, args: &[&str]) -> String {
    let out = Command::new(binary)
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run paylinks");
    assert!(out.status.success(), "paylinks {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Applies the migrations and creates the merchant "Bench" with a sandbox key.
pub fn prepare(binary: &Path, database_url: &str) -> String {
    paylinks(binary, database_url, &["migrate"]);
    let out = paylinks(binary, database_url, &["keys", "create", "--merchant", "Bench", "--mode", "sandbox"]);
    out.split_whitespace().find(|w| w.starts_with("rk_sandbox_")).expect("the key is printed").to_string()
}

impl Server {
    /// Starts `paylinks serve` on a free port, serving `static_dir`, with every limit off unless
    /// `rate_limited` (then with the defaults a deployment has).
    pub fn start(binary: &Path, database_url: &str, key: &str, static_dir: &PathBuf, rate_limited: bool) -> Server {
        let mut child = Command::new(binary);
        child.arg("--database-url").arg(database_url).args(["serve", "--listen", "127.0.0.1:0"]);
        if !rate_limited {
            child.args(["--rate-limit", "off"]);
        }
        let mut child = child
            .arg("--static-dir")
            .arg(static_dir)
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start paylinks");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines().map_while(Result::ok);
        let base = lines
            .filter_map(|l| {
                l.strip_prefix("paylinks is serving on ").and_then(|r| r.split_whitespace().next()).map(String::from)
            })
            .next()
            .expect("the server prints its address");
        Server { base, key: key.to_string(), child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now and at its peak, in KiB (from /proc).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}
