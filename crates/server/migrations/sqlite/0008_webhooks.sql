-- Webhook endpoints: where a merchant's events are POSTed, signed with `secret` (and, for 24
-- hours after a rotation, with `previous_secret` too). The circuit opens (status 'disabled')
-- after repeated dead letters; `consecutive_dead_letters` counts toward it.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode INTEGER NOT NULL,
    url TEXT NOT NULL,
    description TEXT,
    enabled_events TEXT NOT NULL,
    status TEXT NOT NULL,
    disabled_reason TEXT,
    circuit_state TEXT NOT NULL DEFAULT 'closed',
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until BIGINT,
    failing_since BIGINT,
    consecutive_dead_letters BIGINT NOT NULL DEFAULT 0,
    total_deliveries BIGINT NOT NULL DEFAULT 0,
    successful_deliveries BIGINT NOT NULL DEFAULT 0,
    failed_deliveries BIGINT NOT NULL DEFAULT 0,
    last_delivery_at BIGINT,
    last_success_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhook_endpoints_url ON webhook_endpoints (merchant_id, livemode, url);
CREATE INDEX webhook_endpoints_by_scope ON webhook_endpoints (merchant_id, livemode, created_at DESC, id DESC);

-- The outbox: one row per event and endpoint, written in the transaction of the event. The
-- worker claims rows due at `next_attempt_at` (moving it a lease ahead while it sends), then
-- records the outcome under its `claim` token. Deleting an endpoint or purging an event deletes
-- its deliveries.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    merchant_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    claim TEXT,
    last_status_code BIGINT,
    last_error TEXT,
    last_error_code TEXT,
    last_duration_ms BIGINT,
    last_attempt_at BIGINT,
    delivered_at BIGINT,
    dead_lettered_at BIGINT,
    dead_letter_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_by_scope ON webhook_deliveries (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
