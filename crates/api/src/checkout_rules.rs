//! The rules a checkout must satisfy, shared by the checkout page and the server (which never
//! trusts the page's total), and what it charges: the lines, their total, who pays.

use crate::card::{check_cvc, contains_card_number, parse_expiry, CardBrand, CardNumber};
use crate::checkout::{Address, AppliedDiscount, CardInput, CheckoutRequest, PaidLine, Renewal};
use crate::country::is_country_code;
use crate::discount::Promotion;
use crate::error::FieldErrors;
use crate::link::{CustomFieldType, Recurring, SelectionMode};
use crate::money::MAX_AMOUNT_MINOR;
use crate::public::PublicPaymentLink;
use crate::rules::{check_text, NAME_MAX_CHARS};
use chrono::{DateTime, Datelike, Utc};
use std::collections::BTreeMap;

/// Quantities a customer may choose when a link allows it.
pub const MAX_QUANTITY: i64 = 99;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const ANSWER_MAX_CHARS: usize = 255;
/// A checkout that passed every rule: what to charge and who pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutPlan {
    pub lines: Vec<PaidLine>,
    /// What is charged: the lines' total less the discount.
    pub amount_minor: i64,
    pub discount: Option<AppliedDiscount>,
    pub currency: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub custom_fields: BTreeMap<String, String>,
    /// The test card of a sandbox payment; none for a live one (Stripe's page takes the card).
    pub card: Option<(CardNumber, CardBrand)>,
}

/// The quantities a customer starts from: the link's, with only the default item chosen on a
/// `single_select` link.
pub fn default_quantities(link: &PublicPaymentLink) -> Vec<i64> {
    let chosen = link.default_item.unwrap_or(0);
    link.line_items
        .iter()
        .enumerate()
        .map(|(i, item)| match link.selection_mode {
            SelectionMode::SingleSelect if i != chosen => 0,
            _ => item.quantity,
        })
        .collect()
}

/// What a checkout buys: the lines with a quantity, and what they cost together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub lines: Vec<PaidLine>,
    pub total_minor: i64,
}

impl Order {
    /// One line of `name` at `amount` (a fixed or chosen amount).
    fn single(name: &str, amount: i64) -> Order {
        Order {
            lines: vec![PaidLine {
                name: name.to_string(),
                unit_amount: amount,
                quantity: 1,
                recurring: None,
                product_id: None,
                price_id: None,
            }],
            total_minor: amount,
        }
    }
}

/// The renewal `lines` make, if any of them recurs.
pub fn renewal(lines: &[PaidLine]) -> Option<Renewal> {
    let every = lines.iter().find_map(|l| l.recurring.clone())?;
    let amount_minor = lines
        .iter()
        .filter(|l| l.recurring.as_ref() == Some(&every))
        .map(|l| l.unit_amount.saturating_mul(l.quantity))
        .fold(0i64, i64::saturating_add);
    Some(Renewal { amount_minor, interval: every.interval, interval_count: every.interval_count })
}

