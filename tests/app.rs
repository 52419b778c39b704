//! The app in headless Chromium (wasm-bindgen-test): the rules the pages apply, and the
//! sign-in page mounted for real.
#![cfg(target_arch = "wasm32")]

use paylinks_api::money::{format_amount, parse_major};
use paylinks_api::{Currency, LinkMode, LinkStatus, ListQuery};
use paylinks_app::components::qr::dark_modules_path;
use paylinks_app::pages::link_detail::action_label;
use paylinks_app::pages::links::{query_from_search, range_label};
use paylinks_app::pages::sign_in::key_problem;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Waits until `selector` matches (and `ok` holds), or fails after about two seconds.
async fn wait_for(selector: &str, ok: impl Fn(&web_sys::Element) -> bool) -> web_sys::Element {
    for _ in 0..100 {
        if let Some(el) = document().query_selector(selector).unwrap().filter(|el| ok(el)) {
            return el;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    panic!("{selector} never appeared as expected");
}

fn input(selector: &str) -> web_sys::HtmlInputElement {
    document().query_selector(selector).unwrap().unwrap().dyn_into().unwrap()
}

#[wasm_bindgen_test]
fn money_is_typed_and_shown_per_currency_exponent() {
    let (usd, jpy, kwd) =
        (Currency::parse("usd").unwrap(), Currency::parse("JPY").unwrap(), Currency::parse("KWD").unwrap());
    assert_eq!(parse_major("12.5", usd), Ok(1250));
    assert_eq!(parse_major("1250", jpy), Ok(1250));
    assert_eq!(parse_major("1.250", kwd), Ok(1250));
    assert!(parse_major("1.5", jpy).is_err());
    assert_eq!(format_amount(1250, usd), "$12.50");
    assert_eq!(format_amount(1250, jpy), "¥1,250");
    assert_eq!(format_amount(1250, kwd), "KWD 1.250");
    assert_eq!(paylinks_app::common::format::amount(None, "USD"), "—");
}

#[wasm_bindgen_test]
fn the_address_bar_holds_the_list_state() {
    let q = query_from_search("?status=inactive&mode=invoice&limit=50&offset=100&search=caf%C3%A9");
    assert_eq!(q.status, Some(LinkStatus::Inactive));
    assert_eq!(q.mode, Some(LinkMode::Invoice));
    assert_eq!((q.limit, q.offset), (50, 100));
    assert_eq!(q.search.as_deref(), Some("café"));
    assert_eq!(query_from_search(&format!("?{}", q.to_query_string())), q);
    // An unreadable address falls back to the first page of everything.
    assert_eq!(query_from_search("?limit=0"), ListQuery::default());
    assert_eq!(range_label(&q, 25, 173), "Showing 101–125 of 173");
    assert_eq!(range_label(&ListQuery::default(), 0, 0), "0 of 0");
}

#[wasm_bindgen_test]
fn status_actions_follow_the_state_machine() {
    let offered = |s: LinkStatus| s.next_states().into_iter().map(action_label).collect::<Vec<_>>();
    assert_eq!(offered(LinkStatus::Draft), ["Activate", "Deactivate", "Archive", "Expire"]);
    assert_eq!(offered(LinkStatus::Active), ["Deactivate", "Archive", "Expire"]);
    assert_eq!(offered(LinkStatus::Inactive), ["Activate", "Archive", "Expire"]);
    assert_eq!(offered(LinkStatus::Expired), ["Archive"]);
    assert_eq!(offered(LinkStatus::Completed), ["Archive"]);
    assert!(offered(LinkStatus::Archived).is_empty());
}

#[wasm_bindgen_test]
fn qr_codes_have_modules() {
    let code = qrcode::QrCode::new(b"http://127.0.0.1:8080/l/pl_AAAAAAAAAAAAAAAAAAAA").unwrap();
    let path = dark_modules_path(&code.to_colors(), code.width());
    assert!(path.starts_with("M0 0h1v1h-1z"), "finder pattern at the top left: {path}");
    assert!(path.matches('M').count() > 100);
}

#[wasm_bindgen_test]
fn sign_in_rules() {
    assert!(key_problem("").is_some());
    assert!(key_problem("sk_test_123").is_some());
    assert!(key_problem("rk_sandbox_abc").is_none());
    assert!(key_problem("rk_live_abc").is_none());
}

#[wasm_bindgen_test]
async fn signed_out_visitors_land_on_sign_in_and_keep_what_they_typed() {
    let window = web_sys::window().unwrap();
    window.session_storage().unwrap().unwrap().clear().unwrap();
    let _handle = leptos::mount::mount_to(document().body().unwrap(), paylinks_app::app::App);
    wait_for("h1", |h| h.text_content().unwrap() == "Sign in to paylinks").await;
    assert_eq!(window.location().pathname().unwrap(), "/sign-in");

    // A malformed key is refused before any request, next to the field.
    let key = input("#api-key");
    key.set_value("sk_test_123");
    key.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let submit: web_sys::HtmlElement =
        document().query_selector("button[type=submit]").unwrap().unwrap().dyn_into().unwrap();
    submit.click();
    wait_for("#api-key-error", |e| e.text_content().unwrap().contains("rk_sandbox_")).await;
    assert_eq!(input("#api-key").value(), "sk_test_123");

    // A well-formed key that the server does not accept: its answer is shown, the key is kept.
    key.set_value("rk_sandbox_0000000000000000000000000000000");
    key.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    submit.click();
    let alert = wait_for(".form-error", |e| !e.text_content().unwrap().is_empty()).await;
    assert!(!alert.text_content().unwrap().is_empty());
    assert_eq!(input("#api-key").value(), "rk_sandbox_0000000000000000000000000000000");
    assert!(window.session_storage().unwrap().unwrap().get_item("paylinks.session").unwrap().is_none());
    assert!(window.local_storage().unwrap().unwrap().get_item("paylinks.session").unwrap().is_none());
}

mod create_form {
    use paylinks_app::common::form::key_for;
    use paylinks_app::link_form::{LineRow, LinkForm, Pricing};
    use wasm_bindgen_test::*;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[wasm_bindgen_test]
    fn a_product_picked_by_name_is_sold_at_its_price() {
        use paylinks_app::link_form::CatalogLine;
        let line = CatalogLine {
            price_id: uuid::Uuid::from_u128(7),
            product_id: uuid::Uuid::from_u128(8),
            name: "Stoneware mug".into(),
            description: None,
            unit_amount: 1500,
            currency: "EUR".into(),
            recurring: None,
        };
        let mut form = LinkForm { name: "Mugs".into(), ..LinkForm::default() };
        form.add_catalog_item(line.clone());
        assert_eq!(
            (form.pricing, form.items.len(), form.currency.as_str()),
            (Pricing::LineItems, 1, "EUR"),
            "it takes the empty first row"
        );
        let request = form.check(false, now()).expect("the rules know the picked price");
        let item = &request.line_items.as_ref().unwrap()[0];
        assert_eq!((item.price, item.price_data.is_none(), item.quantity), (Some(line.price_id), true, Some(1)));
        let preview = form.preview("Shop", false);
        assert_eq!((preview.line_items[0].name.as_str(), preview.line_items[0].unit_amount), ("Stoneware mug", 1500));
        // A second pick adds a line.
        form.add_catalog_item(CatalogLine { price_id: uuid::Uuid::from_u128(9), ..line });
        assert_eq!(form.items.len(), 2);
    }

    #[wasm_bindgen_test]
    fn shows_the_servers_messages_under_the_servers_field_names() {
        let errors = LinkForm::default().check(false, now()).unwrap_err();
        assert_eq!(errors.get("name"), Some("must be 1 to 200 characters"));
        assert_eq!(errors.get("amount_minor"), Some("is required"));

        let form =
            LinkForm { name: "Tea".into(), amount: "1.005".into(), slug: "Bad Slug".into(), ..LinkForm::default() };
        let errors = form.check(false, now()).unwrap_err();
        assert_eq!(errors.get("amount_minor"), Some("must have at most 2 decimal places in this currency"));
        assert!(errors.get("slug").is_some());

        let form = LinkForm {
            name: "Tea".into(),
            amount: "5".into(),
            success_url: "javascript:alert(1)".into(),
            ..LinkForm::default()
        };
        assert!(form.check(false, now()).unwrap_err().get("success_url").unwrap().contains("https://"));
        let past = LinkForm {
            name: "Tea".into(),
            amount: "5".into(),
            expires_at: Some(now() - chrono::Duration::hours(1)),
            ..LinkForm::default()
        };
        assert_eq!(past.check(false, now()).unwrap_err().get("expires_at"), Some("must be in the future"));
    }

    #[wasm_bindgen_test]
    fn converts_major_units_exactly_per_currency() {
        let form = LinkForm { name: "Tea".into(), amount: "12.5".into(), ..LinkForm::default() };
        assert_eq!(form.check(false, now()).unwrap().amount_minor, Some(1250));
        let yen =
            LinkForm { name: "Tea".into(), amount: "1,250".into(), currency: "jpy".into(), ..LinkForm::default() };
        assert_eq!(yen.check(false, now()).unwrap().amount_minor, Some(1250));
        let kwd = LinkForm { name: "Tea".into(), amount: "1.25".into(), currency: "KWD".into(), ..LinkForm::default() };
        assert_eq!(kwd.check(false, now()).unwrap().amount_minor, Some(1250));
    }

    #[wasm_bindgen_test]
    fn line_items_and_their_errors() {
        let row = |name: &str, price: &str, qty: &str| LineRow {
            name: name.into(),
            unit_amount: price.into(),
            quantity: qty.into(),
            ..LineRow::default()
        };
        let form = LinkForm {
            name: "Two things".into(),
            pricing: Pricing::LineItems,
            items: vec![row("Mug", "12.50", "2"), row("Sticker", "3", "1")],
            ..LinkForm::default()
        };
        let request = form.check(false, now()).unwrap();
        let items = request.line_items.unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].price_data.as_ref().unwrap().unit_amount, 1250);
        assert_eq!(items[0].quantity, Some(2));
        assert_eq!(request.amount_minor, None, "the server totals line items");

        let bad = LinkForm { items: vec![row("", "x", "0")], ..form };
        let errors = bad.check(false, now()).unwrap_err();
        assert!(errors.get("line_items[0].price_data.product_data.name").is_some(), "{errors:?}");
        assert!(errors.get("line_items[0].price_data.unit_amount").is_some(), "{errors:?}");
        assert_eq!(errors.get("line_items[0].quantity"), Some("must be at least 1"));
    }

    #[wasm_bindgen_test]
    fn catalogue_products_and_selection() {
        let id = "7f1d4c1e-0000-4000-8000-000000000001";
        let form = LinkForm {
            name: "Pick one".into(),
            product_ids: format!("{id}, not-an-id"),
            selection_mode: paylinks_api::SelectionMode::SingleSelect,
            default_product_id: id.into(),
            ..LinkForm::default()
        };
        let (request, errors) = form.to_request();
        assert_eq!(request.product_ids.unwrap().len(), 1);
        assert_eq!(request.default_product_id.unwrap().to_string(), id);
        assert!(errors.get("product_ids[1]").is_some(), "{errors:?}");
    }

    #[wasm_bindgen_test]
    fn metadata_rows_need_distinct_keys() {
        let form = LinkForm {
            name: "Tea".into(),
            amount: "1".into(),
            metadata: vec![("sku".into(), "1".into()), ("sku".into(), "2".into()), (String::new(), String::new())],
            ..LinkForm::default()
        };
        assert!(form.check(false, now()).unwrap_err().get("metadata[1]").unwrap().contains("twice"));
    }

    #[wasm_bindgen_test]
    fn checkout_settings_pay_what_you_want_and_questions() {
        use paylinks_api::{CustomFieldType, LinkType};
        use paylinks_app::link_form::{CustomFieldRow, LinkKind};
        let form = LinkForm {
            name: "Give".into(),
            kind: LinkKind::Donation,
            min_amount: "5".into(),
            preset_amount: "20".into(),
            max_completions: "100".into(),
            custom_fields: vec![CustomFieldRow {
                key: "size".into(),
                key_edited: false,
                label: "Size".into(),
                kind: CustomFieldType::Dropdown,
                required: true,
                options: "S, M ,L,".into(),
            }],
            ..LinkForm::default()
        };
        let request = form.check(false, now()).unwrap();
        let amount = request.custom_amount.unwrap();
        assert_eq!((amount.minimum, amount.preset), (500, Some(2000)));
        assert_eq!(request.amount_minor, None);
        assert_eq!(request.max_completions, Some(100));
        assert_eq!(request.custom_fields.unwrap()[0].options, vec!["S", "M", "L"]);

        let bad = LinkForm { max_completions: "lots".into(), min_amount: "5.555".into(), ..form };
        let errors = bad.check(false, now()).unwrap_err();
        assert_eq!(errors.get("max_completions"), Some("must be a whole number"));
        assert!(errors.get("custom_amount.minimum").is_some(), "{errors:?}");
        // Choosing donations makes the price the customer's, whatever was typed as an amount.
        let donation =
            LinkForm { name: "Give".into(), kind: LinkKind::Donation, amount: "5".into(), ..LinkForm::default() };
        let request = donation.check(false, now()).unwrap();
        assert_eq!((request.amount_minor, request.link_type), (None, Some(LinkType::Donation)));
        assert_eq!(request.custom_amount.map(|a| a.minimum), Some(1));
    }

    #[wasm_bindgen_test]
    fn one_choice_of_kind_sets_mode_type_and_pricing() {
        use paylinks_api::{Interval, LinkMode, LinkType};
        use paylinks_app::link_form::{key_from_label, LinkKind};
        let mut form = LinkForm { name: "Beans".into(), ..LinkForm::default() };
        form.items[0].name = "Bag".into();
        form.items[0].unit_amount = "9.99".into();
        form.set_kind(LinkKind::Subscription);
        assert_eq!(form.items[0].interval, Some(Interval::Month), "a subscription's items renew");
        form.add_item();
        assert_eq!(form.items[1].interval, Some(Interval::Month));
        form.items.pop();
        let request = form.check(false, now()).unwrap();
        assert_eq!((request.mode, request.link_type), (Some(LinkMode::Subscription), Some(LinkType::Subscription)));
        assert_eq!(request.line_items.unwrap()[0].price_data.as_ref().unwrap().unit_amount, 999);

        form.set_kind(LinkKind::Invoice);
        assert_eq!(form.pricing(), Pricing::Amount, "an invoice has one amount unless items are chosen");
        assert!(form.check(false, now()).unwrap_err().get("invoice_id").is_some());

        assert_eq!(key_from_label("Table number"), "table_number");
        assert_eq!(key_from_label("  T-shirt size? "), "t_shirt_size");
        assert_eq!(key_from_label("Ünïcode!"), "n_code");
        assert_eq!(key_from_label(&"long ".repeat(20)).len(), 39);
        let mut form = LinkForm::default();
        form.custom_fields.push(Default::default());
        form.set_question_label(0, "Table number".into());
        assert_eq!(form.custom_fields[0].key, "table_number");
        form.custom_fields[0].key_edited = true;
        form.custom_fields[0].key = "table".into();
        form.set_question_label(0, "Your table".into());
        assert_eq!(form.custom_fields[0].key, "table", "an edited key stays");
    }

    #[wasm_bindgen_test]
    fn the_preview_shows_what_the_customer_will_see() {
        use paylinks_app::link_form::LinkKind;
        let empty = LinkForm::default().preview("Shop", false);
        assert_eq!(
            (empty.name.as_str(), empty.merchant_name.as_str(), empty.amount_minor),
            ("Your link's name", "Shop", None)
        );
        let form = LinkForm {
            name: "Tea".into(),
            description: "<b>hot</b> & fresh".into(),
            amount: "4.50".into(),
            currency: "eur".into(),
            collect_phone: true,
            ..LinkForm::default()
        };
        let preview = form.preview("Shop", true);
        assert_eq!((preview.amount_minor, preview.currency.as_str(), preview.livemode), (Some(450), "EUR", true));
        assert_eq!(preview.description.as_deref(), Some("<b>hot</b> & fresh"));
        assert_eq!(preview.description_html, None, "merchant text never becomes HTML in the app");
        assert!(preview.collect_phone);
        let donation = LinkForm { kind: LinkKind::Donation, min_amount: "2".into(), ..form }.preview("Shop", false);
        assert_eq!(donation.custom_amount.map(|a| a.minimum), Some(200));
    }

    #[wasm_bindgen_test]
    fn a_retry_of_the_same_request_reuses_its_idempotency_key() {
        let form = LinkForm { name: "Tea".into(), amount: "1".into(), ..LinkForm::default() };
        let request = form.check(false, now()).unwrap();
        let first = key_for(None, &request);
        assert_eq!(key_for(Some((request.clone(), first.clone())), &request), first);
        let edited = LinkForm { name: "Tea!".into(), ..form }.check(false, now()).unwrap();
        assert_ne!(key_for(Some((request, first.clone())), &edited), first);
    }
}
