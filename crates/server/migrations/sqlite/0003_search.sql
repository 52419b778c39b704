-- Substring search over names and slugs by trigrams, so a search need not read every link.
-- The index reads its text from payment_links (external content); triggers keep it in step.
CREATE VIRTUAL TABLE payment_links_search USING fts5(
    name_lower, slug, content = 'payment_links', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO payment_links_search (payment_links_search) VALUES ('rebuild');

CREATE TRIGGER payment_links_search_insert AFTER INSERT ON payment_links BEGIN
    INSERT INTO payment_links_search (rowid, name_lower, slug) VALUES (new.rowid, new.name_lower, new.slug);
END;
CREATE TRIGGER payment_links_search_delete AFTER DELETE ON payment_links BEGIN
    INSERT INTO payment_links_search (payment_links_search, rowid, name_lower, slug)
    VALUES ('delete', old.rowid, old.name_lower, old.slug);
END;
CREATE TRIGGER payment_links_search_update AFTER UPDATE OF name_lower, slug ON payment_links BEGIN
    INSERT INTO payment_links_search (payment_links_search, rowid, name_lower, slug)
    VALUES ('delete', old.rowid, old.name_lower, old.slug);
    INSERT INTO payment_links_search (rowid, name_lower, slug) VALUES (new.rowid, new.name_lower, new.slug);
END;
