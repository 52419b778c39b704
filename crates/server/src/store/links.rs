//! Payment links: insert, find (by UUID or public id), list with filters, status changes.

use super::codec::{
    bind_all, bool_col, enum_col, from_micros, from_text, json, micros_col, to_micros, uuid_col, AnyQuery, Bind,
};
use super::db::{Backend, Conn, Scope, Store, Tx};
use crate::ids::{is_public_id, new_public_id};
use chrono::{DateTime, Utc};
use paylinks_api::validate::NewPaymentLink;
use paylinks_api::{LineItem, LinkSort, LinkStatus, ListQuery, PaymentLink, WireEnum};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// A link as stored, its status as of the moment it was read, with the version its next write
/// must match (optimistic concurrency). Its `url` is empty: where customers reach it is the HTTP
/// layer's to say.
#[derive(Debug, Clone)]
pub struct StoredLink {
    pub link: PaymentLink,
    pub version: i64,
    pub merchant_name: String,
}

/// The outcome of a write that must find the link at the version it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    Changed,
    /// Another write got there first.
    LostRace,
}

const COLUMNS: &str = "l.id, l.merchant_id, l.livemode, l.public_id, l.name, l.slug, l.mode, l.status, \
    l.amount_minor, l.currency, l.invoice_id, l.subscription_id, l.product_ids, l.line_items, l.success_url, \
    l.cancel_url, l.redirect_url, l.collect_shipping, l.allow_promotion_codes, l.tax_behavior, l.metadata, \
    l.expires_at, l.selection_mode, l.default_product_id, l.highlighted_product_id, l.status_changed_at, \
    l.created_at, l.updated_at, l.version, l.settings, l.max_completions, l.completed_count, \
    l.revenue_minor, m.name AS merchant_name";

const FROM: &str = "FROM payment_links l JOIN merchants m ON m.id = l.merchant_id";

