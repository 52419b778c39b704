//! The rules a create request must satisfy, shared by the server and the dashboard's form.
//! `validate_create` parses a request into a `NewPaymentLink` or returns every problem at once.

use crate::catalog::PricingModel;
use crate::currency::Currency;
use crate::error::FieldErrors;
use crate::link::{
    CreatePaymentLink, InitialStatus, LineItemInput, LinkMode, LinkSettings, ProductDetails, Recurring, SelectionMode,
    TaxBehavior,
};
use crate::money::{MAX_AMOUNT_MINOR, TOO_LARGE};
use crate::rules::{
    check_metadata, check_multiline, check_recurring, check_text, check_url, is_valid_idempotency_key, is_valid_slug,
    DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS,
};
use crate::status::LinkStatus;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub const MAX_LINE_ITEMS: usize = 20;
pub const MERCHANT_REFERENCE_MAX_CHARS: usize = 255;

/// Facts about the caller that some rules depend on.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Live objects may not point at http://localhost.
    pub livemode: bool,
    pub now: DateTime<Utc>,
}

/// Catalogue entries the request refers to, looked up by the caller (the server) beforehand.
/// An id missing here is reported as unknown.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub prices: HashMap<Uuid, CatalogPrice>,
    pub products: HashMap<Uuid, CatalogProduct>,
}

