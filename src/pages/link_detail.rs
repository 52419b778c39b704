//! One link: every field, its public URL (copy, QR code) and the status changes it allows.

use crate::common::api::ApiError;
use crate::common::error_state::ErrorState;
use crate::common::format;
use crate::components::copy_button::CopyButton;
use crate::components::status_badge::StatusBadge;
use crate::link_form::{words, AFTER_COMPLETION, LINK_TYPES, MODES, SELECTION_MODES, TAX_BEHAVIORS};
use crate::session::client_of;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use paylinks_api::checkout::{Address, PaymentStatus};
use paylinks_api::payment::Payment;
use paylinks_api::{CustomField, CustomFieldType, LinkStatus, ListQuery, PaymentLink, TargetStatus, WireEnum};

/// The button text for moving to a state.
pub fn action_label(to: LinkStatus) -> &'static str {
    match to {
        LinkStatus::Active => "Activate",
        LinkStatus::Inactive => "Deactivate",
        LinkStatus::Archived => "Archive",
        LinkStatus::Expired => "Expire",
        LinkStatus::Draft | LinkStatus::Completed => "",
    }
}

/// For a change that cannot be undone: the dialog's name, its warning and its confirm button.
fn confirmation(to: TargetStatus) -> Option<(&'static str, &'static str, &'static str)> {
    match to {
        TargetStatus::Archived => Some((
            "Confirm archiving",
            "Archiving is permanent: the link can never be paid again.",
            "Archive permanently",
        )),
        TargetStatus::Expired => Some((
            "Confirm expiring",
            "Expiring cannot be undone: customers holding the link will be told it has expired, and it can never be paid again.",
            "Expire now",
        )),
        TargetStatus::Active | TargetStatus::Inactive => None,
    }
}

fn target(to: LinkStatus) -> Option<TargetStatus> {
    TargetStatus::all().iter().copied().find(|t| LinkStatus::from(*t) == to)
}

