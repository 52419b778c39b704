//! Devdraft's own Python SDK (devdraft-sdk 1.0.9 from PyPI, a client nobody here wrote) drives
//! `/api/v0` over real HTTP: create with every field its model has, list with skip/take, get,
//! update, two refusals, and a second merchant's client that sees none of it (`drive_devdraft_sdk.py`).
//! `cargo xtask test` installs the SDK into `.tools/venv` and sets PAYLINKS_PYTHON to that
//! Python; without it this test says SKIPPED.

mod common;

use common::{parts, TestApp};
use paylinks_server::store::parse_key;
use serde_json::{json, Value};

on_both_backends!(the_devdraft_sdk_creates_lists_gets_and_updates);

async fn the_devdraft_sdk_creates_lists_gets_and_updates(app: TestApp) {
    let Ok(python) = std::env::var("PAYLINKS_PYTHON") else {
        eprintln!("SKIPPED Devdraft SDK: PAYLINKS_PYTHON is not set (`cargo xtask test` sets it)");
        return;
    };
    let other = app.new_key("Globex", false).await;
    let prefix = |key: &str| parse_key(key).expect("a well-formed key").1;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/drive_devdraft_sdk.py");
    let mut command = std::process::Command::new(&python);
    command
        .arg(script)
        .env("PAYLINKS_BASE", &app.base)
        .env("PAYLINKS_CLIENT_KEY", prefix(&app.key))
        .env("PAYLINKS_CLIENT_SECRET", &app.key)
        .env("PAYLINKS_OTHER_KEY", prefix(&other))
        .env("PAYLINKS_OTHER_SECRET", &other);
    let out = tokio::task::spawn_blocking(move || command.output()).await.unwrap();
    let out = out.unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK script failed:\n{stderr}");
    let result: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    let created = &result["created"];
    assert_eq!(created["status"], 201, "{created}");
    let link = &created["body"];
    let expected = json!({
        "title": "Tea club box", "slug": "sdk-tea-club", "amount": 29.99, "currency": "usdc",
        "linkType": "PRODUCT", "recurringType": "ONE_TIME", "paymentForId": "order-77", "customerId": "cus_42",
        "collectTax": true, "taxId": "txr_eu_vat", "collectAddress": true, "requirePhoneNumber": true,
        "limitPayments": true, "maxPayments": 30, "allowBusinessTaxId": true, "allowMobilePayment": true,
        "createInvoicePdf": true, "confirmationPage": "SHOW", "allowQuantityAdjustment": true,
        "isForAllProduct": false, "expiration_date": "2030-01-31T23:59:59Z", "status": "ACTIVE",
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(link[field], *value, "{field}");
    }
    assert_eq!(link["customFields"][0]["options"], json!(["S", "L"]));

    let listed = &result["listed"];
    assert_eq!(listed["status"], 200);
    let titles: Vec<&str> = listed["body"].as_array().unwrap().iter().map(|l| l["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "{listed}");
    assert!(titles.contains(&"Tea club box") && titles.contains(&"Green tea"), "{titles:?}");
    assert_eq!(result["paged"]["body"].as_array().unwrap().len(), 1);
    assert_eq!(result["got"]["body"]["id"], link["id"]);

    let updated = &result["updated"]["body"];
    assert_eq!((updated["title"].clone(), updated["amount"].clone()), (json!("Tea club crate"), json!(31.5)));
    assert_eq!(updated["taxId"], "txr_eu_vat", "what the update left out stays");

    let refusal = &result["link_type_change"];
    assert_eq!((refusal["status"].clone(), refusal["body"]["statusCode"].clone()), (json!(400), json!(400)));
    assert!(refusal["body"]["fields"]["linkType"].is_array(), "{refusal}");
    let invalid = &result["invalid"]["body"];
    assert!(invalid["fields"]["title"].is_array() && invalid["fields"]["amount"].is_array(), "{invalid}");
    assert_eq!(result["other_merchant_get"]["status"], 404, "{}", result["other_merchant_get"]);
    assert_eq!(result["other_merchant_list"]["body"], json!([]));

    // What the SDK made is an ordinary link to v2.
    let id = link["id"].as_str().unwrap();
    let (status, v2) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
    assert_eq!((status, v2["amount_minor"].clone(), v2["name"].clone()), (200, json!(3150), json!("Tea club crate")));
}
