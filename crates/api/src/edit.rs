//! The rules for changing an existing link, for every route that edits one (v0's `PUT` now, the
//! v2 edit route later): the link as a create request (`request_of`), changed, passes every rule
//! a new link must (`validate_create`), and then the edit rules (`validate_edit`): what has taken
//! money keeps its price, and the cap never drops below the payments already made.

use crate::error::FieldErrors;
use crate::link::{CreatePaymentLink, LineItemInput, PaymentLink, PriceData, ProductData};
use crate::validate::{validate_create, Catalog, Context, NewPaymentLink};

/// Why an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefusal {
    /// 400: the changed link breaks a rule.
    Invalid(FieldErrors),
    /// 409: these fields cannot change any more (the link has taken payments).
    Locked(FieldErrors),
}

/// The create request that would make `link` as it is now. Line items from the catalogue keep
/// their price; ad-hoc ones are written out as `price_data`.
pub fn request_of(link: &PaymentLink) -> CreatePaymentLink {
    let s = &link.settings;
    let line_items = link.line_items.iter().map(|item| LineItemInput {
        price: item.price_id,
        price_data: item.price_id.is_none().then(|| PriceData {
            currency: Some(item.product_details.currency.clone()),
            unit_amount: item.product_details.unit_amount,
            product_data: Some(ProductData {
                name: item.product_details.name.clone(),
                description: item.product_details.description.clone(),
                images: None,
                metadata: None,
            }),
            product: None,
            recurring: item.product_details.recurring.clone(),
            tax_behavior: None,
        }),
        quantity: Some(item.quantity),
        merchant_reference: item.merchant_reference.clone(),
    });
    let some = |flag: bool| Some(flag);
    CreatePaymentLink {
        name: Some(link.name.clone()),
        slug: link.slug.clone(),
        mode: Some(link.mode),
        status: None,
        // Items carry the amount themselves (it is their total).
        amount_minor: if link.line_items.is_empty() { link.amount_minor } else { None },
        currency: Some(link.currency.clone()),
        invoice_id: link.invoice_id,
        subscription_id: link.subscription_id,
        product_ids: (!link.product_ids.is_empty()).then(|| link.product_ids.clone()),
        line_items: (!link.line_items.is_empty()).then(|| line_items.collect()),
        success_url: link.success_url.clone(),
        cancel_url: link.cancel_url.clone(),
        redirect_url: link.redirect_url.clone(),
        collect_shipping: some(link.collect_shipping),
        allow_promotion_codes: some(link.allow_promotion_codes),
        tax_behavior: Some(link.tax_behavior),
        metadata: Some(link.metadata.clone()),
        expires_at: link.expires_at,
        selection_mode: Some(link.selection_mode),
        default_product_id: link.default_product_id,
        highlighted_product_id: link.highlighted_product_id,
        idempotency_key: None,
        link_type: Some(s.link_type),
        description: s.description.clone(),
        cover_image_url: s.cover_image_url.clone(),
        allow_quantity_adjustment: some(s.allow_quantity_adjustment),
        custom_amount: s.custom_amount,
        collect_address: some(s.collect_address),
        collect_phone: some(s.collect_phone),
        custom_fields: Some(s.custom_fields.clone()),
        max_completions: link.max_completions,
        after_completion: Some(s.after_completion),
        confirmation_message: s.confirmation_message.clone(),
        inactive_message: s.inactive_message.clone(),
        customer_id: s.customer_id.clone(),
        external_reference: s.external_reference.clone(),
        tax_rate_id: s.tax_rate_id.clone(),
        allow_mobile_payment: some(s.allow_mobile_payment),
        allow_business_tax_id: some(s.allow_business_tax_id),
        create_invoice_pdf: some(s.create_invoice_pdf),
    }
}

/// Checks `changed` (a request made from `request_of(before)` and then changed) as an edit of
/// `before`, and returns the link as it will be stored.
pub fn validate_edit(
    before: &PaymentLink,
    changed: &CreatePaymentLink,
    ctx: &Context,
    catalog: &Catalog,
) -> Result<NewPaymentLink, EditRefusal> {
    // An expiry left as it was may have passed already; only a new one must be in the future.
    let keeps_expiry = changed.expires_at == before.expires_at;
    let mut request = changed.clone();
    if keeps_expiry {
        request.expires_at = None;
    }
    let mut after = validate_create(&request, ctx, catalog).map_err(EditRefusal::Invalid)?;
    if keeps_expiry {
        after.expires_at = before.expires_at;
    }
    if after.max_completions.is_some_and(|cap| cap < before.completed_count) {
        let paid = before.completed_count;
        return Err(EditRefusal::Invalid(FieldErrors::single(
            "max_completions",
            format!("must not be below the {paid} payments already made"),
        )));
    }
    let mut locked = FieldErrors::default();
    for field in pricing_changes(before, &after) {
        if before.completed_count > 0 {
            locked.add(field, "cannot change once the link has taken payments; duplicate it instead");
        }
    }
    if !locked.is_empty() {
        return Err(EditRefusal::Locked(locked));
    }
    keep_item_ids(before, &mut after);
    Ok(after)
}

/// The pricing fields `after` changes: what a customer who paid was charged for.
fn pricing_changes(before: &PaymentLink, after: &NewPaymentLink) -> Vec<&'static str> {
    let items_before: Vec<_> = before.line_items.iter().map(|i| (i.price_id, i.quantity, &i.product_details)).collect();
    let items_after: Vec<_> = after.line_items.iter().map(|i| (i.price_id, i.quantity, &i.product_details)).collect();
    [
        ("amount_minor", before.amount_minor != after.amount_minor),
        ("currency", before.currency != after.currency.code()),
        ("line_items", items_before != items_after),
        ("product_ids", before.product_ids != after.product_ids),
        ("custom_amount", before.settings.custom_amount != after.settings.custom_amount),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

/// Line items that did not change keep their product ids (an ad-hoc item written out as
/// `price_data` would otherwise get a new one).
fn keep_item_ids(before: &PaymentLink, after: &mut NewPaymentLink) {
    for (old, new) in before.line_items.iter().zip(after.line_items.iter_mut()) {
        if new.product_id.is_none() && old.is_adhoc && old.product_details == new.product_details {
            new.product_id = Some(old.product_id);
        }
    }
}

/// The top-level attributes of `before` whose values differ in `after`, as they were (an
/// update event's `previous_attributes`).
pub fn previous_attributes(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else { return before.clone() };
    let changed = before.iter().filter(|(key, value)| after.get(*key) != Some(value));
    serde_json::Value::Object(changed.map(|(k, v)| (k.clone(), v.clone())).collect())
}
