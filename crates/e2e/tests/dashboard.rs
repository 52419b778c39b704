//! The merchant's journeys through the dashboard, in headless Chromium against the real server.

use paylinks_e2e::Env;
use std::time::Duration;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_journey_from_sign_in_to_sign_out() {
    let env = Env::start(1280, 900).await;
    env.sign_in().await;

    // Without "remember on this device" the key lives in this tab only.
    let stored = env
        .driver
        .execute(
            "return [!!sessionStorage.getItem('paylinks.session'), localStorage.getItem('paylinks.session')]",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert_eq!(stored, serde_json::json!([true, null]));

    // The header names the merchant and the mode.
    env.wait_text(".top .mode", "E2E Coffee · sandbox").await;

    // Empty state invites the first link.
    env.wait_text(".empty-state", "No payment links yet").await;
    env.screenshot("list-empty").await;
    env.find(".empty-state a").await.click().await.unwrap();

    // Create a link with two line items.
    env.fill("#name", "Coffee for two").await;
    let radios = env.driver.find_all(By::Css("input[name=pricing]")).await.unwrap();
    radios[1].click().await.unwrap();
    env.fill("#item-1-name", "Flat white").await;
    env.fill("#item-1-price", "4.50").await;
    env.fill("#item-1-quantity", "2").await;
    let add = env.find_xpath("//button[normalize-space()='Add line item']").await;
    add.click().await.unwrap();
    env.fill("#item-2-name", "Croissant").await;
    env.fill("#item-2-price", "3").await;
    env.screenshot("create").await;
    env.find("button[type=submit]").await.click().await.unwrap();

    // Lands on the new link's detail page.
    env.wait_text("h1", "Coffee for two").await;
    env.wait_text("dl.fields", "$12.00").await;
    env.find("svg.qr").await;
    // The QR code downloads as SVG (for print) and PNG, named after the link.
    for (ext, kind) in [("svg", "data:image/svg+xml"), ("png", "data:image/png;base64,")] {
        let link = env.find(&format!(".qr-downloads a[download$='.{ext}']")).await;
        let (name, href) = (link.attr("download").await.unwrap().unwrap(), link.attr("href").await.unwrap().unwrap());
        assert!(name.starts_with("qr-pl_") && href.starts_with(kind), "{name}: {href:.60}");
    }
    env.screenshot("detail").await;
    let public_url = env.find(".url a").await.text().await.unwrap();
    assert!(public_url.starts_with(&format!("{}/l/pl_", env.base)), "{public_url}");

    // Copy the URL: the clipboard then holds exactly the public URL.
    env.find("button[aria-label='Copy the public checkout URL']").await.click().await.unwrap();
    env.wait_text("button[aria-label='Copy the public checkout URL']", "Copied").await;
    assert_eq!(env.clipboard_text().await, public_url);

    // Deactivate: the status changes without a reload; only allowed actions are offered.
    let deactivate = env.find_xpath("//div[@class='actions']/button[normalize-space()='Deactivate']").await;
    deactivate.click().await.unwrap();
    env.wait_text(".toolbar .badge", "inactive").await;
    env.wait_text(".actions", "Activate").await;
    assert!(!env.find(".actions").await.text().await.unwrap().contains("Deactivate"));

    // The list: the link is there; filtering by status keeps it in the URL.
    env.driver.goto(env.url("/links")).await.unwrap();
    env.wait_text("tbody", "Coffee for two").await;
    env.wait_text("tbody", "$12.00").await;
    env.screenshot("list").await;
    let selects = env.driver.find_all(By::Css(".filters select")).await.unwrap();
    selects[0].click().await.unwrap();
    selects[0].find(By::Css("option[value=active]")).await.unwrap().click().await.unwrap();
    env.wait_text(".table-wrap", "No payment links match").await;
    assert!(env.driver.current_url().await.unwrap().as_str().contains("status=active"));
    env.driver.back().await.unwrap();
    env.wait_text("tbody", "Coffee for two").await;
    env.driver.goto(env.url("/links?status=inactive")).await.unwrap();
    env.wait_text("tbody", "Coffee for two").await;
    // Sorting keeps the filter and lives in the address bar too; each row has its payments and revenue.
    env.find("#sort").await.find(By::Css("option[value=revenue]")).await.unwrap().click().await.unwrap();
    let url = env.wait_url("sort=revenue").await;
    assert!(url.contains("status=inactive"), "{url}");
    let row = env.wait_text("tbody tr", "Coffee for two").await;
    assert!(row.contains("$0.00"), "revenue column: {row}");

    // Expiring cannot be undone, so it asks first; cancelling changes nothing.
    env.find("tbody a").await.click().await.unwrap();
    let expire = "//div[@class='actions']/button[normalize-space()='Expire']";
    env.find_xpath(expire).await.click().await.unwrap();
    env.wait_text("[role=alertdialog][aria-label='Confirm expiring']", "cannot be undone").await;
    env.screenshot("detail-confirm-expire").await;
    env.find_xpath("//button[normalize-space()='Cancel']").await.click().await.unwrap();
    assert!(env.driver.find(By::Css("[role=alertdialog]")).await.is_err(), "the dialog closes");
    assert_eq!(env.api_links().await["data"][0]["status"], "inactive", "nothing changed");
    env.find_xpath(expire).await.click().await.unwrap();
    env.find_xpath("//button[normalize-space()='Expire now']").await.click().await.unwrap();
    env.wait_text(".toolbar .badge", "expired").await;
    assert_eq!(env.api_links().await["data"][0]["status"], "expired");

    // Sign out clears the key from the tab.
    let sign_out = env.find_xpath("//button[normalize-space()='Sign out']").await;
    sign_out.click().await.unwrap();
    env.wait_text("h1", "Sign in to paylinks").await;
    let stored: serde_json::Value = env
        .driver
        .execute(
            "return [sessionStorage.getItem('paylinks.session'), localStorage.getItem('paylinks.session')]",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert_eq!(stored, serde_json::json!([null, null]));
    env.screenshot("sign-in").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_submitting_the_create_form_makes_one_link() {
    let env = Env::start(1280, 900).await;
    env.sign_in().await;
    env.driver.goto(env.url("/links/new")).await.unwrap();
    env.fill("#name", "Only once").await;
    env.fill("#amount", "9.99").await;
    // Two clicks in the same task, before the app can re-render the disabled button.
    env.driver
        .execute("const b = document.querySelector('button[type=submit]'); b.click(); b.click();", vec![])
        .await
        .unwrap();
    env.wait_text("h1", "Only once").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let links = env.api_links().await;
    assert_eq!(links["pagination"]["total"], 1, "{links}");
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_width_layout_has_no_horizontal_scroll() {
    let env = Env::start(360, 800).await;
    env.sign_in().await;
    let inner = env.driver.execute("return window.innerWidth", vec![]).await.unwrap().json().clone();
    assert_eq!(inner, 360, "the page is laid out for a 360 px wide phone");
    env.driver.goto(env.url("/links/new")).await.unwrap();
    env.fill("#name", "A rather long payment link name that must wrap on a phone screen").await;
    env.fill("#amount", "25").await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.find("dl.fields").await;
    for (path, shot) in [(None, "detail-360"), (Some("/links"), "list-360"), (Some("/links/new"), "create-360")] {
        if let Some(path) = path {
            env.driver.goto(env.url(path)).await.unwrap();
        }
        env.find("main h1").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(env.fits_width().await, "{shot}: scrollWidth > clientWidth");
        env.screenshot(shot).await;
    }
    // On a phone the preview follows the form.
    env.fill("#name", "Phone preview").await;
    env.find("#preview").await.scroll_into_view().await.unwrap();
    env.wait_text("#preview .summary h1", "Phone preview").await;
    env.screenshot("create-360-preview").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_lands_on_its_field_and_keeps_what_was_typed() {
    let env = Env::start(1280, 900).await;
    let taken = reqwest::Client::new()
        .post(env.url("/v2/payment-links"))
        .header("x-api-key", &env.key)
        .json(&serde_json::json!({"name": "First", "slug": "spring-sale", "amount_minor": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 201);
    env.sign_in().await;
    env.driver.goto(env.url("/links/new")).await.unwrap();
    env.fill("#name", "Second").await;
    // The slug sits in a folded section, opened as a merchant would.
    env.find_xpath("//summary[normalize-space()='For your records']").await.click().await.unwrap();
    env.fill("#slug", "spring-sale").await;
    env.fill("#amount", "7.25").await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.wait_text("#slug-error", "already used").await;
    env.wait_focus("slug").await;
    env.wait_text(".form-error", "slug").await;
    for (field, typed) in [("#name", "Second"), ("#slug", "spring-sale"), ("#amount", "7.25")] {
        assert_eq!(env.find(field).await.prop("value").await.unwrap().as_deref(), Some(typed), "{field}");
    }
    env.screenshot("create-error").await;
    // Changing the slug clears the server's verdict and the link is created.
    env.fill("#slug", "spring-sale-2").await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.wait_text("h1", "Second").await;
    assert_eq!(env.api_links().await["pagination"]["total"], 2);
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_create_form_previews_the_checkout_and_guards_what_was_typed() {
    let env = Env::start(1280, 900).await;
    // Asked for the form while signed out: after signing in, the form.
    env.driver.goto(env.url("/links/new")).await.unwrap();
    env.wait_text("h1", "Sign in to paylinks").await;
    env.wait_text("#api-key-hint", "paylinks keys create").await;
    env.fill("#api-key", &env.key).await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.wait_text("main h1", "New payment link").await;

    // The preview is the checkout as the customer will see it, following what is typed.
    env.wait_text(".preview .summary h1", "Your link's name").await;
    env.fill("#name", "Spring sale").await;
    env.fill("#description", "Two *tickets*").await;
    env.fill("#amount", "25").await;
    env.wait_text(".preview .summary h1", "Spring sale").await;
    env.wait_text(".preview .summary", "Two *tickets*").await;
    env.wait_text(".preview button.pay", "Pay $25.00").await;
    env.wait_text(".preview .summary .merchant", "E2E Coffee").await;
    assert_eq!(env.driver.find_all(By::Css("#name")).await.unwrap().len(), 1, "the preview's ids are its own");
    assert!(env.find(".preview #preview-email").await.attr("id").await.unwrap().is_some());
    // Donations: the price becomes the customer's to choose, in the form and the preview.
    let kinds = env.driver.find_all(By::Css("input[name=kind]")).await.unwrap();
    kinds[2].click().await.unwrap();
    env.find("#min-amount").await;
    env.wait_text(".preview .custom-amount label", "Amount (USD)").await;
    kinds[0].click().await.unwrap();
    // A free link is refused with the reason, before anything is sent.
    env.fill("#amount", "0").await;
    env.find("button[type=submit]").await.click().await.unwrap();
    env.wait_text("#amount-error", "must be more than zero (free links are not supported)").await;
    env.wait_focus("amount").await;
    assert_eq!(env.api_links().await["pagination"]["total"], 0);
    env.fill("#amount", "25").await;
    env.wait_text(".preview button.pay", "Pay $25.00").await;
    env.screenshot("create-with-preview").await;

    // Leaving with unsaved input asks first; staying keeps everything.
    let nav_links = "//nav//a[normalize-space()='Links']";
    env.find_xpath(nav_links).await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(env.dialog_open().await, "a confirm dialog asks before leaving");
    env.driver.dismiss_alert().await.unwrap();
    assert!(env.driver.current_url().await.unwrap().path().ends_with("/links/new"));
    assert_eq!(env.find("#name").await.prop("value").await.unwrap().as_deref(), Some("Spring sale"));
    env.find_xpath(nav_links).await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    env.driver.accept_alert().await.unwrap();
    env.wait_text("main h1", "Payment links").await;
    env.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_through_devdraft_v0_reads_in_words_on_the_dashboard() {
    let env = Env::start(1280, 900).await;
    let body = serde_json::json!({
        "title": "Tea club box", "url": "tea-club", "linkType": "DONATION", "amount": 15,
        "limitPayments": true, "maxPayments": 30, "allowMobilePayment": true, "collectTax": true, "taxId": "txr_vat",
        "customFields": [
            {"key": "size", "label": "Box size", "type": "dropdown", "required": true, "options": ["S", "L"]},
            {"key": "note", "label": "Gift note", "type": "text"}
        ]
    });
    let client_key = paylinks_server::store::parse_key(&env.key).unwrap().1;
    let res = reqwest::Client::new()
        .post(env.url("/api/v0/payment-links"))
        .header("x-client-key", client_key)
        .header("x-client-secret", &env.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let link: serde_json::Value = res.json().await.unwrap();
    env.sign_in().await;
    env.wait_text("table", "Tea club box").await;
    env.driver.goto(env.url(&format!("/links/{}", link["id"].as_str().unwrap()))).await.unwrap();
    let details = env.wait_text("dl.fields", "closes after 30 payments (0 so far)").await;
    for words in [
        "Donations (the customer chooses the amount)",
        "USDC 15.00 suggested",
        "Box size (a choice of S, L; required)",
        "Gift note (text; optional)",
        "txr_vat",
        "offered",
    ] {
        assert!(details.contains(words), "{words} is missing from:\n{details}");
    }
    env.find("dl.fields").await.scroll_into_view().await.unwrap();
    env.screenshot("detail-v0-link").await;
    env.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    env.find("dl.fields").await.scroll_into_view().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(env.fits_width().await, "the details fit a phone");
    env.screenshot("detail-v0-link-390").await;
    env.quit().await;
}