#[component]
pub fn LinkDetailPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let retry = RwSignal::new(0u32);
    let link = LocalResource::new(move || {
        let (id, client) = (id.get(), client_of(session.get()));
        retry.track();
        async move { client?.get_link(&id).await }
    });
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the payment link…"</p> }>
            {move || link.get().map(|result| match result {
                Ok(link) => view! { <LinkView link=link/> }.into_any(),
                // A wrong or old address: nothing to retry.
                Err(ApiError::Server { status: 404 | 400, .. }) => view! {
                    <div class="empty-state">
                        <h1>"No such payment link"</h1>
                        <p>"This address does not name one of your links, in this mode."</p>
                        <A href="/links" attr:class="button">"Back to your links"</A>
                    </div>
                }.into_any(),
                Err(err) => view! { <ErrorState message=err.message() retry=retry/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn LinkView(link: PaymentLink) -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(link.status);
    // Archive and expire cannot be undone: each asks first.
    let confirming = RwSignal::new(None::<TargetStatus>);
    let id = link.id.to_string();
    let change = Action::new_local(move |to: &TargetStatus| {
        let (client, id, to) = (client_of(session.get_untracked()), id.clone(), *to);
        // One key per intended change: a retry after a lost answer cannot apply it twice.
        let key = uuid::Uuid::new_v4().to_string();
        async move { client?.set_status(&id, to, &key).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(result)) = change.value().get() {
            status.set(result.status);
            confirming.set(None);
        }
    });
    let act = move |to: TargetStatus| {
        if confirmation(to).is_some() {
            confirming.set(Some(to));
        } else {
            change.dispatch(to);
        }
    };
    let rows = field_rows(&link);
    let url = link.url.clone();
    view! {
        <div class="toolbar">
            <h1>{link.name.clone()}</h1>
            {move || view! { <StatusBadge status=status.get()/> }}
        </div>
        <section aria-labelledby="share-heading" class="card">
            <h2 id="share-heading">"Share"</h2>
            <p class="url"><a href=url.clone() rel="noopener noreferrer">{url.clone()}</a></p>
            <CopyButton text=url.clone() label="Copy the public checkout URL".to_string()/>
            <crate::components::qr::QrCode text=url.clone() label=format!("QR code for {url}") file_name=format!("qr-{}", link.public_id)/>
        </section>
        <section aria-labelledby="status-heading" class="card">
            <h2 id="status-heading">"Status"</h2>
            <div class="actions">
                {move || status.get().next_states().into_iter().filter_map(target).map(|to| view! {
                    <button type="button" class=if confirmation(to).is_some() { "danger" } else { "secondary" }
                        disabled=move || change.pending().get() on:click=move |_| act(to)>{action_label(to.into())}</button>
                }).collect_view()}
            </div>
            {move || confirming.get().and_then(|to| confirmation(to).map(|(title, warning, confirm)| view! {
                <div class="confirm" role="alertdialog" aria-label=title>
                    <p>{warning}</p>
                    <button type="button" class="danger" disabled=move || change.pending().get()
                        on:click=move |_| { change.dispatch(to); }>{confirm}</button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(None)>"Cancel"</button>
                </div>
            }))}
            <p class="form-error" role="alert">{move || match change.value().get() { Some(Err(e)) => Some(e.message()), _ => None }}</p>
        </section>
        <LinkActivity id=link.id.to_string() questions=link.settings.custom_fields.clone()/>
        <section aria-labelledby="fields-heading" class="card">
            <h2 id="fields-heading">"Details"</h2>
            <dl class="fields">
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

/// Every field of the link as (label, text); merchant text stays text.
fn field_rows(link: &PaymentLink) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let uuid_opt = |v: Option<uuid::Uuid>| v.map_or_else(|| "—".into(), |u| u.to_string());
    let items = link
        .line_items
        .iter()
        .map(|i| {
            format!(
                "{} × {} at {}",
                i.quantity,
                i.product_details.name,
                format::amount(Some(i.product_details.unit_amount), &i.product_details.currency)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let metadata = link.metadata.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("; ");
    let settings = &link.settings;
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    let questions = settings.custom_fields.iter().map(question_in_words).collect::<Vec<_>>().join("; ");
    vec![
        ("Amount", format::amount(link.amount_minor, &link.currency)),
        ("Currency", link.currency.clone()),
        ("Mode", words(&MODES, link.mode).into()),
        ("Line items", if items.is_empty() { "—".into() } else { items }),
        ("Slug", opt(&link.slug)),
        ("Public id", link.public_id.clone()),
        ("Id", link.id.to_string()),
        ("Invoice id", uuid_opt(link.invoice_id)),
        ("Subscription id", uuid_opt(link.subscription_id)),
        ("Success URL", opt(&link.success_url)),
        ("Cancel URL", opt(&link.cancel_url)),
        ("Redirect URL", opt(&link.redirect_url)),
        ("Collect shipping", if link.collect_shipping { "yes" } else { "no" }.into()),
        ("Promotion codes", if link.allow_promotion_codes { "allowed" } else { "not allowed" }.into()),
        ("Tax behaviour", words(&TAX_BEHAVIORS, link.tax_behavior).into()),
        ("Selection mode", words(&SELECTION_MODES, link.selection_mode).into()),
        ("Expires", link.expires_at.map_or_else(|| "never".into(), format::when)),
        ("Metadata", if metadata.is_empty() { "—".into() } else { metadata }),
        ("Link type", words(&LINK_TYPES, settings.link_type).into()),
        ("Description", opt(&settings.description)),
        ("Cover image URL", opt(&settings.cover_image_url)),
        (
            "Customer chooses the amount",
            settings.custom_amount.map_or_else(
                || "no".into(),
                |a| {
                    let money = |m| format::amount(Some(m), &link.currency);
                    let range = format!("between {} and {}", money(a.minimum), money(a.maximum));
                    match a.preset {
                        Some(preset) => format!("{range}, {} suggested", money(preset)),
                        None => range,
                    }
                },
            ),
        ),
        ("Quantities adjustable", yes_no(settings.allow_quantity_adjustment)),
        ("Collect billing address", yes_no(settings.collect_address)),
        ("Ask for phone", yes_no(settings.collect_phone)),
        ("Questions", if questions.is_empty() { "—".into() } else { questions }),
        (
            "Payment limit",
            match link.max_completions {
                Some(cap) => format!("closes after {cap} payments ({} so far)", link.completed_count),
                None => format!("no limit ({} so far)", link.completed_count),
            },
        ),
        ("After paying", words(&AFTER_COMPLETION, settings.after_completion).into()),
        ("Confirmation message", opt(&settings.confirmation_message)),
        ("Message when unavailable", opt(&settings.inactive_message)),
        ("Tax rate", opt(&settings.tax_rate_id)),
        ("Wallet button", if settings.allow_mobile_payment { "offered" } else { "not offered" }.into()),
        ("Business tax id", if settings.allow_business_tax_id { "customers may give one" } else { "not asked" }.into()),
        ("Invoice PDF", if settings.create_invoice_pdf { "wanted for each payment" } else { "no" }.into()),
        ("Customer id", opt(&settings.customer_id)),
        ("Reference", opt(&settings.external_reference)),
        ("Created", format::when(link.created_at)),
        ("Updated", format::when(link.updated_at)),
    ]
}

/// A custom question as the merchant would say it: "Box size (a choice of S, L; required)".
fn question_in_words(field: &CustomField) -> String {
    let kind = match field.field_type {
        CustomFieldType::Text => "text".to_string(),
        CustomFieldType::Number => "a number".to_string(),
        CustomFieldType::Dropdown => format!("a choice of {}", field.options.join(", ")),
    };
    let required = if field.required { "required" } else { "optional" };
    format!("{} ({kind}; {required})", field.label)
}

const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What customers did on the link: views, attempts, revenue, and the newest payments.
#[component]
fn LinkActivity(id: String, questions: Vec<CustomField>) -> impl IntoView {
    let session = use_session();
    let retry = RwSignal::new(0u32);
    // New payments appear while the page is open (not while the merchant reads one's details,
    // which a refresh would fold away).
    let reading = || document().query_selector("details.payment-detail[open]").ok().flatten().is_some();
    let refresh = move || {
        if !reading() {
            retry.update(|n| *n += 1);
        }
    };
    if let Ok(timer) = set_interval_with_handle(refresh, REFRESH_EVERY) {
        on_cleanup(move || timer.clear());
    }
    let activity = LocalResource::new(move || {
        let (id, client) = (id.clone(), client_of(session.get()));
        retry.track();
        async move {
            let client = client?;
            let stats = client.stats(&id).await?;
            let payments = client.payments(&id, &ListQuery::default()).await?;
            Ok::<_, crate::common::api::ApiError>((stats, payments))
        }
    });
    view! {
        <section aria-labelledby="activity-heading" class="card">
            <h2 id="activity-heading">"Payments"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading payments…"</p> }>
                {move || activity.get().map(|result| match result {
                    Err(err) => view! { <ErrorState message=err.message() retry=retry/> }.into_any(),
                    Ok((stats, payments)) => {
                        let revenue = if stats.revenue.is_empty() {
                            "—".to_string()
                        } else {
                            stats.revenue.iter().map(|r| format::amount(Some(r.amount_minor), &r.currency)).collect::<Vec<_>>().join(", ")
                        };
                        view! {
                            <dl class="stats">
                                <div><dt>"Views"</dt><dd>{stats.views}</dd></div>
                                <div><dt>"Checkout attempts"</dt><dd>{stats.checkout_attempts}</dd></div>
                                <div><dt>"Successful payments"</dt><dd>{stats.successful_payments}</dd></div>
                                <div><dt>"Revenue"</dt><dd>{revenue}</dd></div>
                            </dl>
                            {if payments.data.is_empty() {
                                view! { <p>"No payments yet. Share the link to get paid."</p> }.into_any()
                            } else {
                                view! { <PaymentsTable payments=payments.data questions=questions.clone()/> }.into_any()
                            }}
                        }.into_any()
                    }
                })}
            </Transition>
            <button type="button" class="secondary" on:click=move |_| retry.update(|n| *n += 1)>"Refresh payments"</button>
        </section>
    }
}

/// `1 Main St, Apt 2, Springfield, IL 62701, US`
fn address_text(address: &Address) -> String {
    let region =
        [address.state.as_deref(), address.postal_code.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    [
        Some(address.line1.as_str()),
        address.line2.as_deref(),
        Some(address.city.as_str()),
        Some(region.as_str()),
        Some(address.country.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// Each answer under its question's label (the key, if the question is gone).
fn answers_text(p: &Payment, questions: &[CustomField]) -> String {
    p.custom_fields
        .iter()
        .map(|(key, answer)| {
            let label = questions.iter().find(|q| &q.key == key).map_or(key.as_str(), |q| q.label.as_str());
            format!("{label}: {answer}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
fn PaymentsTable(payments: Vec<Payment>, questions: Vec<CustomField>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="payments cards">
                <caption class="visually-hidden">"Newest payments"</caption>
                <thead><tr><th>"When"</th><th>"Status"</th><th>"Amount"</th><th>"Customer"</th><th>"Card"</th><th>"Answers"</th><th>"Details"</th></tr></thead>
                <tbody>
                    {payments.into_iter().map(|p| {
                        let failure = || p.failure_code.clone().unwrap_or_default().replace('_', " ");
                        let status = match p.status {
                            PaymentStatus::Succeeded => "Succeeded".to_string(),
                            PaymentStatus::Failed => format!("Failed: {}", failure()),
                            PaymentStatus::Pending | PaymentStatus::RequiresAction => "Waiting: the customer is on Stripe's page".to_string(),
                            PaymentStatus::Expired => "Not finished: the customer left Stripe's page".to_string(),
                            PaymentStatus::NeedsReview => "Needs review: Stripe's amount differs; not counted".to_string(),
                        };
                        let review = p.status == PaymentStatus::NeedsReview;
                        let card = if p.card_last4.is_empty() {
                            p.processor_reference.as_ref().map_or_else(|| "—".to_string(), |_| "Through Stripe".to_string())
                        } else {
                            format!("{} ···· {}", p.card_brand, p.card_last4)
                        };
                        let answers = answers_text(&p, &questions);
                        let money = |minor: i64| format::amount(Some(minor), &p.currency);
                        let items = p.line_items.iter().map(|l| format!("{} × {} at {}", l.quantity, l.name, money(l.unit_amount))).collect::<Vec<_>>().join("; ");
                        let mut rows = vec![("What was bought", items), ("Email", p.customer_email.clone()), ("Name", p.customer_name.clone())];
                        rows.extend(p.customer_phone.clone().map(|phone| ("Phone", phone)));
                        rows.extend(p.billing_address.as_ref().map(|a| ("Billing address", address_text(a))));
                        rows.extend(p.shipping_address.as_ref().map(|a| ("Shipping address", address_text(a))));
                        rows.extend(p.failure_message.clone().map(|m| ("What the customer was told", m)));
                        rows.push(("Payment id", p.id.clone()));
                        rows.push(("Checkout id", p.checkout_id.clone()));
                        rows.extend(p.processor_reference.clone().map(|r| ("Stripe reference", r)));
                        view! {
                            <tr class:needs-review=review>
                                <td data-label="When">{format::when(p.created_at)}</td>
                                <td data-label="Status">{review.then(|| view! { <strong class="review-flag">"⚠ "</strong> })}{status}</td>
                                <td data-label="Amount" class="num">{format::amount(Some(p.amount_minor), &p.currency)}</td>
                                <td data-label="Customer">{format!("{} <{}>", p.customer_name, p.customer_email)}</td>
                                <td data-label="Card">{card}</td>
                                <td data-label="Answers">{answers}</td>
                                <td data-label="Details">
                                    <details class="payment-detail">
                                        <summary aria-label=format!("Details of payment {}", p.id)>"Show details"</summary>
                                        <dl class="pairs">{rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
