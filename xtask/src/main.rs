//! `cargo xtask dev` and `cargo xtask test`: the README's two commands. They install what is
//! missing, then build and run (dev) or check everything (test). `cargo xtask bench` measures.

mod one_file;
mod run;
mod seams;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <dev|test|bench>

  dev    install missing tools, build the app, and serve it with the API on
         http://127.0.0.1:8080 (SQLite under ./data/). Extra arguments go to `paylinks serve`.
  test   install missing tools, then: fmt check, clippy (warnings denied), native tests
         (also on PostgreSQL when PAYLINKS_TEST_POSTGRES_URL is set), app tests in headless
         Chromium, the release build of the app, and end-to-end tests of it in headless
         Chromium against the real server. Ends with `N passed, N failed`.
  bench  install missing tools (also wrk, brotli, oha), build everything in release, and
         measure the API, data growth, memory and the app (about 15 minutes; also on
         PostgreSQL when PAYLINKS_BENCH_POSTGRES_URL is set). Writes BENCHMARKS.md and
         target/bench/results.json. Reports only: it never fails on a figure.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        // `cargo xtask dev -- --listen …` and `cargo xtask dev --listen …` both pass flags on.
        Some("dev") => dev(&root, args[1..].strip_prefix(&["--".to_string()]).unwrap_or(&args[1..])),
        Some("test") => test(&root),
        Some("bench") => bench(&root),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout this run was started from. `cargo run` tells the binary at run time; the path
/// compiled in is only a fallback, because cargo reuses one xtask binary for every clone that
/// shares a target directory (CI's), and it would name the clone that built it.
fn workspace_root() -> PathBuf {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
    manifest_dir.parent().expect("xtask lives in the workspace").to_path_buf()
}

/// The dashboard into `dist/`, then the checkout page as its own small build into
/// `dist/checkout/` (in this order: Trunk empties its output directory first).
const APP_BUILDS: [&[&str]; 2] = [
    &["trunk", "build", "--release"],
    &["trunk", "build", "checkout.html", "--release", "--dist", "dist/checkout", "--public-url", "/checkout/"],
];

fn dev(root: &Path, serve_args: &[String]) -> Result<(), String> {
    tools::ensure_app_tools(root)?;
    build_app(root)?;
    run::step("Building the server (release)");
    run::command(root, &["cargo", "build", "--release", "-p", "paylinks-server"], &[])?;
    run::step("Starting paylinks (Ctrl-C stops it)");
    let binary = run::target_dir(root).join("release").join("paylinks");
    let mut command = vec![binary.to_string_lossy().into_owned(), "serve".into(), "--static-dir".into(), "dist".into()];
    command.extend(serve_args.iter().cloned());
    run::command(root, &command.iter().map(String::as_str).collect::<Vec<_>>(), &[])
}

fn build_app(root: &Path) -> Result<(), String> {
    run::step("Building the app (release)");
    let path = tools::path_with_tools(root);
    for build in APP_BUILDS {
        run::command(root, build, &[("PATH", &path)])?;
    }
    Ok(())
}

fn bench(root: &Path) -> Result<(), String> {
    tools::ensure_app_tools(root)?;
    tools::ensure_browser()?;
    tools::ensure_bench_tools(root)?;
    build_app(root)?;
    run::step("Building the server and the bench (release)");
    run::command(root, &["cargo", "build", "--release", "-p", "paylinks-server", "-p", "paylinks-bench"], &[])?;
    let release = run::target_dir(root).join("release");
    let (server, out) = (release.join("paylinks"), run::target_dir(root).join("bench"));
    let bench = release.join("paylinks-bench").to_string_lossy().into_owned();
    run::step("Measuring (progress below)");
    run::command(
        root,
        &[&bench],
        &[
            ("PAYLINKS_BENCH_SERVER", &server.to_string_lossy()),
            ("PAYLINKS_BENCH_DIST", &root.join("dist").to_string_lossy()),
            ("PAYLINKS_BENCH_OUT", &out.to_string_lossy()),
            ("PAYLINKS_BENCH_REPORT", &root.join("BENCHMARKS.md").to_string_lossy()),
            ("CHROMEDRIVER", tools::CHROMEDRIVER),
        ],
    )
}

fn test(root: &Path) -> Result<(), String> {
    tools::ensure_app_tools(root)?;
    tools::ensure_browser()?;
    tools::ensure_proxy()?;
    let python_tools = tools::ensure_python_tools(root)?;
    let (schemathesis, python) = (python_tools.schemathesis.to_string_lossy(), python_tools.python.to_string_lossy());
    let revkeen_sdk = tools::ensure_revkeen_sdk(root)?;
    let revkeen_sdk = revkeen_sdk.to_string_lossy();
    let mut summary = run::Summary::default();
    match std::env::var("PAYLINKS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => println!("PostgreSQL: the server tests also run against {url}"),
        _ => println!("PostgreSQL: SKIPPED (set PAYLINKS_TEST_POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres, to run the server tests on it too)"),
    }
    summary.check("formatting", root, &["cargo", "fmt", "--all", "--", "--check"], &[]);
    summary.check(
        "clippy (native)",
        root,
        &["cargo", "clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        &[],
    );
    summary.check(
        "clippy (wasm32)",
        root,
        &[
            "cargo",
            "clippy",
            "-p",
            "paylinks-app",
            "-p",
            "paylinks-api",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    );
    summary.tests(
        "native tests",
        root,
        &["cargo", "test", "--no-fail-fast", "--workspace", "--exclude", "paylinks-app", "--exclude", "paylinks-e2e"],
        &[
            ("PAYLINKS_SCHEMATHESIS", &schemathesis),
            ("PAYLINKS_PYTHON", &python),
            ("PAYLINKS_REVKEEN_SDK", &revkeen_sdk),
        ],
    );
    summary.tests(
        "app tests in headless Chromium",
        root,
        &["cargo", "test", "--no-fail-fast", "-p", "paylinks-app", "--target", "wasm32-unknown-unknown"],
        &[("CHROMEDRIVER", tools::CHROMEDRIVER)],
    );
    let path = tools::path_with_tools(root);
    summary.check("release build of the dashboard", root, APP_BUILDS[0], &[("PATH", &path)]);
    summary.check("release build of the checkout", root, APP_BUILDS[1], &[("PATH", &path)]);
    summary.record("one-file deployment: the release binary alone serves the app", || one_file::check(root));
    // One browser at a time: each test starts its own server, chromedriver and Chromium.
    summary.tests(
        "end-to-end tests (real server, release app, headless Chromium)",
        root,
        &["cargo", "test", "--no-fail-fast", "-p", "paylinks-e2e", "--", "--test-threads=1"],
        &[("CHROMEDRIVER", tools::CHROMEDRIVER)],
    );
    summary.finish()
}
