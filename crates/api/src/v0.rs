//! Devdraft's `/api/v0/payment-links` (the second seed API) as a translation of the v2 model, in
//! one place each way: `create_request` and `edit_request` turn a v0 body into a v2 create request
//! (which then passes the same rules as any other link), `V0PaymentLink::of` shows a v2 link the
//! Devdraft way, and `v0_errors` names the fields of v2's answers as a v0 client sent them.
//! Amounts are decimals in major units, read from the JSON text itself (never a float).

use crate::currency::Currency;
use crate::edit::request_of;
use crate::error::{ErrorBody, FieldErrors};
use crate::link::{
    AfterCompletion, CreatePaymentLink, CustomAmount, CustomField, Interval, LineItemInput, LinkMode, LinkType,
    PaymentLink, PriceData, ProductData, Recurring, TaxBehavior,
};
use crate::list::ListQuery;
use crate::money::{minor_to_major_string, parse_scaled, MAX_AMOUNT_MINOR};
use crate::rules::is_valid_slug;
use crate::status::LinkStatus;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const TITLE_MIN_CHARS: usize = 3;
pub const TITLE_MAX_CHARS: usize = 100;
/// `take` of the list when none is given (at most `list::MAX_LIMIT`).
pub const DEFAULT_TAKE: i64 = 10;

/// Declares an enum spelled in capitals on the wire, as Devdraft spells its enums.
macro_rules! upper_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($variant),* }
    };
}

upper_enum! {
    /// What a link sells; only DONATION changes the checkout (the customer chooses the amount).
    pub enum V0LinkType { Invoice, Product, Collection, Subscription, Donation }
}

upper_enum! {
    /// How often a link's payment renews. BI_WEEKLY is every two weeks, BI_MONTHLY every two months.
    pub enum RecurringType { OneTime, Weekly, BiWeekly, Monthly, BiMonthly, Quarterly, Annually }
}

upper_enum! {
    /// After paying: our confirmation page, or a redirect to `successUrl`.
    pub enum ConfirmationPage { Show, Redirect }
}

upper_enum! {
    /// A link's status as v0 names it: paused and draft links are INACTIVE; expired, sold-out
    /// and archived ones are EXPIRED.
    pub enum V0Status { Active, Inactive, Expired }
}

impl From<V0LinkType> for LinkType {
    fn from(t: V0LinkType) -> LinkType {
        match t {
            V0LinkType::Invoice => LinkType::Invoice,
            V0LinkType::Product => LinkType::Product,
            V0LinkType::Collection => LinkType::Collection,
            V0LinkType::Subscription => LinkType::Subscription,
            V0LinkType::Donation => LinkType::Donation,
        }
    }
}

impl From<LinkType> for V0LinkType {
    fn from(t: LinkType) -> V0LinkType {
        match t {
            LinkType::Invoice => V0LinkType::Invoice,
            LinkType::Product => V0LinkType::Product,
            LinkType::Collection => V0LinkType::Collection,
            LinkType::Subscription => V0LinkType::Subscription,
            LinkType::Donation => V0LinkType::Donation,
        }
    }
}

/// Every schedule v0 can name, as v2 writes it.
const SCHEDULES: [(RecurringType, Interval, i64); 6] = [
    (RecurringType::Weekly, Interval::Week, 1),
    (RecurringType::BiWeekly, Interval::Week, 2),
    (RecurringType::Monthly, Interval::Month, 1),
    (RecurringType::BiMonthly, Interval::Month, 2),
    (RecurringType::Quarterly, Interval::Month, 3),
    (RecurringType::Annually, Interval::Year, 1),
];

impl RecurringType {
    /// The v2 schedule, or `None` for ONE_TIME.
    pub fn recurring(self) -> Option<Recurring> {
        let (_, interval, interval_count) = SCHEDULES.into_iter().find(|(t, _, _)| *t == self)?;
        Some(Recurring { interval, interval_count })
    }