/// The lines bought and their total, for these quantities (or the default), checking every rule
/// about quantities and the chosen amount.
pub fn order(
    errors: &mut FieldErrors,
    link: &PublicPaymentLink,
    quantities: Option<&[i64]>,
    chosen_amount: Option<i64>,
) -> Option<Order> {
    if let Some(bounds) = &link.custom_amount {
        if quantities.is_some_and(|q| !q.is_empty()) {
            errors.add("quantities", "this link has no line items");
        }
        return match chosen_amount {
            None => {
                errors.add("amount_minor", "is required: choose an amount");
                None
            }
            Some(a) if !(bounds.minimum..=bounds.maximum).contains(&a) => {
                errors.add("amount_minor", "must be between the minimum and maximum amount");
                None
            }
            Some(a) => Some(Order::single(&link.name, a)),
        };
    }
    if chosen_amount.is_some() {
        errors.add("amount_minor", "is only accepted on pay-what-you-want links");
    }
    if link.line_items.is_empty() {
        if quantities.is_some_and(|q| !q.is_empty()) {
            errors.add("quantities", "this link has no line items");
        }
        let Some(amount) = link.amount_minor else {
            errors.add("amount_minor", "this link has no price and cannot be paid online");
            return None;
        };
        return Some(Order::single(&link.name, amount));
    }
    let defaults = default_quantities(link);
    let quantities = quantities.unwrap_or(&defaults);
    if quantities.len() != link.line_items.len() {
        errors.add("quantities", format!("must have one entry per line item ({})", link.line_items.len()));
        return None;
    }
    let before = errors.len();
    let mut lines = Vec::new();
    for (i, (item, &quantity)) in link.line_items.iter().zip(quantities).enumerate() {
        let field = format!("quantities[{i}]");
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            errors.add(field, format!("must be between 0 and {MAX_QUANTITY}"));
        } else if quantity == 0 && link.selection_mode == SelectionMode::Bundle {
            errors.add(field, "must be at least 1");
        } else if quantity != 0 && quantity != item.quantity && !link.allow_quantity_adjustment {
            errors.add(field, "cannot be changed on this link");
        } else if quantity > 0 {
            let recurring =
                item.interval.map(|interval| Recurring { interval, interval_count: item.interval_count.unwrap_or(1) });
            lines.push(PaidLine {
                name: item.name.clone(),
                unit_amount: item.unit_amount,
                quantity,
                recurring,
                product_id: Some(item.product_id),
                price_id: item.price_id,
            });
        }
    }
    match link.selection_mode {
        SelectionMode::SingleSelect if lines.len() != 1 => errors.add("quantities", "choose exactly one item"),
        SelectionMode::MultiSelect if lines.is_empty() => errors.add("quantities", "choose at least one item"),
        _ => {}
    }
    if errors.len() != before {
        return None;
    }
    let total = lines.iter().try_fold(0i64, |sum, l| l.unit_amount.checked_mul(l.quantity)?.checked_add(sum));
    match total {
        Some(total_minor) if total_minor <= MAX_AMOUNT_MINOR => Some(Order { lines, total_minor }),
        _ => {
            errors.add("quantities", "the total is larger than a single payment may be");
            None
        }
    }
}

/// Checks a checkout against the link as stored and returns what to charge, or every problem.
/// `promotion` is the code the request names, as found (none when there is no such code).
pub fn validate_checkout(
    req: &CheckoutRequest,
    link: &PublicPaymentLink,
    now: DateTime<Utc>,
    promotion: Option<&Promotion>,
) -> Result<CheckoutPlan, FieldErrors> {
    let mut errors = FieldErrors::default();
    let order = order(&mut errors, link, req.quantities.as_deref(), req.amount_minor);

    let email = req.email.as_deref().unwrap_or_default().trim();
    if let Err(message) = check_email(email) {
        errors.add("email", message);
    }
    let name = req.name.as_deref().unwrap_or_default().trim();
    check_customer_text(&mut errors, "name", name, NAME_MAX_CHARS);
    let phone = req.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    match phone {
        None if link.collect_phone => errors.add("phone", "is required"),
        Some(phone) if !is_phone(phone) => errors.add("phone", "must be 7 to 15 digits, optionally starting with +"),
        Some(phone) => refuse_card_number(&mut errors, "phone", phone),
        None => {}
    }
    refuse_card_number(&mut errors, "email", email);
    for (field, address, required) in [
        ("billing_address", &req.billing_address, link.collect_address),
        ("shipping_address", &req.shipping_address, link.collect_shipping),
    ] {
        match address {
            None if required => errors.add(field, "is required"),
            Some(address) => check_address(&mut errors, field, address),
            None => {}
        }
    }
    let answers = check_answers(&mut errors, link, req.custom_fields.clone().unwrap_or_default());
    let discount = order.as_ref().and_then(|order| {
        let code = req.promotion_code.as_deref().map(str::trim).filter(|c| !c.is_empty())?;
        let shown: String = code.chars().take(40).collect();
        let off = match promotion {
            _ if !link.allow_promotion_codes => Err("this link does not accept promotion codes".to_string()),
            None => Err(format!("\"{shown}\" is not a valid promotion code")),
            Some(promotion) => {
                promotion.discount_on(&order.lines, &link.currency).map_err(|why| format!("\"{shown}\" {why}"))
            }
        };
        off.map_err(|message| errors.add("promotion_code", message)).ok().map(|amount_minor| AppliedDiscount {
            code: promotion.map_or_else(String::new, |p| p.code.clone()),
            amount_minor,
        })
    });
    // Live cards never reach paylinks: the customer enters them on Stripe's page.
    let card = match (link.livemode, req.card.as_ref()) {
        (true, None) => Some(None),
        (true, Some(_)) => {
            errors.add("card", "is not taken here: a live payment's card is entered on the secure payment page");
            None
        }
        (false, card) => check_card(&mut errors, card, now).map(Some),
    };

    match (order, card) {
        (Some(order), Some(card)) if errors.is_empty() => Ok(CheckoutPlan {
            amount_minor: order.total_minor - discount.as_ref().map_or(0, |d| d.amount_minor),
            discount,
            lines: order.lines,
            currency: link.currency.clone(),
            email: email.to_string(),
            name: name.to_string(),
            phone: phone.map(str::to_string),
            billing_address: req.billing_address.clone(),
            shipping_address: req.shipping_address.clone(),
            custom_fields: answers,
            card,
        }),
        _ => Err(errors),
    }
}

