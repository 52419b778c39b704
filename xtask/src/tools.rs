//! Installs what the build needs when it is missing, saying what and why (some take minutes):
//! the wasm32 target, Trunk, the wasm-bindgen CLI matching Cargo.lock, wasm-opt 132 from npm's
//! binaryen (into .tools/), and for tests Debian's Chromium and ChromeDriver, Schemathesis
//! from PyPI (in a virtualenv under .tools/) and the vendor's SDK from npm (into .tools/).

use crate::run::{command, step};
use std::path::{Path, PathBuf};
use std::process::Command;

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132.0.0";
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const DEVDRAFT_SDK_VERSION: &str = "1.0.9";
/// An independent verifier of the Standard Webhooks signatures (the webhook tests).
const STANDARD_WEBHOOKS_VERSION: &str = "1.1.0";
/// The vendor's TypeScript SDK, which drives the catalogue in the SDK test.
const REVKEEN_SDK_VERSION: &str = "1.20260822.1541";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn output(argv: &[&str]) -> Option<String> {
    let out = Command::new(argv[0]).args(&argv[1..]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version Cargo.lock resolved (the CLI must be exactly this one).
fn locked_wasm_bindgen(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen".into())
}

fn tools_dir(root: &Path) -> PathBuf {
    root.join(".tools")
}

/// PATH with the npm wasm-opt first, for Trunk.
pub fn path_with_tools(root: &Path) -> String {
    let bin = tools_dir(root).join("node_modules").join(".bin");
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

pub fn ensure_app_tools(root: &Path) -> Result<(), String> {
    let targets = output(&["rustup", "target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        step("Installing the wasm32-unknown-unknown target (the app compiles to WebAssembly)");
        command(root, &["rustup", "target", "add", "wasm32-unknown-unknown"], &[])?;
    }
    let trunk = output(&["trunk", "--version"]).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        step(&format!("Installing Trunk {TRUNK_VERSION} (builds the app; about 10-16 minutes on 2 cores)"));
        command(root, &["cargo", "install", "trunk", "--version", TRUNK_VERSION, "--locked"], &[])?;
    }
    let wanted = locked_wasm_bindgen(root)?;
    let installed = output(&["wasm-bindgen", "--version"]).unwrap_or_default();
    if !installed.split_whitespace().any(|w| w == wanted) {
        step(&format!("Installing wasm-bindgen-cli {wanted} (must match Cargo.lock; about 5 minutes)"));
        // Without --locked: its own lockfile asks for a crate version the registry no longer serves.
        command(root, &["cargo", "install", "wasm-bindgen-cli", "--version", &wanted], &[])?;
    }
    let wasm_opt = tools_dir(root).join("node_modules").join(".bin").join("wasm-opt");
    let has_132 = output(&[&wasm_opt.to_string_lossy(), "--version"]).is_some_and(|v| v.contains("version 132"));
    if !has_132 {
        if output(&["npm", "--version"]).is_none() {
            apt_install(&["nodejs", "npm"], "npm installs wasm-opt")?;
        }
        step(&format!("Installing wasm-opt from npm's binaryen@{BINARYEN_VERSION} into .tools/ (Debian's wasm-opt 108 breaks the app)"));
        let dir = tools_dir(root);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let prefix = dir.to_string_lossy().into_owned();
        let package = format!("binaryen@{BINARYEN_VERSION}");
        command(root, &["npm", "install", "--prefix", &prefix, "--no-audit", "--no-fund", &package], &[])?;
    }
    Ok(())
}

/// The vendor's SDK from npm, in `.tools/node_modules` (npm itself comes with the app's tools);
/// returns the package's folder, for Node to `require`.
pub fn ensure_revkeen_sdk(root: &Path) -> Result<PathBuf, String> {
    let dir = tools_dir(root).join("node_modules").join("@revkeen").join("sdk");
    let manifest = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
    if !manifest.contains(&format!("\"version\": \"{REVKEEN_SDK_VERSION}\"")) {
        step(&format!(
            "Installing the vendor's SDK @revkeen/sdk@{REVKEEN_SDK_VERSION} from npm into .tools/ (the SDK test)"
        ));
        let prefix = tools_dir(root).to_string_lossy().into_owned();
        let package = format!("@revkeen/sdk@{REVKEEN_SDK_VERSION}");
        command(root, &["npm", "install", "--prefix", &prefix, "--no-audit", "--no-fund", &package], &[])?;
    }
    Ok(dir)
}

/// The load generators and compressors `cargo xtask bench` uses: Debian's wrk and brotli, and
/// oha from crates.io (with `--locked`, into ~/.cargo/bin).
pub fn ensure_bench_tools(root: &Path) -> Result<(), String> {
    let missing: Vec<&str> = ["wrk", "brotli"].into_iter().filter(|t| output(&["which", t]).is_none()).collect();
    if !missing.is_empty() {
        apt_install(&missing, "the bench drives the server with wrk and measures brotli sizes")?;
    }
    if output(&["oha", "--version"]).is_none() {
        step("Installing oha from crates.io (open-loop latency at a fixed rate; about 5 minutes)");
        command(root, &["cargo", "install", "oha", "--locked"], &[])?;
    }
    Ok(())
}

/// The Python tools of the tests, in `.tools/venv`.
pub struct PythonTools {
    /// Schemathesis's command (the API fuzzing test).
    pub schemathesis: PathBuf,
    /// The venv's Python, with Devdraft's SDK (the v0 client test).
    pub python: PathBuf,
}

/// Schemathesis, the Devdraft SDK and a Standard Webhooks verifier in `.tools/venv`, installed from
/// PyPI when missing.
pub fn ensure_python_tools(root: &Path) -> Result<PythonTools, String> {
    let venv = tools_dir(root).join("venv");
    let bin = venv.join("bin");
    let tools = PythonTools { schemathesis: bin.join("schemathesis"), python: bin.join("python") };
    let has_schemathesis =
        output(&[&tools.schemathesis.to_string_lossy(), "--version"]).is_some_and(|v| v.contains(SCHEMATHESIS_VERSION));
    let version_of = |package: &str| {
        let script = format!("import importlib.metadata as m; print(m.version('{package}'))");
        output(&[&tools.python.to_string_lossy(), "-c", &script]).map(|v| v.trim().to_string())
    };
    let has_sdk = version_of("devdraft-sdk").is_some_and(|v| v == DEVDRAFT_SDK_VERSION);
    let has_verifier = version_of("standardwebhooks").is_some_and(|v| v == STANDARD_WEBHOOKS_VERSION);
    if has_schemathesis && has_sdk && has_verifier {
        return Ok(tools);
    }
    if output(&["python3", "--version"]).is_none() {
        apt_install(&["python3", "python3-venv"], "the API tests run Schemathesis and the Devdraft SDK")?;
    }
    step(&format!(
        "Installing Schemathesis {SCHEMATHESIS_VERSION}, devdraft-sdk {DEVDRAFT_SDK_VERSION} and standardwebhooks \
         {STANDARD_WEBHOOKS_VERSION} from PyPI into .tools/venv (the API fuzzing test, the v0 client test and the \
         webhook signature test)"
    ));
    let venv_path = venv.to_string_lossy().into_owned();
    if !bin.join("pip").exists() && command(root, &["python3", "-m", "venv", &venv_path], &[]).is_err() {
        // Debian's python3 makes virtualenvs only with python3-venv installed.
        let _ = std::fs::remove_dir_all(&venv);
        apt_install(&["python3-venv"], "Python virtualenvs for the API tests")?;
        command(root, &["python3", "-m", "venv", &venv_path], &[])?;
    }
    let pip = bin.join("pip").to_string_lossy().into_owned();
    let packages = [
        format!("schemathesis=={SCHEMATHESIS_VERSION}"),
        format!("devdraft-sdk=={DEVDRAFT_SDK_VERSION}"),
        format!("standardwebhooks=={STANDARD_WEBHOOKS_VERSION}"),
    ];
    let install = ["install", "--quiet", "--disable-pip-version-check"];
    let argv: Vec<&str> =
        std::iter::once(pip.as_str()).chain(install).chain(packages.iter().map(String::as_str)).collect();
    command(root, &argv, &[])?;
    Ok(tools)
}

pub fn ensure_browser() -> Result<(), String> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new("/usr/bin/chromium").exists() {
        apt_install(&["chromium", "chromium-driver"], "the app's tests run in headless Chromium")?;
    }
    Ok(())
}

/// Debian's Caddy and curl: the deployment test puts Caddy with TLS in front of the server.
pub fn ensure_proxy() -> Result<(), String> {
    if !Path::new("/usr/bin/caddy").exists() || !Path::new("/usr/bin/curl").exists() {
        apt_install(&["caddy", "curl"], "the deployment test runs the server behind Caddy")?;
    }
    Ok(())
}

/// Installs Debian packages (through sudo when not root).
fn apt_install(packages: &[&str], why: &str) -> Result<(), String> {
    step(&format!("Installing {} from Debian ({why})", packages.join(", ")));
    let root_user = output(&["id", "-u"]).is_some_and(|u| u.trim() == "0");
    let sudo: &[&str] = if root_user { &[] } else { &["sudo"] };
    let here = Path::new(".");
    let update: Vec<&str> = sudo.iter().copied().chain(["apt-get", "update", "-q"]).collect();
    command(here, &update, &[])?;
    let install: Vec<&str> =
        sudo.iter().copied().chain(["apt-get", "install", "-y", "-q"]).chain(packages.iter().copied()).collect();
    command(here, &install, &[])
}