    /// The name of a v2 schedule (`None`: one v0 has no name for, like every 3 days).
    pub fn of(recurring: Option<&Recurring>) -> Option<RecurringType> {
        let Some(r) = recurring else { return Some(RecurringType::OneTime) };
        SCHEDULES.into_iter().find(|(_, i, n)| (*i, *n) == (r.interval, r.interval_count)).map(|(t, _, _)| t)
    }
}

impl From<LinkStatus> for V0Status {
    fn from(status: LinkStatus) -> V0Status {
        match status {
            LinkStatus::Active => V0Status::Active,
            LinkStatus::Draft | LinkStatus::Inactive => V0Status::Inactive,
            LinkStatus::Expired | LinkStatus::Completed | LinkStatus::Archived => V0Status::Expired,
        }
    }
}

/// One product of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct V0Product {
    pub product_id: Uuid,
    /// Only 1: with `allowQuantityAdjustment` the customer chooses how many.
    pub quantity: Option<i64>,
}

/// Body of `POST /api/v0/payment-links` and of `PUT /api/v0/payment-links/{id}` (where every
/// field is optional and an absent or null one stays as it is). Required on create: `title`,
/// `url`, `linkType`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct V0LinkInput {
    /// 3 to 100 characters.
    pub title: Option<String>,
    /// The link's slug: `^[a-z0-9][a-z0-9-]{0,63}$`, unique per merchant and mode (paths, dots,
    /// underscores and full URLs are refused).
    pub url: Option<String>,
    /// Markdown, at most 500 characters.
    pub description: Option<String>,
    pub cover_image: Option<String>,
    /// Cannot change once created.
    pub link_type: Option<V0LinkType>,
    /// Decimal in major units, at least one minor unit (0.01 USDC); for DONATION the suggested amount.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub amount: Option<Box<RawValue>>,
    pub payment_for_id: Option<String>,
    /// Default ONE_TIME.
    pub recurring_type: Option<RecurringType>,
    pub customer_id: Option<String>,
    pub payment_link_products: Option<Vec<V0Product>>,
    /// Only false (a link for the whole catalogue is not supported yet).
    pub is_for_all_product: Option<bool>,
    /// Default true.
    pub allow_quantity_adjustment: Option<bool>,
    pub collect_tax: Option<bool>,
    /// Needs `collectTax`.
    pub tax_id: Option<String>,
    pub collect_address: Option<bool>,
    pub require_phone_number: Option<bool>,
    pub limit_payments: Option<bool>,
    /// A whole number, at least 1; needs `limitPayments`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub max_payments: Option<Box<RawValue>>,
    /// At most 10 questions: `[{key, label, type: text|number|dropdown, required, options}]`.
    pub custom_fields: Option<Vec<CustomField>>,
    pub allow_business_tax_id: Option<bool>,
    pub allow_mobile_payment: Option<bool>,
    /// Default SHOW; REDIRECT needs `successUrl`.
    pub confirmation_page: Option<ConfirmationPage>,
    pub create_invoice_pdf: Option<bool>,
    /// Default usdc; any supported currency code, in any case.
    pub currency: Option<String>,
    /// In the future; RFC 3339, or a date and time without offset read as UTC.
    #[serde(rename = "expiration_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expiration_date: Option<String>,
    /// paylinks extension: where REDIRECT sends the customer after paying.
    pub success_url: Option<String>,
}