fn check_email(email: &str) -> Result<(), &'static str> {
    if email.is_empty() {
        return Err("is required");
    }
    let shape_ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    });
    if email.chars().count() > EMAIL_MAX_CHARS
        || !shape_ok
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("must be an email address like name@example.com");
    }
    Ok(())
}

fn is_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.char_indices().all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
    allowed && (7..=15).contains(&digits)
}

/// Text a customer types: the rules of all shown text, and never a card number (which would be
/// stored and shown to the merchant).
fn check_customer_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    check_text(errors, field, value, max);
    refuse_card_number(errors, field, value);
}

fn refuse_card_number(errors: &mut FieldErrors, field: &str, value: &str) {
    if contains_card_number(value) {
        errors.add(field, "looks like a card number: enter card details only in the card fields");
    }
}

fn check_address(errors: &mut FieldErrors, field: &str, address: &Address) {
    check_customer_text(errors, &format!("{field}.line1"), address.line1.trim(), ANSWER_MAX_CHARS);
    check_customer_text(errors, &format!("{field}.city"), address.city.trim(), ANSWER_MAX_CHARS);
    for (part, value) in [("line2", &address.line2), ("state", &address.state), ("postal_code", &address.postal_code)] {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            check_customer_text(errors, &format!("{field}.{part}"), value, ANSWER_MAX_CHARS);
        }
    }
    if address.country.is_empty() {
        errors.add(format!("{field}.country"), "is required: choose a country");
    } else if !is_country_code(&address.country) {
        errors.add(format!("{field}.country"), "must be a two-letter country code such as US");
    }
}

/// The answers to keep: one per known field, required ones present, each valid for its type.
fn check_answers(
    errors: &mut FieldErrors,
    link: &PublicPaymentLink,
    mut answers: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut kept = BTreeMap::new();
    for field in &link.custom_fields {
        let path = format!("custom_fields.{}", field.key);
        let answer = answers.remove(&field.key).map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
        let Some(answer) = answer else {
            if field.required {
                errors.add(path, "is required");
            }
            continue;
        };
        match field.field_type {
            CustomFieldType::Text => check_customer_text(errors, &path, &answer, ANSWER_MAX_CHARS),
            CustomFieldType::Number if !is_decimal(&answer) => errors.add(path, "must be a number"),
            CustomFieldType::Number => refuse_card_number(errors, &path, &answer),
            CustomFieldType::Dropdown if !field.options.contains(&answer) => {
                errors.add(path, "must be one of the listed options")
            }
            _ => {}
        }
        kept.insert(field.key.clone(), answer);
    }
    for key in answers.keys() {
        errors
            .add(format!("custom_fields.{}", key.chars().take(40).collect::<String>()), "is not a field of this link");
    }
    kept
}

fn is_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    s.len() <= 30
        && !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
}

