//! The vendor's own TypeScript SDK (npm `@revkeen/sdk`, pinned by `cargo xtask`) drives products
//! and prices over real HTTP (`drive_revkeen_sdk.cjs`): its `products.*` and `prices.*` calls
//! work against paylinks unchanged, its refusals come back as its own error type, and another
//! merchant's client sees none of it. `cargo xtask test` installs the SDK into `.tools/` and sets
//! PAYLINKS_REVKEEN_SDK to it; without it this test says SKIPPED.

mod common;

use common::TestApp;
use serde_json::{json, Value};

on_both_backends!(the_vendor_sdk_manages_products_and_prices);

async fn the_vendor_sdk_manages_products_and_prices(app: TestApp) {
    let Ok(sdk) = std::env::var("PAYLINKS_REVKEEN_SDK") else {
        eprintln!("SKIPPED RevKeen SDK: PAYLINKS_REVKEEN_SDK is not set (`cargo xtask test` sets it)");
        return;
    };
    let other = app.new_key("Globex", false).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/drive_revkeen_sdk.cjs");
    let mut command = std::process::Command::new("node");
    command
        .arg(script)
        .env("PAYLINKS_REVKEEN_SDK", &sdk)
        .env("PAYLINKS_BASE", &app.base)
        .env("PAYLINKS_KEY", &app.key)
        .env("PAYLINKS_OTHER_KEY", &other);
    let out = tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK script failed:\n{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    let product = &r["created"]["data"];
    assert_eq!((product["object"].as_str(), product["product_id"].as_str()), (Some("product"), Some("sdk-tee")));
    assert_eq!((product["amount_minor"].as_i64(), product["metadata"]["sku"].as_str()), (Some(2500), Some("T-1")));
    assert_eq!(r["got"]["data"], *product);
    assert_eq!(r["listed"]["pagination"]["total"], 1);
    assert_eq!(r["listed"]["data"][0]["id"], product["id"]);
    assert_eq!(r["updated"]["data"]["name"], "SDK tee (organic)");
    assert_eq!(r["updated"]["data"]["description"], "Cotton");

    let price = &r["price"];
    assert_eq!((price["object"].as_str(), price["unit_amount"].as_i64()), (Some("price"), Some(3000)));
    assert_eq!(
        (price["currency"].as_str(), price["type"].as_str(), price["version"].as_i64()),
        (Some("usd"), Some("one_time"), Some(1))
    );
    assert_eq!(r["pwyw"]["pricing_model"], "pay_what_you_want");
    assert_eq!(r["pwyw"]["preset_amounts"], json!([500, 1500]));
    // The product's default price and the two made here.
    assert_eq!((r["prices"]["object"].as_str(), r["prices"]["total_count"].as_i64()), (Some("list"), Some(3)));
    assert_eq!(r["by_key"]["data"][0]["id"], price["id"]);
    assert_eq!(r["price_got"], *price);
    assert_eq!(
        (r["price_updated"]["nickname"].as_str(), r["price_updated"]["metadata"]["size"].as_str()),
        (Some("L"), Some("L"))
    );
    assert_eq!(r["archived"]["active"], false);

    // Refusals come back as the SDK's own error, naming the unsupported fields.
    for refused in ["tiered", "usage"] {
        assert_eq!(
            (r[refused]["status"].as_u64(), r[refused]["name"].as_str()),
            (Some(400), Some("RevKeenAPIError")),
            "{r}"
        );
    }
    let fields = &r["tiered"]["body"]["details"]["fields"];
    for field in ["billing_scheme", "tiers_mode", "tiers"] {
        assert_eq!(fields[field][0], "is not supported by paylinks", "{r}");
    }
    assert_eq!(r["usage"]["body"]["details"]["fields"]["usage_meter_id"][0], "is not supported by paylinks", "{r}");
    // Another merchant sees nothing.
    assert_eq!((r["hidden"]["status"].as_u64(), r["hidden_price"]["status"].as_u64()), (Some(404), Some(404)));
    assert_eq!(r["other_list"]["data"], json!([]));
}