/// A payment link as v0 shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct V0PaymentLink {
    /// The v2 id.
    pub id: Uuid,
    pub title: String,
    /// The full checkout URL.
    pub url: String,
    /// paylinks extension: the slug the link was created with (v0's request `url`).
    pub slug: Option<String>,
    pub description: Option<String>,
    pub cover_image: Option<String>,
    pub link_type: V0LinkType,
    /// Decimal in major units; null when the customer chooses and nothing is suggested.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub amount: Option<Box<RawValue>>,
    /// Lower case (`usdc`, `usd`).
    pub currency: String,
    pub payment_for_id: Option<String>,
    /// Null for a schedule v0 has no name for (set through v2).
    pub recurring_type: Option<RecurringType>,
    pub customer_id: Option<String>,
    pub payment_link_products: Vec<V0Product>,
    pub is_for_all_product: bool,
    pub allow_quantity_adjustment: bool,
    pub collect_tax: bool,
    pub tax_id: Option<String>,
    pub collect_address: bool,
    pub require_phone_number: bool,
    pub limit_payments: bool,
    pub max_payments: Option<i64>,
    pub custom_fields: Vec<CustomField>,
    pub allow_business_tax_id: bool,
    pub allow_mobile_payment: bool,
    pub confirmation_page: ConfirmationPage,
    pub create_invoice_pdf: bool,
    #[serde(rename = "expiration_date")]
    pub expiration_date: Option<DateTime<Utc>>,
    pub status: V0Status,
    /// paylinks extension: successful payments so far.
    pub payments_count: i64,
    pub success_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Devdraft's error body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct V0Error {
    pub status_code: u16,
    pub message: String,
    /// The HTTP reason phrase ("Bad Request").
    pub error: String,
    /// paylinks extension: the messages per field of a validation error.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
}

impl V0Error {
    /// `body` (a v2 error answered with `status`) in Devdraft's shape.
    pub fn of(status: u16, reason: &str, body: &ErrorBody) -> V0Error {
        let fields = body.field_errors().iter().map(|(f, ms)| (f.to_string(), ms.to_vec())).collect();
        V0Error { status_code: status, message: body.message.clone(), error: reason.to_string(), fields }
    }
}

/// The list's page from `skip` and `take` (v2's `offset` and `limit`, under the same rules).
pub fn list_query(query: &str) -> Result<ListQuery, FieldErrors> {
    let mut take_given = false;
    let pairs = url::form_urlencoded::parse(query.as_bytes()).filter_map(|(key, value)| match &*key {
        "skip" => Some(("offset", value)),
        "take" => {
            take_given = true;
            Some(("limit", value))
        }
        _ => None,
    });
    let v2_query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let mut filter = ListQuery::parse(&v2_query)
        .map_err(|errors| errors.rename(|field| if field == "offset" { "skip" } else { "take" }.to_string()))?;
    if !take_given {
        filter.limit = DEFAULT_TAKE;
    }
    Ok(filter)
}

/// A decimal JSON number, written exactly.
fn decimal(minor: i64, currency: Currency) -> Box<RawValue> {
    RawValue::from_string(minor_to_major_string(minor, currency)).expect("a decimal is a JSON number")
}

fn currency_of(link: &PaymentLink) -> Currency {
    Currency::parse(&link.currency).unwrap_or(Currency::USD)
}

impl V0PaymentLink {
    /// `link` (with its URL already set) the way v0 shows it.
    pub fn of(link: &PaymentLink) -> V0PaymentLink {
        let s = &link.settings;
        let current = Current::of(link);
        V0PaymentLink {
            id: link.id,
            title: link.name.clone(),
            url: link.url.clone(),
            slug: link.slug.clone(),
            description: s.description.clone(),
            cover_image: s.cover_image_url.clone(),
            link_type: s.link_type.into(),
            amount: current.amount_minor.map(|minor| decimal(minor, current.currency)),
            currency: link.currency.to_lowercase(),
            payment_for_id: s.external_reference.clone(),
            recurring_type: RecurringType::of(current.recurring.as_ref()),
            customer_id: s.customer_id.clone(),
            payment_link_products: current
                .products
                .iter()
                .map(|&product_id| V0Product { product_id, quantity: Some(1) })
                .collect(),
            is_for_all_product: false,
            allow_quantity_adjustment: s.allow_quantity_adjustment,
            collect_tax: current.collects_tax,
            tax_id: s.tax_rate_id.clone(),
            collect_address: s.collect_address,
            require_phone_number: s.collect_phone,
            limit_payments: link.max_completions.is_some(),
            max_payments: link.max_completions,
            custom_fields: s.custom_fields.clone(),
            allow_business_tax_id: s.allow_business_tax_id,
            allow_mobile_payment: s.allow_mobile_payment,
            confirmation_page: match s.after_completion {
                AfterCompletion::Confirmation => ConfirmationPage::Show,
                AfterCompletion::Redirect => ConfirmationPage::Redirect,
            },
            create_invoice_pdf: s.create_invoice_pdf,
            expiration_date: link.expires_at,
            status: link.status.into(),
            payments_count: link.completed_count,
            success_url: link.success_url.clone(),
            created_at: link.created_at,
            updated_at: link.updated_at,
        }
    }
}

