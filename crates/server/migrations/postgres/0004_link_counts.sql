-- How many links each merchant has per mode, kept by triggers in the writing transaction, so an
-- unfiltered list's total is a sum of a few rows instead of a count of every link. Each mode's
-- count is spread over 16 rows (a random one per statement): one counter row would make every
-- create of a merchant wait for the previous one to commit. Statement-level triggers: a bulk
-- insert touches one row, not one per link.
CREATE TABLE link_counts (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    shard SMALLINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, shard)
);
INSERT INTO link_counts (merchant_id, livemode, shard, total)
SELECT merchant_id, livemode, 0, COUNT(*) FROM payment_links GROUP BY merchant_id, livemode;

CREATE FUNCTION link_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pick SMALLINT := floor(random() * 16);
BEGIN
    INSERT INTO link_counts (merchant_id, livemode, shard, total)
    SELECT merchant_id, livemode, pick, COUNT(*) FROM inserted GROUP BY merchant_id, livemode
    ON CONFLICT (merchant_id, livemode, shard) DO UPDATE SET total = link_counts.total + excluded.total;
    RETURN NULL;
END $$;
CREATE FUNCTION link_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pick SMALLINT := floor(random() * 16);
BEGIN
    INSERT INTO link_counts (merchant_id, livemode, shard, total)
    SELECT merchant_id, livemode, pick, -COUNT(*) FROM deleted GROUP BY merchant_id, livemode
    ON CONFLICT (merchant_id, livemode, shard) DO UPDATE SET total = link_counts.total + excluded.total;
    RETURN NULL;
END $$;
CREATE TRIGGER link_counts_insert AFTER INSERT ON payment_links
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION link_counts_add();
CREATE TRIGGER link_counts_delete AFTER DELETE ON payment_links
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION link_counts_remove();
