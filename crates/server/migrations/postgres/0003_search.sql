-- Substring search over names and slugs by trigrams, so a search need not read every link.
-- pg_trgm ships with PostgreSQL and is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX payment_links_name_trgm ON payment_links USING gin (name_lower gin_trgm_ops);
CREATE INDEX payment_links_slug_trgm ON payment_links USING gin (slug gin_trgm_ops);