/// What a v0 body may leave out and the link already has.
struct Current {
    link_type: LinkType,
    currency: Currency,
    /// The fixed price (or a donation's suggested amount).
    amount_minor: Option<i64>,
    recurring: Option<Recurring>,
    products: Vec<Uuid>,
    max_payments: Option<i64>,
    collects_tax: bool,
}

impl Current {
    fn of(link: &PaymentLink) -> Current {
        let preset = link.settings.custom_amount.and_then(|c| c.preset);
        Current {
            link_type: link.settings.link_type,
            currency: currency_of(link),
            amount_minor: link.amount_minor.or(preset),
            recurring: link.line_items.iter().find_map(|i| i.product_details.recurring.clone()),
            products: link.product_ids.clone(),
            max_payments: link.max_completions,
            collects_tax: link.tax_behavior != TaxBehavior::Unspecified,
        }
    }
}

/// The v2 create request for a v0 create body, with Devdraft's defaults.
pub fn create_request(input: &V0LinkInput) -> Result<CreatePaymentLink, FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, missing) in
        [("title", input.title.is_none()), ("url", input.url.is_none()), ("linkType", input.link_type.is_none())]
    {
        if missing {
            errors.add(field, "is required");
        }
    }
    let mut req = CreatePaymentLink {
        allow_quantity_adjustment: Some(true),
        after_completion: Some(AfterCompletion::Confirmation),
        ..CreatePaymentLink::default()
    };
    let current = Current {
        link_type: input.link_type.map(LinkType::from).unwrap_or_default(),
        currency: Currency::USDC,
        amount_minor: None,
        recurring: None,
        products: Vec::new(),
        max_payments: None,
        collects_tax: false,
    };
    apply(&mut errors, input, &current, &mut req, true);
    errors.into_result(req)
}

/// The v2 create request that describes `link` after a v0 `PUT` with `patch`: what the patch
/// leaves out stays as it is (so a link made through v2 keeps what v0 cannot express).
pub fn edit_request(patch: &V0LinkInput, link: &PaymentLink) -> Result<CreatePaymentLink, FieldErrors> {
    let mut errors = FieldErrors::default();
    if patch.link_type.is_some_and(|t| LinkType::from(t) != link.settings.link_type) {
        errors.add("linkType", "cannot be changed; create a new link instead");
    }
    let mut req = request_of(link);
    let reprice = patch.amount.is_some()
        || patch.currency.is_some()
        || patch.recurring_type.is_some()
        || patch.payment_link_products.is_some();
    apply(&mut errors, patch, &Current::of(link), &mut req, reprice);
    errors.into_result(req)
}

