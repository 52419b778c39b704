-- How many links each merchant has per mode, kept by triggers in the writing transaction, so an
-- unfiltered list's total is one row read instead of a count of every link. Statement-level
-- triggers: a bulk insert updates each counter once, not once per row.
CREATE TABLE link_counts (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode BOOLEAN NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode)
);
INSERT INTO link_counts (merchant_id, livemode, total)
SELECT merchant_id, livemode, COUNT(*) FROM payment_links GROUP BY merchant_id, livemode;

CREATE FUNCTION link_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO link_counts (merchant_id, livemode, total)
    SELECT merchant_id, livemode, COUNT(*) FROM inserted GROUP BY merchant_id, livemode
    ON CONFLICT (merchant_id, livemode) DO UPDATE SET total = link_counts.total + excluded.total;
    RETURN NULL;
END $$;
CREATE FUNCTION link_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE link_counts c SET total = c.total - d.n
    FROM (SELECT merchant_id, livemode, COUNT(*) AS n FROM deleted GROUP BY merchant_id, livemode) d
    WHERE c.merchant_id = d.merchant_id AND c.livemode = d.livemode;
    RETURN NULL;
END $$;
CREATE TRIGGER link_counts_insert AFTER INSERT ON payment_links
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION link_counts_add();
CREATE TRIGGER link_counts_delete AFTER DELETE ON payment_links
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION link_counts_remove();
