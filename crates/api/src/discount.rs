//! Promotion codes: ext `/v2/discounts` in the vendor's `CreateDiscountInput` names, and the one
//! rule that turns a code into money off an order, used by the checkout page (to show the new
//! total) and by the server (to charge it).

use crate::checkout::PaidLine;
use crate::currency::Currency;
use crate::error::FieldErrors;
use crate::money::{MAX_AMOUNT_MINOR, TOO_LARGE};
use crate::rules::{check_multiline, check_text, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS};
use crate::webhook::OffsetMeta;
use crate::wire::{present, wire_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const CODE_MAX_CHARS: usize = 40;
pub const MAX_DISCOUNT_PRODUCTS: usize = 50;

wire_enum! {
    /// `percentage`: `discount_value` percent (1-100) off; `fixed_amount`: `discount_value` minor
    /// units of `currency` off.
    #[derive(Default)]
    pub enum DiscountType { #[default] Percentage, FixedAmount }
}

wire_enum! {
    #[derive(Default)]
    pub enum AppliesTo { #[default] All, SpecificProducts }
}

/// The Discount object (vendor fields, plus ext `currency` and `redemptions_left`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discount {
    pub id: Uuid,
    /// Upper case; matched case-insensitively at checkout.
    pub code: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub discount_type: DiscountType,
    pub discount_value: i64,
    /// ext: the currency of a fixed amount (it applies only to orders in it); null for percentages.
    pub currency: Option<String>,
    pub applies_to: AppliesTo,
    pub product_ids: Option<Vec<Uuid>>,
    pub max_redemptions: Option<i64>,
    pub current_redemptions: i64,
    /// ext: null when unlimited.
    pub redemptions_left: Option<i64>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    /// Always null: codes apply to one-time payments only.
    pub recurring_type: Option<String>,
    pub recurring_cycles: Option<i64>,
    pub first_time_customer: Option<bool>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Body of ext `POST /v2/discounts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateDiscount {
    /// 1-40 letters, digits, `-` or `_`; stored upper case; unique per merchant and mode.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub discount_type: DiscountType,
    /// A percentage (1-100) or an amount in minor units.
    pub discount_value: i64,
    /// ext, for `fixed_amount` only: default `USD`.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    /// Required with `applies_to: specific_products` (at most 50).
    #[serde(default)]
    pub product_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub max_redemptions: Option<i64>,
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// Body of ext `PATCH /v2/discounts/{id}`: what is present changes (the code, type and currency
/// stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateDiscount {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub discount_value: Option<i64>,
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Uuid>>))]
    pub product_ids: Option<Option<Vec<Uuid>>>,
    /// Not below the redemptions made; `null` for unlimited.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub max_redemptions: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub valid_from: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub valid_until: Option<Option<DateTime<Utc>>>,
    /// `false` deactivates the code: checkouts refuse it from then on.
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// Vendor fields of a discount that paylinks does not support (see `error::parse_json_supporting`).
pub const DISCOUNT_UNSUPPORTED: &[(&str, &[&str])] = &[
    ("scope", &["entire_order"]),
    ("max_redemptions_per_user", &[]),
    ("recurring_type", &["once"]),
    ("recurring_cycles", &[]),
    ("first_time_customer", &[]),
    ("is_archived", &[]),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountEnvelope {
    pub data: Discount,
}

/// `GET /v2/discounts`: `{data, meta}`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountList {
    pub data: Vec<Discount>,
    pub meta: OffsetMeta,
}

/// What the checkout page needs of a code to show the discount (ext `POST
/// /public/payment-links/{public_id}/promotion-code`): the rule, not the merchant's counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promotion {
    pub code: String,
    pub discount_type: DiscountType,
    pub discount_value: i64,
    pub currency: Option<String>,
    /// The products it takes money off; null for the whole order.
    pub product_ids: Option<Vec<Uuid>>,
}

/// Body of the promotion-code check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionCheck {
    pub promotion_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionEnvelope {
    pub data: Promotion,
}

/// A code as typed, in the form it is stored and matched: trimmed, upper case.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

fn check_code(errors: &mut FieldErrors, code: &str) {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if code.is_empty() || code.chars().count() > CODE_MAX_CHARS || !code.chars().all(ok) {
        errors.add("code", format!("must be 1 to {CODE_MAX_CHARS} letters, digits, - or _"));
    }
}

fn check_value(errors: &mut FieldErrors, discount_type: DiscountType, value: i64) {
    match discount_type {
        DiscountType::Percentage if !(1..=100).contains(&value) => {
            errors.add("discount_value", "must be a percentage from 1 to 100")
        }
        DiscountType::FixedAmount if value < 1 => errors.add("discount_value", "must be more than zero"),
        DiscountType::FixedAmount if value > MAX_AMOUNT_MINOR => errors.add("discount_value", TOO_LARGE),
        _ => {}
    }
}

fn check_targets(errors: &mut FieldErrors, applies_to: AppliesTo, product_ids: Option<&[Uuid]>) {
    match (applies_to, product_ids) {
        (AppliesTo::SpecificProducts, None | Some([])) => {
            errors.add("product_ids", "is required when applies_to is specific_products")
        }
        (AppliesTo::SpecificProducts, Some(ids)) if ids.len() > MAX_DISCOUNT_PRODUCTS => {
            errors.add("product_ids", format!("must have at most {MAX_DISCOUNT_PRODUCTS} products"))
        }
        (AppliesTo::All, Some(ids)) if !ids.is_empty() => {
            errors.add("product_ids", "is only for applies_to specific_products")
        }
        _ => {}
    }
}

fn check_window(errors: &mut FieldErrors, from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) {
    if let (Some(from), Some(until)) = (from, until) {
        if until <= from {
            errors.add("valid_until", "must be after valid_from");
        }
    }
}

/// A create request that passed every rule (the product ids are checked by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct NewDiscount {
    pub code: String,
    pub currency: Option<Currency>,
    pub applies_to: AppliesTo,
}

pub fn validate_discount(req: &CreateDiscount) -> Result<NewDiscount, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = normalize_code(&req.code);
    check_code(&mut errors, &code);
    check_text(&mut errors, "name", &req.name, NAME_MAX_CHARS);
    if let Some(d) = &req.description {
        check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
    }
    check_value(&mut errors, req.discount_type, req.discount_value);
    let currency = match (req.discount_type, req.currency.as_deref()) {
        (DiscountType::Percentage, Some(_)) => {
            errors.add("currency", "is only for fixed_amount discounts");
            None
        }
        (DiscountType::Percentage, None) => None,
        (DiscountType::FixedAmount, code) => {
            let parsed = Currency::parse(code.unwrap_or("USD"));
            if parsed.is_none() {
                errors.add("currency", "is not a supported ISO 4217 currency code");
            }
            parsed
        }
    };
    let applies_to = req.applies_to.unwrap_or_default();
    check_targets(&mut errors, applies_to, req.product_ids.as_deref());
    if req.max_redemptions.is_some_and(|n| n < 1) {
        errors.add("max_redemptions", "must be at least 1 (leave it out for unlimited)");
    }
    check_window(&mut errors, req.valid_from, req.valid_until);
    errors.into_result(NewDiscount { code, currency, applies_to })
}

