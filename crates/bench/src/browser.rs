//! The app in headless Chromium: cold loads of the checkout and of a static page with the same
//! content (the floor), and the dashboard rendering a page of 100 links.

use std::process::{Child, Command, Stdio};
use std::time::Duration;
use thirtyfour::prelude::*;

pub struct Chrome {
    chromedriver: Child,
    server: String,
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

impl Chrome {
    pub async fn start() -> Chrome {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromedriver = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
        Chrome { chromedriver, server: format!("http://127.0.0.1:{port}") }
    }

    /// A new browser with an empty profile: nothing cached.
    pub async fn session(&self) -> WebDriver {
        // Phone-sized, as customers open checkout links.
        let caps = paylinks_e2e::chrome_capabilities(390, 844);
        for _ in 0..100 {
            if let Ok(driver) = WebDriver::new(&self.server, caps.clone()).await {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start");
    }
}

/// Runs `script` (async, resolves with milliseconds) and returns its number.
async fn millis(driver: &WebDriver, script: &str) -> f64 {
    let value = driver.execute_async(script, vec![]).await.expect("the timing script runs");
    value.json().as_f64().unwrap_or_else(|| panic!("timing script returned {:?}", value.json()))
}

/// Loads `url` in a cold browser (a new profile: nothing cached) `loads` times; `script`
/// resolves with the milliseconds since navigation start that count.
async fn cold_loads(chrome: &Chrome, url: &str, loads: usize, script: &str) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..loads {
        let driver = chrome.session().await;
        driver.goto(url).await.unwrap();
        times.push(millis(&driver, script).await);
        driver.quit().await.ok();
    }
    times
}

/// Navigation start → the checkout's `checkout-interactive` mark.
pub async fn checkout_interactive(chrome: &Chrome, url: &str, loads: usize) -> Vec<f64> {
    let script = "const done = arguments[0];
         const poll = () => { const m = performance.getEntriesByName('checkout-interactive');
           if (m.length) done(m[0].startTime); else setTimeout(poll, 5); };
         poll();";
    cold_loads(chrome, url, loads, script).await
}

/// Navigation start → DOMContentLoaded of a static page (nothing to run: the floor).
pub async fn static_page(chrome: &Chrome, url: &str, loads: usize) -> Vec<f64> {
    let script = "const done = arguments[0];
         const poll = () => { const n = performance.getEntriesByType('navigation')[0];
           if (n && n.domContentLoadedEventEnd > 0) done(n.domContentLoadedEventEnd); else setTimeout(poll, 5); };
         poll();";
    cold_loads(chrome, url, loads, script).await
}

/// Signs in once, then times navigation → 100 rows in the list, `loads` times.
pub async fn dashboard_list(chrome: &Chrome, base: &str, key: &str, loads: usize) -> Vec<f64> {
    let driver = chrome.session().await;
    driver.goto(format!("{base}/sign-in")).await.unwrap();
    let field = driver.query(By::Css("#api-key")).first().await.unwrap();
    field.send_keys(key).await.unwrap();
    driver.find(By::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    driver.query(By::Css(".test-banner")).first().await.unwrap();
    let mut times = Vec::new();
    for _ in 0..loads {
        driver.goto(format!("{base}/links?limit=100")).await.unwrap();
        let t = millis(
            &driver,
            "const done = arguments[0];
             const poll = () => { if (document.querySelectorAll('tbody tr').length >= 100) done(performance.now());
               else setTimeout(poll, 2); };
             poll();",
        )
        .await;
        times.push(t);
    }
    driver.quit().await.ok();
    times
}
