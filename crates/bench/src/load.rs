//! Load generators: wrk (Debian) for closed-loop throughput, with a Lua script that gives every
//! create its own Idempotency-Key; oha (crates.io) for open-loop latency at a fixed rate.

use serde::Serialize;
use std::path::Path;
use std::process::Command;

/// One HTTP request shape to repeat.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: &'static str,
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
}

impl Target {
    pub fn get(name: &'static str, path: String) -> Target {
        Target { name, method: "GET", path, body: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub name: String,
    pub requests_per_s: f64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub name: String,
    pub rate: u32,
    pub achieved_per_s: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub errors: u64,
}

const WRK_SCRIPT: &str = r#"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  method, path, key, body = args[1], args[2], args[3], args[4]
  counter = 0
end
function request()
  counter = counter + 1
  local headers = { ["x-api-key"] = key }
  if method == "POST" then
    headers["content-type"] = "application/json"
    headers["idempotency-key"] = string.format("bench-%d-%d-%d", id, counter, math.random(1000000000))
  end
  return wrk.format(method, path, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH {\"requests\":%d,\"duration_us\":%d,\"errors\":%d,\"p50_us\":%d,\"p99_us\":%d}\n",
    summary.requests, summary.duration, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// Requests per second with 32 connections for `seconds`, closed loop.
pub fn throughput(work_dir: &Path, base: &str, key: &str, target: &Target, seconds: u32) -> Throughput {
    let script = work_dir.join("bench.lua");
    std::fs::write(&script, WRK_SCRIPT).expect("write the wrk script");
    let out = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{seconds}s"), "-s"])
        .arg(&script)
        .arg(base)
        .args(["--", target.method, &target.path, key, target.body.as_deref().unwrap_or("")])
        .output()
        .expect("run wrk (cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text.lines().find_map(|l| l.strip_prefix("BENCH ")).unwrap_or_else(|| panic!("wrk said: {text}"));
    let v: serde_json::Value = serde_json::from_str(json).expect("wrk's summary");
    let n = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Throughput {
        name: target.name.to_string(),
        requests_per_s: n("requests") / (n("duration_us") / 1e6),
        errors: n("errors") as u64,
        p50_ms: n("p50_us") / 1000.0,
        p99_ms: n("p99_us") / 1000.0,
    }
}

/// oha with `args`, sending `target` with the key to `base`.
pub fn oha(base: &str, key: &str, target: &Target, args: &[&str]) -> Command {
    let mut cmd = Command::new("oha");
    cmd.arg("--no-tui").args(args).args(["-m", target.method, "-H", &format!("x-api-key: {key}")]);
    if let Some(body) = &target.body {
        cmd.args(["-H", "content-type: application/json", "-d", body]);
    }
    cmd.arg(format!("{base}{}", target.path));
    cmd
}

fn run_oha(mut cmd: Command) -> serde_json::Value {
    summary(cmd.output().expect("run oha (cargo xtask bench installs it)"))
}

/// oha's JSON summary (`--output-format json`) from its output.
fn summary(out: std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("oha said: {}", String::from_utf8_lossy(&out.stderr)))
}

/// The outcome of an oha run started with `--output-format json` and a piped stdout; answers
/// whose status does not start with `expected` are errors.
pub fn outcome(child: std::process::Child, name: &str, rate: u32, expected: &str) -> Latency {
    percentiles(&summary(child.wait_with_output().expect("oha ran")), name, rate, expected)
}

/// Latency percentiles at a fixed offered rate (open loop: late requests count from when they
/// should have been sent).
pub fn latency(base: &str, key: &str, target: &Target, rate: u32, seconds: u32) -> Latency {
    let (rate_arg, duration) = (rate.to_string(), format!("{seconds}s"));
    let args = ["--output-format", "json", "--latency-correction", "-c", "64", "-q", &rate_arg, "-z", &duration];
    percentiles(&run_oha(oha(base, key, target, &args)), target.name, rate, "2")
}

/// Latency percentiles of `requests` sequential-ish requests (4 at a time), for data growth.
pub fn sample(base: &str, key: &str, target: &Target, requests: u32) -> Latency {
    let n = requests.to_string();
    percentiles(
        &run_oha(oha(base, key, target, &["--output-format", "json", "-c", "4", "-n", &n])),
        target.name,
        0,
        "2",
    )
}

fn percentiles(v: &serde_json::Value, name: &str, rate: u32, expected: &str) -> Latency {
    let p = |k: &str| v["latencyPercentiles"][k].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let codes = v["statusCodeDistribution"].as_object().cloned().unwrap_or_default();
    let errors = codes.iter().filter(|(code, _)| !code.starts_with(expected)).map(|(_, n)| n.as_u64().unwrap_or(0)).sum::<u64>()
            // Requests still in flight when the run's time is up are not failures.
        + v["errorDistribution"].as_object().map_or(0, |e| {
            e.iter().filter(|(kind, _)| !kind.contains("deadline")).map(|(_, n)| n.as_u64().unwrap_or(0)).sum()
        });
    Latency {
        name: name.to_string(),
        rate,
        achieved_per_s: v["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        p50_ms: p("p50"),
        p90_ms: p("p90"),
        p99_ms: p("p99"),
        p999_ms: p("p99.9"),
        errors,
    }
}