/// Writes the fields `input` has onto `req`; the price only when `reprice`.
fn apply(errors: &mut FieldErrors, input: &V0LinkInput, current: &Current, req: &mut CreatePaymentLink, reprice: bool) {
    if let Some(title) = &input.title {
        let len = title.trim().chars().count();
        if !(TITLE_MIN_CHARS..=TITLE_MAX_CHARS).contains(&len) {
            errors.add("title", format!("must be {TITLE_MIN_CHARS} to {TITLE_MAX_CHARS} characters"));
        }
        req.name = Some(title.clone());
    }
    if let Some(url) = &input.url {
        if is_valid_slug(url) {
            req.slug = Some(url.clone());
        } else {
            errors.add(
                "url",
                "must be a slug: lowercase a-z, 0-9 and hyphens, starting with a letter or digit, at most 64 \
                 characters (paths, dots, underscores and full URLs are not accepted)",
            );
        }
    }
    let text = |value: &Option<String>, into: &mut Option<String>| {
        if let Some(value) = value {
            *into = Some(value.clone());
        }
    };
    text(&input.description, &mut req.description);
    text(&input.cover_image, &mut req.cover_image_url);
    text(&input.payment_for_id, &mut req.external_reference);
    text(&input.customer_id, &mut req.customer_id);
    text(&input.success_url, &mut req.success_url);
    for (value, into) in [
        (input.allow_quantity_adjustment, &mut req.allow_quantity_adjustment),
        (input.collect_address, &mut req.collect_address),
        (input.require_phone_number, &mut req.collect_phone),
        (input.allow_business_tax_id, &mut req.allow_business_tax_id),
        (input.allow_mobile_payment, &mut req.allow_mobile_payment),
        (input.create_invoice_pdf, &mut req.create_invoice_pdf),
    ] {
        if value.is_some() {
            *into = value;
        }
    }
    if input.is_for_all_product == Some(true) {
        errors.add("isForAllProduct", "is not supported yet; list the products in paymentLinkProducts");
    }
    if let Some(fields) = &input.custom_fields {
        req.custom_fields = Some(fields.clone());
    }
    apply_tax(errors, input, current, req);
    apply_limit(errors, input, current, req);
    if let Some(page) = input.confirmation_page {
        req.after_completion = Some(match page {
            ConfirmationPage::Show => AfterCompletion::Confirmation,
            ConfirmationPage::Redirect => AfterCompletion::Redirect,
        });
        if page == ConfirmationPage::Redirect && req.success_url.is_none() {
            errors.add("confirmationPage", "REDIRECT needs successUrl (where to send the customer after paying)");
        }
    }
    if let Some(at) = &input.expiration_date {
        match parse_date_time(at) {
            Some(at) => req.expires_at = Some(at),
            None => errors.add("expiration_date", "must be a date and time like 2027-01-31T23:59:59Z"),
        }
    }
    if reprice {
        apply_price(errors, input, current, req);
    }
}

fn apply_tax(errors: &mut FieldErrors, input: &V0LinkInput, current: &Current, req: &mut CreatePaymentLink) {
    if let Some(collect) = input.collect_tax {
        let inclusive = req.tax_behavior == Some(TaxBehavior::Inclusive);
        req.tax_behavior = Some(match (collect, inclusive) {
            (false, _) => TaxBehavior::Unspecified,
            (true, true) => TaxBehavior::Inclusive,
            (true, false) => TaxBehavior::Exclusive,
        });
        if !collect {
            req.tax_rate_id = None;
        }
    }
    if let Some(tax_id) = &input.tax_id {
        if input.collect_tax.unwrap_or(current.collects_tax) {
            req.tax_rate_id = Some(tax_id.clone());
        } else {
            errors.add("taxId", "needs collectTax: true");
        }
    }
}

fn apply_limit(errors: &mut FieldErrors, input: &V0LinkInput, current: &Current, req: &mut CreatePaymentLink) {
    let limited = input.limit_payments.unwrap_or(current.max_payments.is_some());
    match (&input.max_payments, input.limit_payments) {
        (Some(_), _) if !limited => errors.add("maxPayments", "needs limitPayments: true"),
        (Some(raw), _) => match parse_scaled(raw.get(), 0) {
            Ok(n) if n >= 1 => req.max_completions = Some(n),
            _ => errors.add("maxPayments", "must be a whole number of payments, at least 1"),
        },
        (None, Some(true)) if current.max_payments.is_none() => {
            errors.add("maxPayments", "is required when limitPayments is true")
        }
        (None, Some(false)) => req.max_completions = None,
        (None, _) => {}
    }
}