fn stored_link(row: &AnyRow, now: DateTime<Utc>) -> Result<StoredLink, sqlx::Error> {
    let expires_at = row.try_get::<Option<i64>, _>("expires_at")?.map(from_micros);
    let status = enum_col::<LinkStatus>(row, "status")?.as_of(expires_at, now);
    let link = PaymentLink {
        id: uuid_col(row, "id")?.unwrap_or_default(),
        merchant_id: uuid_col(row, "merchant_id")?.unwrap_or_default(),
        url: String::new(),
        public_id: row.try_get("public_id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        mode: enum_col(row, "mode")?,
        status,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        invoice_id: uuid_col(row, "invoice_id")?,
        subscription_id: uuid_col(row, "subscription_id")?,
        product_ids: from_text(row, "product_ids")?,
        line_items: from_text(row, "line_items")?,
        success_url: row.try_get("success_url")?,
        cancel_url: row.try_get("cancel_url")?,
        redirect_url: row.try_get("redirect_url")?,
        collect_shipping: bool_col(row, "collect_shipping")?,
        allow_promotion_codes: bool_col(row, "allow_promotion_codes")?,
        tax_behavior: enum_col(row, "tax_behavior")?,
        metadata: from_text(row, "metadata")?,
        expires_at,
        selection_mode: enum_col(row, "selection_mode")?,
        default_product_id: uuid_col(row, "default_product_id")?,
        highlighted_product_id: uuid_col(row, "highlighted_product_id")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: micros_col(row, "updated_at")?,
        is_active: status == LinkStatus::Active,
        status_changed_at: micros_col(row, "status_changed_at")?,
        livemode: bool_col(row, "livemode")?,
        settings: from_text(row, "settings")?,
        max_completions: row.try_get("max_completions")?,
        completed_count: row.try_get("completed_count")?,
        revenue_minor: row.try_get("revenue_minor")?,
    };
    Ok(StoredLink { link, version: row.try_get("version")?, merchant_name: row.try_get("merchant_name")? })
}

/// What a create writes and an edit may replace, in the order `bind_content` binds it
/// (`$1` to `$23`; `max_completions` is `$23`).
const CONTENT_COLUMNS: &str = "name, name_lower, slug, mode, amount_minor, currency, invoice_id, subscription_id, \
    product_ids, line_items, success_url, cancel_url, redirect_url, collect_shipping, allow_promotion_codes, \
    tax_behavior, metadata, expires_at, selection_mode, default_product_id, highlighted_product_id, settings, \
    max_completions";

/// Binds `new`'s values of `CONTENT_COLUMNS` as the query's first 23 parameters.
fn bind_content<'q>(query: AnyQuery<'q>, new: &'q NewPaymentLink) -> AnyQuery<'q> {
    query
        .bind(&new.name)
        .bind(new.name.to_lowercase())
        .bind(&new.slug)
        .bind(new.mode.as_str())
        .bind(new.amount_minor)
        .bind(new.currency.code())
        .bind(new.invoice_id.map(|u| u.to_string()))
        .bind(new.subscription_id.map(|u| u.to_string()))
        .bind(json(&new.product_ids))
        .bind(json(&stored_items(new)))
        .bind(&new.success_url)
        .bind(&new.cancel_url)
        .bind(&new.redirect_url)
        .bind(new.collect_shipping)
        .bind(new.allow_promotion_codes)
        .bind(new.tax_behavior.as_str())
        .bind(json(&new.metadata))
        .bind(new.expires_at.map(to_micros))
        .bind(new.selection_mode.as_str())
        .bind(new.default_product_id.map(|u| u.to_string()))
        .bind(new.highlighted_product_id.map(|u| u.to_string()))
        .bind(json(&new.settings))
        .bind(new.max_completions)
}

/// A new link's line items as stored: an ad-hoc product gets its id here.
fn stored_items(new: &NewPaymentLink) -> Vec<LineItem> {
    new.line_items
        .iter()
        .map(|item| LineItem {
            product_id: item.product_id.unwrap_or_else(Uuid::new_v4),
            price_id: item.price_id,
            quantity: item.quantity,
            merchant_reference: item.merchant_reference.clone(),
            is_adhoc: item.is_adhoc,
            product_details: item.product_details.clone(),
        })
        .collect()
}

/// The column and value that an `{id}` path segment names: a UUID or a public id.
fn id_lookup(id_or_public_id: &str) -> Option<(&'static str, String)> {
    if is_public_id(id_or_public_id) {
        Some(("l.public_id", id_or_public_id.to_string()))
    } else {
        Uuid::try_parse(id_or_public_id).ok().map(|id| ("l.id", id.to_string()))
    }
}

/// Escapes LIKE wildcards so a search for `50%` finds "50%" literally.
fn like_pattern(search: &str) -> String {
    let escaped: String = search
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// Appends "the name or slug contains `search`, or it is the id or public id" to `sql`. SQLite
/// answers the substring part from its trigram index when the search has at least 3 characters
/// (shorter ones have no trigram and read every row); PostgreSQL's trigram indexes serve LIKE.
fn search_condition(sql: &mut String, binds: &mut Vec<Bind>, search: &str, backend: Backend) {
    let n = binds.len();
    let substring = if backend == Backend::Sqlite && search.chars().count() >= 3 {
        binds.push(Bind::Text(fts_phrase(search)));
        format!("l.rowid IN (SELECT rowid FROM payment_links_search WHERE payment_links_search MATCH ${})", n + 1)
    } else {
        binds.push(Bind::Text(like_pattern(search)));
        format!("l.name_lower LIKE ${a} ESCAPE '\\' OR l.slug LIKE ${a} ESCAPE '\\'", a = n + 1)
    };
    binds.push(Bind::Text(search.to_string()));
    sql.push_str(&format!(" AND ({substring} OR l.public_id = ${b} OR l.id = ${b})", b = n + 2));
}

/// The search as one FTS5 phrase (a substring for the trigram index): quoted, quotes doubled.
fn fts_phrase(search: &str) -> String {
    format!("\"{}\"", search.to_lowercase().replace('"', "\"\""))
}

/// Appends the SQL condition for "status as of now is `status`" to `sql`.
fn status_condition(sql: &mut String, binds: &mut Vec<Bind>, status: LinkStatus, now: i64) {
    let n = binds.len();
    match status {
        LinkStatus::Expired => {
            sql.push_str(&format!(
                " AND (l.status = 'expired' OR (l.status IN ('draft', 'active', 'inactive') \
                 AND l.expires_at IS NOT NULL AND l.expires_at <= ${}))",
                n + 1
            ));
            binds.push(Bind::Int(now));
        }
        LinkStatus::Draft | LinkStatus::Active | LinkStatus::Inactive => {
            sql.push_str(&format!(
                " AND l.status = ${} AND (l.expires_at IS NULL OR l.expires_at > ${})",
                n + 1,
                n + 2
            ));
            binds.extend([Bind::Text(status.as_str().into()), Bind::Int(now)]);
        }
        LinkStatus::Archived | LinkStatus::Completed => {
            sql.push_str(&format!(" AND l.status = ${}", n + 1));
            binds.push(Bind::Text(status.as_str().into()));
        }
    }
}

impl Tx {
    /// Inserts a validated link and returns it as stored. A taken slug is a unique violation.
    pub async fn insert_link(
        &mut self,
        scope: Scope,
        new: &NewPaymentLink,
        now: DateTime<Utc>,
    ) -> Result<StoredLink, sqlx::Error> {
        let id = Uuid::new_v4();
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "INSERT INTO payment_links ({CONTENT_COLUMNS}, id, merchant_id, livemode, public_id, status, \
                 status_changed_at, created_at, updated_at, version) \
                 VALUES ({}, $24, $25, $26, $27, $28, $29, $29, $29, 0)",
                (1..=23).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
            )
        });
        bind_content(sqlx::query(&SQL), new)
            .bind(id.to_string())
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .bind(new_public_id())
            .bind(new.status.as_str())
            .bind(to_micros(now))
            .execute(self.conn())
            .await?;
        self.find_link(scope, &id.to_string(), now).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The link `id_or_public_id` names within `scope`, as this transaction sees it.
    pub async fn find_link(
        &mut self,
        scope: Scope,
        id_or_public_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredLink>, sqlx::Error> {
        find_link(self.conn(), scope, id_or_public_id, now).await
    }

    /// Replaces what an edit may change (everything but its ids and counts) if the link is still
    /// at the version `current` was read at; an active link whose new cap it has reached
    /// completes. A taken slug is a unique violation.
    pub async fn update_link(
        &mut self,
        scope: Scope,
        current: &StoredLink,
        new: &NewPaymentLink,
        now: DateTime<Utc>,
    ) -> Result<StatusChange, sqlx::Error> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            let assignments: Vec<String> =
                CONTENT_COLUMNS.split(", ").enumerate().map(|(n, column)| format!("{column} = ${}", n + 1)).collect();
            format!(
                "UPDATE payment_links SET {}, updated_at = $24, version = version + 1, \
                 status = CASE WHEN status = 'active' AND completed_count >= $23 THEN 'completed' ELSE status END, \
                 status_changed_at = CASE WHEN status = 'active' AND completed_count >= $23 THEN $24 \
                 ELSE status_changed_at END \
                 WHERE id = $25 AND merchant_id = $26 AND livemode = $27 AND version = $28",
                assignments.join(", ")
            )
        });
        let done = bind_content(sqlx::query(&SQL), new)
            .bind(to_micros(now))
            .bind(current.link.id.to_string())
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .bind(current.version)
            .execute(self.conn())
            .await?;
        Ok(if done.rows_affected() == 1 { StatusChange::Changed } else { StatusChange::LostRace })
    }

    /// Moves a link to `to` if it is still at `expected_version`.
    pub async fn update_status(
        &mut self,
        scope: Scope,
        id: Uuid,
        expected_version: i64,
        to: LinkStatus,
        now: DateTime<Utc>,
    ) -> Result<StatusChange, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE payment_links SET status = $1, status_changed_at = $2, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND merchant_id = $4 AND livemode = $5 AND version = $6",
        )
        .bind(to.as_str())
        .bind(to_micros(now))
        .bind(id.to_string())
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(expected_version)
        .execute(self.conn())
        .await?;
        Ok(if done.rows_affected() == 1 { StatusChange::Changed } else { StatusChange::LostRace })
    }
}

