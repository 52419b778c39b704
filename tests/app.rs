//! The app in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use paylinks_api::money::{format_amount, parse_major};
use paylinks_api::Currency;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Waits until `selector` matches, or fails after about two seconds.
async fn wait_for(selector: &str) -> web_sys::Element {
    for _ in 0..100 {
        if let Some(el) = document().query_selector(selector).unwrap() {
            return el;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    panic!("{selector} never appeared");
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

#[wasm_bindgen_test]
async fn status_page_reports_an_unreachable_api() {
    // The test runner's own server has no /healthz: the page must say so, not stay blank.
    let _handle = leptos::mount::mount_to(document().body().unwrap(), paylinks_app::app::App);
    assert_eq!(wait_for("h1").await.text_content().unwrap(), "paylinks");
    let alert = wait_for("[role=alert]").await.text_content().unwrap();
    assert!(alert.starts_with("The API is not reachable"), "{alert}");
    let link = wait_for("a[href='/v2/openapi.json']").await;
    assert!(!link.text_content().unwrap().is_empty(), "links have an accessible name");
}

#[wasm_bindgen_test]
fn money_rules_hold_in_the_browser() {
    let usd = Currency::parse("usd").unwrap();
    let kwd = Currency::parse("KWD").unwrap();
    assert_eq!(parse_major("12.5", usd), Ok(1250));
    assert_eq!(format_amount(1250, usd), "$12.50");
    assert_eq!(format_amount(1250, kwd), "KWD 1.250");
}