/// The checks of a change against the stored discount; returns it as changed.
pub fn changed_discount(stored: &Discount, req: &UpdateDiscount) -> Result<Discount, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut next = stored.clone();
    if let Some(name) = &req.name {
        check_text(&mut errors, "name", name, NAME_MAX_CHARS);
        next.name = Some(name.clone());
    }
    if let Some(description) = &req.description {
        if let Some(d) = description {
            check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
        }
        next.description = description.clone();
    }
    if let Some(value) = req.discount_value {
        check_value(&mut errors, stored.discount_type, value);
        next.discount_value = value;
    }
    if let Some(applies_to) = req.applies_to {
        next.applies_to = applies_to;
        if applies_to == AppliesTo::All && req.product_ids.is_none() {
            next.product_ids = None;
        }
    }
    if let Some(ids) = &req.product_ids {
        next.product_ids = ids.clone();
    }
    if req.applies_to.is_some() || req.product_ids.is_some() {
        check_targets(&mut errors, next.applies_to, next.product_ids.as_deref());
    }
    if let Some(max) = req.max_redemptions {
        match max {
            Some(n) if n < 1 => errors.add("max_redemptions", "must be at least 1 (null for unlimited)"),
            Some(n) if n < stored.current_redemptions => errors.add(
                "max_redemptions",
                format!("must not be below the {} redemptions already made", stored.current_redemptions),
            ),
            _ => {}
        }
        next.max_redemptions = max;
    }
    if let Some(from) = req.valid_from {
        next.valid_from = from;
    }
    if let Some(until) = req.valid_until {
        next.valid_until = until;
    }
    check_window(&mut errors, next.valid_from, next.valid_until);
    if let Some(active) = req.is_active {
        next.is_active = active;
    }
    next.redemptions_left = next.max_redemptions.map(|max| (max - next.current_redemptions).max(0));
    errors.into_result(next)
}

