//! `cargo xtask bench` (which builds everything and sets the paths): measures the API, data
//! growth, memory and the app, prints progress, writes `target/bench/results.json` and the
//! generated part of `BENCHMARKS.md`. Reports only: nothing here passes or fails.
//!
//! Environment: PAYLINKS_BENCH_SERVER (release binary), PAYLINKS_BENCH_DIST (built app),
//! PAYLINKS_BENCH_OUT (results dir), PAYLINKS_BENCH_REPORT (BENCHMARKS.md),
//! PAYLINKS_BENCH_POSTGRES_URL (optional: also on PostgreSQL), PAYLINKS_BENCH_QUICK=1 (short runs,
//! for trying the bench itself; its figures are not for the report), PAYLINKS_BENCH_ONLY=webhooks
//! (only the webhook part, and only its section of the report).

mod browser;
mod load;
mod report;
mod seed;
mod server;
mod webhooks;

use load::{Latency, Target, Throughput};
use serde::Serialize;
use server::Server;
use std::path::{Path, PathBuf};

#[derive(Serialize, Default)]
pub struct Results {
    pub machine: report::Machine,
    pub backends: Vec<BackendResults>,
    pub app: Option<AppResults>,
    pub webhooks: Vec<webhooks::WebhookResults>,
}

#[derive(Serialize)]
pub struct BackendResults {
    pub backend: String,
    pub throughput: Vec<Throughput>,
    pub latency: Vec<Latency>,
    pub growth: Vec<Growth>,
    pub peak_rss_kib: u64,
    /// Resident memory every `SOAK_SAMPLE_EVERY` of the mixed-load soak.
    pub soak_rss_kib: Vec<u64>,
    /// Each route of the soak at its fixed rate: achieved rate, latency, errors.
    pub soak: Vec<Latency>,
    pub soak_seconds: u32,
    /// Checkouts and reads of ids that do not exist, a new one each request, with the rate
    /// limits on: each stream's outcome and resident memory every 10 s.
    pub bogus: Vec<Latency>,
    pub bogus_rss_kib: Vec<u64>,
    pub bogus_seconds: u32,
}

#[derive(Serialize)]
pub struct Growth {
    pub links: u64,
    pub queries: Vec<Latency>,
}

#[derive(Serialize)]
pub struct AppResults {
    /// (file, raw, gzip, brotli) bytes.
    pub bundles: Vec<(String, u64, u64, u64)>,
    pub checkout_interactive_ms: Vec<f64>,
    pub static_floor_ms: Vec<f64>,
    pub dashboard_list_100_ms: Vec<f64>,
}

struct Settings {
    server: PathBuf,
    dist: PathBuf,
    out: PathBuf,
    quick: bool,
}

fn progress(what: &str) {
    println!("bench: {what}");
}

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run `cargo xtask bench`")))
}

/// The seeded link every single-link route reads.
const FIRST_ID: &str = "00000000-0000-4000-8000-000000000001";
const FIRST_PUBLIC_ID: &str = "pl_00000000000000000001";
const CREATE_BODY: &str = r#"{"name":"Bench create","amount_minor":1500,"currency":"USD"}"#;

#[tokio::main]
async fn main() {
    let settings = Settings {
        server: env_path("PAYLINKS_BENCH_SERVER"),
        dist: env_path("PAYLINKS_BENCH_DIST"),
        out: env_path("PAYLINKS_BENCH_OUT"),
        quick: std::env::var("PAYLINKS_BENCH_QUICK").is_ok_and(|v| v == "1"),
    };
    std::fs::create_dir_all(&settings.out).unwrap();
    let static_dir = settings.out.join("static");
    copy_dir(&settings.dist, &static_dir);
    let mut results = Results { machine: report::Machine::detect(), ..Results::default() };

    let postgres = std::env::var("PAYLINKS_BENCH_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    if postgres.is_none() {
        progress("PostgreSQL SKIPPED (set PAYLINKS_BENCH_POSTGRES_URL to measure it too)");
    }
    let only_webhooks = std::env::var("PAYLINKS_BENCH_ONLY").is_ok_and(|v| v == "webhooks");
    for admin in std::iter::once(None).chain(postgres.as_deref().map(Some)) {
        if !only_webhooks {
            results.backends.push(backend(&settings, admin, &static_dir).await);
        }
        results.webhooks.push(webhooks::measure(&settings, admin, &static_dir).await);
    }
    if !only_webhooks {
        results.app = Some(app(&settings, &static_dir).await);
    }

    let json = serde_json::to_string_pretty(&results).unwrap();
    std::fs::write(settings.out.join("results.json"), json).unwrap();
    let report_path = env_path("PAYLINKS_BENCH_REPORT");
    report::write(&report_path, &results, settings.quick);
    progress(&format!("done: {} and {}", report_path.display(), settings.out.join("results.json").display()));
}

