//! The machine, bundle sizes, the static floor page, and the generated part of BENCHMARKS.md.

use crate::load::Latency;
use crate::Results;
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

#[derive(Serialize, Default)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub os: String,
    pub date: String,
    pub commit: String,
}

fn first_line_after(file: &str, prefix: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or_default().trim().trim_matches('"').to_string()
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

impl Machine {
    pub fn detect() -> Machine {
        let mem_kib: f64 = first_line_after("/proc/meminfo", "MemTotal:")
            .split_whitespace()
            .next()
            .unwrap_or("0")
            .parse()
            .unwrap_or(0.0);
        Machine {
            cpu: first_line_after("/proc/cpuinfo", "model name\t:"),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: (mem_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            os: first_line_after("/etc/os-release", "PRETTY_NAME="),
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit: output("git", &["rev-parse", "--short", "HEAD"]),
        }
    }
}

fn compressed(cmd: &str, args: &[&str], file: &Path) -> u64 {
    let out = Command::new(cmd).args(args).arg(file).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    out.stdout.len() as u64
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Resident memory sampled every 10 s: its range, first and last sample, and each minute.
fn memory_over_time(samples: &[u64]) -> String {
    let (low, high) = (samples.iter().min().copied().unwrap_or(0), samples.iter().max().copied().unwrap_or(0));
    let every_minute: Vec<String> = samples.iter().step_by(6).map(|k| format!("{:.1}", mib(*k))).collect();
    format!(
        "{:.1}–{:.1} MiB, first and last sample {:.1} / {:.1} MiB (each minute: {})",
        mib(low),
        mib(high),
        mib(samples.first().copied().unwrap_or(0)),
        mib(samples.last().copied().unwrap_or(0)),
        every_minute.join(", ")
    )
}

/// Every .wasm and .js of both builds: raw, gzip -9 and brotli -q 11 bytes.
pub fn bundle_sizes(dist: &Path) -> Vec<(String, u64, u64, u64)> {
    let mut files = Vec::new();
    for dir in [dist.to_path_buf(), dist.join("checkout")] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js")) {
                let raw = entry.metadata().map_or(0, |m| m.len());
                let name = path.strip_prefix(dist).unwrap_or(&path).display().to_string();
                files.push((
                    name,
                    raw,
                    compressed("gzip", &["-9", "-c"], &path),
                    compressed("brotli", &["-q", "11", "-c"], &path),
                ));
            }
        }
    }
    files.sort();
    files
}

/// What the checkout shows for the first seeded link, as plain HTML with the checkout's styles:
/// the fastest page the same server could send (no script to run).
pub fn static_floor_page(dist: &Path) -> String {
    let index = std::fs::read_to_string(dist.join("checkout").join("index.html")).unwrap_or_default();
    let styles: String = index
        .split("<link")
        .filter(|l| l.contains("stylesheet"))
        .map(|l| format!("<link{}", l.split('>').next().unwrap_or_default()) + ">")
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Checkout</title>{styles}</head><body><main class=\"checkout\"><p class=\"test-banner\">Test mode — use card 4111 1111 1111 1111</p>\
         <header class=\"summary\"><p class=\"merchant\">Bench</p><h1>Bench link 1</h1></header>\
         <form class=\"checkout-form\"><p class=\"total\">Total <strong>$10.01</strong></p>\
         <fieldset><legend>Your details</legend><label for=\"email\">Email</label><input id=\"email\" type=\"email\">\
         <label for=\"name\">Full name</label><input id=\"name\"></fieldset>\
         <fieldset><legend>Card</legend><label for=\"n\">Card number</label><input id=\"n\"><label for=\"e\">Expiry (MM/YY)</label><input id=\"e\">\
         <label for=\"c\">Security code (CVC)</label><input id=\"c\"></fieldset>\
         <button class=\"pay\">Pay $10.01</button></form></main></body></html>"
    )
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

const BEGIN: &str = "<!-- bench:begin (generated by `cargo xtask bench`; edit outside these markers) -->";
const END: &str = "<!-- bench:end -->";
const WEBHOOKS_BEGIN: &str =
    "<!-- bench:webhooks:begin (generated by `cargo xtask bench`; edit outside these markers) -->";
const WEBHOOKS_END: &str = "<!-- bench:webhooks:end -->";

