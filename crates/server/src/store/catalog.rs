//! Products, their prices and promotion codes; and the catalogue entries a link's line items and
//! `product_ids` refer to. Reads of one entry inside a write lock it on PostgreSQL (SQLite has
//! one writer), so a change or a redemption is decided on the row as it stands.

use super::codec::{bool_col, enum_col, from_micros, from_text, json, micros_col, to_micros, uuid_col, Bind};
use super::db::{Backend, Scope, Store, Tx};
use chrono::{DateTime, Utc};
use paylinks_api::catalog::{Price, PriceTerms, PriceType, PricingModel, Product, ProductKind, ProductPricing};
use paylinks_api::discount::{AppliesTo, Discount, NewDiscount};
use paylinks_api::validate::{Catalog, CatalogPrice, CatalogProduct};
use paylinks_api::{Interval, Recurring, WireEnum};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;
use uuid::Uuid;

const PRODUCT_COLUMNS: &str = "p.id, p.product_key, p.name, p.description, p.kind, p.image_url, p.metadata, \
    p.is_active, p.is_archived, p.default_price_id, p.created_at, p.updated_at, d.currency, d.unit_amount, \
    d.pricing_model, d.recurring_interval, d.recurring_interval_count, d.trial_period_days";
const PRODUCT_FROM: &str = "products p LEFT JOIN prices d ON d.id = p.default_price_id";

const PRICE_COLUMNS: &str = "id, product_id, active, currency, unit_amount, pricing_model, recurring_interval, \
    recurring_interval_count, trial_period_days, minimum_amount, maximum_amount, suggested_amount, preset_amounts, \
    name, nickname, description, version, lookup_key, metadata, used, created_at, updated_at";

const DISCOUNT_COLUMNS: &str = "id, code, name, description, discount_type, discount_value, currency, applies_to, \
    product_ids, max_redemptions, current_redemptions, valid_from, valid_until, is_active, created_at, updated_at";

/// What a new product or price is, besides its terms.
pub struct NewProduct<'a> {
    pub product_key: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub kind: ProductKind,
    pub image_url: Option<&'a str>,
    pub metadata: &'a BTreeMap<String, String>,
}

#[derive(Default)]
pub struct PriceLabels {
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub description: Option<String>,
    pub lookup_key: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

/// A stored price and whether a payment used it (then its amount is fixed for good).
pub struct StoredPrice {
    pub price: Price,
    pub used: bool,
}

/// The one row of `scope` that `sql` (its `$1` the key, `$2`/`$3` the scope) finds, on a pool
/// or inside a transaction.
async fn fetch_scoped<'c, E>(e: E, sql: &str, key: &str, scope: Scope) -> Result<Option<AnyRow>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(sql).bind(key).bind(scope.merchant_id.to_string()).bind(scope.livemode).fetch_optional(e).await
}

fn product_sql(lock: &str) -> String {
    format!(
        "SELECT {PRODUCT_COLUMNS} FROM {PRODUCT_FROM} WHERE p.id = $1 AND p.merchant_id = $2 AND p.livemode = $3{lock}"
    )
}

fn price_sql(lock: &str) -> String {
    format!("SELECT {PRICE_COLUMNS} FROM prices WHERE id = $1 AND merchant_id = $2 AND livemode = $3{lock}")
}

fn discount_sql(by: &str, lock: &str) -> String {
    format!("SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE {by} = $1 AND merchant_id = $2 AND livemode = $3{lock}")
}

fn recurring_of(row: &AnyRow, interval: &str, count: &str) -> Result<Option<Recurring>, sqlx::Error> {
    let Some(interval) = row.try_get::<Option<String>, _>(interval)?.and_then(|s| Interval::parse(&s)) else {
        return Ok(None);
    };
    Ok(Some(Recurring { interval, interval_count: row.try_get::<Option<i64>, _>(count)?.unwrap_or(1) }))
}