async fn backend(settings: &Settings, postgres_admin: Option<&str>, static_dir: &PathBuf) -> BackendResults {
    let name = if postgres_admin.is_some() { "PostgreSQL" } else { "SQLite" };
    let seconds = if settings.quick { 2 } else { 10 };
    progress(&format!("{name}: API throughput, 32 connections, {seconds} s per route"));
    let url = server::fresh_database(&settings.out, postgres_admin, "api").await;
    let key = server::prepare(&settings.server, &url);
    seed::links(&url, 100).await;
    let server = Server::start(&settings.server, &url, &key, static_dir, false);
    let targets = [
        Target::get("plain JSON route (/healthz)", "/healthz".into()),
        Target::get("get by id", format!("/v2/payment-links/{FIRST_ID}")),
        Target::get("list, limit 25", "/v2/payment-links?limit=25".into()),
        Target::get("public link", format!("/public/payment-links/{FIRST_PUBLIC_ID}")),
        Target {
            name: "create (fresh Idempotency-Key each)",
            method: "POST",
            path: "/v2/payment-links".into(),
            body: Some(CREATE_BODY.into()),
        },
    ];
    let mut throughput = Vec::new();
    for target in &targets {
        progress(&format!("{name}:   {}", target.name));
        throughput.push(load::throughput(&settings.out, &server.base, &key, target, seconds));
    }
    progress(&format!("{name}: latency at a fixed offered rate (open loop)"));
    // oha sends one body and one set of headers: these creates carry no Idempotency-Key.
    let create_without_key = Target { name: "create (no Idempotency-Key)", ..targets[4].clone() };
    let mut latency = Vec::new();
    for target in [&targets[1], &create_without_key] {
        for rate in [500, 2000] {
            progress(&format!("{name}:   {} at {rate}/s", target.name));
            latency.push(load::latency(&server.base, &key, target, rate, seconds));
        }
    }
    let soak_seconds = if settings.quick { 10 } else { 600 };
    progress(&format!("{name}: {soak_seconds} s mixed-load soak at fixed rates, memory every 10 s"));
    let (soak, soak_rss_kib) = soak(&server, &targets, soak_seconds);
    let peak_rss_kib = server.memory_kib().1;
    drop(server);
    let bogus_seconds = if settings.quick { 10 } else { 180 };
    progress(&format!("{name}: {bogus_seconds} s of ids that do not exist, rate limits on, memory every 10 s"));
    let server = Server::start(&settings.server, &url, &key, static_dir, true);
    let (bogus, bogus_rss_kib) = bogus_ids(&server, bogus_seconds);
    drop(server);

    let mut growth = Vec::new();
    let sizes: &[u64] = if settings.quick { &[1_000, 10_000] } else { &[1_000, 100_000, 1_000_000] };
    for &n in sizes {
        progress(&format!("{name}: {n} links: seeding"));
        let url = server::fresh_database(&settings.out, postgres_admin, &format!("growth{n}")).await;
        let key = server::prepare(&settings.server, &url);
        seed::links(&url, n).await;
        let server = Server::start(&settings.server, &url, &key, static_dir, false);
        progress(&format!("{name}: {n} links: measuring"));
        let middle = format!("pl_{:020}", n / 2);
        let queries = [
            Target::get("list, first page", "/v2/payment-links?limit=25".into()),
            Target::get("list at offset 10,000", "/v2/payment-links?limit=25&offset=10000".into()),
            Target::get("search, 5 matches at every size", "/v2/payment-links?limit=25&search=retainer".into()),
            Target::get("search, 1 match at 1k, 1,111 at 1M", "/v2/payment-links?limit=25&search=link%20777".into()),
            Target::get("get by public_id", format!("/v2/payment-links/{middle}")),
        ];
        let requests = if settings.quick { 40 } else { 200 };
        let queries = queries.iter().map(|q| load::sample(&server.base, &key, q, requests)).collect();
        growth.push(Growth { links: n, queries });
    }
    BackendResults {
        backend: name.into(),
        throughput,
        latency,
        growth,
        peak_rss_kib,
        soak_rss_kib,
        soak,
        soak_seconds,
        bogus,
        bogus_rss_kib,
        bogus_seconds,
    }
}

