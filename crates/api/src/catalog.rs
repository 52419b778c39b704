//! The catalogue as the vendor's SDK sees it: products (`/v2/products`) and their prices
//! (`/v2/prices`), and the rules a create or change request follows. What a payment link needs
//! is supported; what it cannot use (usage meters, tiers, billing anchors) is refused by name,
//! never silently ignored.

use crate::currency::Currency;
use crate::error::FieldErrors;
use crate::link::{Interval, Recurring};
use crate::money::{MAX_AMOUNT_MINOR, TOO_LARGE};
use crate::rules::{
    check_metadata, check_multiline, check_recurring, check_text, check_url, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS,
};
use crate::wire::{present, wire_enum, WireEnum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The most days a trial may last (the vendor's bound).
pub const MAX_TRIAL_DAYS: i64 = 730;
/// The most quick-select amounts a pay-what-you-want price offers.
pub const MAX_PRESETS: usize = 10;
/// `product_id` and `lookup_key`: the merchant's own identifiers.
pub const MAX_KEY_CHARS: usize = 200;

wire_enum! {
    /// What a product sells. The vendor's `usage` is not supported.
    #[derive(Default)]
    pub enum ProductKind { #[default] OneTime, Subscription }
}

wire_enum! {
    /// How a product is priced: `one_time` goes with kind `one_time`, `recurring` with
    /// `subscription`.
    #[derive(Default)]
    pub enum ProductPricing { #[default] OneTime, Recurring }
}

wire_enum! {
    pub enum PriceType { OneTime, Recurring }
}

wire_enum! {
    /// `fixed`: `unit_amount`; `pay_what_you_want`: the customer chooses within
    /// `minimum_amount`..`maximum_amount`; `free`: nothing to pay.
    pub enum PricingModel { Fixed, PayWhatYouWant, Free }
}

/// The Product object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: Uuid,
    /// Always `product`.
    pub object: String,
    /// The merchant's own identifier, unique per merchant and mode.
    pub product_id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: ProductKind,
    pub pricing_model: ProductPricing,
    /// The default price's amount (null for pay-what-you-want).
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
    pub trial_days: i64,
    /// Always `none`: paylinks fulfils nothing itself.
    pub fulfillment_type: String,
    pub is_active: bool,
    pub is_archived: bool,
    pub image_url: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// ext: the price `amount_minor` and `currency` describe.
    pub default_price_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The Price object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Price {
    pub id: Uuid,
    /// Always `price`.
    pub object: String,
    pub product_id: Uuid,
    pub active: bool,
    /// Lower case, as the vendor writes it.
    pub currency: String,
    /// Null for pay-what-you-want; 0 for free.
    pub unit_amount: Option<i64>,
    #[serde(rename = "type")]
    pub price_type: PriceType,
    pub pricing_model: PricingModel,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
    pub trial_period_days: Option<i64>,
    pub minimum_amount: Option<i64>,
    pub maximum_amount: Option<i64>,
    pub suggested_amount: Option<i64>,
    pub preset_amounts: Option<Vec<i64>>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub description: Option<String>,
    /// Starts at 1; an amount change to a price that payments used makes a new price with the
    /// next version (and deactivates this one).
    pub version: i64,
    pub lookup_key: Option<String>,
    /// Always `per_unit`.
    pub billing_scheme: String,
    pub metadata: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Price {
    /// How often the price bills again, for a recurring one.
    pub fn recurring(&self) -> Option<Recurring> {
        self.interval.map(|interval| Recurring { interval, interval_count: self.interval_count.unwrap_or(1) })
    }

    /// Its terms as they stand (a stored price's currency is always known).
    pub fn terms(&self) -> PriceTerms {
        PriceTerms {
            currency: Currency::parse(&self.currency).unwrap_or(Currency::USD),
            pricing_model: self.pricing_model,
            unit_amount: self.unit_amount,
            recurring: self.recurring(),
            trial_period_days: self.trial_period_days,
            minimum_amount: self.minimum_amount,
            maximum_amount: self.maximum_amount,
            suggested_amount: self.suggested_amount,
            preset_amounts: self.preset_amounts.clone(),
        }
    }
}

/// Body of `POST /v2/products`. Also makes the product's default price from `amount_minor`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    /// The merchant's own identifier (1-200 characters), unique per merchant and mode.
    pub product_id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: ProductKind,
    pub pricing_model: ProductPricing,
    /// 0 makes a free price.
    pub amount_minor: i64,
    /// Default `usd`.
    #[serde(default)]
    pub currency: Option<String>,
    /// Required for subscriptions.
    #[serde(default)]
    pub interval: Option<Interval>,
    #[serde(default)]
    pub interval_count: Option<i64>,
    #[serde(default)]
    pub trial_days: Option<i64>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// Body of `PATCH /v2/products/{id}`: what is present changes. A change of amount, currency,
/// interval or trial makes a new default price when payments used the old one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub amount_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Interval>))]
    pub interval: Option<Option<Interval>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub interval_count: Option<Option<i64>>,
    #[serde(default)]
    pub trial_days: Option<i64>,
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Archived products cannot be added to new links; existing links keep selling them.
    #[serde(default)]
    pub is_archived: Option<bool>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub image_url: Option<Option<String>>,
}

/// Body of `POST /v2/prices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePrice {
    pub product_id: Uuid,
    /// Default `usd`.
    #[serde(default)]
    pub currency: Option<String>,
    /// Required for `fixed`; 0 or absent for `free`; absent for `pay_what_you_want`.
    #[serde(default)]
    pub unit_amount: Option<i64>,
    /// Default `one_time`; `recurring` only on a subscription product.
    #[serde(default, rename = "type")]
    pub price_type: Option<PriceType>,
    /// Default `fixed`.
    #[serde(default)]
    pub pricing_model: Option<PricingModel>,
    #[serde(default)]
    pub interval: Option<Interval>,
    /// 1-12; default 1.
    #[serde(default)]
    pub interval_count: Option<i64>,
    /// 0-730, recurring prices only.
    #[serde(default)]
    pub trial_period_days: Option<i64>,
    #[serde(default)]
    pub minimum_amount: Option<i64>,
    #[serde(default)]
    pub maximum_amount: Option<i64>,
    #[serde(default)]
    pub suggested_amount: Option<i64>,
    /// At most 10, each within minimum..maximum.
    #[serde(default)]
    pub preset_amounts: Option<Vec<i64>>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Unique per merchant and mode.
    #[serde(default)]
    pub lookup_key: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// Body of `PATCH /v2/prices/{id}`: what is present changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePrice {
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub nickname: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lookup_key: Option<Option<String>>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    /// ext: a new amount for a fixed price. On a price that payments used, the answer is a new
    /// price (the next `version`) and this one is deactivated.
    #[serde(default)]
    pub unit_amount: Option<i64>,
}

/// `{data: Product}`: the answer of product create, get and update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductEnvelope {
    pub data: Product,
}

/// The vendor's offset pagination block of the product list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PagePagination {
    /// Always `offset`.
    pub kind: String,
    pub page: i64,
    pub limit: i64,
    pub total: i64,
    #[serde(rename = "totalPages")]
    pub total_pages: i64,
}

impl PagePagination {
    pub fn new(page: i64, limit: i64, total: i64) -> PagePagination {
        PagePagination { kind: "offset".into(), page, limit, total, total_pages: (total + limit - 1) / limit }
    }
}

/// `GET /v2/products`: `{data, pagination}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductList {
    pub data: Vec<Product>,
    pub pagination: PagePagination,
}