impl Discount {
    /// Why this code cannot be redeemed at `now`, in words for the customer, if it cannot.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<&'static str> {
        if !self.is_active {
            Some("is no longer active")
        } else if self.valid_from.is_some_and(|from| now < from) {
            Some("is not valid yet")
        } else if self.valid_until.is_some_and(|until| now >= until) {
            Some("has expired")
        } else if self.redemptions_left == Some(0) {
            Some("has been used up")
        } else {
            None
        }
    }

    pub fn promotion(&self) -> Promotion {
        Promotion {
            code: self.code.clone(),
            discount_type: self.discount_type,
            discount_value: self.discount_value,
            currency: self.currency.clone(),
            product_ids: (self.applies_to == AppliesTo::SpecificProducts).then(|| self.product_ids.clone()).flatten(),
        }
    }
}

/// `value` × `percent` / 100, rounded half to even at the minor unit.
pub fn percent_of(value: i64, percent: i64) -> i64 {
    let scaled = i128::from(value) * i128::from(percent);
    let (quotient, remainder) = (scaled / 100, scaled % 100);
    let up = remainder > 50 || (remainder == 50 && quotient % 2 == 1);
    (quotient + i128::from(up)) as i64
}

impl Promotion {
    /// Minor units this code takes off `lines` in `currency`, or why it does not apply. Never
    /// more than the lines it applies to; an order it would make free is refused (free orders
    /// are not taken, as free links are not).
    pub fn discount_on(&self, lines: &[PaidLine], currency: &str) -> Result<i64, String> {
        if lines.iter().any(|l| l.recurring.is_some()) {
            return Err("applies to one-time payments only, not subscriptions".into());
        }
        let eligible: i64 = lines
            .iter()
            .filter(|l| match &self.product_ids {
                None => true,
                Some(ids) => l.product_id.is_some_and(|id| ids.contains(&id)),
            })
            .map(|l| l.unit_amount.saturating_mul(l.quantity))
            .fold(0, i64::saturating_add);
        if eligible == 0 {
            return Err("does not apply to anything in this order".into());
        }
        let off = match self.discount_type {
            DiscountType::Percentage => percent_of(eligible, self.discount_value),
            DiscountType::FixedAmount => {
                let own = self.currency.as_deref().unwrap_or("USD");
                if !own.eq_ignore_ascii_case(currency) {
                    return Err(format!("applies only to payments in {}", own.to_ascii_uppercase()));
                }
                self.discount_value.min(eligible)
            }
        };
        let total: i64 = lines.iter().map(|l| l.unit_amount.saturating_mul(l.quantity)).fold(0, i64::saturating_add);
        if off >= total {
            return Err("would make this order free, and free orders are not taken".into());
        }
        Ok(off)
    }
}

