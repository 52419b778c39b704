//! Developers: the merchant's webhook endpoints (add one with the events it wants; its signing
//! secret shown once, with how to verify it; enable or disable, rotate, delete, send a test event)
//! and each endpoint's delivery log (what came back, when the next try is; retry now).

use crate::common::error_state::ErrorState;
use crate::common::form::{focus, general_message, key_for, run_exclusive, server_message};
use crate::common::format;
use crate::components::copy_button::CopyButton;
use crate::session::{client_of, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use paylinks_api::event::EventType;
use paylinks_api::webhook::{
    CreateWebhookEndpoint, DeliveryStatus, EndpointStatus, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint,
};
use paylinks_api::WireEnum;

/// The events a merchant can pick, in plain words.
const EVENTS: [(EventType, &str); 6] = [
    (EventType::CheckoutSessionCompleted, "A customer paid a link"),
    (EventType::PaymentSucceeded, "A payment succeeded"),
    (EventType::PaymentFailed, "A payment failed or expired"),
    (EventType::CheckoutSessionExpired, "A live checkout expired unpaid"),
    (EventType::PaymentLinkCreated, "A link was created"),
    (EventType::PaymentLinkUpdated, "A link changed"),
];

/// The secret as Standard Webhooks libraries take it: `whsec_` + base64 of its bytes.
fn standard_secret(secret: &str) -> String {
    let encoded = window().btoa(secret).unwrap_or_default();
    format!("whsec_{encoded}")
}

#[component]
pub fn DevelopersPage() -> impl IntoView {
    let session = use_session();
    let reload = RwSignal::new(0u32);
    let endpoints = LocalResource::new(move || {
        let client = client_of(session.get());
        reload.track();
        async move { client?.list_endpoints().await }
    });
    // The secret of an endpoint just added or rotated: shown once, until dismissed.
    let revealed = RwSignal::new(None::<WebhookEndpoint>);
    view! {
        <div class="toolbar"><h1>"Developers"</h1></div>
        <p class="muted">"Webhooks tell your systems the moment something happens: paylinks POSTs a signed event to each endpoint that wants it."</p>
        {move || revealed.get().map(|endpoint| view! { <SecretPanel endpoint=endpoint revealed=revealed/> })}
        <AddEndpoint reload=reload revealed=revealed/>
        <h2>"Endpoints"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading endpoints…"</p> }>
            {move || endpoints.get().map(|result| match result {
                Err(err) => view! { <ErrorState message=err.message() retry=reload/> }.into_any(),
                Ok(list) if list.data.is_empty() => view! {
                    <div class="empty-state"><p>"No endpoints yet. Add one above to start receiving events."</p></div>
                }.into_any(),
                Ok(list) => list.data.into_iter().map(|endpoint| view! {
                    <EndpointCard endpoint=endpoint reload=reload revealed=revealed/>
                }).collect_view().into_any(),
            })}
        </Transition>
    }
}

/// The form that registers an endpoint.
#[component]
fn AddEndpoint(reload: RwSignal<u32>, revealed: RwSignal<Option<WebhookEndpoint>>) -> impl IntoView {
    let session = use_session();
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![EventType::CheckoutSessionCompleted]);
    let last_sent = StoredValue::new(None::<(CreateWebhookEndpoint, String)>);
    let create = Action::new_local(move |(body, key): &(CreateWebhookEndpoint, String)| {
        let (body, key, client) = (body.clone(), key.clone(), client_of(session.get_untracked()));
        async move { client?.create_endpoint(&body, &key).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(made)) = create.value().get() {
            revealed.set(Some(made.data));
            url.set(String::new());
            description.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let error_of = move |field: &'static str| move || create.value().with(|v| server_message(v.as_ref(), field));
    let general = move || create.value().with(|v| general_message(v.as_ref()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        let body = CreateWebhookEndpoint {
            url: url.get_untracked().trim().to_string(),
            enabled_events: chosen.get_untracked().iter().map(|t| t.as_str().to_string()).collect(),
            description: Some(description.get_untracked()).filter(|d| !d.trim().is_empty()),
        };
        let key = key_for(last_sent.get_value(), &body);
        last_sent.set_value(Some((body.clone(), key.clone())));
        create.dispatch((body, key));
    };
    view! {
        <form class="card" on:submit=submit novalidate>
            <h2>"Add an endpoint"</h2>
            <div class="field">
                <label for="endpoint-url">"Endpoint URL"</label>
                <input id="endpoint-url" type="url" inputmode="url" autocomplete="off" placeholder="https://shop.example/webhooks"
                    aria-invalid=move || error_of("url")().is_some().to_string()
                    aria-describedby="endpoint-url-error"
                    prop:value=url on:input=move |ev| url.set(event_target_value(&ev))/>
                <p id="endpoint-url-error" class="field-error" aria-live="polite">{error_of("url")}</p>
            </div>
            <div class="field">
                <label for="endpoint-description">"Description (optional)"</label>
                <input id="endpoint-description" type="text" maxlength="500" prop:value=description
                    on:input=move |ev| description.set(event_target_value(&ev))/>
                <p class="field-error" aria-live="polite">{error_of("description")}</p>
            </div>
            <fieldset aria-describedby="endpoint-events-error">
                <legend>"Events to send"</legend>
                {EVENTS.into_iter().map(|(event_type, words)| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&event_type))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|t| *t != event_type); if on { c.push(event_type) } });
                            }/>
                        <span>{words}" "<code class="event-type">{event_type.as_str()}</code></span>
                    </label>
                }).collect_view()}
                <p id="endpoint-events-error" class="field-error" aria-live="polite">{error_of("enabled_events")}</p>
            </fieldset>
            <p class="form-error" role="alert">{general}</p>
            <button type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Adding…" } else { "Add endpoint" }}
            </button>
        </form>
    }
}