/// `GET /v2/prices`: `{object: "list", data, has_more, total_count}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceList {
    /// Always `list`.
    pub object: String,
    pub data: Vec<Price>,
    pub has_more: bool,
    pub total_count: i64,
}

/// Vendor fields paylinks does not support, and the values of them that ask for nothing (sent
/// by clients that fill every field with its default).
pub const PRODUCT_UNSUPPORTED: &[(&str, &[&str])] = &[
    ("usage_meter_id", &[]),
    ("slug", &[]),
    ("fulfillment_type", &["none"]),
    ("track_inventory", &[]),
    ("stock_quantity", &[]),
    ("billing_anchor_rule", &["same_day"]),
    ("billing_anchor_day", &[]),
    ("first_charge_behavior", &["immediate"]),
    ("end_behavior", &["until_canceled"]),
    ("max_payments", &[]),
];

pub const PRICE_UNSUPPORTED: &[(&str, &[&str])] = &[
    ("billing_scheme", &["per_unit"]),
    ("tiers_mode", &[]),
    ("tiers", &[]),
    ("transform_quantity", &[]),
    ("percentage_rate_bps", &[]),
    ("start_rule", &["immediate"]),
];

/// A price that passed every rule, as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTerms {
    pub currency: Currency,
    pub pricing_model: PricingModel,
    pub unit_amount: Option<i64>,
    pub recurring: Option<Recurring>,
    pub trial_period_days: Option<i64>,
    pub minimum_amount: Option<i64>,
    pub maximum_amount: Option<i64>,
    pub suggested_amount: Option<i64>,
    pub preset_amounts: Option<Vec<i64>>,
}

