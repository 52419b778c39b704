//! The create form as typed: strings in, a `CreatePaymentLink` out. The same rules as the
//! server (from `paylinks_api`) run on every change, and errors use the server's field names,
//! so a server error lands next to the same field.

use chrono::{DateTime, Utc};
use paylinks_api::catalog::PricingModel;
use paylinks_api::money::{parse_major, MAX_AMOUNT_MINOR};
use paylinks_api::validate::{validate_create, Catalog, CatalogPrice, CatalogProduct, Context};
use paylinks_api::{
    AfterCompletion, CreatePaymentLink, Currency, CustomAmount, CustomField, CustomFieldType, FieldErrors,
    InitialStatus, Interval, LineItemInput, LinkMode, LinkType, PriceData, ProductData, PublicLineItem,
    PublicPaymentLink, Recurring, SelectionMode, TaxBehavior,
};
use std::collections::BTreeMap;

/// What each choice is called on the page, for the selects and the detail page.
pub const MODES: [(LinkMode, &str); 3] = [
    (LinkMode::Custom, "Custom: a fixed amount or line items"),
    (LinkMode::Invoice, "Invoice: pays one invoice"),
    (LinkMode::Subscription, "Subscription: recurring payments"),
];
pub const TAX_BEHAVIORS: [(TaxBehavior, &str); 3] = [
    (TaxBehavior::Unspecified, "Unspecified"),
    (TaxBehavior::Inclusive, "Prices include tax"),
    (TaxBehavior::Exclusive, "Tax is added to prices"),
];
pub const SELECTION_MODES: [(SelectionMode, &str); 3] = [
    (SelectionMode::Bundle, "Everything together"),
    (SelectionMode::SingleSelect, "Pick one"),
    (SelectionMode::MultiSelect, "Pick several, with quantities"),
];
pub const LINK_TYPES: [(LinkType, &str); 5] = [
    (LinkType::Product, "Selling a product"),
    (LinkType::Donation, "Donations (the customer chooses the amount)"),
    (LinkType::Subscription, "A subscription"),
    (LinkType::Invoice, "An invoice"),
    (LinkType::Collection, "A collection"),
];
pub const AFTER_COMPLETION: [(AfterCompletion, &str); 2] = [
    (AfterCompletion::Confirmation, "Always confirm on the page"),
    (AfterCompletion::Redirect, "Always go to the success URL"),
];
pub const INTERVALS: [(Interval, &str); 4] = [
    (Interval::Day, "Every N days"),
    (Interval::Week, "Every N weeks"),
    (Interval::Month, "Every N months"),
    (Interval::Year, "Every N years"),
];
pub const FIELD_TYPES: [(CustomFieldType, &str); 3] = [
    (CustomFieldType::Text, "Text"),
    (CustomFieldType::Number, "Number"),
    (CustomFieldType::Dropdown, "Choice from a list"),
];

/// The words for `value` among `choices`.
pub fn words<T: PartialEq>(choices: &[(T, &'static str)], value: T) -> &'static str {
    choices.iter().find(|(choice, _)| *choice == value).map_or("", |(_, words)| words)
}

/// What the merchant sells: the one choice the rest of the form follows from (mode, link type
/// and how the price is set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkKind {
    #[default]
    Product,
    Subscription,
    Donation,
    Invoice,
}

/// Each kind in plain words, with what it means for the customer.
pub const KINDS: [(LinkKind, &str, &str); 4] = [
    (LinkKind::Product, "A product or service", "A fixed price, or several items"),
    (LinkKind::Subscription, "A subscription", "Charged again every week, month or year"),
    (LinkKind::Donation, "Donations or tips", "The customer chooses how much to give"),
    (LinkKind::Invoice, "An invoice", "One payment for an invoice you sent"),
];

impl LinkKind {
    pub fn mode(self) -> LinkMode {
        match self {
            LinkKind::Product | LinkKind::Donation => LinkMode::Custom,
            LinkKind::Subscription => LinkMode::Subscription,
            LinkKind::Invoice => LinkMode::Invoice,
        }
    }

    pub fn link_type(self) -> LinkType {
        match self {
            LinkKind::Product => LinkType::Product,
            LinkKind::Subscription => LinkType::Subscription,
            LinkKind::Donation => LinkType::Donation,
            LinkKind::Invoice => LinkType::Invoice,
        }
    }
}

/// A question's answer key from its label: `Table number` → `table_number` (1 to 40 of a-z,
/// 0-9 and `_`, as the server requires).
pub fn key_from_label(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.truncate(40);
    key.trim_end_matches('_').to_string()
}

/// How the customer's total is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pricing {
    #[default]
    Amount,
    LineItems,
    /// Pay what you want (donations): within bounds.
    CustomerChooses,
}

/// One extra question for the checkout page, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldRow {
    /// Follows the label until the merchant edits it.
    pub key: String,
    pub key_edited: bool,
    pub label: String,
    pub kind: CustomFieldType,
    pub required: bool,
    /// Dropdown choices, comma separated.
    pub options: String,
}

