//! Rules for the checkout settings a link carries (the Devdraft extension fields).

use crate::error::FieldErrors;
use crate::link::{
    AfterCompletion, CreatePaymentLink, CustomAmount, CustomField, CustomFieldType, LinkSettings, LinkType, TaxBehavior,
};
use crate::money::{MAX_AMOUNT_MINOR, TOO_LARGE};
use crate::rules::{check_multiline, check_text, check_url, DESCRIPTION_MAX_CHARS};

pub const MAX_CUSTOM_FIELDS: usize = 10;
pub const MAX_DROPDOWN_OPTIONS: usize = 20;
pub const CUSTOM_FIELD_KEY_MAX_CHARS: usize = 40;
pub const LABEL_MAX_CHARS: usize = 100;
pub const REFERENCE_MAX_CHARS: usize = 255;

/// Checks the extension fields of a create request and returns them as stored.
pub(crate) fn validate_settings(errors: &mut FieldErrors, req: &CreatePaymentLink, livemode: bool) -> LinkSettings {
    if let Some(description) = &req.description {
        check_multiline(errors, "description", description, DESCRIPTION_MAX_CHARS);
    }
    let cover_image_url =
        req.cover_image_url.as_deref().and_then(|url| check_url(errors, "cover_image_url", url, livemode));
    let link_type = req.link_type.unwrap_or_default();
    if let Some(amount) = &req.custom_amount {
        check_custom_amount(errors, amount);
        let priced = req.amount_minor.is_some()
            || req.line_items.as_ref().is_some_and(|i| !i.is_empty())
            || req.product_ids.as_ref().is_some_and(|p| !p.is_empty());
        if priced {
            errors.add("custom_amount", "cannot be combined with amount_minor, line_items or product_ids");
        }
        if req.mode.is_some_and(|m| m != crate::link::LinkMode::Custom) {
            errors.add("custom_amount", "is only allowed when mode is custom");
        }
    } else if link_type == LinkType::Donation {
        errors.add("custom_amount", "is required when link_type is donation");
    }
    let fields = req.custom_fields.clone().unwrap_or_default();
    if fields.len() > MAX_CUSTOM_FIELDS {
        errors.add("custom_fields", format!("must have at most {MAX_CUSTOM_FIELDS} fields"));
    }
    for (i, field) in fields.iter().enumerate() {
        check_custom_field(errors, &format!("custom_fields[{i}]"), field);
        if fields[..i].iter().any(|f| f.key == field.key) {
            errors.add(format!("custom_fields[{i}].key"), "is used by another field");
        }
    }
    if req.max_completions.is_some_and(|n| n < 1) {
        errors.add("max_completions", "must be at least 1 (leave it empty for no limit)");
    }
    let after_completion = req.after_completion.unwrap_or(if req.success_url.is_some() {
        AfterCompletion::Redirect
    } else {
        AfterCompletion::Confirmation
    });
    if after_completion == AfterCompletion::Redirect && req.success_url.is_none() {
        errors.add("after_completion", "redirect needs a success_url");
    }
    for (field, message) in
        [("confirmation_message", &req.confirmation_message), ("inactive_message", &req.inactive_message)]
    {
        if let Some(message) = message {
            check_multiline(errors, field, message, DESCRIPTION_MAX_CHARS);
        }
    }
    for (field, value) in [
        ("customer_id", &req.customer_id),
        ("external_reference", &req.external_reference),
        ("tax_rate_id", &req.tax_rate_id),
    ] {
        if let Some(value) = value {
            check_text(errors, field, value, REFERENCE_MAX_CHARS);
        }
    }
    if req.tax_rate_id.is_some() && req.tax_behavior.unwrap_or_default() == TaxBehavior::Unspecified {
        errors.add("tax_rate_id", "needs tax_behavior exclusive or inclusive (the link must collect tax)");
    }
    LinkSettings {
        link_type,
        description: req.description.clone(),
        cover_image_url,
        allow_quantity_adjustment: req.allow_quantity_adjustment.unwrap_or(false),
        custom_amount: req.custom_amount,
        collect_address: req.collect_address.unwrap_or(false),
        collect_phone: req.collect_phone.unwrap_or(false),
        custom_fields: fields,
        after_completion,
        confirmation_message: req.confirmation_message.clone(),
        inactive_message: req.inactive_message.clone(),
        customer_id: req.customer_id.clone(),
        external_reference: req.external_reference.clone(),
        tax_rate_id: req.tax_rate_id.clone(),
        allow_mobile_payment: req.allow_mobile_payment.unwrap_or(false),
        allow_business_tax_id: req.allow_business_tax_id.unwrap_or(false),
        create_invoice_pdf: req.create_invoice_pdf.unwrap_or(false),
    }
}

fn check_custom_amount(errors: &mut FieldErrors, amount: &CustomAmount) {
    if amount.minimum < 1 {
        errors.add("custom_amount.minimum", "must be more than zero");
    } else if amount.minimum > MAX_AMOUNT_MINOR {
        errors.add("custom_amount.minimum", TOO_LARGE);
    }
    if amount.maximum < amount.minimum {
        errors.add("custom_amount.maximum", "must not be below the minimum");
    } else if amount.maximum > MAX_AMOUNT_MINOR {
        errors.add("custom_amount.maximum", TOO_LARGE);
    }
    if amount.preset.is_some_and(|p| !(amount.minimum..=amount.maximum).contains(&p)) {
        errors.add("custom_amount.preset", "must be between minimum and maximum");
    }
}

fn check_custom_field(errors: &mut FieldErrors, path: &str, field: &CustomField) {
    let key_ok = (1..=CUSTOM_FIELD_KEY_MAX_CHARS).contains(&field.key.len())
        && field.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !key_ok {
        errors
            .add(format!("{path}.key"), format!("must be 1 to {CUSTOM_FIELD_KEY_MAX_CHARS} of a-z, A-Z, 0-9, _ and -"));
    }
    check_text(errors, &format!("{path}.label"), &field.label, LABEL_MAX_CHARS);
    match field.field_type {
        CustomFieldType::Dropdown => {
            if !(1..=MAX_DROPDOWN_OPTIONS).contains(&field.options.len()) {
                errors.add(format!("{path}.options"), format!("a dropdown needs 1 to {MAX_DROPDOWN_OPTIONS} choices"));
            }
            for (i, option) in field.options.iter().enumerate() {
                check_text(errors, &format!("{path}.options[{i}]"), option, LABEL_MAX_CHARS);
                if field.options[..i].contains(option) {
                    errors.add(format!("{path}.options[{i}]"), "is listed twice");
                }
            }
        }
        CustomFieldType::Text | CustomFieldType::Number if !field.options.is_empty() => {
            errors.add(format!("{path}.options"), "choices are only for a dropdown question");
        }
        _ => {}
    }
}