/// The merchant's own identifiers: printable, no spaces, bounded.
fn check_key(errors: &mut FieldErrors, field: &str, key: &str) {
    let len = key.chars().count();
    if len == 0 || len > MAX_KEY_CHARS || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        errors.add(field, format!("must be 1 to {MAX_KEY_CHARS} characters without spaces"));
    }
}

fn currency_of(errors: &mut FieldErrors, code: Option<&str>) -> Option<Currency> {
    match code {
        None => Some(Currency::USD),
        Some(code) => Currency::parse(code).or_else(|| {
            errors.add("currency", "is not a supported ISO 4217 currency code");
            None
        }),
    }
}

fn check_amount(errors: &mut FieldErrors, field: &str, amount: i64, least: i64) {
    if amount < least {
        errors.add(field, if least == 0 { "must be 0 or more" } else { "must be more than zero" });
    } else if amount > MAX_AMOUNT_MINOR {
        errors.add(field, TOO_LARGE);
    }
}

fn check_trial(errors: &mut FieldErrors, field: &str, days: i64, recurring: bool) {
    if !(0..=MAX_TRIAL_DAYS).contains(&days) {
        errors.add(field, format!("must be between 0 and {MAX_TRIAL_DAYS} days"));
    } else if days > 0 && !recurring {
        errors.add(field, "is only for subscriptions");
    }
}

/// The schedule of a recurring product or price: an interval is required for it and refused
/// otherwise.
fn schedule(
    errors: &mut FieldErrors,
    recurring: bool,
    interval: Option<Interval>,
    interval_count: Option<i64>,
) -> Option<Recurring> {
    match (recurring, interval) {
        (true, None) => {
            errors.add("interval", "is required for a recurring price");
            None
        }
        (false, Some(_)) => {
            errors.add("interval", "is only for recurring prices");
            None
        }
        (false, None) => {
            if interval_count.is_some() {
                errors.add("interval_count", "is only for recurring prices");
            }
            None
        }
        (true, Some(interval)) => {
            let every = Recurring { interval, interval_count: interval_count.unwrap_or(1) };
            check_recurring(errors, "interval_count", &every);
            Some(every)
        }
    }
}

fn check_optional_text(errors: &mut FieldErrors, field: &str, value: Option<&str>, max: usize) {
    if let Some(value) = value {
        check_text(errors, field, value, max);
    }
}