/// Replaces the generated parts of `path` (between the markers) that `results` has figures for,
/// keeping the hand-written rest.
pub fn write(path: &Path, results: &Results, quick: bool) {
    let mut text = std::fs::read_to_string(path).unwrap_or_default();
    if !results.backends.is_empty() {
        let generated = markdown(results, quick);
        text = replace_between(&text, BEGIN, END, &generated)
            .unwrap_or_else(|| format!("# Benchmarks\n\n{BEGIN}\n{generated}{END}\n{text}"));
    }
    if !results.webhooks.is_empty() {
        let generated = webhooks_markdown(results, quick);
        text = replace_between(&text, WEBHOOKS_BEGIN, WEBHOOKS_END, &generated).unwrap_or_else(|| {
            // New: right after the main part, or at the end.
            let at = text.find(END).map_or(text.len(), |e| e + END.len() + 1).min(text.len());
            format!("{}\n{WEBHOOKS_BEGIN}\n{generated}{WEBHOOKS_END}\n{}", &text[..at], &text[at..])
        });
    }
    std::fs::write(path, text).unwrap();
}

fn replace_between(text: &str, begin: &str, end: &str, generated: &str) -> Option<String> {
    match (text.find(begin), text.find(end)) {
        (Some(b), Some(e)) if b < e => Some(format!("{}{begin}\n{generated}{}", &text[..b], &text[e..])),
        _ => None,
    }
}

fn measured(m: &Machine) -> String {
    format!(
        "Measured {} at commit `{}` with `cargo xtask bench` on {} ({} cores, {} GiB, {}). Server and load generator share the machine.\n",
        m.date, m.commit, m.cpu, m.cores, m.memory_gib, m.os
    )
}

fn quick_warning(quick: bool) -> &'static str {
    if quick {
        "> **Quick run (PAYLINKS_BENCH_QUICK=1): short phases, figures not comparable.**\n\n"
    } else {
        ""
    }
}