impl Default for CustomFieldRow {
    fn default() -> Self {
        CustomFieldRow {
            key: String::new(),
            key_edited: false,
            label: String::new(),
            kind: CustomFieldType::Text,
            required: false,
            options: String::new(),
        }
    }
}

/// A line sold at one of the merchant's prices: what the preview and the rules need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLine {
    pub price_id: uuid::Uuid,
    pub product_id: uuid::Uuid,
    /// The product's name (what the checkout shows).
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    /// Upper case.
    pub currency: String,
    pub recurring: Option<Recurring>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    /// Sold at a catalogue price (name and amount come from it), else typed here.
    pub catalog: Option<CatalogLine>,
    pub name: String,
    pub description: String,
    /// In major units, as typed ("12.50").
    pub unit_amount: String,
    pub quantity: String,
    /// "" for one-time, else day / week / month / year.
    /// `None` for a one-time price.
    pub interval: Option<Interval>,
    pub interval_count: String,
}

impl Default for LineRow {
    fn default() -> Self {
        LineRow {
            catalog: None,
            name: String::new(),
            description: String::new(),
            unit_amount: String::new(),
            quantity: "1".into(),
            interval: None,
            interval_count: "1".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkForm {
    pub name: String,
    pub slug: String,
    pub kind: LinkKind,
    pub draft: bool,
    pub pricing: Pricing,
    pub amount: String,
    pub currency: String,
    pub items: Vec<LineRow>,
    pub invoice_id: String,
    pub subscription_id: String,
    pub success_url: String,
    pub cancel_url: String,
    pub redirect_url: String,
    pub collect_shipping: bool,
    pub allow_promotion_codes: bool,
    pub tax_behavior: TaxBehavior,
    /// Catalogue product ids, comma or space separated.
    pub product_ids: String,
    pub selection_mode: SelectionMode,
    pub default_product_id: String,
    pub highlighted_product_id: String,
    /// Already converted from the merchant's local time.
    pub expires_at: Option<DateTime<Utc>>,
    pub metadata: Vec<(String, String)>,
    pub description: String,
    pub cover_image_url: String,
    /// Pay-what-you-want bounds and suggestion, in major units.
    pub min_amount: String,
    pub max_amount: String,
    pub preset_amount: String,
    pub allow_quantity_adjustment: bool,
    pub collect_address: bool,
    pub collect_phone: bool,
    pub max_completions: String,
    /// `None`: redirect when there is a success URL, else confirm on the page.
    pub after_completion: Option<AfterCompletion>,
    pub confirmation_message: String,
    pub inactive_message: String,
    pub customer_id: String,
    pub external_reference: String,
    pub custom_fields: Vec<CustomFieldRow>,
}

impl Default for LinkForm {
    fn default() -> Self {
        LinkForm {
            name: String::new(),
            slug: String::new(),
            kind: LinkKind::Product,
            draft: false,
            pricing: Pricing::Amount,
            amount: String::new(),
            currency: "USD".into(),
            items: vec![LineRow::default()],
            invoice_id: String::new(),
            subscription_id: String::new(),
            success_url: String::new(),
            cancel_url: String::new(),
            redirect_url: String::new(),
            collect_shipping: false,
            allow_promotion_codes: true,
            tax_behavior: TaxBehavior::Unspecified,
            product_ids: String::new(),
            selection_mode: SelectionMode::Bundle,
            default_product_id: String::new(),
            highlighted_product_id: String::new(),
            expires_at: None,
            metadata: Vec::new(),
            description: String::new(),
            cover_image_url: String::new(),
            min_amount: String::new(),
            max_amount: String::new(),
            preset_amount: String::new(),
            allow_quantity_adjustment: false,
            collect_address: false,
            collect_phone: false,
            max_completions: String::new(),
            after_completion: None,
            confirmation_message: String::new(),
            inactive_message: String::new(),
            customer_id: String::new(),
            external_reference: String::new(),
            custom_fields: Vec::new(),
        }
    }
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl LinkForm {
    /// How the price is set for the chosen kind: donations are chosen by the customer, a
    /// subscription bills its items, the others have a fixed amount or items.
    pub fn pricing(&self) -> Pricing {
        match self.kind {
            LinkKind::Donation => Pricing::CustomerChooses,
            LinkKind::Subscription => Pricing::LineItems,
            LinkKind::Product | LinkKind::Invoice => match self.pricing {
                Pricing::CustomerChooses => Pricing::Amount,
                other => other,
            },
        }
    }

    /// Chooses what the link sells; a subscription's one-time items start renewing monthly.
    pub fn set_kind(&mut self, kind: LinkKind) {
        self.kind = kind;
        if kind == LinkKind::Subscription {
            for row in self.items.iter_mut().filter(|r| r.interval.is_none()) {
                row.interval = Some(Interval::Month);
            }
        }
    }

    /// Sells `line` (one of the merchant's prices) on this link, in place of an untouched first row.
    pub fn add_catalog_item(&mut self, line: CatalogLine) {
        self.pricing = Pricing::LineItems;
        self.currency = line.currency.clone();
        let row = LineRow { catalog: Some(line), ..LineRow::default() };
        match self.items.as_mut_slice() {
            [only] if *only == LineRow { interval: only.interval, ..LineRow::default() } => *only = row,
            _ => self.items.push(row),
        }
    }

    /// The catalogue entries the form's rows sell, for the rules to check them against.
    fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::default();
        for line in self.items.iter().filter_map(|r| r.catalog.as_ref()) {
            catalog.prices.insert(
                line.price_id,
                CatalogPrice {
                    product_id: line.product_id,
                    unit_amount: line.unit_amount,
                    currency: line.currency.clone(),
                    recurring: line.recurring.clone(),
                    pricing_model: if line.unit_amount == 0 { PricingModel::Free } else { PricingModel::Fixed },
                    active: true,
                },
            );
            let product =
                CatalogProduct { name: line.name.clone(), description: line.description.clone(), archived: false };
            catalog.products.insert(line.product_id, product);
        }
        catalog
    }

    /// A new line item, renewing monthly on a subscription.
    pub fn add_item(&mut self) {
        let interval = (self.kind == LinkKind::Subscription).then_some(Interval::Month);
        self.items.push(LineRow { interval, ..LineRow::default() });
    }

    /// Renames question `i`; its key follows the label until the merchant edits the key.
    pub fn set_question_label(&mut self, i: usize, label: String) {
        if let Some(row) = self.custom_fields.get_mut(i) {
            if !row.key_edited {
                row.key = key_from_label(&label);
            }
            row.label = label;
        }
    }

    /// The checkout page this form would make, for the preview beside it: what can be read so
    /// far, with placeholders where nothing is typed yet.
    pub fn preview(&self, merchant_name: &str, livemode: bool) -> PublicPaymentLink {
        let (request, _) = self.to_request();
        let currency = Currency::parse(self.currency.trim()).map_or("USD", Currency::code).to_string();
        let line_items: Vec<PublicLineItem> = request
            .line_items
            .iter()
            .flatten()
            .filter_map(|item| {
                if let Some(id) = item.price {
                    let line = self.items.iter().filter_map(|r| r.catalog.as_ref()).find(|l| l.price_id == id)?;
                    return Some(PublicLineItem {
                        name: line.name.clone(),
                        description: line.description.clone(),
                        unit_amount: line.unit_amount,
                        currency: currency.clone(),
                        quantity: item.quantity.unwrap_or(1).clamp(1, 99),
                        interval: line.recurring.as_ref().map(|r| r.interval),
                        interval_count: line.recurring.as_ref().map(|r| r.interval_count),
                        product_id: line.product_id,
                        price_id: Some(id),
                    });
                }
                let data = item.price_data.as_ref()?;
                let name = data.product_data.as_ref().map(|p| p.name.trim().to_string()).unwrap_or_default();
                Some(PublicLineItem {
                    name: if name.is_empty() { "Item".into() } else { name },
                    description: data.product_data.as_ref().and_then(|p| p.description.clone()),
                    unit_amount: data.unit_amount,
                    currency: currency.clone(),
                    quantity: item.quantity.unwrap_or(1).clamp(1, 99),
                    interval: data.recurring.as_ref().map(|r| r.interval),
                    interval_count: data.recurring.as_ref().map(|r| r.interval_count),
                    product_id: uuid::Uuid::nil(),
                    price_id: None,
                })
            })
            .collect();
        let name = text(&self.name).unwrap_or_else(|| "Your link's name".into());
        PublicPaymentLink {
            active: true,
            product_name: line_items.first().map_or_else(|| name.clone(), |i| i.name.clone()),
            amount_minor: request.amount_minor,
            currency,
            interval: None,
            interval_count: None,
            trial_period_days: None,
            checkout_url: String::new(),
            public_id: String::new(),
            name,
            merchant_name: merchant_name.to_string(),
            line_items,
            selection_mode: self.selection_mode,
            collect_shipping: self.collect_shipping,
            allow_promotion_codes: self.allow_promotion_codes,
            livemode,
            link_type: self.kind.link_type(),
            // No markdown renderer here: the page shows the text as typed.
            description_html: None,
            description: text(&self.description),
            cover_image_url: text(&self.cover_image_url),
            allow_quantity_adjustment: self.allow_quantity_adjustment,
            custom_amount: request.custom_amount,
            collect_address: self.collect_address,
            collect_phone: self.collect_phone,
            custom_fields: request.custom_fields.unwrap_or_default(),
            default_item: None,
            highlighted_item: None,
        }
    }

    /// The request this form describes, and the problems met turning text into numbers and ids.
    pub fn to_request(&self) -> (CreatePaymentLink, FieldErrors) {
        let mut errors = FieldErrors::default();
        let currency = Currency::parse(self.currency.trim());
        let exponent_of = currency.unwrap_or(Currency::USD);
        let mut money = |field: String, typed: &str| match parse_major(typed, exponent_of) {
            Ok(minor) => Some(minor),
            Err(e) => {
                errors.add(field, e.to_string());
                None
            }
        };
        let mode = self.kind.mode();
        let pricing = self.pricing();
        let amount_minor = (pricing == Pricing::Amount).then(|| money("amount_minor".into(), &self.amount)).flatten();
        let custom_amount = (pricing == Pricing::CustomerChooses).then(|| {
            let mut bound =
                |field: &str, typed: &str| text(typed).and_then(|t| money(format!("custom_amount.{field}"), &t));
            CustomAmount {
                minimum: bound("minimum", &self.min_amount).unwrap_or(1),
                maximum: bound("maximum", &self.max_amount).unwrap_or(MAX_AMOUNT_MINOR),
                preset: bound("preset", &self.preset_amount),
            }
        });
        let mut items = Vec::new();
        if pricing == Pricing::LineItems {
            for (i, row) in self.items.iter().enumerate() {
                let unit_amount = match row.catalog {
                    Some(_) => 0,
                    None => money(format!("line_items[{i}].price_data.unit_amount"), &row.unit_amount).unwrap_or(0),
                };
                items.push((i, row, unit_amount));
            }
        }
        let mut errors_after = FieldErrors::default();
        let line_items: Vec<LineItemInput> = items
            .into_iter()
            .map(|(i, row, unit_amount)| {
                let quantity = row.quantity.trim().parse::<i64>().unwrap_or_else(|_| {
                    errors_after.add(format!("line_items[{i}].quantity"), "must be a whole number");
                    1
                });
                if let Some(line) = &row.catalog {
                    return LineItemInput {
                        price: Some(line.price_id),
                        quantity: Some(quantity),
                        ..LineItemInput::default()
                    };
                }
                let recurring = row.interval.map(|interval| Recurring {
                    interval,
                    interval_count: row.interval_count.trim().parse().unwrap_or_else(|_| {
                        errors_after.add(
                            format!("line_items[{i}].price_data.recurring.interval_count"),
                            "must be a whole number",
                        );
                        1
                    }),
                });
                LineItemInput {
                    price_data: Some(PriceData {
                        currency: Some(self.currency.trim().to_string()),
                        unit_amount,
                        product_data: Some(ProductData {
                            name: row.name.clone(),
                            description: text(&row.description),
                            images: None,
                            metadata: None,
                        }),
                        recurring,
                        ..PriceData::default()
                    }),
                    quantity: Some(quantity),
                    ..LineItemInput::default()
                }
            })
            .collect();
        errors.merge(errors_after);
        let mut uuid = |field: &str, typed: &str, wanted: bool| {
            let typed = text(typed).filter(|_| wanted)?;
            uuid::Uuid::try_parse(&typed).map_err(|_| errors.add(field, "must be an id like 7f1d4c1e-…")).ok()
        };
        let invoice_id = uuid("invoice_id", &self.invoice_id, mode == LinkMode::Invoice);
        let subscription_id = uuid("subscription_id", &self.subscription_id, mode == LinkMode::Subscription);
        let single = self.selection_mode == SelectionMode::SingleSelect;
        let default_product_id = uuid("default_product_id", &self.default_product_id, single);
        let highlighted_product_id = uuid("highlighted_product_id", &self.highlighted_product_id, single);
        let product_ids: Vec<uuid::Uuid> = self
            .product_ids
            .split([',', ' ', '\n'])
            .filter(|p| !p.trim().is_empty())
            .enumerate()
            .filter_map(|(i, p)| uuid(&format!("product_ids[{i}]"), p, true))
            .collect();
        let mut metadata = BTreeMap::new();
        for (i, (key, value)) in self.metadata.iter().enumerate() {
            let key = key.trim();
            if key.is_empty() && value.trim().is_empty() {
                continue;
            }
            if key.is_empty() {
                errors.add(format!("metadata[{i}]"), "needs a key");
            } else if metadata.insert(key.to_string(), value.clone()).is_some() {
                errors.add(format!("metadata[{i}]"), format!("key \"{key}\" is given twice"));
            }
        }
        let max_completions = text(&self.max_completions)
            .and_then(|t| t.parse::<i64>().map_err(|_| errors.add("max_completions", "must be a whole number")).ok());
        let custom_fields: Vec<CustomField> = self
            .custom_fields
            .iter()
            .map(|row| CustomField {
                key: row.key.trim().to_string(),
                label: row.label.trim().to_string(),
                field_type: row.kind,
                required: row.required,
                options: row.options.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect(),
            })
            .collect();
        let request = CreatePaymentLink {
            name: Some(self.name.clone()),
            slug: text(&self.slug),
            mode: Some(mode),
            status: self.draft.then_some(InitialStatus::Draft),
            amount_minor,
            currency: Some(self.currency.trim().to_string()),
            invoice_id,
            subscription_id,
            line_items: (!line_items.is_empty()).then_some(line_items),
            success_url: text(&self.success_url),
            cancel_url: text(&self.cancel_url),
            redirect_url: text(&self.redirect_url),
            collect_shipping: Some(self.collect_shipping),
            allow_promotion_codes: Some(self.allow_promotion_codes),
            tax_behavior: Some(self.tax_behavior),
            metadata: (!metadata.is_empty()).then_some(metadata),
            expires_at: self.expires_at,
            product_ids: (!product_ids.is_empty()).then_some(product_ids),
            selection_mode: Some(self.selection_mode),
            default_product_id,
            highlighted_product_id,
            link_type: Some(self.kind.link_type()),
            description: text(&self.description),
            cover_image_url: text(&self.cover_image_url),
            allow_quantity_adjustment: Some(self.allow_quantity_adjustment),
            custom_amount,
            collect_address: Some(self.collect_address),
            collect_phone: Some(self.collect_phone),
            custom_fields: (!custom_fields.is_empty()).then_some(custom_fields),
            max_completions,
            after_completion: self.after_completion,
            confirmation_message: text(&self.confirmation_message),
            inactive_message: text(&self.inactive_message),
            customer_id: text(&self.customer_id),
            external_reference: text(&self.external_reference),
            ..CreatePaymentLink::default()
        };
        (request, errors)
    }

    /// Every problem the server would report, found before sending.
    pub fn check(&self, livemode: bool, now: DateTime<Utc>) -> Result<CreatePaymentLink, FieldErrors> {
        let (request, mut errors) = self.to_request();
        if let Err(rules) = validate_create(&request, &Context { livemode, now }, &self.catalog()) {
            // A field that could not be read already says why; do not pile a second message on.
            errors.merge_missing(rules);
        }
        errors.into_result(request)
    }
}