/// The checks of a new product. Returns the terms of its default price.
pub fn validate_product(req: &CreateProduct, livemode: bool) -> Result<PriceTerms, FieldErrors> {
    let mut errors = FieldErrors::default();
    check_key(&mut errors, "product_id", &req.product_id);
    check_text(&mut errors, "name", &req.name, NAME_MAX_CHARS);
    if let Some(d) = &req.description {
        check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
    }
    let recurring = req.kind == ProductKind::Subscription;
    let expected = if recurring { ProductPricing::Recurring } else { ProductPricing::OneTime };
    if req.pricing_model != expected {
        errors.add("pricing_model", format!("must be {} for kind {}", expected.as_str(), req.kind.as_str()));
    }
    check_amount(&mut errors, "amount_minor", req.amount_minor, 0);
    let currency = currency_of(&mut errors, req.currency.as_deref());
    let every = schedule(&mut errors, recurring, req.interval, req.interval_count);
    let trial = req.trial_days.unwrap_or(0);
    check_trial(&mut errors, "trial_days", trial, recurring);
    if let Some(url) = &req.image_url {
        check_url(&mut errors, "image_url", url, livemode);
    }
    if let Some(m) = &req.metadata {
        check_metadata(&mut errors, "metadata", m);
    }
    let terms = currency.map(|currency| fixed_or_free(currency, req.amount_minor, every, trial));
    match terms {
        Some(terms) if errors.is_empty() => Ok(terms),
        _ => Err(errors),
    }
}

/// A product's default price: fixed, or free at 0.
pub fn fixed_or_free(currency: Currency, amount: i64, recurring: Option<Recurring>, trial: i64) -> PriceTerms {
    let is_recurring = recurring.is_some();
    PriceTerms {
        currency,
        pricing_model: if amount == 0 { PricingModel::Free } else { PricingModel::Fixed },
        unit_amount: Some(amount),
        recurring,
        trial_period_days: is_recurring.then_some(trial),
        minimum_amount: None,
        maximum_amount: None,
        suggested_amount: None,
        preset_amounts: None,
    }
}

/// The checks of a product change (those that need the stored product are the caller's).
pub fn validate_product_change(req: &UpdateProduct, livemode: bool) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_optional_text(&mut errors, "name", req.name.as_deref(), NAME_MAX_CHARS);
    if let Some(Some(d)) = &req.description {
        check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
    }
    if let Some(amount) = req.amount_minor {
        check_amount(&mut errors, "amount_minor", amount, 0);
    }
    currency_of(&mut errors, req.currency.as_deref());
    if let Some(Some(url)) = &req.image_url {
        check_url(&mut errors, "image_url", url, livemode);
    }
    if let Some(m) = &req.metadata {
        check_metadata(&mut errors, "metadata", m);
    }
    errors.into_result(())
}

/// The default price's terms after a product change, checked against the product's kind.
pub fn changed_product_terms(product: &Product, req: &UpdateProduct) -> Result<Option<PriceTerms>, FieldErrors> {
    let touches = req.amount_minor.is_some()
        || req.currency.is_some()
        || req.interval.is_some()
        || req.interval_count.is_some()
        || req.trial_days.is_some();
    if !touches {
        return Ok(None);
    }
    let mut errors = FieldErrors::default();
    let recurring = product.kind == ProductKind::Subscription;
    let currency = currency_of(&mut errors, Some(req.currency.as_deref().unwrap_or(&product.currency)));
    let interval = req.interval.unwrap_or(product.interval);
    let count = req.interval_count.unwrap_or(product.interval_count).filter(|_| interval.is_some());
    let every = schedule(&mut errors, recurring, interval, count);
    let trial = req.trial_days.unwrap_or(product.trial_days);
    check_trial(&mut errors, "trial_days", trial, recurring);
    let Some(amount) = req.amount_minor.or(product.amount_minor) else {
        errors.add("amount_minor", "is required: this product's price is pay-what-you-want");
        return Err(errors);
    };
    match currency {
        Some(currency) if errors.is_empty() => Ok(Some(fixed_or_free(currency, amount, every, trial))),
        _ => Err(errors),
    }
}

