//! Products: what the merchant sells, each with its prices (a fixed amount, free, or the
//! customer chooses within bounds). Add a product with its first price, add more prices,
//! archive a price or a product (links that sell it keep selling it; new links cannot add it).

use crate::api::Client;
use crate::common::api::ApiError;
use crate::common::error_state::ErrorState;
use crate::common::form::{field_message, general_message, key_for, run_exclusive};
use crate::common::format;
use crate::link_form::INTERVALS;
use crate::session::{client_of, use_session};
use leptos::prelude::*;
use paylinks_api::catalog::{
    CreatePrice, CreateProduct, Price, PricingModel, Product, ProductKind, ProductPricing, UpdateProduct,
};
use paylinks_api::money::parse_major;
use paylinks_api::{Currency, FieldErrors, Interval, WireEnum};

/// A product's code from its name: `Blue T-shirt` → `blue-t-shirt`.
fn code_from_name(name: &str) -> String {
    let mut code = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            code.push(c);
        } else if !code.is_empty() && !code.ends_with('-') {
            code.push('-');
        }
    }
    code.truncate(60);
    code.trim_end_matches('-').to_string()
}

/// An amount typed in major units, or the reason it cannot be read.
fn minor_of(typed: &str, currency: &str) -> Result<i64, String> {
    let currency = Currency::parse(currency.trim()).ok_or("choose a known currency code, like USD")?;
    parse_major(typed.trim(), currency).map_err(|e| e.to_string())
}