/// Sets how the link is priced: a fixed amount, a renewing item, products, or (DONATION) an
/// amount the customer chooses.
fn apply_price(errors: &mut FieldErrors, input: &V0LinkInput, current: &Current, req: &mut CreatePaymentLink) {
    let currency = match input.currency.as_deref() {
        None => current.currency,
        Some(code) => Currency::parse(code).unwrap_or_else(|| {
            errors.add("currency", "is not a supported currency (usdc, eurc or an ISO 4217 code)");
            current.currency
        }),
    };
    let mut unreadable = false;
    let amount = match &input.amount {
        Some(raw) => parse_scaled(raw.get(), currency.exponent())
            .map_err(|err| {
                unreadable = true;
                errors.add("amount", err.to_string());
            })
            .ok(),
        None if currency.exponent() != current.currency.exponent() && current.amount_minor.is_some() => {
            errors.add("amount", "is required when the new currency has other decimal places");
            unreadable = true;
            None
        }
        None => current.amount_minor,
    };
    let recurring = input.recurring_type.map_or_else(|| current.recurring.clone(), RecurringType::recurring);
    let products: Vec<Uuid> = match &input.payment_link_products {
        None => current.products.clone(),
        Some(list) => {
            for (i, product) in list.iter().enumerate() {
                if product.quantity.is_some_and(|q| q != 1) {
                    errors.add(
                        format!("paymentLinkProducts[{i}].quantity"),
                        "only 1 is supported; with allowQuantityAdjustment the customer chooses how many",
                    );
                }
            }
            list.iter().map(|p| p.product_id).collect()
        }
    };
    req.link_type = Some(current.link_type);
    req.currency = Some(currency.code().to_string());
    req.product_ids = (!products.is_empty()).then_some(products.clone());
    req.amount_minor = None;
    req.line_items = None;
    req.custom_amount = None;
    req.subscription_id = None;
    if req.mode != Some(LinkMode::Invoice) {
        req.mode = Some(LinkMode::Custom);
    }
    match (current.link_type, recurring) {
        (LinkType::Donation, Some(_)) => errors.add("recurringType", "a donation is paid once: use ONE_TIME"),
        (LinkType::Donation, None) => {
            req.custom_amount = Some(CustomAmount { minimum: 1, maximum: MAX_AMOUNT_MINOR, preset: amount });
        }
        (LinkType::Subscription, None) => errors.add(
            "recurringType",
            "a subscription needs how often it renews: WEEKLY, BI_WEEKLY, MONTHLY, BI_MONTHLY, QUARTERLY or ANNUALLY",
        ),
        (_, Some(recurring)) => {
            if !products.is_empty() {
                errors.add("paymentLinkProducts", "cannot be combined with a recurringType other than ONE_TIME");
            }
            req.mode = Some(LinkMode::Subscription);
            match amount {
                Some(unit_amount) => {
                    req.line_items = Some(vec![LineItemInput {
                        price_data: Some(PriceData {
                            currency: Some(currency.code().to_string()),
                            unit_amount,
                            product_data: Some(ProductData {
                                name: req.name.clone().unwrap_or_default(),
                                ..ProductData::default()
                            }),
                            recurring: Some(recurring),
                            ..PriceData::default()
                        }),
                        quantity: Some(1),
                        ..LineItemInput::default()
                    }])
                }
                None if !unreadable => errors.add("amount", "is required for a link that renews"),
                None => {}
            }
        }
        (_, None) => {
            req.amount_minor = amount;
            if amount.is_none() && products.is_empty() && !unreadable {
                errors.add("amount", "is required (or paymentLinkProducts)");
            }
        }
    }
}

/// RFC 3339, or a date and time without an offset (as Python's `isoformat()` writes a naive
/// datetime), read as UTC.
fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|at| at.and_utc())
}

