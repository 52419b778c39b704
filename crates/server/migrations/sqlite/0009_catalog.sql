-- The catalogue a merchant manages (products and their prices) and promotion codes.
-- A product's amount, currency and schedule are its default price's. A price's amount never
-- changes once a payment used it (`used`): a change makes the next version instead.
-- Pay-what-you-want prices keep 0 in unit_amount (the column predates them and is NOT NULL).
ALTER TABLE products ADD COLUMN product_key TEXT;
ALTER TABLE products ADD COLUMN kind TEXT NOT NULL DEFAULT 'one_time';
ALTER TABLE products ADD COLUMN image_url TEXT;
ALTER TABLE products ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE products ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN is_archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN default_price_id TEXT;
ALTER TABLE products ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX products_key ON products (merchant_id, livemode, product_key);
CREATE INDEX products_by_scope ON products (merchant_id, livemode, created_at DESC, id DESC);

ALTER TABLE prices ADD COLUMN pricing_model TEXT NOT NULL DEFAULT 'fixed';
ALTER TABLE prices ADD COLUMN trial_period_days BIGINT;
ALTER TABLE prices ADD COLUMN minimum_amount BIGINT;
ALTER TABLE prices ADD COLUMN maximum_amount BIGINT;
ALTER TABLE prices ADD COLUMN suggested_amount BIGINT;
ALTER TABLE prices ADD COLUMN preset_amounts TEXT;
ALTER TABLE prices ADD COLUMN name TEXT;
ALTER TABLE prices ADD COLUMN nickname TEXT;
ALTER TABLE prices ADD COLUMN description TEXT;
ALTER TABLE prices ADD COLUMN lookup_key TEXT;
ALTER TABLE prices ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE prices ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE prices ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE prices ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
ALTER TABLE prices ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX prices_lookup_key ON prices (merchant_id, livemode, lookup_key);
CREATE INDEX prices_by_scope ON prices (merchant_id, livemode, created_at DESC, id DESC);

-- Promotion codes, upper case, unique per merchant and mode. current_redemptions only grows
-- by a conditional UPDATE (below max_redemptions), so concurrent checkouts never over-redeem.
CREATE TABLE discounts (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT,
    description TEXT,
    discount_type TEXT NOT NULL,
    discount_value BIGINT NOT NULL,
    currency TEXT,
    applies_to TEXT NOT NULL,
    product_ids TEXT,
    max_redemptions BIGINT,
    current_redemptions BIGINT NOT NULL DEFAULT 0,
    valid_from BIGINT,
    valid_until BIGINT,
    is_active INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX discounts_code ON discounts (merchant_id, livemode, code);
CREATE INDEX discounts_by_scope ON discounts (merchant_id, livemode, created_at DESC, id DESC);