fn webhooks_markdown(r: &Results, quick: bool) -> String {
    let mut s = String::from(quick_warning(quick));
    s.push_str("### Webhooks\n\n");
    let _ = writeln!(s, "{}", measured(&r.machine));
    for w in &r.webhooks {
        let rate = w.checkout.first().map_or(0, |l| l.rate);
        let _ = writeln!(
            s,
            "On {}: a sandbox checkout (test card; each payment makes two events) at {rate}/s, once per \
             receiver (oha, open loop with latency correction; endpoints subscribe to `*`):\n",
            w.backend
        );
        latency_table(&mut s, &w.checkout);
        let _ = writeln!(
            s,
            "\nThe prompt receiver answered {} deliveries during its run. A backlog of {} deliveries \
             (the receiver held every request while that many links were created) drained in {:.2} s once \
             it let go: **{:.0} deliveries/s**.\n",
            w.delivered_during_checkout,
            w.drain_deliveries,
            w.drain_seconds,
            w.drain_deliveries as f64 / w.drain_seconds
        );
    }
    s
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn markdown(r: &Results, quick: bool) -> String {
    let mut s = String::from(quick_warning(quick));
    let _ = writeln!(s, "{}", measured(&r.machine));
    for b in &r.backends {
        let floor = b.throughput.first().map_or(f64::NAN, |t| t.requests_per_s);
        let _ = writeln!(s, "### API on {}\n\nThroughput, 32 connections (wrk, closed loop):\n", b.backend);
        s.push_str(
            "| route | req/s | ratio to plain route | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for t in &b.throughput {
            let _ = writeln!(
                s,
                "| {} | {:.0} | {:.2} | {} | {} | {} |",
                t.name,
                t.requests_per_s,
                t.requests_per_s / floor,
                ms(t.p50_ms),
                ms(t.p99_ms),
                t.errors
            );
        }
        s.push_str("\nLatency at a fixed offered rate (oha, open loop with latency correction):\n\n");
        latency_table(&mut s, &b.latency);
        s.push_str("\nHow cost grows with data (one merchant; 200 requests, 4 at a time; p50 / p99 ms):\n\n");
        let names: Vec<&str> =
            b.growth.first().map(|g| g.queries.iter().map(|q| q.name.as_str()).collect()).unwrap_or_default();
        s.push_str("| query |");
        for g in &b.growth {
            let _ = write!(s, " {} links |", g.links);
        }
        s.push_str(" p99 growth, smallest → largest |\n|---|");
        s.push_str(&"---:|".repeat(b.growth.len() + 1));
        s.push('\n');
        for (i, name) in names.iter().enumerate() {
            let _ = write!(s, "| {name} |");
            let cell = |g: &crate::Growth| g.queries.get(i).cloned();
            for g in &b.growth {
                let q: Option<Latency> = cell(g);
                let _ = write!(
                    s,
                    " {} / {} |",
                    q.as_ref().map_or("—".into(), |q| ms(q.p50_ms)),
                    q.as_ref().map_or("—".into(), |q| ms(q.p99_ms))
                );
            }
            let first = b.growth.first().and_then(cell).map_or(f64::NAN, |q| q.p99_ms);
            let last = b.growth.last().and_then(cell).map_or(f64::NAN, |q| q.p99_ms);
            let _ = writeln!(s, " {:.1}× |", last / first);
        }
        let _ = writeln!(
            s,
            "\nMixed-load soak, {} s, all four routes at once at fixed rates (oha, open loop):\n",
            b.soak_seconds
        );
        latency_table(&mut s, &b.soak);
        let _ = writeln!(
            s,
            "\nMemory: peak resident {:.1} MiB over the load runs; during the soak {}.\n",
            mib(b.peak_rss_kib),
            memory_over_time(&b.soak_rss_kib)
        );
        let _ = writeln!(
            s,
            "Ids that do not exist, {} s, a new one each request, rate limits on (oha, open loop; \
             every answer should be 404, anything else counts as an error):\n",
            b.bogus_seconds
        );
        latency_table(&mut s, &b.bogus);
        let distinct: f64 = b.bogus.iter().map(|l| l.achieved_per_s * f64::from(b.bogus_seconds)).sum();
        let _ =
            writeln!(s, "\nMemory over those {:.0} distinct ids: {}.\n", distinct, memory_over_time(&b.bogus_rss_kib));
    }
    if let Some(app) = &r.app {
        s.push_str("### The app\n\nRelease bundles (bytes):\n\n| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|\n");
        for (name, raw, gz, br) in &app.bundles {
            let _ = writeln!(s, "| {name} | {raw} | {gz} | {br} |");
        }
        let sum = |checkout: bool| {
            app.bundles.iter().filter(|b| b.0.starts_with("checkout") == checkout).map(|b| b.3).sum::<u64>()
        };
        let _ = writeln!(
            s,
            "\nBrotli totals: checkout route (wasm + JS) **{:.1} KB**, dashboard **{:.1} KB**.\n",
            sum(true) as f64 / 1000.0,
            sum(false) as f64 / 1000.0
        );
        let (c, f) = (median(&app.checkout_interactive_ms), median(&app.static_floor_ms));
        s.push_str("Cold loads in headless Chromium (390×844), navigation start → ready, ms:\n\n| page | median | p90 | loads |\n|---|---:|---:|---:|\n");
        let _ = writeln!(
            s,
            "| checkout, pay button enabled | {} | {} | {} |",
            ms(c),
            ms(percentile(&app.checkout_interactive_ms, 0.9)),
            app.checkout_interactive_ms.len()
        );
        let _ = writeln!(
            s,
            "| static HTML with the same content (floor), DOMContentLoaded | {} | {} | {} |",
            ms(f),
            ms(percentile(&app.static_floor_ms, 0.9)),
            app.static_floor_ms.len()
        );
        let _ = writeln!(
            s,
            "| dashboard, list of 100 links rendered (signed in, warm) | {} | {} | {} |",
            ms(median(&app.dashboard_list_100_ms)),
            ms(percentile(&app.dashboard_list_100_ms, 0.9)),
            app.dashboard_list_100_ms.len()
        );
        let _ = writeln!(s, "\nCheckout interactive / static floor: **{:.1}×**.\n", c / f);
    }
    s
}

/// Rows of oha runs at fixed rates: offered and achieved rate, percentiles, errors.
fn latency_table(s: &mut String, rows: &[Latency]) {
    s.push_str("| route | offered req/s | achieved | p50 ms | p90 ms | p99 ms | p99.9 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for l in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} |",
            l.name,
            l.rate,
            l.achieved_per_s,
            ms(l.p50_ms),
            ms(l.p90_ms),
            ms(l.p99_ms),
            ms(l.p999_ms),
            l.errors
        );
    }
}