/// The checks of a new price for `product` (its kind decides one-time or recurring).
pub fn validate_price(req: &CreatePrice, product: &Product) -> Result<PriceTerms, FieldErrors> {
    let mut errors = FieldErrors::default();
    let currency = currency_of(&mut errors, req.currency.as_deref());
    let price_type = req.price_type.unwrap_or(PriceType::OneTime);
    let subscription = product.kind == ProductKind::Subscription;
    if (price_type == PriceType::Recurring) != subscription {
        let want = if subscription { "recurring" } else { "one_time" };
        errors.add("type", format!("must be {want}: the product's kind is {}", product.kind.as_str()));
    }
    if product.is_archived {
        errors.add("product_id", "is archived: unarchive it to add prices");
    }
    let every = schedule(&mut errors, price_type == PriceType::Recurring, req.interval, req.interval_count);
    if let Some(days) = req.trial_period_days {
        check_trial(&mut errors, "trial_period_days", days, price_type == PriceType::Recurring);
    }
    let model = req.pricing_model.unwrap_or(PricingModel::Fixed);
    let choice = [
        ("minimum_amount", req.minimum_amount.is_some()),
        ("maximum_amount", req.maximum_amount.is_some()),
        ("suggested_amount", req.suggested_amount.is_some()),
        ("preset_amounts", req.preset_amounts.is_some()),
    ];
    if model != PricingModel::PayWhatYouWant {
        for (field, given) in choice {
            if given {
                errors.add(field, "is only for pay_what_you_want prices");
            }
        }
    }
    let unit_amount = match model {
        PricingModel::Fixed => match req.unit_amount {
            None => {
                errors.add("unit_amount", "is required for a fixed price");
                None
            }
            Some(amount) => {
                check_amount(&mut errors, "unit_amount", amount, 1);
                Some(amount)
            }
        },
        PricingModel::Free => {
            if req.unit_amount.is_some_and(|a| a != 0) {
                errors.add("unit_amount", "must be 0 or left out for a free price");
            }
            Some(0)
        }
        PricingModel::PayWhatYouWant => {
            if req.unit_amount.is_some() {
                errors.add("unit_amount", "is left out for pay_what_you_want: the customer chooses the amount");
            }
            if every.is_some() {
                errors.add("pricing_model", "pay_what_you_want prices are one-time only");
            }
            check_choice(&mut errors, req);
            None
        }
    };
    for (field, value) in [("name", &req.name), ("nickname", &req.nickname)] {
        check_optional_text(&mut errors, field, value.as_deref(), NAME_MAX_CHARS);
    }
    if let Some(d) = &req.description {
        check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
    }
    if let Some(key) = &req.lookup_key {
        check_key(&mut errors, "lookup_key", key);
    }
    if let Some(m) = &req.metadata {
        check_metadata(&mut errors, "metadata", m);
    }
    let is_recurring = every.is_some();
    match currency {
        Some(currency) if errors.is_empty() => Ok(PriceTerms {
            currency,
            pricing_model: model,
            unit_amount,
            recurring: every,
            trial_period_days: req.trial_period_days.or(is_recurring.then_some(0)),
            minimum_amount: (model == PricingModel::PayWhatYouWant).then(|| req.minimum_amount.unwrap_or(1)),
            maximum_amount: (model == PricingModel::PayWhatYouWant)
                .then(|| req.maximum_amount.unwrap_or(MAX_AMOUNT_MINOR)),
            suggested_amount: req.suggested_amount,
            preset_amounts: req.preset_amounts.clone(),
        }),
        _ => Err(errors),
    }
}

