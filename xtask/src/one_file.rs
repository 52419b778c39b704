//! The one-file deployment, checked for real: the release binary, copied alone into an empty
//! folder, serves the dashboard, the checkout page and the app's files from inside itself.

use crate::run;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

/// Builds the release server (after the app's release build) and checks the binary alone.
pub fn check(root: &Path) -> Result<(), String> {
    run::command(root, &["cargo", "build", "--release", "-p", "paylinks-server"], &[])?;
    let binary = run::target_dir(root).join("release").join("paylinks");
    let folder = std::env::temp_dir().join(format!("paylinks-one-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot make {}: {e}", folder.display()))?;
    let copy = folder.join("paylinks");
    std::fs::copy(&binary, &copy).map_err(|e| format!("cannot copy {}: {e}", binary.display()))?;
    let result = serve_and_compare(root, &copy, &folder);
    let _ = std::fs::remove_dir_all(&folder);
    result
}

fn serve_and_compare(root: &Path, binary: &Path, folder: &Path) -> Result<(), String> {
    let mut child = Command::new(binary)
        .args(["--database-url", &format!("sqlite://{}/paylinks.sqlite", folder.display())])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(folder)
        .env_remove("DATABASE_URL")
        .env_remove("PAYLINKS_STATIC_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let address = BufReader::new(stdout).lines().map_while(Result::ok).find_map(|line| {
        line.strip_prefix("paylinks is serving on http://")?.split_whitespace().next().map(String::from)
    });
    let result = match address {
        Some(address) => compare(root, &address),
        None => Err("the copied binary did not start serving".to_string()),
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Each page and the app's wasm, as served, is the file Trunk built.
fn compare(root: &Path, address: &str) -> Result<(), String> {
    let dist = root.join("dist");
    let wasm = std::fs::read_dir(&dist)
        .map_err(|e| format!("no dist/: {e}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(".wasm"))
        .ok_or("dist/ has no .wasm")?;
    for (path, file) in [
        ("/".to_string(), dist.join("index.html")),
        ("/links".to_string(), dist.join("index.html")),
        ("/l/pl_AAAAAAAAAAAAAAAAAAAA".to_string(), dist.join("checkout").join("index.html")),
        (format!("/{wasm}"), dist.join(&wasm)),
    ] {
        let expected = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let (status, body) = get(address, &path)?;
        if status != 200 || body != expected {
            return Err(format!("GET {path}: {status}, {} bytes; expected 200 and {}", body.len(), file.display()));
        }
    }
    println!("the copied binary alone served the dashboard, the checkout and {wasm}");
    Ok(())
}

/// An HTTP/1.0 GET (so the answer is never chunked): status and body.
fn get(address: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("cannot connect to {address}: {e}"))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    Ok((status, response[split + 4..].to_vec()))
}
