-- How many links each merchant has per mode, kept by triggers in the writing transaction, so an
-- unfiltered list's total is one row read instead of a count of every link.
CREATE TABLE link_counts (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode INTEGER NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, livemode)
);
INSERT INTO link_counts (merchant_id, livemode, total)
SELECT merchant_id, livemode, COUNT(*) FROM payment_links GROUP BY merchant_id, livemode;

CREATE TRIGGER link_counts_insert AFTER INSERT ON payment_links BEGIN
    INSERT INTO link_counts (merchant_id, livemode, total) VALUES (new.merchant_id, new.livemode, 1)
    ON CONFLICT (merchant_id, livemode) DO UPDATE SET total = total + 1;
END;
CREATE TRIGGER link_counts_delete AFTER DELETE ON payment_links BEGIN
    UPDATE link_counts SET total = total - 1 WHERE merchant_id = old.merchant_id AND livemode = old.livemode;
END;
