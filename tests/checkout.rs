//! The checkout page's rules in headless Chromium: card entry as typed, and the form model that
//! computes the total the page shows.
#![cfg(target_arch = "wasm32")]

use paylinks_api::checkout::CheckoutRequest;
use paylinks_api::{CustomAmount, LinkType, PublicLineItem, PublicPaymentLink, SelectionMode};
use paylinks_app::checkout::form::format_expiry;
use paylinks_app::checkout::form::{pay_label, renewal_terms, CheckoutForm};
use paylinks_app::checkout::{public_id_from_path, visit_from_query, Visit};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn link() -> PublicPaymentLink {
    let item = |name: &str, unit_amount: i64, quantity: i64| PublicLineItem {
        name: name.into(),
        description: None,
        unit_amount,
        currency: "USD".into(),
        quantity,
        interval: None,
        interval_count: None,
        product_id: uuid::Uuid::from_u128(name.len() as u128),
        price_id: None,
    };
    PublicPaymentLink {
        active: true,
        product_name: "Tea".into(),
        amount_minor: Some(1200),
        currency: "USD".into(),
        interval: None,
        interval_count: None,
        trial_period_days: None,
        checkout_url: "http://127.0.0.1:8080/l/pl_x".into(),
        public_id: "pl_x".into(),
        name: "Cafe".into(),
        merchant_name: "Shop".into(),
        line_items: vec![item("Tea", 450, 2), item("Cake", 300, 1)],
        selection_mode: SelectionMode::Bundle,
        collect_shipping: false,
        allow_promotion_codes: false,
        livemode: false,
        link_type: LinkType::Product,
        description: None,
        description_html: None,
        cover_image_url: None,
        allow_quantity_adjustment: true,
        custom_amount: None,
        collect_address: false,
        collect_phone: false,
        custom_fields: vec![],
        default_item: None,
        highlighted_item: None,
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

#[wasm_bindgen_test]
fn card_entry_reads_as_typed() {
    assert_eq!(format_expiry("1230"), "12/30");
    assert_eq!(format_expiry("12/3"), "12/3");
    assert_eq!(format_expiry("1"), "1");
    assert_eq!(format_expiry("12/345678"), "12/34");
    assert_eq!(public_id_from_path("/l/pl_abc"), Some("pl_abc".into()));
    assert_eq!(public_id_from_path("/l/pl_abc/"), Some("pl_abc".into()));
    assert_eq!(public_id_from_path("/l/"), None);
    assert_eq!(public_id_from_path("/links/x"), None);
    let paid = |q: &str| visit_from_query(q).paid;
    assert_eq!(paid("?paid=py_abc"), Some("py_abc".into()));
    assert_eq!(paid("?x=1&paid=py_abc"), Some("py_abc".into()));
    assert_eq!(paid("?paid=javascript:1"), None);
    assert_eq!(paid(""), None);
    // Back from Stripe's page: paid (with its session) or cancelled.
    let back = visit_from_query("?session_id=cs_test_a1");
    assert_eq!(back, Visit { session_id: Some("cs_test_a1".into()), ..Visit::default() });
    assert_eq!(visit_from_query("?session_id=javascript:1").session_id, None);
    assert!(visit_from_query("?cancelled=1").cancelled);
    assert!(!visit_from_query("?cancelled=0").cancelled);
}

#[wasm_bindgen_test]
fn the_total_follows_the_customers_choices() {
    let link = link();
    let mut form = CheckoutForm::new(&link);
    let typed = |q: [&str; 2]| q.map(String::from).to_vec();
    assert_eq!(form.quantities, typed(["2", "1"]));
    assert_eq!(form.total(&link), Some(1200));
    form.quantities = typed(["3", "2"]);
    assert_eq!(form.total(&link), Some(1950));
    form.quantities = typed(["0", "2"]);
    assert_eq!(form.total(&link), None, "a bundle needs every item");

    let errors = CheckoutForm::new(&link).check(&link, now()).unwrap_err();
    for field in ["email", "name", "card.number", "card.expiry", "card.cvc"] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    let filled = CheckoutForm {
        email: "ann@example.com".into(),
        name: "Ann".into(),
        card_number: "4111 1111 1111 1111".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        ..CheckoutForm::new(&link)
    };
    let request: CheckoutRequest = filled.check(&link, now()).unwrap();
    assert_eq!(request.quantities, Some(vec![2, 1]));
    assert_eq!(request.billing_address, None);
    // A live link asks for no card (Stripe's page does) and never sends one.
    let live = PublicPaymentLink { livemode: true, ..link.clone() };
    let request = CheckoutForm { card_number: String::new(), expiry: String::new(), cvc: String::new(), ..filled }
        .check(&live, now())
        .unwrap();
    assert!(request.card.is_none());

    let pwyw = PublicPaymentLink {
        line_items: vec![],
        amount_minor: None,
        custom_amount: Some(CustomAmount { minimum: 500, maximum: 10_000, preset: Some(2000) }),
        ..link
    };
    let mut form = CheckoutForm::new(&pwyw);
    assert_eq!(form.amount, "20.00");
    assert_eq!(form.total(&pwyw), Some(2000));
    form.amount = "2.5".into();
    assert_eq!(form.total(&pwyw), None, "below the minimum");
    form.amount = "12.345".into();
    assert!(form.to_request(&pwyw).unwrap_err().get("amount_minor").is_some());
}

#[wasm_bindgen_test]
fn a_quantity_that_is_not_a_whole_number_is_refused_never_read_as_another_number() {
    let link = link();
    for typed in ["2.5", "2.", "", "two", "-1", "1e2", "２"] {
        let form = CheckoutForm { quantities: vec![typed.into(), "1".into()], ..CheckoutForm::new(&link) };
        assert_eq!(form.quantities[0], typed, "what was typed is kept");
        assert_eq!(form.quantity(0), None, "{typed:?}");
        assert_eq!(form.total(&link), None, "{typed:?} has no total");
        let errors = form.to_request(&link).unwrap_err();
        assert_eq!(errors.get("quantities[0]"), Some("enter a whole number, like 2"), "{typed:?}");
    }
    let form = CheckoutForm { quantities: vec![" 3 ".into(), "1".into()], ..CheckoutForm::new(&link) };
    assert_eq!(form.total(&link), Some(1650));
    let huge = CheckoutForm { quantities: vec!["99999999999999999999".into(), "1".into()], ..CheckoutForm::new(&link) };
    let errors = huge.check(&link, now()).unwrap_err();
    assert!(errors.get("quantities[0]").unwrap().contains("between 0 and 99"), "{errors:?}");
}

#[wasm_bindgen_test]
fn an_applied_code_takes_its_discount_off_the_total_and_the_button() {
    use paylinks_api::discount::{DiscountType, Promotion};
    let mut link = link();
    link.allow_promotion_codes = true;
    let promotion = Promotion {
        code: "TEN".into(),
        discount_type: DiscountType::Percentage,
        discount_value: 10,
        currency: None,
        product_ids: None,
    };
    let form = CheckoutForm { promotion_code: "ten".into(), promotion: Some(promotion), ..CheckoutForm::new(&link) };
    let order = form.order(&link).unwrap();
    assert_eq!((form.discount(&link, &order), form.total(&link)), (Some(120), Some(1080)));
    assert_eq!(pay_label(Some(&order), 120, "USD"), "Pay $10.80");
    let request = form.to_request(&link).unwrap();
    assert_eq!(request.promotion_code.as_deref(), Some("TEN"), "the applied code is sent, as the server spelled it");
    let customer = CheckoutForm {
        email: "ann@example.com".into(),
        name: "Ann".into(),
        card_number: "4111 1111 1111 1111".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        ..form
    };
    assert!(customer.check(&link, now()).is_ok(), "the rules accept the applied code");
    // Typed but not applied: nothing is sent and the total stands.
    let typed = CheckoutForm { promotion_code: "ten".into(), ..CheckoutForm::new(&link) };
    assert_eq!((typed.total(&link), typed.to_request(&link).unwrap().promotion_code), (Some(1200), None));
}

#[wasm_bindgen_test]
fn the_button_says_what_the_customer_agrees_to() {
    let mut link = link();
    assert_eq!(pay_label(CheckoutForm::new(&link).order(&link).as_ref(), 0, "USD"), "Pay $12.00");
    assert_eq!(pay_label(None, 0, "USD"), "Pay");
    link.line_items[0].interval = Some(paylinks_api::Interval::Month);
    let order = CheckoutForm::new(&link).order(&link).unwrap();
    assert_eq!(pay_label(Some(&order), 0, "USD"), "Subscribe — $12.00 today, then $9.00 per month");
    let terms = renewal_terms(&order, "USD", "Shop").unwrap();
    assert_eq!(terms, "You will be charged $12.00 now, then $9.00 per month until you cancel. You can cancel at any time by contacting Shop.");
    link.line_items[1].interval = Some(paylinks_api::Interval::Month);
    link.line_items[1].interval_count = Some(3);
    link.line_items[0].interval_count = Some(3);
    let order = CheckoutForm::new(&link).order(&link).unwrap();
    assert_eq!(pay_label(Some(&order), 0, "USD"), "Subscribe — $12.00 every 3 months");
    link.line_items.iter_mut().for_each(|i| i.interval = None);
    assert_eq!(renewal_terms(&CheckoutForm::new(&link).order(&link).unwrap(), "USD", "Shop"), None);
}