fn check_card(
    errors: &mut FieldErrors,
    card: Option<&CardInput>,
    now: DateTime<Utc>,
) -> Option<(CardNumber, CardBrand)> {
    let Some(card) = card else {
        errors.add("card.number", "is required");
        return None;
    };
    let number = CardNumber::parse(&card.number).map_err(|m| errors.add("card.number", m)).ok();
    let brand = number.as_ref().map_or(CardBrand::Other, CardNumber::brand);
    if let Err(message) = parse_expiry(&card.expiry, (now.year(), now.month())) {
        errors.add("card.expiry", message);
    }
    if let Err(message) = check_cvc(card.cvc.trim(), brand) {
        errors.add("card.cvc", message);
    }
    number.map(|n| (n, brand))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{CustomAmount, CustomField, LinkType};
    use crate::public::PublicLineItem;

    fn item(name: &str, unit_amount: i64, quantity: i64) -> PublicLineItem {
        PublicLineItem {
            name: name.into(),
            description: None,
            unit_amount,
            currency: "USD".into(),
            quantity,
            interval: None,
            interval_count: None,
            product_id: uuid::Uuid::from_u128(name.len() as u128),
            price_id: None,
        }
    }

    fn link(items: Vec<PublicLineItem>) -> PublicPaymentLink {
        PublicPaymentLink {
            active: true,
            product_name: "Tea".into(),
            amount_minor: None,
            currency: "USD".into(),
            interval: None,
            interval_count: None,
            trial_period_days: None,
            checkout_url: "http://127.0.0.1/l/pl_x".into(),
            public_id: "pl_x".into(),
            name: "Tea".into(),
            merchant_name: "Shop".into(),
            line_items: items,
            selection_mode: SelectionMode::Bundle,
            collect_shipping: false,
            allow_promotion_codes: false,
            livemode: false,
            link_type: LinkType::Product,
            description: None,
            description_html: None,
            cover_image_url: None,
            allow_quantity_adjustment: false,
            custom_amount: None,
            collect_address: false,
            collect_phone: false,
            custom_fields: vec![],
            default_item: None,
            highlighted_item: None,
        }
    }

    fn request() -> CheckoutRequest {
        CheckoutRequest {
            email: Some("ann@example.com".into()),
            name: Some("Ann".into()),
            card: Some(CardInput { number: "4111 1111 1111 1111".into(), expiry: "12/30".into(), cvc: "123".into() }),
            ..CheckoutRequest::default()
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-21T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn totals_follow_quantities_and_items() {
        let mut l = link(vec![item("Tea", 450, 2), item("Cake", 300, 1)]);
        assert_eq!(validate_checkout(&request(), &l, now(), None).unwrap().amount_minor, 1200);
        let changed = CheckoutRequest { quantities: Some(vec![3, 1]), ..request() };
        let e = validate_checkout(&changed, &l, now(), None).unwrap_err();
        assert_eq!(e.get("quantities[0]"), Some("cannot be changed on this link"));
        l.allow_quantity_adjustment = true;
        assert_eq!(validate_checkout(&changed, &l, now(), None).unwrap().amount_minor, 1650);
        for (bad, message) in [(vec![100, 1], "must be between 0 and 99"), (vec![0, 1], "must be at least 1")] {
            let e = validate_checkout(&CheckoutRequest { quantities: Some(bad), ..request() }, &l, now(), None)
                .unwrap_err();
            assert_eq!(e.get("quantities[0]"), Some(message));
        }
        let short = CheckoutRequest { quantities: Some(vec![1]), ..request() };
        assert!(validate_checkout(&short, &l, now(), None).unwrap_err().get("quantities").is_some());
    }

    #[test]
    fn single_select_charges_the_chosen_item() {
        let mut l = link(vec![item("Small", 500, 1), item("Large", 900, 1)]);
        l.selection_mode = SelectionMode::SingleSelect;
        l.default_item = Some(1);
        assert_eq!(default_quantities(&l), vec![0, 1]);
        assert_eq!(validate_checkout(&request(), &l, now(), None).unwrap().amount_minor, 900);
        let both = CheckoutRequest { quantities: Some(vec![1, 1]), ..request() };
        assert_eq!(
            validate_checkout(&both, &l, now(), None).unwrap_err().get("quantities"),
            Some("choose exactly one item")
        );
    }

    #[test]
    fn pay_what_you_want_respects_bounds() {
        let mut l = link(vec![]);
        l.custom_amount = Some(CustomAmount { minimum: 500, maximum: 10_000, preset: None });
        for (amount, ok) in [(499, false), (500, true), (10_000, true), (10_001, false)] {
            let req = CheckoutRequest { amount_minor: Some(amount), ..request() };
            assert_eq!(validate_checkout(&req, &l, now(), None).is_ok(), ok, "{amount}");
        }
        let e = validate_checkout(&request(), &l, now(), None).unwrap_err();
        assert_eq!(e.get("amount_minor"), Some("is required: choose an amount"));
        l.custom_amount = None;
        l.amount_minor = Some(2500);
        let req = CheckoutRequest { amount_minor: Some(1), ..request() };
        assert!(validate_checkout(&req, &l, now(), None).unwrap_err().get("amount_minor").is_some());
        assert_eq!(validate_checkout(&request(), &l, now(), None).unwrap().amount_minor, 2500);
    }

    #[test]
    fn every_collected_field_is_checked_by_name() {
        let mut l = link(vec![item("Tea", 450, 1)]);
        l.collect_phone = true;
        l.collect_address = true;
        l.collect_shipping = true;
        l.custom_fields = vec![
            CustomField {
                key: "size".into(),
                label: "Size".into(),
                field_type: CustomFieldType::Dropdown,
                required: true,
                options: vec!["S".into(), "M".into()],
            },
            CustomField {
                key: "age".into(),
                label: "Age".into(),
                field_type: CustomFieldType::Number,
                required: false,
                options: vec![],
            },
        ];
        let req = CheckoutRequest {
            email: Some("not-an-email".into()),
            name: Some(" ".into()),
            custom_fields: Some(BTreeMap::from([("age".into(), "x".into()), ("other".into(), "1".into())])),
            billing_address: Some(Address { country: "usa".into(), ..Address::default() }),
            promotion_code: Some("SAVE".into()),
            card: Some(CardInput { number: "4111 1111 1111 1112".into(), expiry: "01/20".into(), cvc: "1".into() }),
            ..CheckoutRequest::default()
        };
        let e = validate_checkout(&req, &l, now(), None).unwrap_err();
        for field in [
            "email",
            "name",
            "phone",
            "billing_address.line1",
            "billing_address.city",
            "billing_address.country",
            "shipping_address",
            "custom_fields.size",
            "custom_fields.age",
            "custom_fields.other",
            "promotion_code",
            "card.number",
            "card.expiry",
            "card.cvc",
        ] {
            assert!(e.get(field).is_some(), "{field} missing from {e:?}");
        }
    }

    #[test]
    fn a_promotion_code_takes_its_discount_off_the_charge() {
        use crate::discount::{DiscountType, Promotion};
        let mut l = link(vec![item("Tea", 450, 2), item("Cake", 300, 1)]);
        l.allow_promotion_codes = true;
        let promo = Promotion {
            code: "TEN".into(),
            discount_type: DiscountType::Percentage,
            discount_value: 10,
            currency: None,
            product_ids: None,
        };
        let req = CheckoutRequest { promotion_code: Some(" ten ".into()), ..request() };
        let plan = validate_checkout(&req, &l, now(), Some(&promo)).unwrap();
        assert_eq!((plan.amount_minor, plan.discount.unwrap().amount_minor), (1080, 120));
        // No code, no discount; an unknown code names the field.
        assert_eq!(validate_checkout(&request(), &l, now(), Some(&promo)).unwrap().amount_minor, 1200);
        let e = validate_checkout(&req, &l, now(), None).unwrap_err();
        assert_eq!(e.get("promotion_code"), Some("\"ten\" is not a valid promotion code"));
        let tea_only = Promotion { product_ids: Some(vec![l.line_items[0].product_id]), ..promo.clone() };
        assert_eq!(validate_checkout(&req, &l, now(), Some(&tea_only)).unwrap().amount_minor, 1110);
        l.allow_promotion_codes = false;
        let e = validate_checkout(&req, &l, now(), Some(&promo)).unwrap_err();
        assert_eq!(e.get("promotion_code"), Some("this link does not accept promotion codes"));
    }
}