/// The link `id_or_public_id` names within `scope`, if any, on either kind of connection.
async fn find_link(
    conn: &mut Conn,
    scope: Scope,
    id_or_public_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<StoredLink>, sqlx::Error> {
    let Some((column, value)) = id_lookup(id_or_public_id) else { return Ok(None) };
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE {column} = $1 AND l.merchant_id = $2 AND l.livemode = $3");
    let row = sqlx::query(&sql)
        .bind(value)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| stored_link(&r, now)).transpose()
}

/// The list's order for `sort`, each with a unique tie-break so pages never overlap (columns
/// prefixed with `table`, e.g. `l.`); each has its index.
fn order_by(sort: LinkSort, table: &str) -> String {
    match sort {
        LinkSort::Created => format!("{table}created_at DESC, {table}id DESC"),
        LinkSort::Name => format!("{table}name_lower ASC, {table}id ASC"),
        LinkSort::Revenue => format!("{table}revenue_minor DESC, {table}created_at DESC, {table}id DESC"),
    }
}

impl Store {
    /// Reads one link on the read pool.
    pub async fn get_link(
        &self,
        scope: Scope,
        id_or_public_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredLink>, sqlx::Error> {
        let mut conn = self.reader.acquire().await?;
        find_link(&mut conn, scope, id_or_public_id, now).await
    }

    /// A page of links, newest first, and how many match in all.
    pub async fn list_links(
        &self,
        scope: Scope,
        filter: &ListQuery,
        now: DateTime<Utc>,
    ) -> Result<(Vec<PaymentLink>, i64), sqlx::Error> {
        let mut cond = String::from("WHERE l.merchant_id = $1 AND l.livemode = $2");
        let mut binds = vec![Bind::Text(scope.merchant_id.to_string()), Bind::Bool(scope.livemode)];
        if let Some(mode) = filter.mode {
            binds.push(Bind::Text(mode.as_str().into()));
            cond.push_str(&format!(" AND l.mode = ${}", binds.len()));
        }
        if let Some(status) = filter.status {
            status_condition(&mut cond, &mut binds, status, to_micros(now));
        }
        if let Some(search) = &filter.search {
            search_condition(&mut cond, &mut binds, search, self.backend);
        }
        let total = if filter.mode.is_none() && filter.status.is_none() && filter.search.is_none() {
            self.count_links(scope).await?
        } else {
            // The count needs no merchant name: no join (about an eighth cheaper at 1M links).
            let count_sql = format!("SELECT COUNT(*) FROM payment_links l {cond}");
            bind_all(sqlx::query(&count_sql), &binds).fetch_one(&self.reader).await?.try_get(0)?
        };
        let ids_sql = if filter.search.is_some() {
            // The matches first (from the trigram indexes), then their order: otherwise a
            // prepared statement's generic plan may walk every link newest-first looking for
            // 25 matches (PostgreSQL: 0.8 s instead of 11 ms for a rare word at 1M links).
            format!(
                "WITH matches AS MATERIALIZED \
                 (SELECT l.id, l.created_at, l.name_lower, l.revenue_minor FROM payment_links l {cond}) \
                 SELECT id FROM matches ORDER BY {}",
                order_by(filter.sort, "")
            )
        } else {
            // From the index alone: rows skipped by the offset cost an index step, not a row read.
            format!("SELECT l.id FROM payment_links l {cond} ORDER BY {}", order_by(filter.sort, "l."))
        };
        let page_sql = format!(
            "SELECT {COLUMNS} FROM ({ids_sql} LIMIT {} OFFSET {}) page \
             JOIN payment_links l ON l.id = page.id JOIN merchants m ON m.id = l.merchant_id \
             ORDER BY {}",
            filter.limit,
            filter.offset,
            order_by(filter.sort, "l.")
        );
        let rows = bind_all(sqlx::query(&page_sql), &binds).fetch_all(&self.reader).await?;
        let links = rows.iter().map(|r| stored_link(r, now).map(|s| s.link)).collect::<Result<_, _>>()?;
        Ok((links, total))
    }

    /// How many links the scope has in all, from the counts the triggers keep (one row on
    /// SQLite, a few on PostgreSQL).
    async fn count_links(&self, scope: Scope) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM link_counts WHERE merchant_id = $1 AND livemode = $2",
        )
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_one(&self.reader)
        .await?
        .try_get(0)
    }

    /// A link by public id with its merchant's name, whatever its state (the caller decides).
    pub async fn get_public_link(
        &self,
        public_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredLink>, sqlx::Error> {
        if !is_public_id(public_id) {
            return Ok(None);
        }
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE l.public_id = $1");
        let row = sqlx::query(&sql).bind(public_id).fetch_optional(&self.reader).await?;
        row.map(|r| stored_link(&r, now)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn fts_phrase_is_one_quoted_string() {
        assert_eq!(super::fts_phrase("Say \"Hi\" OR x*"), "\"say \"\"hi\"\" or x*\"");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("CaFé"), "%café%");
    }
}