/// Mixed load at fixed rates (reads, lists, creates) for `seconds`: each route's outcome, and
/// resident memory every 10 s.
fn soak(server: &Server, targets: &[Target], seconds: u32) -> (Vec<Latency>, Vec<u64>) {
    // oha sends one set of headers: these creates carry no Idempotency-Key.
    let create = Target { name: "create (no Idempotency-Key)", ..targets[4].clone() };
    let mixes = [
        Stream { target: targets[1].clone(), rate: 300, random_path: false, expected: "2" },
        Stream { target: targets[2].clone(), rate: 100, random_path: false, expected: "2" },
        Stream { target: targets[3].clone(), rate: 200, random_path: false, expected: "2" },
        Stream { target: create, rate: 50, random_path: false, expected: "2" },
    ];
    run_streams(server, &mixes, seconds)
}

/// What an attacker probing for ids sends: checkouts and reads of public ids that do not exist,
/// a new one each request (well-formed ones, and 4 KB ones), so that nothing the server keeps per
/// id or per attempt can grow. Every answer should be a 404.
fn bogus_ids(server: &Server, seconds: u32) -> (Vec<Latency>, Vec<u64>) {
    let checkout = |name, id: &str| Target {
        name,
        method: "POST",
        path: format!("/public/payment-links/{id}/checkout"),
        body: Some("{}".into()),
    };
    let streams = [
        Stream {
            target: checkout("checkout, a new well-formed id each", "pl_[0-9A-Za-z]{20}"),
            rate: 700,
            random_path: true,
            expected: "404",
        },
        Stream {
            target: checkout("checkout, a new 4 KB id each", "[a-z]{4096}"),
            rate: 100,
            random_path: true,
            expected: "404",
        },
        Stream {
            target: Target::get("public link, a new id each", "/public/payment-links/pl_[0-9A-Za-z]{20}".into()),
            rate: 200,
            random_path: true,
            expected: "404",
        },
    ];
    run_streams(server, &streams, seconds)
}

/// One oha run at a fixed rate during a soak.
struct Stream {
    target: Target,
    rate: u32,
    /// The path is a regular expression: a new random match each request.
    random_path: bool,
    /// The answers that are right (a status prefix): anything else counts as an error.
    expected: &'static str,
}

/// All `streams` at once for `seconds`: each one's outcome, and resident memory every 10 s.
fn run_streams(server: &Server, streams: &[Stream], seconds: u32) -> (Vec<Latency>, Vec<u64>) {
    let children: Vec<_> = streams
        .iter()
        .map(|stream| {
            let (rate, duration) = (stream.rate.to_string(), format!("{seconds}s"));
            let mut args = vec!["--output-format", "json", "-c", "8", "-q", &rate, "-z", &duration];
            if stream.random_path {
                args.push("--rand-regex-url");
            }
            let mut cmd = load::oha(&server.base, &server.key, &stream.target, &args);
            cmd.stdout(std::process::Stdio::piped()).spawn().expect("run oha")
        })
        .collect();
    let mut samples = vec![server.memory_kib().0];
    for _ in 0..seconds / 10 {
        std::thread::sleep(std::time::Duration::from_secs(10));
        samples.push(server.memory_kib().0);
    }
    let outcomes = children
        .into_iter()
        .zip(streams)
        .map(|(child, stream)| load::outcome(child, stream.target.name, stream.rate, stream.expected))
        .collect();
    (outcomes, samples)
}

async fn app(settings: &Settings, static_dir: &PathBuf) -> AppResults {
    progress("app: bundle sizes");
    let bundles = report::bundle_sizes(&settings.dist);
    let url = server::fresh_database(&settings.out, None, "app").await;
    let key = server::prepare(&settings.server, &url);
    seed::links(&url, 100).await;
    let floor = report::static_floor_page(&settings.dist);
    std::fs::write(static_dir.join("floor.html"), floor).unwrap();
    let server = Server::start(&settings.server, &url, &key, static_dir, false);
    let chrome = browser::Chrome::start().await;
    let loads = if settings.quick { 3 } else { 20 };
    progress(&format!("app: checkout, {loads} cold loads to the pay button"));
    let checkout = browser::checkout_interactive(&chrome, &format!("{}/l/{FIRST_PUBLIC_ID}", server.base), loads).await;
    progress(&format!("app: static page with the same content, {loads} cold loads"));
    let floor = browser::static_page(&chrome, &format!("{}/floor.html", server.base), loads).await;
    progress("app: dashboard list of 100 links");
    let list = browser::dashboard_list(&chrome, &server.base, &key, loads.min(10)).await;
    AppResults { bundles, checkout_interactive_ms: checkout, static_floor_ms: floor, dashboard_list_100_ms: list }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e} (build the app first)", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