/// v2 field paths and the v0 field each comes from.
const FIELD_NAMES: [(&str, &str); 22] = [
    ("name", "title"),
    ("slug", "url"),
    ("cover_image_url", "coverImage"),
    ("amount_minor", "amount"),
    ("custom_amount", "amount"),
    ("line_items", "amount"),
    ("external_reference", "paymentForId"),
    ("customer_id", "customerId"),
    ("product_ids", "paymentLinkProducts"),
    ("allow_quantity_adjustment", "allowQuantityAdjustment"),
    ("tax_behavior", "collectTax"),
    ("tax_rate_id", "taxId"),
    ("collect_address", "collectAddress"),
    ("collect_phone", "requirePhoneNumber"),
    ("max_completions", "maxPayments"),
    ("custom_fields", "customFields"),
    ("after_completion", "confirmationPage"),
    ("success_url", "successUrl"),
    ("expires_at", "expiration_date"),
    ("link_type", "linkType"),
    ("allow_mobile_payment", "allowMobilePayment"),
    ("mode", "recurringType"),
];

/// The v0 name of a v2 field path (`custom_fields[1].label` → `customFields[1].label`).
pub fn v0_field(path: &str) -> String {
    for (v2, v0) in FIELD_NAMES {
        let Some(rest) = path.strip_prefix(v2) else { continue };
        if rest.is_empty() || rest.starts_with(['[', '.']) {
            return match v2 {
                // A product id's index names the v0 list entry; a line item is v0's amount.
                "product_ids" if !rest.is_empty() => format!("{v0}{rest}.productId"),
                "line_items" | "custom_amount" => v0.to_string(),
                _ => format!("{v0}{rest}"),
            };
        }
    }
    path.to_string()
}