/// `lines` with `off` taken from them in proportion to what each costs (the remainder to the
/// largest shares first), each as one line of its discounted total (`Tea × 2`): what a processor
/// that knows no discounts is asked to charge, adding up to exactly the discounted total.
pub fn spread_discount(lines: &[PaidLine], off: i64) -> Vec<PaidLine> {
    let totals: Vec<i128> = lines.iter().map(|l| i128::from(l.unit_amount) * i128::from(l.quantity)).collect();
    let sum: i128 = totals.iter().sum();
    if off <= 0 || sum <= 0 {
        return lines.to_vec();
    }
    let exact: Vec<i128> = totals.iter().map(|t| t * i128::from(off)).collect();
    let mut shares: Vec<i128> = exact.iter().map(|e| e / sum).collect();
    let mut left = i128::from(off) - shares.iter().sum::<i128>();
    let mut by_remainder: Vec<usize> = (0..lines.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(exact[i] % sum));
    for i in by_remainder {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    lines
        .iter()
        .zip(totals.iter().zip(shares))
        .map(|(line, (total, share))| {
            let name =
                if line.quantity > 1 { format!("{} × {}", line.name, line.quantity) } else { line.name.clone() };
            PaidLine { name, unit_amount: (total - share) as i64, quantity: 1, ..line.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(product: u128, amount: i64, quantity: i64) -> PaidLine {
        PaidLine {
            name: "x".into(),
            unit_amount: amount,
            quantity,
            recurring: None,
            product_id: Some(Uuid::from_u128(product)),
            price_id: None,
        }
    }

    fn promo(discount_type: DiscountType, value: i64) -> Promotion {
        Promotion { code: "SAVE".into(), discount_type, discount_value: value, currency: None, product_ids: None }
    }

    #[test]
    fn percentages_round_half_to_even_at_the_minor_unit() {
        assert_eq!(percent_of(1250, 15), 188); // 187.5 → 188
        assert_eq!(percent_of(1050, 15), 158); // 157.5 → 158 (157 is odd)
        assert_eq!(percent_of(1150, 15), 172); // 172.5 → 172 (even)
        assert_eq!(percent_of(999, 10), 100); // 99.9
        assert_eq!(percent_of(1, 50), 0); // 0.5 → 0
        assert_eq!(percent_of(3, 50), 2); // 1.5 → 2
        assert_eq!(percent_of(99_999_999_999, 100), 99_999_999_999);
    }

    #[test]
    fn a_code_takes_off_what_it_applies_to_and_never_everything() {
        let lines = [line(1, 1000, 2), line(2, 500, 1)];
        assert_eq!(promo(DiscountType::Percentage, 10).discount_on(&lines, "USD"), Ok(250));
        let only_two = Promotion { product_ids: Some(vec![Uuid::from_u128(2)]), ..promo(DiscountType::Percentage, 50) };
        assert_eq!(only_two.discount_on(&lines, "USD"), Ok(250));
        let fixed = Promotion { currency: Some("USD".into()), ..promo(DiscountType::FixedAmount, 700) };
        assert_eq!(fixed.discount_on(&lines, "USD"), Ok(700));
        // A fixed amount never exceeds what it applies to...
        let big_on_two = Promotion { product_ids: Some(vec![Uuid::from_u128(2)]), ..fixed.clone() };
        assert_eq!(big_on_two.discount_on(&lines, "USD"), Ok(500));
        // ...nor applies in another currency, nor makes an order free.
        assert!(fixed.discount_on(&lines, "EUR").unwrap_err().contains("USD"));
        let all = Promotion { discount_value: 5000, ..fixed };
        assert!(all.discount_on(&lines, "USD").unwrap_err().contains("free"));
        assert!(promo(DiscountType::Percentage, 100).discount_on(&lines, "USD").is_err());
        let elsewhere =
            Promotion { product_ids: Some(vec![Uuid::from_u128(9)]), ..promo(DiscountType::Percentage, 10) };
        assert!(elsewhere.discount_on(&lines, "USD").is_err());
        let monthly = PaidLine {
            recurring: Some(crate::Recurring { interval: crate::Interval::Month, interval_count: 1 }),
            ..line(1, 1000, 1)
        };
        assert!(promo(DiscountType::Percentage, 10).discount_on(&[monthly], "USD").is_err());
    }

    #[test]
    fn a_spread_discount_adds_up_to_the_discounted_total() {
        let lines = [line(1, 333, 3), line(2, 100, 1), line(3, 1, 1)];
        let spread = spread_discount(&lines, 101);
        let total: i64 = spread.iter().map(|l| l.unit_amount * l.quantity).sum();
        assert_eq!(total, 999 + 100 + 1 - 101);
        assert_eq!(spread[0].name, "x × 3");
        assert!(spread.iter().all(|l| l.quantity == 1 && l.unit_amount >= 0));
        assert_eq!(spread_discount(&lines, 0), lines.to_vec());
    }

    #[test]
    fn create_rules_name_their_field() {
        let req = CreateDiscount {
            code: " summer-10 ".into(),
            name: "Summer".into(),
            discount_type: DiscountType::Percentage,
            discount_value: 10,
            ..CreateDiscount::default()
        };
        assert_eq!(validate_discount(&req).unwrap().code, "SUMMER-10");
        let bad = CreateDiscount {
            code: "no spaces".into(),
            discount_value: 101,
            currency: Some("USD".into()),
            applies_to: Some(AppliesTo::SpecificProducts),
            max_redemptions: Some(0),
            valid_from: Some(chrono::DateTime::UNIX_EPOCH),
            valid_until: Some(chrono::DateTime::UNIX_EPOCH),
            ..req
        };
        let e = validate_discount(&bad).unwrap_err();
        for field in ["code", "discount_value", "currency", "product_ids", "max_redemptions", "valid_until"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }
}