#[derive(Debug, Clone)]
pub struct CatalogPrice {
    pub product_id: Uuid,
    pub unit_amount: i64,
    pub currency: String,
    pub recurring: Option<Recurring>,
    pub pricing_model: PricingModel,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct CatalogProduct {
    pub name: String,
    pub description: Option<String>,
    /// Archived or inactive: kept by the links that sell it, refused on new ones.
    pub archived: bool,
}

/// A create request that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPaymentLink {
    pub name: String,
    pub slug: Option<String>,
    pub mode: LinkMode,
    pub status: LinkStatus,
    pub amount_minor: Option<i64>,
    pub currency: Currency,
    pub invoice_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    pub product_ids: Vec<Uuid>,
    pub line_items: Vec<NewLineItem>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub redirect_url: Option<String>,
    pub collect_shipping: bool,
    pub allow_promotion_codes: bool,
    pub tax_behavior: TaxBehavior,
    pub metadata: BTreeMap<String, String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub selection_mode: SelectionMode,
    pub default_product_id: Option<Uuid>,
    pub highlighted_product_id: Option<Uuid>,
    pub settings: LinkSettings,
    pub max_completions: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewLineItem {
    /// `None` for an ad-hoc product that the store gives a fresh id.
    pub product_id: Option<Uuid>,
    pub price_id: Option<Uuid>,
    pub quantity: i64,
    pub merchant_reference: Option<String>,
    pub is_adhoc: bool,
    pub product_details: ProductDetails,
}

impl CreatePaymentLink {
    /// Price and product ids the request refers to, for the caller to look up.
    pub fn referenced_ids(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        let items = self.line_items.iter().flatten();
        let prices = items.clone().filter_map(|i| i.price).collect();
        let mut products: Vec<Uuid> = self.product_ids.iter().flatten().copied().collect();
        products.extend(items.filter_map(|i| i.price_data.as_ref()?.product));
        (prices, products)
    }
}

/// Checks every rule of the contract and returns the parsed link, or all the problems found.
pub fn validate_create(
    req: &CreatePaymentLink,
    ctx: &Context,
    catalog: &Catalog,
) -> Result<NewPaymentLink, FieldErrors> {
    let mut errors = FieldErrors::default();

    let name = match req.name.as_deref() {
        None => {
            errors.add("name", "is required");
            String::new()
        }
        Some(name) => {
            check_text(&mut errors, "name", name, NAME_MAX_CHARS);
            name.to_string()
        }
    };
    if let Some(slug) = &req.slug {
        if !is_valid_slug(slug) {
            errors.add(
                "slug",
                "must start with a lowercase letter or digit and contain only a-z, 0-9 and hyphens (at most 64)",
            );
        }
    }
    if let Some(amount) = req.amount_minor {
        check_amount(&mut errors, "amount_minor", amount);
    }
    let explicit_currency = req.currency.as_deref().and_then(|code| {
        let parsed = Currency::parse(code);
        if parsed.is_none() {
            errors.add("currency", "is not a supported ISO 4217 currency code");
        }
        parsed
    });

    let mode = req.mode.unwrap_or_default();
    check_mode_fields(&mut errors, req, mode);

    let line_items: Vec<NewLineItem> = req
        .line_items
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, item)| line_item(&mut errors, &format!("line_items[{i}]"), item, ctx, catalog))
        .collect();
    if req.line_items.as_ref().is_some_and(|items| items.len() > MAX_LINE_ITEMS) {
        errors.add("line_items", format!("must have at most {MAX_LINE_ITEMS} items"));
    }

    // The link's currency: explicit, else the first item's, else USD; every item must match it.
    let currency = explicit_currency
        .or_else(|| line_items.first().and_then(|i| Currency::parse(&i.product_details.currency)))
        .unwrap_or(Currency::USD);
    for (i, item) in line_items.iter().enumerate() {
        if item.product_details.currency != currency.code() {
            errors.add(format!("line_items[{i}].currency"), format!("must match the link currency {currency}"));
        }
    }
    // One renewal per checkout, as card processors bill it (Stripe Checkout requires one interval).
    let schedule = line_items.iter().find_map(|i| i.product_details.recurring.as_ref());
    for (i, item) in line_items.iter().enumerate() {
        if item.product_details.recurring.as_ref().is_some_and(|r| Some(r) != schedule) {
            errors.add(format!("line_items[{i}]"), "must renew on the same schedule as the other recurring items");
        }
    }
    let amount_minor = line_items_total(&mut errors, &line_items, req.amount_minor);

    if mode == LinkMode::Custom
        && req.amount_minor.is_none()
        && req.line_items.as_ref().is_none_or(Vec::is_empty)
        && req.product_ids.as_ref().is_none_or(Vec::is_empty)
        && req.custom_amount.is_none()
    {
        errors.add("amount_minor", "a custom link needs amount_minor, line_items, product_ids or custom_amount");
    }
    if mode == LinkMode::Subscription
        && req.subscription_id.is_none()
        && !line_items.iter().any(|i| i.product_details.recurring.is_some())
    {
        errors.add("subscription_id", "is required for a subscription unless a line item renews (has recurring)");
    }

    let product_ids = req.product_ids.clone().unwrap_or_default();
    for (i, id) in product_ids.iter().enumerate() {
        if !catalog.products.contains_key(id) {
            errors.add(format!("product_ids[{i}]"), format!("no such product: {id}"));
        } else if catalog.products[id].archived {
            errors.add(format!("product_ids[{i}]"), "is archived and cannot be added to new links");
        } else if product_ids[..i].contains(id) {
            errors.add(format!("product_ids[{i}]"), "is listed twice");
        }
    }
    let selection_mode = req.selection_mode.unwrap_or_default();
    let attached = |id: &Uuid| product_ids.contains(id) || line_items.iter().any(|i| i.product_id == Some(*id));
    for (field, value) in
        [("default_product_id", req.default_product_id), ("highlighted_product_id", req.highlighted_product_id)]
    {
        let Some(id) = value else { continue };
        if selection_mode != SelectionMode::SingleSelect {
            errors.add(field, "is only allowed when selection_mode is single_select");
        } else if !attached(&id) {
            errors.add(field, "must name a product attached to this link");
        }
    }

    let mut stored_url = |field: &str, value: &Option<String>| {
        value.as_deref().and_then(|url| check_url(&mut errors, field, url, ctx.livemode))
    };
    let success_url = stored_url("success_url", &req.success_url);
    let cancel_url = stored_url("cancel_url", &req.cancel_url);
    let redirect_url = stored_url("redirect_url", &req.redirect_url);
    let metadata = req.metadata.clone().unwrap_or_default();
    check_metadata(&mut errors, "metadata", &metadata);
    if req.expires_at.is_some_and(|at| at <= ctx.now) {
        errors.add("expires_at", "must be in the future");
    }
    if let Some(key) = &req.idempotency_key {
        if !is_valid_idempotency_key(key) {
            errors.add("idempotency_key", "must be 1 to 255 printable ASCII characters");
        }
    }

    let settings = crate::settings::validate_settings(&mut errors, req, ctx.livemode);

    errors.into_result(NewPaymentLink {
        name,
        slug: req.slug.clone(),
        mode,
        status: match req.status {
            Some(InitialStatus::Draft) => LinkStatus::Draft,
            _ => LinkStatus::Active,
        },
        amount_minor,
        currency,
        invoice_id: req.invoice_id,
        subscription_id: req.subscription_id,
        product_ids,
        line_items,
        success_url,
        cancel_url,
        redirect_url,
        collect_shipping: req.collect_shipping.unwrap_or(false),
        allow_promotion_codes: req.allow_promotion_codes.unwrap_or(true),
        tax_behavior: req.tax_behavior.unwrap_or_default(),
        metadata,
        expires_at: req.expires_at,
        selection_mode,
        default_product_id: req.default_product_id,
        highlighted_product_id: req.highlighted_product_id,
        settings,
        max_completions: req.max_completions,
    })
}

fn check_mode_fields(errors: &mut FieldErrors, req: &CreatePaymentLink, mode: LinkMode) {
    match (mode, req.invoice_id) {
        (LinkMode::Invoice, None) => errors.add("invoice_id", "is required when mode is invoice"),
        (LinkMode::Custom | LinkMode::Subscription, Some(_)) => {
            errors.add("invoice_id", "is only allowed when mode is invoice")
        }
        _ => {}
    }
    if mode != LinkMode::Subscription && req.subscription_id.is_some() {
        errors.add("subscription_id", "is only allowed when mode is subscription");
    }
}

