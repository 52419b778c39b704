//! Calls to the server. Every failure becomes one readable sentence for the page.

use gloo_net::http::Request;

/// Whether the API answers its health check.
pub async fn health() -> Result<(), String> {
    let response = Request::get("/healthz").send().await.map_err(|e| format!("network error: {e}"))?;
    if response.ok() {
        Ok(())
    } else {
        Err(format!("the server answered {}", response.status()))
    }
}