/// Pay-what-you-want bounds: 1 ≤ minimum ≤ suggested, presets ≤ maximum.
fn check_choice(errors: &mut FieldErrors, req: &CreatePrice) {
    let minimum = req.minimum_amount.unwrap_or(1);
    let maximum = req.maximum_amount.unwrap_or(MAX_AMOUNT_MINOR);
    if let Some(min) = req.minimum_amount {
        check_amount(errors, "minimum_amount", min, 1);
    }
    if let Some(max) = req.maximum_amount {
        check_amount(errors, "maximum_amount", max, 1);
        if max < minimum {
            errors.add("maximum_amount", "must not be below the minimum amount");
        }
    }
    let within = minimum..=maximum;
    if req.suggested_amount.is_some_and(|s| !within.contains(&s)) {
        errors.add("suggested_amount", "must be between the minimum and maximum amount");
    }
    if let Some(presets) = &req.preset_amounts {
        if presets.len() > MAX_PRESETS {
            errors.add("preset_amounts", format!("must have at most {MAX_PRESETS} amounts"));
        }
        for (i, amount) in presets.iter().enumerate() {
            if !within.contains(amount) {
                errors.add(format!("preset_amounts[{i}]"), "must be between the minimum and maximum amount");
            }
        }
    }
}

/// The checks of a price change (the stored price's own rules are the caller's).
pub fn validate_price_change(req: &UpdatePrice, price: &Price) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, value) in [("name", &req.name), ("nickname", &req.nickname)] {
        if let Some(Some(text)) = value {
            check_text(&mut errors, field, text, NAME_MAX_CHARS);
        }
    }
    if let Some(Some(d)) = &req.description {
        check_multiline(&mut errors, "description", d, DESCRIPTION_MAX_CHARS);
    }
    if let Some(Some(key)) = &req.lookup_key {
        check_key(&mut errors, "lookup_key", key);
    }
    if let Some(m) = &req.metadata {
        check_metadata(&mut errors, "metadata", m);
    }
    if let Some(amount) = req.unit_amount {
        if price.pricing_model == PricingModel::Fixed {
            check_amount(&mut errors, "unit_amount", amount, 1);
        } else {
            errors.add("unit_amount", format!("cannot be set on a {} price", price.pricing_model.as_str()));
        }
    }
    errors.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::parse_json_supporting;

    fn product(kind: ProductKind) -> CreateProduct {
        let recurring = kind == ProductKind::Subscription;
        CreateProduct {
            product_id: "tee".into(),
            name: "T-shirt".into(),
            kind,
            pricing_model: if recurring { ProductPricing::Recurring } else { ProductPricing::OneTime },
            amount_minor: 2500,
            interval: recurring.then_some(Interval::Month),
            ..CreateProduct::default()
        }
    }

    fn stored(kind: ProductKind) -> Product {
        let now = chrono::DateTime::UNIX_EPOCH;
        Product {
            id: Uuid::nil(),
            object: "product".into(),
            product_id: "tee".into(),
            name: "T-shirt".into(),
            description: None,
            kind,
            pricing_model: ProductPricing::OneTime,
            amount_minor: Some(2500),
            currency: "USD".into(),
            interval: None,
            interval_count: None,
            trial_days: 0,
            fulfillment_type: "none".into(),
            is_active: true,
            is_archived: false,
            image_url: None,
            metadata: BTreeMap::new(),
            default_price_id: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_product_makes_its_default_price() {
        let terms = validate_product(&product(ProductKind::OneTime), false).unwrap();
        assert_eq!((terms.pricing_model, terms.unit_amount, terms.recurring), (PricingModel::Fixed, Some(2500), None));
        let free = validate_product(&CreateProduct { amount_minor: 0, ..product(ProductKind::OneTime) }, false);
        assert_eq!(free.unwrap().pricing_model, PricingModel::Free);
        let monthly = validate_product(&product(ProductKind::Subscription), false).unwrap();
        assert_eq!(monthly.recurring, Some(Recurring { interval: Interval::Month, interval_count: 1 }));
    }

    #[test]
    fn product_rules_name_their_field() {
        let bad = CreateProduct {
            product_id: "has space".into(),
            pricing_model: ProductPricing::Recurring,
            amount_minor: -1,
            interval: Some(Interval::Month),
            trial_days: Some(7),
            ..product(ProductKind::OneTime)
        };
        let e = validate_product(&bad, false).unwrap_err();
        for field in ["product_id", "pricing_model", "amount_minor", "interval", "trial_days"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        let no_interval = CreateProduct { interval: None, ..product(ProductKind::Subscription) };
        assert_eq!(
            validate_product(&no_interval, false).unwrap_err().get("interval"),
            Some("is required for a recurring price")
        );
    }

    #[test]
    fn unsupported_vendor_fields_are_refused_by_name() {
        let body = br#"{"product_id":"a","name":"A","kind":"one_time","pricing_model":"one_time","amount_minor":1,
            "usage_meter_id":"m_1","fulfillment_type":"physical","end_behavior":"until_canceled","track_inventory":false}"#;
        let e = parse_json_supporting::<CreateProduct>(body, PRODUCT_UNSUPPORTED).unwrap_err();
        assert_eq!(e.get("usage_meter_id"), Some("is not supported by paylinks"));
        assert!(e.get("fulfillment_type").unwrap().contains("not supported"));
        // Defaults that ask for nothing pass.
        assert_eq!(e.get("end_behavior"), None);
        assert_eq!(e.get("track_inventory"), None);
        let e = parse_json_supporting::<CreateProduct>(br#"{"kind":"usage"}"#, PRODUCT_UNSUPPORTED).unwrap_err();
        assert!(e.get("kind").is_some());
        let body = br#"{"product_id":"00000000-0000-0000-0000-000000000000","unit_amount":5,"billing_scheme":"tiered","tiers":[]}"#;
        let e = parse_json_supporting::<CreatePrice>(body, PRICE_UNSUPPORTED).unwrap_err();
        assert!(e.get("billing_scheme").is_some() && e.get("tiers").is_some());
    }

    #[test]
    fn prices_follow_their_model_and_product() {
        let one_time = stored(ProductKind::OneTime);
        let fixed = CreatePrice { unit_amount: Some(900), ..CreatePrice::default() };
        assert_eq!(validate_price(&fixed, &one_time).unwrap().unit_amount, Some(900));
        let e = validate_price(&CreatePrice::default(), &one_time).unwrap_err();
        assert_eq!(e.get("unit_amount"), Some("is required for a fixed price"));
        let recurring =
            CreatePrice { price_type: Some(PriceType::Recurring), interval: Some(Interval::Month), ..fixed.clone() };
        assert!(validate_price(&recurring, &one_time).unwrap_err().get("type").is_some());
        let pwyw = CreatePrice {
            pricing_model: Some(PricingModel::PayWhatYouWant),
            minimum_amount: Some(500),
            maximum_amount: Some(10_000),
            suggested_amount: Some(1500),
            preset_amounts: Some(vec![500, 1000, 20_000]),
            ..CreatePrice::default()
        };
        let e = validate_price(&pwyw, &one_time).unwrap_err();
        assert_eq!(e.get("preset_amounts[2]"), Some("must be between the minimum and maximum amount"));
        let ok = CreatePrice { preset_amounts: Some(vec![500, 1000]), ..pwyw };
        let terms = validate_price(&ok, &one_time).unwrap();
        assert_eq!((terms.unit_amount, terms.minimum_amount, terms.maximum_amount), (None, Some(500), Some(10_000)));
        let free =
            CreatePrice { pricing_model: Some(PricingModel::Free), unit_amount: Some(3), ..CreatePrice::default() };
        assert!(validate_price(&free, &one_time).unwrap_err().get("unit_amount").is_some());
        let archived = Product { is_archived: true, ..one_time };
        assert!(validate_price(&fixed, &archived).unwrap_err().get("product_id").is_some());
    }
}
