//! The checkout form as plain data: what the customer typed, turned into a `CheckoutRequest` and
//! checked with the same rules the server applies. Nothing here touches the page.

use crate::common::format;
use chrono::{DateTime, Utc};
use paylinks_api::checkout::{Address, CardInput, CheckoutRequest};
use paylinks_api::checkout_rules::{default_quantities, order, renewal, validate_checkout, Order};
use paylinks_api::discount::Promotion;
use paylinks_api::money::{minor_to_major_string, parse_major};
use paylinks_api::{Currency, FieldErrors, PublicPaymentLink};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressForm {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

impl AddressForm {
    /// `None` when nothing was typed.
    fn to_address(&self) -> Option<Address> {
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let all = [&self.line1, &self.line2, &self.city, &self.state, &self.postal_code, &self.country];
        if all.iter().all(|s| s.trim().is_empty()) {
            return None;
        }
        Some(Address {
            line1: self.line1.trim().to_string(),
            line2: optional(&self.line2),
            city: self.city.trim().to_string(),
            state: optional(&self.state),
            postal_code: optional(&self.postal_code),
            country: self.country.trim().to_ascii_uppercase(),
        })
    }
}

/// Serialisable: a live checkout keeps it in the tab while the customer is on Stripe's page (a
/// live link has no card fields, so no card is ever kept).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckoutForm {
    /// Each line's quantity as typed: never rewritten, so the caret stays where it was.
    pub quantities: Vec<String>,
    /// Pay-what-you-want amount in major units, as typed.
    pub amount: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub billing: AddressForm,
    pub shipping: AddressForm,
    pub answers: BTreeMap<String, String>,
    /// The promotion code as typed, and the one applied (checked by the server).
    pub promotion_code: String,
    pub promotion: Option<Promotion>,
    pub card_number: String,
    pub expiry: String,
    pub cvc: String,
}

impl CheckoutForm {
    /// The starting point for `link`: its quantities, its suggested amount.
    pub fn new(link: &PublicPaymentLink) -> CheckoutForm {
        let currency = Currency::parse(&link.currency);
        let preset = link.custom_amount.and_then(|a| a.preset);
        CheckoutForm {
            quantities: default_quantities(link).iter().map(i64::to_string).collect(),
            amount: preset.zip(currency).map(|(p, c)| minor_to_major_string(p, c)).unwrap_or_default(),
            ..CheckoutForm::default()
        }
    }

    /// The quantity of line `i` as a number, if what was typed is a whole number.
    pub fn quantity(&self, i: usize) -> Option<i64> {
        let typed = self.quantities.get(i)?.trim();
        // Too many digits is still a whole number: the rules' range check names the bound.
        let whole = !typed.is_empty() && typed.bytes().all(|b| b.is_ascii_digit());
        whole.then(|| typed.parse().unwrap_or(i64::MAX))
    }

    /// The request this form makes, with what could not be read left out (a quantity as 0, an
    /// amount as none), and an error on each such field: never a different number.
    fn read(&self, link: &PublicPaymentLink) -> (CheckoutRequest, FieldErrors) {
        let mut unreadable = FieldErrors::default();
        let quantities: Vec<i64> = (0..self.quantities.len())
            .map(|i| {
                self.quantity(i).unwrap_or_else(|| {
                    unreadable.add(format!("quantities[{i}]"), "enter a whole number, like 2");
                    0
                })
            })
            .collect();
        let amount_minor = match (&link.custom_amount, Currency::parse(&link.currency)) {
            (Some(_), Some(currency)) if !self.amount.trim().is_empty() => parse_major(self.amount.trim(), currency)
                .map_err(|e| unreadable.add("amount_minor", e.to_string()))
                .ok(),
            _ => None,
        };
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let request = CheckoutRequest {
            quantities: (!link.line_items.is_empty()).then_some(quantities),
            amount_minor,
            email: text(&self.email),
            name: text(&self.name),
            phone: text(&self.phone).filter(|_| link.collect_phone),
            billing_address: self.billing.to_address().filter(|_| link.collect_address),
            shipping_address: self.shipping.to_address().filter(|_| link.collect_shipping),
            custom_fields: Some(self.answers.clone()).filter(|a| !a.is_empty()),
            promotion_code: self.promotion.as_ref().map(|p| p.code.clone()),
            // A live link's card is typed on Stripe's page, never here.
            card: (!link.livemode).then(|| CardInput {
                number: self.card_number.clone(),
                expiry: self.expiry.clone(),
                cvc: self.cvc.trim().to_string(),
            }),
        };
        (request, unreadable)
    }

    /// The request this form makes, if every quantity and amount can be read.
    pub fn to_request(&self, link: &PublicPaymentLink) -> Result<CheckoutRequest, FieldErrors> {
        let (request, unreadable) = self.read(link);
        unreadable.into_result(request)
    }

    /// The request, if every rule holds; else every problem, by field (what could not be read
    /// says so, not what the rules think of its stand-in).
    pub fn check(&self, link: &PublicPaymentLink, now: DateTime<Utc>) -> Result<CheckoutRequest, FieldErrors> {
        let (request, mut errors) = self.read(link);
        if let Err(rules) = validate_checkout(&request, link, now, self.promotion.as_ref()) {
            errors.merge_missing(rules);
        }
        errors.into_result(request)
    }

    /// What the customer would buy now, when the choices so far make sense.
    pub fn order(&self, link: &PublicPaymentLink) -> Option<Order> {
        let request = self.to_request(link).ok()?;
        order(&mut FieldErrors::default(), link, request.quantities.as_deref(), request.amount_minor)
    }

    /// What the applied code takes off `order`, when it applies.
    pub fn discount(&self, link: &PublicPaymentLink, order: &Order) -> Option<i64> {
        self.promotion.as_ref()?.discount_on(&order.lines, &link.currency).ok()
    }

    /// What the customer would pay now.
    pub fn total(&self, link: &PublicPaymentLink) -> Option<i64> {
        let order = self.order(link)?;
        Some(order.total_minor - self.discount(link, &order).unwrap_or(0))
    }
}

/// The pay button's words: what the customer agrees to by pressing it (`discount` off).
pub fn pay_label(order: Option<&Order>, discount: i64, currency: &str) -> String {
    let Some(order) = order else { return "Pay".into() };
    let total = format::amount(Some(order.total_minor - discount), currency);
    match renewal(&order.lines) {
        Some(r) if r.amount_minor == order.total_minor => format!("Subscribe — {}", format::renewal(&r, currency)),
        Some(r) => format!("Subscribe — {total} today, then {}", format::renewal(&r, currency)),
        None => format!("Pay {total}"),
    }
}

/// The terms beside a subscription's button (card networks require them before the customer agrees).
pub fn renewal_terms(order: &Order, currency: &str, merchant: &str) -> Option<String> {
    let r = renewal(&order.lines)?;
    Some(format!(
        "You will be charged {} now, then {} until you cancel. You can cancel at any time by contacting {merchant}.",
        format::amount(Some(order.total_minor), currency),
        format::renewal(&r, currency),
    ))
}

/// `1230` → `12/30` as the customer types; deleting past the slash works.
pub fn format_expiry(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).take(4).collect();
    if digits.len() > 2 {
        format!("{}/{}", &digits[..2], &digits[2..])
    } else {
        digits
    }
}
