-- Checkout settings (the Devdraft extension fields) as one JSON document; the cap and the
-- counters are columns so a payment can check and bump them in one statement.
ALTER TABLE payment_links ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE payment_links ADD COLUMN max_completions BIGINT;
ALTER TABLE payment_links ADD COLUMN completed_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payment_links ADD COLUMN view_count BIGINT NOT NULL DEFAULT 0;

-- Every payment attempt, succeeded or failed. The card is kept as brand and last four only
-- (inside details); card numbers are never stored.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    link_id TEXT NOT NULL REFERENCES payment_links (id),
    status TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_by_link ON payments (link_id, created_at DESC, id DESC);