/// The secret of an endpoint just added or rotated, with the recipes that verify it.
#[component]
fn SecretPanel(endpoint: WebhookEndpoint, revealed: RwSignal<Option<WebhookEndpoint>>) -> impl IntoView {
    let secret = endpoint.secret.clone().unwrap_or_default();
    let standard = standard_secret(&secret);
    // The form that made it is below: bring the secret into view, and the keyboard to it.
    focus("#secret-heading");
    view! {
        <section class="card secret" aria-labelledby="secret-heading" role="status">
            <h2 id="secret-heading" tabindex="-1">"Signing secret for "{endpoint.url.clone()}</h2>
            <p>"Copy it now: it is not shown again. Store it where your receiver reads its configuration."</p>
            <p><code class="secret-value">{secret.clone()}</code></p>
            <CopyButton text=secret label="Copy signing secret".into() idle="Copy secret"/>
            <details open>
                <summary>"How to verify a delivery"</summary>
                <ul>
                    <li>"RevKeen SDK: "<code>"constructEvent(rawBody, req.headers['x-revkeen-signature'], secret)"</code></li>
                    <li>"Any Standard Webhooks library, with the secret "<code class="secret-value">{standard.clone()}</code>" and the "<code>"webhook-id"</code>", "<code>"webhook-timestamp"</code>" and "<code>"webhook-signature"</code>" headers."</li>
                    <li>"By hand: "<code>"X-RevKeen-Signature: t=…,v1=…"</code>" where v1 is the hex HMAC-SHA256 of "<code>"{t}.{raw body}"</code>" with the secret; reject a t more than 5 minutes old."</li>
                </ul>
                <p>"Delivery is at least once and in no set order: keep each event's id and ignore one you have already handled."</p>
            </details>
            <button type="button" class="secondary" on:click=move |_| revealed.set(None)>"I have stored the secret"</button>
        </section>
    }
}