/// How a price reads: `$25.00 per month`, `You choose (from $5.00)`, `Free`.
pub fn price_words(price: &Price) -> String {
    let every = price.recurring().map(|r| format!(" {}", format::every(&r))).unwrap_or_default();
    match price.pricing_model {
        PricingModel::Free => "Free".into(),
        PricingModel::PayWhatYouWant => {
            format!("Customer chooses (from {})", format::amount(price.minimum_amount, &price.currency))
        }
        PricingModel::Fixed => format!("{}{every}", format::amount(price.unit_amount, &price.currency)),
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let session = use_session();
    let reload = RwSignal::new(0u32);
    let catalogue = LocalResource::new(move || {
        let client = client_of(session.get());
        reload.track();
        async move {
            let client = client?;
            Ok::<_, ApiError>((client.list_products().await?.data, client.list_prices().await?.data))
        }
    });
    view! {
        <div class="toolbar"><h1>"Products"</h1></div>
        <p class="muted">"What you sell, at one or more prices. Links made from a product keep selling it at its price, even after you archive it."</p>
        <NewProduct reload=reload/>
        <h2>"Your products"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading products…"</p> }>
            {move || catalogue.get().map(|result| match result {
                Err(err) => view! { <ErrorState message=err.message() retry=reload/> }.into_any(),
                Ok((products, _)) if products.is_empty() => view! {
                    <div class="empty-state"><p>"No products yet. Add one above, then make a link that sells it."</p></div>
                }.into_any(),
                Ok((products, prices)) => products.into_iter().map(|product| {
                    let own: Vec<Price> = prices.iter().filter(|p| p.product_id == product.id).cloned().collect();
                    view! { <ProductCard product=product prices=own reload=reload/> }
                }).collect_view().into_any(),
            })}
        </Transition>
    }
}

/// The form that adds a product with its first price.
#[component]
fn NewProduct(reload: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let code_edited = RwSignal::new(false);
    let description = RwSignal::new(String::new());
    let image_url = RwSignal::new(String::new());
    let subscription = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
    let interval = RwSignal::new(Interval::Month);
    let unreadable = RwSignal::new(FieldErrors::default());
    let last_sent = StoredValue::new(None::<(CreateProduct, String)>);
    let create = Action::new_local(move |(body, key): &(CreateProduct, String)| {
        let (body, key, client) = (body.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_product(&body, &key).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            for field in [name, code, description, image_url, amount] {
                field.set(String::new());
            }
            code_edited.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let error_of = move |field: &'static str| {
        move || unreadable.with(|u| create.value().with(|v| field_message(u, v.as_ref(), field)))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        let minor = match minor_of(&amount.get_untracked(), &currency.get_untracked()) {
            Ok(minor) => minor,
            Err(why) => return unreadable.set(FieldErrors::single("amount_minor", why)),
        };
        unreadable.set(FieldErrors::default());
        let recurring = subscription.get_untracked();
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string()).filter(|s| !s.is_empty());
        let body = CreateProduct {
            product_id: code.get_untracked().trim().to_string(),
            name: name.get_untracked().trim().to_string(),
            description: text(description),
            kind: if recurring { ProductKind::Subscription } else { ProductKind::OneTime },
            pricing_model: if recurring { ProductPricing::Recurring } else { ProductPricing::OneTime },
            amount_minor: minor,
            currency: Some(currency.get_untracked().trim().to_string()),
            interval: recurring.then(|| interval.get_untracked()),
            image_url: text(image_url),
            ..CreateProduct::default()
        };
        let key = key_for(last_sent.get_value(), &body);
        last_sent.set_value(Some((body.clone(), key.clone())));
        create.dispatch((body, key));
    };
    let amount_error = error_of("amount_minor");
    view! {
        <form class="card" on:submit=submit novalidate>
            <h2>"Add a product"</h2>
            <div class="field">
                <label for="product-name">"Name"</label>
                <input id="product-name" type="text" maxlength="200" prop:value=name
                    aria-invalid=move || error_of("name")().is_some().to_string() aria-describedby="product-name-error"
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        if !code_edited.get_untracked() { code.set(code_from_name(&typed)) }
                        name.set(typed);
                    }/>
                <p id="product-name-error" class="field-error" aria-live="polite">{error_of("name")}</p>
            </div>
            <div class="field">
                <label for="product-code">"Product code"</label>
                <input id="product-code" type="text" maxlength="200" autocomplete="off" prop:value=code
                    aria-invalid=move || error_of("product_id")().is_some().to_string()
                    aria-describedby="product-code-hint product-code-error"
                    on:input=move |ev| { code_edited.set(true); code.set(event_target_value(&ev)) }/>
                <p id="product-code-hint" class="hint">"Your own reference for it (a SKU), unique among your products."</p>
                <p id="product-code-error" class="field-error" aria-live="polite">{error_of("product_id")}</p>
            </div>
            <div class="field">
                <label for="product-description">"Description (optional)"</label>
                <textarea id="product-description" rows="2" prop:value=description
                    on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <p class="field-error" aria-live="polite">{error_of("description")}</p>
            </div>
            <div class="field">
                <label for="product-image">"Image URL (optional)"</label>
                <input id="product-image" type="url" inputmode="url" placeholder="https://…" prop:value=image_url
                    aria-invalid=move || error_of("image_url")().is_some().to_string() aria-describedby="product-image-error"
                    on:input=move |ev| image_url.set(event_target_value(&ev))/>
                <p id="product-image-error" class="field-error" aria-live="polite">{error_of("image_url")}</p>
            </div>
            <fieldset>
                <legend>"Sold as"</legend>
                <label class="check"><input type="radio" name="product-kind" prop:checked=move || !subscription.get()
                    on:change=move |_| subscription.set(false)/>"A one-time purchase"</label>
                <label class="check"><input type="radio" name="product-kind" prop:checked=move || subscription.get()
                    on:change=move |_| subscription.set(true)/>"A subscription"</label>
            </fieldset>
            <div class="row">
                <div class="field">
                    <label for="product-price">"Price"</label>
                    <input id="product-price" type="text" inputmode="decimal" autocomplete="off" prop:value=amount
                        aria-invalid=move || amount_error().is_some().to_string() aria-describedby="product-price-hint product-price-error"
                        on:input=move |ev| amount.set(event_target_value(&ev))/>
                    <p id="product-price-hint" class="hint">"0 makes it free."</p>
                    <p id="product-price-error" class="field-error" aria-live="polite">{amount_error}</p>
                </div>
                <div class="field">
                    <label for="product-currency">"Currency"</label>
                    <input id="product-currency" type="text" maxlength="4" autocomplete="off" prop:value=currency
                        on:input=move |ev| currency.set(event_target_value(&ev).to_uppercase())/>
                    <p class="field-error" aria-live="polite">{error_of("currency")}</p>
                </div>
            </div>
            {move || subscription.get().then(|| view! { <IntervalSelect id="product-interval" interval=interval/> })}
            <p class="form-error" role="alert">{move || create.value().with(|v| general_message(v.as_ref()))}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Adding…" } else { "Add product" }}
            </button>
        </form>
    }
}

#[component]
fn IntervalSelect(id: &'static str, interval: RwSignal<Interval>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Bills"</label>
            <select id=id prop:value=move || interval.get().as_str()
                on:change=move |ev| if let Some(i) = Interval::parse(&event_target_value(&ev)) { interval.set(i) }>
                {INTERVALS.into_iter().map(|(i, _)| view! {
                    <option value=i.as_str()>{format!("Every {}", i.as_str())}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// One product: its prices, adding one, archiving.
#[component]
fn ProductCard(product: Product, prices: Vec<Price>, reload: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Runs one change and reloads the list (or says what went wrong, on this card).
    let run = move |change: CardChange| {
        let client = client_of(session.get_untracked());
        let work = async move { change.apply(&client?).await };
        run_exclusive(busy, work, move |outcome| match outcome {
            Ok(()) => reload.update(|n| *n += 1),
            Err(err) => notice.set(Some(err.message())),
        });
    };
    let (id, name, archived) = (product.id.to_string(), product.name.clone(), product.is_archived);
    let adding = RwSignal::new(false);
    let rows = prices.into_iter().map(|price| {
        let price_id = price.id.to_string();
        let label = price.nickname.clone().or(price.name.clone());
        let words = price_words(&price);
        let describe = format!("{}{}", label.clone().map(|l| format!("{l}: ")).unwrap_or_default(), words);
        view! {
            <li class="price-row">
                <span>{label.map(|l| view! { <strong>{l}</strong>" " })}{words}</span>
                {(price.version > 1).then(|| view! { <span class="muted">{format!(" version {}", price.version)}</span> })}
                {if price.active {
                    view! {
                        <button type="button" class="link-button" disabled=move || busy.get()
                            aria-label=format!("Archive price {describe}")
                            on:click=move |_| run(CardChange::ArchivePrice(price_id.clone()))>"Archive"</button>
                    }.into_any()
                } else {
                    view! { <span class="badge badge-inactive">"Archived"</span> }.into_any()
                }}
            </li>
        }
    });
    let toggle_id = id.clone();
    view! {
        <article class="card product" aria-label=format!("Product {name}")>
            <div class="product-head">
                {product.image_url.clone().map(|src| view! { <img class="product-image" src=src alt=product.name.clone()/> })}
                <div>
                    <h3>{product.name.clone()}</h3>
                    <p class="muted">{format!("Code {}", product.product_id)}
                        {(product.kind == ProductKind::Subscription).then_some(" · Subscription")}</p>
                    {archived.then(|| view! { <span class="badge badge-inactive">"Archived"</span> })}
                </div>
            </div>
            {product.description.clone().map(|d| view! { <p>{d}</p> })}
            <ul class="prices" aria-label=format!("Prices of {name}")>{rows.collect_view()}</ul>
            <div class="actions">
                {(!archived).then(|| view! {
                    <button type="button" class="secondary" aria-expanded=move || adding.get().to_string()
                        on:click=move |_| adding.update(|a| *a = !*a)>{format!("Add a price to {name}")}</button>
                })}
                <button type="button" class="secondary" disabled=move || busy.get()
                    on:click=move |_| run(CardChange::Archive(toggle_id.clone(), !archived))>
                    {if archived { "Unarchive" } else { "Archive product" }}
                </button>
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
            {move || adding.get().then(|| view! { <NewPrice product=product.clone() reload=reload adding=adding/> })}
        </article>
    }
}

/// What a product card's buttons ask for.
enum CardChange {
    Archive(String, bool),
    ArchivePrice(String),
}

impl CardChange {
    async fn apply(self, client: &Client) -> Result<(), ApiError> {
        match self {
            CardChange::Archive(id, archived) => {
                let body = UpdateProduct { is_archived: Some(archived), ..UpdateProduct::default() };
                client.update_product(&id, &body).await.map(drop)
            }
            CardChange::ArchivePrice(id) => client.archive_price(&id).await.map(drop),
        }
    }
}

/// The form that adds a price to a product: fixed, or the customer chooses within bounds.
#[component]
fn NewPrice(product: Product, reload: RwSignal<u32>, adding: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let prefix = format!("price-{}", product.id);
    let nickname = RwSignal::new(String::new());
    let chooses = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let minimum = RwSignal::new(String::new());
    let maximum = RwSignal::new(String::new());
    let suggested = RwSignal::new(String::new());
    let presets = RwSignal::new(String::new());
    let currency = product.currency.to_uppercase();
    let interval = RwSignal::new(product.interval.unwrap_or(Interval::Month));
    let recurring = product.kind == ProductKind::Subscription;
    let unreadable = RwSignal::new(FieldErrors::default());
    let last_sent = StoredValue::new(None::<(CreatePrice, String)>);
    let create = Action::new_local(move |(body, key): &(CreatePrice, String)| {
        let (body, key, client) = (body.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_price(&body, &key).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            adding.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let error_of = move |field: &'static str| {
        move || unreadable.with(|u| create.value().with(|v| field_message(u, v.as_ref(), field)))
    };
    let product_id = product.id;
    let submit = {
        let currency = currency.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if create.pending().get_untracked() {
                return;
            }
            let mut errors = FieldErrors::default();
            let mut read = |field: &str, typed: String| -> Option<i64> {
                let typed = typed.trim().to_string();
                if typed.is_empty() {
                    return None;
                }
                minor_of(&typed, &currency).map_err(|why| errors.add(field, why)).ok()
            };
            let chooses = chooses.get_untracked();
            let body = CreatePrice {
                product_id,
                currency: Some(currency.clone()),
                unit_amount: (!chooses).then(|| read("unit_amount", amount.get_untracked())).flatten(),
                pricing_model: Some(if chooses { PricingModel::PayWhatYouWant } else { PricingModel::Fixed }),
                price_type: Some(if recurring {
                    paylinks_api::catalog::PriceType::Recurring
                } else {
                    paylinks_api::catalog::PriceType::OneTime
                }),
                interval: recurring.then(|| interval.get_untracked()),
                minimum_amount: chooses.then(|| read("minimum_amount", minimum.get_untracked())).flatten(),
                maximum_amount: chooses.then(|| read("maximum_amount", maximum.get_untracked())).flatten(),
                suggested_amount: chooses.then(|| read("suggested_amount", suggested.get_untracked())).flatten(),
                preset_amounts: chooses
                    .then(|| {
                        let typed = presets.get_untracked();
                        let amounts: Vec<i64> = typed
                            .split(',')
                            .filter(|p| !p.trim().is_empty())
                            .filter_map(|p| read("preset_amounts", p.to_string()))
                            .collect();
                        (!amounts.is_empty()).then_some(amounts)
                    })
                    .flatten(),
                nickname: Some(nickname.get_untracked().trim().to_string()).filter(|n| !n.is_empty()),
                ..CreatePrice::default()
            };
            let failed = !errors.is_empty();
            unreadable.set(errors);
            if failed {
                return;
            }
            let key = key_for(last_sent.get_value(), &body);
            last_sent.set_value(Some((body.clone(), key.clone())));
            create.dispatch((body, key));
        }
    };
    let money_field = move |suffix: &'static str, label: &'static str, field: &'static str, value: RwSignal<String>| {
        let id = format!("{prefix}-{suffix}");
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" inputmode="decimal" autocomplete="off" prop:value=value
                    aria-invalid=move || error_of(field)().is_some().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <p id=error_id class="field-error" aria-live="polite">{error_of(field)}</p>
            </div>
        }
    };
    let nickname_id = format!("price-{}-nickname", product.id);
    let radio_name = format!("price-{}-model", product.id);
    view! {
        <form class="new-price" on:submit=submit novalidate>
            <h4>{format!("New price for {} ({currency})", product.name)}</h4>
            <div class="field">
                <label for=nickname_id.clone()>"Price name (optional)"</label>
                <input id=nickname_id type="text" maxlength="200" placeholder="Large, Annual, Early bird…" prop:value=nickname
                    on:input=move |ev| nickname.set(event_target_value(&ev))/>
            </div>
            <fieldset>
                <legend>"The customer pays"</legend>
                <label class="check"><input type="radio" name=radio_name.clone() prop:checked=move || !chooses.get()
                    on:change=move |_| chooses.set(false)/>"A fixed amount"</label>
                {(!recurring).then(|| view! {
                    <label class="check"><input type="radio" name=radio_name.clone() prop:checked=move || chooses.get()
                        on:change=move |_| chooses.set(true)/>"What they want (pay what you want)"</label>
                })}
            </fieldset>
            {move || if chooses.get() {
                view! {
                    <div class="row">
                        {money_field("minimum", "Minimum", "minimum_amount", minimum)}
                        {money_field("maximum", "Maximum (optional)", "maximum_amount", maximum)}
                    </div>
                    <div class="row">
                        {money_field("suggested", "Suggested (optional)", "suggested_amount", suggested)}
                        {money_field("presets", "Quick amounts, comma separated (optional)", "preset_amounts", presets)}
                    </div>
                }.into_any()
            } else {
                money_field("amount", "Amount", "unit_amount", amount).into_any()
            }}
            {recurring.then(|| view! { <IntervalSelect id="new-price-interval" interval=interval/> })}
            <p class="form-error" role="alert">{move || create.value().with(|v| general_message(v.as_ref()))}</p>
            <div class="actions">
                <button type="submit" disabled=move || create.pending().get()>"Add price"</button>
                <button type="button" class="secondary" on:click=move |_| adding.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}
