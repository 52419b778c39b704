//! Running commands with visible progress, and adding up test results.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn step(what: &str) {
    println!("\n==> {what}");
}

fn build(root: &Path, argv: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(argv[0]);
    command.args(&argv[1..]).current_dir(root);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// Runs a command with inherited output; an error if it fails.
pub fn command(root: &Path, argv: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let status = build(root, argv, env).status().map_err(|e| format!("cannot run {}: {e}", argv[0]))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", argv.join(" ")))
    }
}

/// Where cargo puts build output (honours CARGO_TARGET_DIR).
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// Counts from libtest's `test result: ok. 12 passed; 0 failed; …` line.
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let idx = rest.find(word)?;
        rest[..idx].split_whitespace().last()?.parse().ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

#[derive(Default)]
pub struct Summary {
    passed: u64,
    failed: u64,
    failed_steps: Vec<String>,
}

impl Summary {
    /// A step that passes or fails as a whole (fmt, clippy, a build): counts as one check.
    pub fn check(&mut self, name: &str, root: &Path, argv: &[&str], env: &[(&str, &str)]) {
        self.record(name, || command(root, argv, env));
    }

    /// A check: its outcome counts as one passed or failed step.
    pub fn record(&mut self, name: &str, check: impl FnOnce() -> Result<(), String>) {
        step(name);
        match check() {
            Ok(()) => self.passed += 1,
            Err(err) => {
                eprintln!("{err}");
                self.failed += 1;
                self.failed_steps.push(name.to_string());
            }
        }
    }

    /// A test run: its output is shown as it comes and its test counts are added up.
    pub fn tests(&mut self, name: &str, root: &Path, argv: &[&str], env: &[(&str, &str)]) {
        step(name);
        let mut child = match build(root, argv, env).stdout(Stdio::piped()).spawn() {
            Ok(child) => child,
            Err(err) => {
                eprintln!("cannot run {}: {err}", argv[0]);
                self.failed += 1;
                self.failed_steps.push(name.to_string());
                return;
            }
        };
        let (mut passed, mut failed) = (0, 0);
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if let Some((p, f)) = parse_result_line(&line) {
                    passed += p;
                    failed += f;
                }
            }
        }
        let ok = child.wait().is_ok_and(|s| s.success());
        self.passed += passed;
        self.failed += failed;
        if !ok || failed > 0 {
            // A build failure runs no test: count the step itself as failed.
            if failed == 0 {
                self.failed += 1;
            }
            self.failed_steps.push(name.to_string());
        }
    }

    pub fn finish(self) -> Result<(), String> {
        println!();
        if !self.failed_steps.is_empty() {
            println!("Failed steps: {}", self.failed_steps.join(", "));
        }
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 {
            Ok(())
        } else {
            Err("some checks failed".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_result_line;

    #[test]
    fn reads_libtest_and_wasm_bindgen_test_summaries() {
        let native = "test result: ok. 26 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 3.49s";
        assert_eq!(parse_result_line(native), Some((26, 0)));
        let wasm = "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 filtered out; finished in 0.09s";
        assert_eq!(parse_result_line(wasm), Some((1, 1)));
        assert_eq!(parse_result_line("running 2 tests"), None);
    }
}