fn product_of(row: &AnyRow) -> Result<Product, sqlx::Error> {
    let id = uuid_col(row, "id")?.unwrap_or_default();
    let kind: ProductKind = enum_col(row, "kind")?;
    let every = recurring_of(row, "recurring_interval", "recurring_interval_count")?;
    let model = row.try_get::<Option<String>, _>("pricing_model")?.and_then(|m| PricingModel::parse(&m));
    let amount = row.try_get::<Option<i64>, _>("unit_amount")?.filter(|_| model != Some(PricingModel::PayWhatYouWant));
    Ok(Product {
        id,
        object: "product".into(),
        product_id: row.try_get::<Option<String>, _>("product_key")?.unwrap_or_else(|| id.to_string()),
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        kind,
        pricing_model: if kind == ProductKind::Subscription {
            ProductPricing::Recurring
        } else {
            ProductPricing::OneTime
        },
        amount_minor: amount,
        currency: row.try_get::<Option<String>, _>("currency")?.unwrap_or_else(|| "USD".into()).to_ascii_lowercase(),
        interval: every.as_ref().map(|r| r.interval),
        interval_count: every.as_ref().map(|r| r.interval_count),
        trial_days: row.try_get::<Option<i64>, _>("trial_period_days")?.unwrap_or(0),
        fulfillment_type: "none".into(),
        is_active: bool_col(row, "is_active")?,
        is_archived: bool_col(row, "is_archived")?,
        image_url: row.try_get("image_url")?,
        metadata: from_text(row, "metadata")?,
        default_price_id: uuid_col(row, "default_price_id")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

fn price_of(row: &AnyRow) -> Result<StoredPrice, sqlx::Error> {
    let every = recurring_of(row, "recurring_interval", "recurring_interval_count")?;
    let model: PricingModel = enum_col(row, "pricing_model")?;
    let presets: Option<String> = row.try_get("preset_amounts")?;
    let price = Price {
        id: uuid_col(row, "id")?.unwrap_or_default(),
        object: "price".into(),
        product_id: uuid_col(row, "product_id")?.unwrap_or_default(),
        active: bool_col(row, "active")?,
        currency: row.try_get::<String, _>("currency")?.to_ascii_lowercase(),
        unit_amount: Some(row.try_get("unit_amount")?).filter(|_| model != PricingModel::PayWhatYouWant),
        price_type: if every.is_some() { PriceType::Recurring } else { PriceType::OneTime },
        pricing_model: model,
        interval: every.as_ref().map(|r| r.interval),
        interval_count: every.as_ref().map(|r| r.interval_count),
        trial_period_days: row.try_get("trial_period_days")?,
        minimum_amount: row.try_get("minimum_amount")?,
        maximum_amount: row.try_get("maximum_amount")?,
        suggested_amount: row.try_get("suggested_amount")?,
        preset_amounts: presets.and_then(|p| serde_json::from_str(&p).ok()),
        name: row.try_get("name")?,
        nickname: row.try_get("nickname")?,
        description: row.try_get("description")?,
        version: row.try_get("version")?,
        lookup_key: row.try_get("lookup_key")?,
        billing_scheme: "per_unit".into(),
        metadata: from_text(row, "metadata")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: from_micros(row.try_get("updated_at")?),
    };
    Ok(StoredPrice { price, used: bool_col(row, "used")? })
}

fn discount_of(row: &AnyRow) -> Result<Discount, sqlx::Error> {
    let max: Option<i64> = row.try_get("max_redemptions")?;
    let used: i64 = row.try_get("current_redemptions")?;
    let time = |column: &str| -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_micros))
    };
    let ids: Option<String> = row.try_get("product_ids")?;
    Ok(Discount {
        id: uuid_col(row, "id")?.unwrap_or_default(),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        discount_type: enum_col(row, "discount_type")?,
        discount_value: row.try_get("discount_value")?,
        currency: row.try_get("currency")?,
        applies_to: enum_col(row, "applies_to")?,
        product_ids: ids.and_then(|ids| serde_json::from_str(&ids).ok()),
        max_redemptions: max,
        current_redemptions: used,
        redemptions_left: max.map(|max| (max - used).max(0)),
        valid_from: time("valid_from")?,
        valid_until: time("valid_until")?,
        recurring_type: None,
        recurring_cycles: None,
        first_time_customer: None,
        is_active: bool_col(row, "is_active")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: micros_col(row, "updated_at")?,
    })
}

/// Which prices a list shows.
#[derive(Debug, Default)]
pub struct PriceFilter {
    pub product_id: Option<Uuid>,
    pub price_type: Option<PriceType>,
    pub pricing_model: Option<PricingModel>,
    pub active: Option<bool>,
    pub currency: Option<String>,
    pub lookup_key: Option<String>,
}

/// Where a page of prices starts: after (older than) or before (newer than) a price.
#[derive(Debug, Clone, Copy)]
pub enum Cursor {
    After(Uuid),
    Before(Uuid),
}