/// The sum of the line items; it becomes `amount_minor`, which must agree when also given.
fn line_items_total(errors: &mut FieldErrors, items: &[NewLineItem], amount: Option<i64>) -> Option<i64> {
    if items.is_empty() {
        return amount;
    }
    let total = items
        .iter()
        .try_fold(0i64, |sum, item| item.product_details.unit_amount.checked_mul(item.quantity)?.checked_add(sum));
    match total {
        // Free catalogue prices may ride along with paid items, but a link never sells nothing
        // (an ad-hoc item of 0 has said so on its own line).
        Some(0) if items.iter().all(|i| !i.is_adhoc) => {
            errors.add("line_items", "add up to nothing: free links are not supported");
            None
        }
        Some(total) if total <= MAX_AMOUNT_MINOR => {
            if amount.is_some_and(|a| a != total) {
                errors.add("amount_minor", format!("must equal the line items total ({total}) or be left out"));
            }
            Some(total)
        }
        _ => {
            errors.add("line_items", "add up to more than a single payment may be");
            None
        }
    }
}

fn line_item(
    errors: &mut FieldErrors,
    field: &str,
    item: &LineItemInput,
    ctx: &Context,
    catalog: &Catalog,
) -> Option<NewLineItem> {
    let quantity = item.quantity.unwrap_or(1);
    if quantity < 1 {
        errors.add(format!("{field}.quantity"), "must be at least 1");
    }
    if let Some(reference) = &item.merchant_reference {
        check_text(errors, &format!("{field}.merchant_reference"), reference, MERCHANT_REFERENCE_MAX_CHARS);
    }
    let (product_id, price_id, is_adhoc, details) = match (&item.price, &item.price_data) {
        (Some(price_id), None) => {
            let Some(price) = catalog.prices.get(price_id) else {
                errors.add(format!("{field}.price"), format!("no such price: {price_id}"));
                return None;
            };
            let product = catalog.products.get(&price.product_id);
            let refusal = if !price.active || product.is_some_and(|p| p.archived) {
                Some("is archived and cannot be added to new links")
            } else if price.pricing_model == PricingModel::PayWhatYouWant {
                Some("is pay-what-you-want: sell it with custom_amount (its minimum, maximum and suggested amount)")
            } else {
                None
            };
            if let Some(message) = refusal {
                errors.add(format!("{field}.price"), message);
                return None;
            }
            let details = ProductDetails {
                name: product.map_or_else(String::new, |p| p.name.clone()),
                description: product.and_then(|p| p.description.clone()),
                unit_amount: price.unit_amount,
                currency: price.currency.clone(),
                recurring: price.recurring.clone(),
            };
            (Some(price.product_id), Some(*price_id), false, details)
        }
        (None, Some(data)) => {
            let field = format!("{field}.price_data");
            check_amount(errors, &format!("{field}.unit_amount"), data.unit_amount);
            let currency = match data.currency.as_deref().map(Currency::parse) {
                None => Some(Currency::USD),
                Some(None) => {
                    errors.add(format!("{field}.currency"), "is not a supported ISO 4217 currency code");
                    None
                }
                Some(found) => found,
            };
            if let Some(recurring) = &data.recurring {
                check_recurring(errors, &format!("{field}.recurring.interval_count"), recurring);
            }
            let (name, description) = match (&data.product, &data.product_data) {
                (Some(id), None) => match catalog.products.get(id) {
                    Some(p) if p.archived => {
                        errors.add(format!("{field}.product"), "is archived and cannot be added to new links");
                        return None;
                    }
                    Some(p) => (p.name.clone(), p.description.clone()),
                    None => {
                        errors.add(format!("{field}.product"), format!("no such product: {id}"));
                        return None;
                    }
                },
                (None, Some(pd)) => {
                    check_text(errors, &format!("{field}.product_data.name"), &pd.name, NAME_MAX_CHARS);
                    if let Some(d) = &pd.description {
                        check_multiline(errors, &format!("{field}.product_data.description"), d, DESCRIPTION_MAX_CHARS);
                    }
                    for (i, url) in pd.images.iter().flatten().enumerate() {
                        check_url(errors, &format!("{field}.product_data.images[{i}]"), url, ctx.livemode);
                    }
                    if let Some(m) = &pd.metadata {
                        check_metadata(errors, &format!("{field}.product_data.metadata"), m);
                    }
                    (pd.name.clone(), pd.description.clone())
                }
                _ => {
                    errors.add(field, "needs exactly one of product or product_data");
                    return None;
                }
            };
            let details = ProductDetails {
                name,
                description,
                unit_amount: data.unit_amount,
                currency: currency?.code().to_string(),
                recurring: data.recurring.clone(),
            };
            (data.product, None, true, details)
        }
        _ => {
            errors.add(field.to_string(), "needs exactly one of price or price_data");
            return None;
        }
    };
    Some(NewLineItem {
        product_id,
        price_id,
        quantity,
        merchant_reference: item.merchant_reference.clone(),
        is_adhoc,
        product_details: details,
    })
}

/// Every amount a customer can be charged is more than zero: a card is never asked for nothing
/// (free links are refused, not "paid"; see the README's contract decisions).
fn check_amount(errors: &mut FieldErrors, field: &str, amount: i64) {
    if amount < 1 {
        errors.add(field, "must be more than zero (free links are not supported)");
    } else if amount > MAX_AMOUNT_MINOR {
        errors.add(field, TOO_LARGE);
    }
}