/// v2's field errors under the v0 names.
pub fn v0_errors(errors: FieldErrors) -> FieldErrors {
    errors.rename(v0_field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::parse_json;

    fn input(json: &str) -> V0LinkInput {
        parse_json(json.as_bytes()).expect("a valid v0 body")
    }

    #[test]
    fn decimal_amounts_become_exact_minor_units() {
        let req = create_request(&input(r#"{"title":"Tea","url":"tea","linkType":"PRODUCT","amount":29.99}"#)).unwrap();
        assert_eq!((req.amount_minor, req.currency.as_deref()), (Some(2999), Some("USDC")));
        let yen = r#"{"title":"Tea","url":"tea","linkType":"PRODUCT","amount":1250.0,"currency":"jpy"}"#;
        assert_eq!(create_request(&input(yen)).unwrap().amount_minor, Some(1250));
        for (amount, message) in [
            ("0.001", "must have at most 2 decimal places in this currency"),
            ("-1", "must not be negative"),
            ("1e3", "must be a number like 12.50"),
            ("\"12\"", "must be a number like 12.50"),
            ("123456789012345678901234567890", "is too large"),
        ] {
            let body = format!(r#"{{"title":"Tea","url":"tea","linkType":"PRODUCT","amount":{amount}}}"#);
            let errors = create_request(&input(&body)).unwrap_err();
            assert_eq!(errors.get("amount"), Some(message), "{amount}");
        }
    }

    #[test]
    fn amounts_are_written_back_exactly() {
        let raw = decimal(2999, Currency::USDC);
        assert_eq!(raw.get(), "29.99");
        assert_eq!(serde_json::to_string(&decimal(5, Currency::USDC)).unwrap(), "0.05");
        assert_eq!(decimal(1250, Currency::parse("JPY").unwrap()).get(), "1250");
    }

    #[test]
    fn required_fields_and_devdraft_defaults() {
        let errors = create_request(&input("{}")).unwrap_err();
        for field in ["title", "url", "linkType"] {
            assert_eq!(errors.get(field), Some("is required"), "{field}");
        }
        let req = create_request(&input(r#"{"title":"Tea","url":"tea","linkType":"PRODUCT","amount":5}"#)).unwrap();
        assert_eq!(req.allow_quantity_adjustment, Some(true));
        assert_eq!(req.after_completion, Some(AfterCompletion::Confirmation));
        assert_eq!(req.link_type, Some(LinkType::Product));
    }

    #[test]
    fn renewing_links_become_one_recurring_item() {
        let body =
            r#"{"title":"Club","url":"club","linkType":"SUBSCRIPTION","amount":9.5,"recurringType":"QUARTERLY"}"#;
        let req = create_request(&input(body)).unwrap();
        assert_eq!(req.mode, Some(LinkMode::Subscription));
        let data = req.line_items.unwrap()[0].price_data.clone().unwrap();
        assert_eq!(
            (data.unit_amount, data.recurring),
            (950, Some(Recurring { interval: Interval::Month, interval_count: 3 }))
        );
        let once = r#"{"title":"Club","url":"club","linkType":"SUBSCRIPTION","amount":9.5}"#;
        assert!(create_request(&input(once)).unwrap_err().get("recurringType").is_some());
    }

    #[test]
    fn donations_let_the_customer_choose() {
        let body = r#"{"title":"Give","url":"give","linkType":"DONATION","amount":10}"#;
        let req = create_request(&input(body)).unwrap();
        assert_eq!(req.custom_amount.map(|c| (c.minimum, c.preset)), Some((1, Some(1000))));
        assert_eq!(req.amount_minor, None);
    }

    #[test]
    fn slugs_only_as_our_rules_allow() {
        for url in ["a/b", "https://x.test/tea", "tea.shop", "tea_shop", "Tea", ""] {
            let body = format!(r#"{{"title":"Tea","url":"{url}","linkType":"PRODUCT","amount":1}}"#);
            assert!(
                create_request(&input(&body)).unwrap_err().get("url").unwrap().starts_with("must be a slug"),
                "{url}"
            );
        }
    }

    #[test]
    fn caps_and_tax_need_their_switch() {
        let base = r#""title":"Tea","url":"tea","linkType":"PRODUCT","amount":1"#;
        let capped = create_request(&input(&format!(r#"{{{base},"limitPayments":true,"maxPayments":30.0}}"#))).unwrap();
        assert_eq!(capped.max_completions, Some(30));
        for (extra, field) in [
            (r#""maxPayments":3"#, "maxPayments"),
            (r#""limitPayments":true"#, "maxPayments"),
            (r#""limitPayments":true,"maxPayments":2.5"#, "maxPayments"),
            (r#""taxId":"txr_1""#, "taxId"),
        ] {
            let errors = create_request(&input(&format!("{{{base},{extra}}}"))).unwrap_err();
            assert!(errors.get(field).is_some(), "{extra}");
        }
    }

    #[test]
    fn v2_field_paths_get_v0_names() {
        assert_eq!(v0_field("name"), "title");
        assert_eq!(v0_field("custom_fields[1].label"), "customFields[1].label");
        assert_eq!(v0_field("product_ids[0]"), "paymentLinkProducts[0].productId");
        assert_eq!(v0_field("line_items[0].price_data.unit_amount"), "amount");
        assert_eq!(v0_field("description"), "description");
        assert_eq!(v0_field("named_thing"), "named_thing");
    }

    #[test]
    fn skip_and_take_page_like_offset_and_limit() {
        let page = list_query("skip=5&take=3").unwrap();
        assert_eq!((page.offset, page.limit), (5, 3));
        assert_eq!(list_query("").unwrap().limit, DEFAULT_TAKE);
        assert_eq!(list_query("take=1000").unwrap().limit, crate::list::MAX_LIMIT);
        let errors = list_query("skip=-1&take=0").unwrap_err();
        assert!(errors.get("skip").is_some() && errors.get("take").is_some(), "{errors:?}");
    }

    #[test]
    fn every_v0_schedule_round_trips() {
        for (t, _, _) in SCHEDULES {
            assert_eq!(RecurringType::of(t.recurring().as_ref()), Some(t));
        }
        assert_eq!(RecurringType::of(None), Some(RecurringType::OneTime));
        assert_eq!(RecurringType::of(Some(&Recurring { interval: Interval::Day, interval_count: 3 })), None);
    }
}