impl PriceFilter {
    /// The WHERE clause (scope first) and its binds.
    fn clause(&self, scope: Scope) -> (String, Vec<Bind>) {
        let mut sql = "merchant_id = $1 AND livemode = $2".to_string();
        match self.price_type {
            Some(PriceType::Recurring) => sql.push_str(" AND recurring_interval IS NOT NULL"),
            Some(PriceType::OneTime) => sql.push_str(" AND recurring_interval IS NULL"),
            None => {}
        }
        let mut binds = scope.binds();
        let mut add = |condition: &str, bind: Bind| {
            binds.push(bind);
            sql.push_str(&format!(" AND {condition} ${}", binds.len()));
        };
        if let Some(id) = self.product_id {
            add("product_id =", Bind::Text(id.to_string()));
        }
        if let Some(model) = self.pricing_model {
            add("pricing_model =", Bind::Text(model.as_str().into()));
        }
        if let Some(active) = self.active {
            add("active =", Bind::Bool(active));
        }
        if let Some(currency) = &self.currency {
            add("currency =", Bind::Text(currency.to_ascii_uppercase()));
        }
        if let Some(key) = &self.lookup_key {
            add("lookup_key =", Bind::Text(key.clone()));
        }
        (sql, binds)
    }
}

impl Tx {
    fn lock(&self) -> &'static str {
        if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    pub async fn insert_product(
        &mut self,
        scope: Scope,
        new: &NewProduct<'_>,
        terms: &PriceTerms,
        now: DateTime<Utc>,
    ) -> Result<Product, sqlx::Error> {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO products (id, merchant_id, livemode, name, description, created_at, product_key, kind, \
             image_url, metadata, is_active, is_archived, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $6)",
        )
        .bind(id.to_string())
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(new.name)
        .bind(new.description)
        .bind(to_micros(now))
        .bind(new.product_key)
        .bind(new.kind.as_str())
        .bind(new.image_url)
        .bind(json(new.metadata))
        .bind(true)
        .bind(false)
        .execute(self.conn())
        .await?;
        let price = self.insert_price(scope, id, terms, &PriceLabels::default(), 1, now).await?;
        self.set_default_price(id, price.id, now).await?;
        self.find_product(scope, id).await?.ok_or(sqlx::Error::RowNotFound)
    }

    async fn set_default_price(&mut self, product: Uuid, price: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE products SET default_price_id = $1, updated_at = $2 WHERE id = $3")
            .bind(price.to_string())
            .bind(to_micros(now))
            .bind(product.to_string())
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// The scope's product `id`, locked for this transaction's change.
    pub async fn find_product(&mut self, scope: Scope, id: Uuid) -> Result<Option<Product>, sqlx::Error> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE OF p" } else { "" };
        let row = fetch_scoped(self.conn(), &product_sql(lock), &id.to_string(), scope).await?;
        row.as_ref().map(product_of).transpose()
    }

    /// Writes a product's own fields as they now stand.
    pub async fn update_product(&mut self, product: &Product, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE products SET name = $1, description = $2, image_url = $3, metadata = $4, is_active = $5, \
             is_archived = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&product.name)
        .bind(&product.description)
        .bind(&product.image_url)
        .bind(json(&product.metadata))
        .bind(product.is_active)
        .bind(product.is_archived)
        .bind(to_micros(now))
        .bind(product.id.to_string())
        .execute(self.conn())
        .await
        .map(drop)
    }

    pub async fn insert_price(
        &mut self,
        scope: Scope,
        product_id: Uuid,
        terms: &PriceTerms,
        labels: &PriceLabels,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Price, sqlx::Error> {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO prices (id, product_id, merchant_id, livemode, currency, unit_amount, recurring_interval, \
             recurring_interval_count, created_at, pricing_model, trial_period_days, minimum_amount, maximum_amount, \
             suggested_amount, preset_amounts, name, nickname, description, lookup_key, metadata, active, version, \
             used, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $9)",
        )
        .bind(id.to_string())
        .bind(product_id.to_string())
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(terms.currency.code())
        .bind(terms.unit_amount.unwrap_or(0))
        .bind(terms.recurring.as_ref().map(|r| r.interval.as_str()))
        .bind(terms.recurring.as_ref().map(|r| r.interval_count))
        .bind(to_micros(now))
        .bind(terms.pricing_model.as_str())
        .bind(terms.trial_period_days)
        .bind(terms.minimum_amount)
        .bind(terms.maximum_amount)
        .bind(terms.suggested_amount)
        .bind(terms.preset_amounts.as_ref().map(json))
        .bind(labels.name.as_deref())
        .bind(labels.nickname.as_deref())
        .bind(labels.description.as_deref())
        .bind(labels.lookup_key.as_deref())
        .bind(json(&labels.metadata))
        .bind(true)
        .bind(version)
        .bind(false)
        .execute(self.conn())
        .await?;
        Ok(self.find_price(scope, id).await?.ok_or(sqlx::Error::RowNotFound)?.price)
    }

    /// The scope's price `id`, locked for this transaction's change.
    pub async fn find_price(&mut self, scope: Scope, id: Uuid) -> Result<Option<StoredPrice>, sqlx::Error> {
        let sql = price_sql(self.lock());
        let row = fetch_scoped(self.conn(), &sql, &id.to_string(), scope).await?;
        row.as_ref().map(price_of).transpose()
    }

    /// Writes a price's changeable fields (labels, `active`, and its amount while unused).
    pub async fn update_price(&mut self, price: &Price, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE prices SET active = $1, name = $2, nickname = $3, description = $4, lookup_key = $5, \
             metadata = $6, unit_amount = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(price.active)
        .bind(&price.name)
        .bind(&price.nickname)
        .bind(&price.description)
        .bind(&price.lookup_key)
        .bind(json(&price.metadata))
        .bind(price.unit_amount.unwrap_or(0))
        .bind(to_micros(now))
        .bind(price.id.to_string())
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Replaces a used price with its next version on `terms`: the new one takes over its labels
    /// (and lookup key) and, where it was the product's default, that role; the old one is
    /// deactivated and keeps what payments recorded of it.
    pub async fn next_price_version(
        &mut self,
        scope: Scope,
        old: &Price,
        terms: &PriceTerms,
        now: DateTime<Utc>,
    ) -> Result<Price, sqlx::Error> {
        sqlx::query("UPDATE prices SET active = $1, lookup_key = NULL, updated_at = $2 WHERE id = $3")
            .bind(false)
            .bind(to_micros(now))
            .bind(old.id.to_string())
            .execute(self.conn())
            .await?;
        let labels = PriceLabels {
            name: old.name.clone(),
            nickname: old.nickname.clone(),
            description: old.description.clone(),
            lookup_key: old.lookup_key.clone(),
            metadata: old.metadata.clone(),
        };
        let new = self.insert_price(scope, old.product_id, terms, &labels, old.version + 1, now).await?;
        sqlx::query("UPDATE products SET default_price_id = $1, updated_at = $2 WHERE default_price_id = $3")
            .bind(new.id.to_string())
            .bind(to_micros(now))
            .bind(old.id.to_string())
            .execute(self.conn())
            .await?;
        Ok(new)
    }

    /// Changes an unused price's terms where it stands.
    pub async fn replace_price_terms(
        &mut self,
        id: Uuid,
        terms: &PriceTerms,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE prices SET currency = $1, unit_amount = $2, pricing_model = $3, recurring_interval = $4, \
             recurring_interval_count = $5, trial_period_days = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(terms.currency.code())
        .bind(terms.unit_amount.unwrap_or(0))
        .bind(terms.pricing_model.as_str())
        .bind(terms.recurring.as_ref().map(|r| r.interval.as_str()))
        .bind(terms.recurring.as_ref().map(|r| r.interval_count))
        .bind(terms.trial_period_days)
        .bind(to_micros(now))
        .bind(id.to_string())
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Marks the prices a payment bought at as used: their amounts are fixed from now on. A price
    /// already used is left as it is, so concurrent payments at one price do not queue on its row.
    pub async fn mark_prices_used(&mut self, prices: &[Uuid]) -> Result<(), sqlx::Error> {
        for id in prices {
            sqlx::query("UPDATE prices SET used = $1 WHERE id = $2 AND used = $3")
                .bind(true)
                .bind(id.to_string())
                .bind(false)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub async fn insert_discount(
        &mut self,
        scope: Scope,
        new: &NewDiscount,
        req: &paylinks_api::discount::CreateDiscount,
        now: DateTime<Utc>,
    ) -> Result<Discount, sqlx::Error> {
        let id = Uuid::new_v4();
        let ids = (new.applies_to == AppliesTo::SpecificProducts).then(|| req.product_ids.as_ref().map(json)).flatten();
        sqlx::query(&format!(
            "INSERT INTO discounts ({DISCOUNT_COLUMNS}, merchant_id, livemode) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)"
        ))
        .bind(id.to_string())
        .bind(&new.code)
        .bind(&req.name)
        .bind(&req.description)
        .bind(req.discount_type.as_str())
        .bind(req.discount_value)
        .bind(new.currency.map(|c| c.code()))
        .bind(new.applies_to.as_str())
        .bind(ids)
        .bind(req.max_redemptions)
        .bind(0i64)
        .bind(req.valid_from.map(to_micros))
        .bind(req.valid_until.map(to_micros))
        .bind(true)
        .bind(to_micros(now))
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .execute(self.conn())
        .await?;
        self.find_discount(scope, id).await?.ok_or(sqlx::Error::RowNotFound)
    }

    pub async fn find_discount(&mut self, scope: Scope, id: Uuid) -> Result<Option<Discount>, sqlx::Error> {
        let sql = discount_sql("id", self.lock());
        let row = fetch_scoped(self.conn(), &sql, &id.to_string(), scope).await?;
        row.as_ref().map(discount_of).transpose()
    }

    /// The scope's code `code` (upper case), as it stands in this transaction.
    pub async fn find_code(&mut self, scope: Scope, code: &str) -> Result<Option<Discount>, sqlx::Error> {
        let row = fetch_scoped(self.conn(), &discount_sql("code", ""), code, scope).await?;
        row.as_ref().map(discount_of).transpose()
    }

    pub async fn update_discount(&mut self, discount: &Discount, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE discounts SET name = $1, description = $2, discount_value = $3, applies_to = $4, \
             product_ids = $5, max_redemptions = $6, valid_from = $7, valid_until = $8, is_active = $9, \
             updated_at = $10 WHERE id = $11",
        )
        .bind(&discount.name)
        .bind(&discount.description)
        .bind(discount.discount_value)
        .bind(discount.applies_to.as_str())
        .bind(discount.product_ids.as_ref().map(json))
        .bind(discount.max_redemptions)
        .bind(discount.valid_from.map(to_micros))
        .bind(discount.valid_until.map(to_micros))
        .bind(discount.is_active)
        .bind(to_micros(now))
        .bind(discount.id.to_string())
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Takes one redemption of `id` if one is left: a single conditional statement, so however
    /// many checkouts race for the last one, exactly one gets it.
    pub async fn redeem(&mut self, id: Uuid) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE discounts SET current_redemptions = current_redemptions + 1 \
             WHERE id = $1 AND is_active = $2 AND (max_redemptions IS NULL OR current_redemptions < max_redemptions)",
        )
        .bind(id.to_string())
        .bind(true)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a redemption back (its payment failed or expired unpaid).
    pub async fn release_redemption(&mut self, scope: Scope, code: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE discounts SET current_redemptions = current_redemptions - 1 \
             WHERE code = $1 AND merchant_id = $2 AND livemode = $3 AND current_redemptions > 0",
        )
        .bind(code)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Loads the prices and products with these ids that belong to `scope` (others stay unknown).
    pub async fn load_catalog(
        &mut self,
        scope: Scope,
        price_ids: &[Uuid],
        product_ids: &[Uuid],
    ) -> Result<Catalog, sqlx::Error> {
        let mut catalog = Catalog::default();
        let mut wanted_products = product_ids.to_vec();
        for id in price_ids {
            let Some(StoredPrice { price, .. }) = self.find_price(scope, *id).await? else { continue };
            wanted_products.push(price.product_id);
            catalog.prices.insert(
                *id,
                CatalogPrice {
                    product_id: price.product_id,
                    unit_amount: price.unit_amount.unwrap_or(0),
                    currency: price.currency.to_ascii_uppercase(),
                    recurring: price.recurring(),
                    pricing_model: price.pricing_model,
                    active: price.active,
                },
            );
        }
        for id in wanted_products {
            if let Some(product) = self.find_product(scope, id).await? {
                catalog.products.insert(
                    id,
                    CatalogProduct {
                        name: product.name,
                        description: product.description,
                        archived: product.is_archived || !product.is_active,
                    },
                );
            }
        }
        Ok(catalog)
    }
}

impl Store {
    pub async fn get_product(&self, scope: Scope, id: Uuid) -> Result<Option<Product>, sqlx::Error> {
        let row = fetch_scoped(&self.reader, &product_sql(""), &id.to_string(), scope).await?;
        row.as_ref().map(product_of).transpose()
    }

    /// A page of the scope's products, newest first (matching `search` in name or product_id,
    /// any case), and how many match.
    pub async fn list_products(
        &self,
        scope: Scope,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Product>, i64), sqlx::Error> {
        let pattern = search.map(|s| format!("%{}%", s.to_lowercase().replace(['%', '_'], "")));
        let filter = "p.merchant_id = $1 AND p.livemode = $2 AND \
                      ($3 IS NULL OR LOWER(p.name) LIKE $3 OR LOWER(p.product_key) LIKE $3)";
        let rows = sqlx::query(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM {PRODUCT_FROM} WHERE {filter} \
             ORDER BY p.created_at DESC, p.id DESC LIMIT {limit} OFFSET {offset}"
        ))
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(pattern.clone())
        .fetch_all(&self.reader)
        .await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM products p WHERE {filter}"))
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .bind(pattern)
            .fetch_one(&self.reader)
            .await?
            .try_get(0)?;
        Ok((rows.iter().map(product_of).collect::<Result<_, _>>()?, total))
    }

    pub async fn get_price(&self, scope: Scope, id: Uuid) -> Result<Option<Price>, sqlx::Error> {
        let row = fetch_scoped(&self.reader, &price_sql(""), &id.to_string(), scope).await?;
        Ok(row.as_ref().map(price_of).transpose()?.map(|s| s.price))
    }

    /// A page of the scope's prices, newest first, from `cursor`; whether more follow in that
    /// direction; and how many match the filter in all.
    pub async fn list_prices(
        &self,
        scope: Scope,
        filter: &PriceFilter,
        limit: i64,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Price>, bool, i64), sqlx::Error> {
        let (clause, binds) = filter.clause(scope);
        let total: i64 =
            super::codec::bind_all(sqlx::query(&format!("SELECT COUNT(*) FROM prices WHERE {clause}")), &binds)
                .fetch_one(&self.reader)
                .await?
                .try_get(0)?;
        let mut sql = format!("SELECT {PRICE_COLUMNS} FROM prices WHERE {clause}");
        let mut binds = binds;
        let newest_first = !matches!(cursor, Some(Cursor::Before(_)));
        if let Some(Cursor::After(id) | Cursor::Before(id)) = cursor {
            let Some(at) = self.get_price(scope, id).await? else { return Ok((Vec::new(), false, total)) };
            let op = if newest_first { "<" } else { ">" };
            binds.push(Bind::Int(to_micros(at.created_at)));
            binds.push(Bind::Text(id.to_string()));
            let (t, i) = (binds.len() - 1, binds.len());
            sql.push_str(&format!(" AND (created_at {op} ${t} OR (created_at = ${t} AND id {op} ${i}))"));
        }
        let order = if newest_first { "DESC" } else { "ASC" };
        sql.push_str(&format!(" ORDER BY created_at {order}, id {order} LIMIT {}", limit + 1));
        let rows = super::codec::bind_all(sqlx::query(&sql), &binds).fetch_all(&self.reader).await?;
        let mut prices = rows.iter().map(|r| price_of(r).map(|s| s.price)).collect::<Result<Vec<_>, _>>()?;
        let has_more = prices.len() as i64 > limit;
        prices.truncate(limit as usize);
        if !newest_first {
            prices.reverse();
        }
        Ok((prices, has_more, total))
    }

    pub async fn get_discount(&self, scope: Scope, id: Uuid) -> Result<Option<Discount>, sqlx::Error> {
        let row = fetch_scoped(&self.reader, &discount_sql("id", ""), &id.to_string(), scope).await?;
        row.as_ref().map(discount_of).transpose()
    }

    /// The scope's code `code` (upper case), for the checkout page's preview.
    pub async fn get_code(&self, scope: Scope, code: &str) -> Result<Option<Discount>, sqlx::Error> {
        let row = fetch_scoped(&self.reader, &discount_sql("code", ""), code, scope).await?;
        row.as_ref().map(discount_of).transpose()
    }

    /// A page of the scope's codes, newest first, and how many there are.
    pub async fn list_discounts(
        &self,
        scope: Scope,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Discount>, i64), sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE merchant_id = $1 AND livemode = $2 \
             ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ))
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_all(&self.reader)
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM discounts WHERE merchant_id = $1 AND livemode = $2")
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .fetch_one(&self.reader)
            .await?
            .try_get(0)?;
        Ok((rows.iter().map(discount_of).collect::<Result<_, _>>()?, total))
    }
}