/// One endpoint: what it is, its state, its controls and (opened) its delivery log.
#[component]
fn EndpointCard(
    endpoint: WebhookEndpoint,
    reload: RwSignal<u32>,
    revealed: RwSignal<Option<WebhookEndpoint>>,
) -> impl IntoView {
    let session = use_session();
    let id = endpoint.id.clone();
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let enabled = endpoint.status == EndpointStatus::Enabled;
    let label = endpoint.description.clone().unwrap_or_else(|| endpoint.url.clone());
    // Its counters, kept current while its delivery log is open.
    let counters = RwSignal::new(endpoint.clone());
    // Runs one change and reloads the list (or says what went wrong, on this card).
    let run = move |change: Change| {
        let client = client_of(session.get_untracked());
        let work = async move { change.apply(&client?).await };
        run_exclusive(busy, work, move |outcome| match outcome {
            Ok(Done::Reload) => reload.update(|n| *n += 1),
            Ok(Done::Reveal(endpoint)) => {
                revealed.set(Some(endpoint));
                reload.update(|n| *n += 1);
            }
            Ok(Done::Say(words)) => notice.set(Some(words)),
            Err(err) => notice.set(Some(err.message())),
        });
    };
    let test_type = RwSignal::new(EventType::CheckoutSessionCompleted);
    let show_log = RwSignal::new(false);
    let (toggle_id, delete_id, rotate_id, test_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    let select_id = format!("test-type-{id}");
    let events = endpoint.enabled_events.join(", ");
    view! {
        <article class="card endpoint" aria-label=format!("Endpoint {label}")>
            <h3 class="endpoint-url">{endpoint.url.clone()}</h3>
            {endpoint.description.clone().map(|d| view! { <p>{d}</p> })}
            <p>
                <span class=if enabled { "badge badge-active" } else { "badge badge-inactive" }>{if enabled { "Enabled" } else { "Disabled" }}</span>
                " Events: "<code>{events}</code>
            </p>
            {endpoint.disabled_reason.clone().map(|why| view! { <p class="warning" role="note">"Paused by paylinks: "{why}" Fix the receiver, then enable it again."</p> })}
            <p class="muted">{move || counters.with(tally)}</p>
            <div class="actions">
                <button type="button" class="secondary" disabled=move || busy.get()
                    aria-label=format!("{} endpoint {label}", if enabled { "Disable" } else { "Enable" })
                    on:click=move |_| run(Change::Enable(toggle_id.clone(), !enabled))>
                    {if enabled { "Disable" } else { "Enable" }}
                </button>
                <button type="button" class="secondary" disabled=move || busy.get()
                    on:click=move |_| run(Change::Rotate(rotate_id.clone()))>"Rotate secret"</button>
                <button type="button" class="danger" disabled=move || busy.get()
                    on:click=move |_| {
                        if window().confirm_with_message("Delete this endpoint? Events will stop going to it.").unwrap_or(false) {
                            run(Change::Delete(delete_id.clone()));
                        }
                    }>"Delete"</button>
            </div>
            <div class="actions">
                <div class="field">
                    <label for=select_id.clone()>"Test event type"</label>
                    <select id=select_id on:change=move |ev| {
                        if let Some(t) = EventType::parse(&event_target_value(&ev)) { test_type.set(t) }
                    }>
                        {EVENTS.into_iter().map(|(t, _)| view! { <option value=t.as_str()>{t.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="secondary" disabled=move || busy.get() || !enabled
                    on:click=move |_| run(Change::Test(test_id.clone(), test_type.get_untracked()))>"Send test event"</button>
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
            <button type="button" class="link-button" aria-expanded=move || show_log.get().to_string()
                on:click=move |_| show_log.update(|s| *s = !*s)>
                {move || if show_log.get() { "Hide deliveries" } else { "Show deliveries" }}
            </button>
            {move || show_log.get().then(|| view! { <DeliveryLog endpoint_id=id.clone() counters=counters/> })}
        </article>
    }
}

/// What a card's button asks for.
enum Change {
    Enable(String, bool),
    Rotate(String),
    Delete(String),
    Test(String, EventType),
}

/// What a change comes to.
enum Done {
    Reload,
    Reveal(WebhookEndpoint),
    Say(String),
}

impl Change {
    async fn apply(self, client: &crate::api::Client) -> Result<Done, crate::common::api::ApiError> {
        match self {
            Change::Enable(id, on) => {
                let body = UpdateWebhookEndpoint { enabled: Some(on), ..Default::default() };
                client.update_endpoint(&id, &body).await.map(|_| Done::Reload)
            }
            Change::Rotate(id) => {
                let key = uuid::Uuid::new_v4().to_string();
                client.rotate_secret(&id, &key).await.map(|made| Done::Reveal(made.data))
            }
            Change::Delete(id) => client.delete_endpoint(&id).await.map(|_| Done::Reload),
            Change::Test(id, event_type) => {
                let sent = client.send_test_event(&id, event_type.as_str()).await?;
                Ok(Done::Say(format!("{} Open the deliveries to see how it went.", sent.message)))
            }
        }
    }
}

fn status_words(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "Waiting",
        DeliveryStatus::Succeeded => "Delivered",
        DeliveryStatus::Failed => "Failed, will retry",
        DeliveryStatus::DeadLettered => "Gave up",
    }
}

/// "3 deliveries: 2 succeeded, 1 failed · last …"
fn tally(endpoint: &WebhookEndpoint) -> String {
    let total = endpoint.total_deliveries;
    let noun = if total == 1 { "delivery" } else { "deliveries" };
    let last = endpoint.last_delivery_at.map(|at| format!(" · last {}", format::when(at))).unwrap_or_default();
    format!("{total} {noun}: {} succeeded, {} failed{last}", endpoint.successful_deliveries, endpoint.failed_deliveries)
}

/// The newest deliveries to one endpoint (and its counters), refreshed every few seconds while open.
#[component]
fn DeliveryLog(endpoint_id: String, counters: RwSignal<WebhookEndpoint>) -> impl IntoView {
    let session = use_session();
    let refresh = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<String>);
    let id = endpoint_id.clone();
    let deliveries = LocalResource::new(move || {
        let (client, id) = (client_of(session.get()), id.clone());
        refresh.track();
        async move {
            let client = client?;
            if let Ok(current) = client.get_endpoint(&id).await {
                counters.set(current.data);
            }
            client.deliveries(&id).await
        }
    });
    let tick = set_interval_with_handle(move || refresh.update(|n| *n += 1), std::time::Duration::from_secs(3));
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });
    let retry = move |delivery_id: String| {
        let client = client_of(session.get_untracked());
        spawn_local(async move {
            let outcome = match client {
                Ok(client) => client.retry_delivery(&delivery_id).await.map(|_| ()),
                Err(err) => Err(err),
            };
            problem.set(outcome.err().map(|err| err.message()));
            refresh.update(|n| *n += 1);
        });
    };
    view! {
        <p class="notice" role="alert">{move || problem.get()}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading deliveries…"</p> }>
            {move || deliveries.get().map(|result| match result {
                Err(err) => view! { <ErrorState message=err.message() retry=refresh/> }.into_any(),
                Ok(list) if list.data.is_empty() => view! { <p class="muted">"No deliveries yet."</p> }.into_any(),
                Ok(list) => view! {
                    <div class="table-wrap">
                        <table class="cards" aria-label="Deliveries">
                            <thead><tr><th>"Event"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th><th>"Next try"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.data.into_iter().map(|d| delivery_row(d, retry)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}

fn delivery_row(d: WebhookDelivery, retry: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let answer = match (d.last_status_code, &d.last_error) {
        (Some(code), Some(error)) => format!("HTTP {code}: {error}"),
        (Some(code), None) => format!("HTTP {code}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "—".into(),
    };
    let next = d.next_retry_at.map(format::when).unwrap_or_else(|| "—".into());
    let can_retry = d.status != DeliveryStatus::Succeeded;
    let (id, event_type) = (d.id.clone(), d.event_type.clone().unwrap_or_default());
    let label = format!("Retry delivery of {event_type} now");
    view! {
        <tr>
            <td data-label="Event"><code>{event_type}</code></td>
            <td data-label="Status">{status_words(d.status)}</td>
            <td data-label="Attempts">{format!("{} of {}", d.attempts, d.max_attempts)}</td>
            <td data-label="Last answer" class="answer">{answer}</td>
            <td data-label="Next try">{next}</td>
            <td data-label="">{can_retry.then(|| view! {
                <button type="button" class="secondary" aria-label=label on:click=move |_| retry(id.clone())>"Retry now"</button>
            })}</td>
        </tr>
    }
}
