-- Booleans are BOOLEAN here (INTEGER 0/1 on SQLite); times are UTC microseconds since the epoch.
CREATE TABLE merchants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    secret_sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE prices (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    currency TEXT NOT NULL,
    unit_amount BIGINT NOT NULL,
    recurring_interval TEXT,
    recurring_interval_count BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE payment_links (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    slug TEXT,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_minor BIGINT,
    currency TEXT NOT NULL,
    invoice_id TEXT,
    subscription_id TEXT,
    product_ids TEXT NOT NULL,
    line_items TEXT NOT NULL,
    success_url TEXT,
    cancel_url TEXT,
    redirect_url TEXT,
    collect_shipping BOOLEAN NOT NULL,
    allow_promotion_codes BOOLEAN NOT NULL,
    tax_behavior TEXT NOT NULL,
    metadata TEXT NOT NULL,
    expires_at BIGINT,
    selection_mode TEXT NOT NULL,
    default_product_id TEXT,
    highlighted_product_id TEXT,
    status_changed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX payment_links_slug ON payment_links (merchant_id, livemode, slug);
CREATE INDEX payment_links_newest ON payment_links (merchant_id, livemode, created_at DESC, id DESC);

CREATE TABLE idempotency_keys (
    merchant_id TEXT NOT NULL,
    livemode BOOLEAN NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code BIGINT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, method, path, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
