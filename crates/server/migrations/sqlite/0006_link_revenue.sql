-- What each link's successful payments took in all, kept in the payment's transaction (beside
-- completed_count), so the list can show and sort by it without summing payments.
ALTER TABLE payment_links ADD COLUMN revenue_minor BIGINT NOT NULL DEFAULT 0;
UPDATE payment_links SET revenue_minor = COALESCE(
    (SELECT SUM(p.amount_minor) FROM payments p WHERE p.link_id = payment_links.id AND p.status = 'succeeded'), 0);
-- The list's other orders (ext `sort`), from an index as the newest-first order is.
CREATE INDEX payment_links_by_revenue ON payment_links (merchant_id, livemode, revenue_minor DESC, created_at DESC, id DESC);
CREATE INDEX payment_links_by_name ON payment_links (merchant_id, livemode, name_lower, id);
