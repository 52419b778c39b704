//! Products and prices that line items and `product_ids` refer to. The catalogue API comes
//! later; for now links validate their references against these tables.

use super::codec::to_micros;
use super::db::{Scope, Store, Tx};
use chrono::{DateTime, Utc};
use paylinks_api::validate::{Catalog, CatalogPrice, CatalogProduct};
use paylinks_api::{Interval, Recurring, WireEnum};
use sqlx::Row;
use uuid::Uuid;

pub struct NewProduct {
    pub name: String,
    pub description: Option<String>,
}

pub struct NewPrice {
    pub product_id: Uuid,
    pub unit_amount: i64,
    pub currency: String,
    pub recurring: Option<Recurring>,
}

impl Store {
    pub async fn create_product(
        &self,
        scope: Scope,
        product: NewProduct,
        now: DateTime<Utc>,
    ) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO products (id, merchant_id, livemode, name, description, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(product.name)
        .bind(product.description)
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(id)
    }

    pub async fn create_price(&self, scope: Scope, price: NewPrice, now: DateTime<Utc>) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO prices (id, product_id, merchant_id, livemode, currency, unit_amount, \
             recurring_interval, recurring_interval_count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(price.product_id.to_string())
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(price.currency)
        .bind(price.unit_amount)
        .bind(price.recurring.as_ref().map(|r| r.interval.as_str()))
        .bind(price.recurring.as_ref().map(|r| r.interval_count))
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(id)
    }
}

impl Tx {
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
            let row = sqlx::query(
                "SELECT product_id, unit_amount, currency, recurring_interval, recurring_interval_count \
             FROM prices WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
            )
            .bind(id.to_string())
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .fetch_optional(self.conn())
            .await?;
            let Some(row) = row else { continue };
            let product_id: Uuid = row.try_get::<String, _>("product_id")?.parse().unwrap_or_default();
            let recurring = row
                .try_get::<Option<String>, _>("recurring_interval")?
                .and_then(|s: String| Interval::parse(&s))
                .map(|interval| -> Result<Recurring, sqlx::Error> {
                    Ok(Recurring {
                        interval,
                        interval_count: row.try_get::<Option<i64>, _>("recurring_interval_count")?.unwrap_or(1),
                    })
                })
                .transpose()?;
            wanted_products.push(product_id);
            catalog.prices.insert(
                *id,
                CatalogPrice {
                    product_id,
                    unit_amount: row.try_get("unit_amount")?,
                    currency: row.try_get("currency")?,
                    recurring,
                },
            );
        }
        for id in wanted_products {
            let row = sqlx::query(
                "SELECT name, description FROM products WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
            )
            .bind(id.to_string())
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .fetch_optional(self.conn())
            .await?;
            if let Some(row) = row {
                catalog.products.insert(
                    id,
                    CatalogProduct { name: row.try_get("name")?, description: row.try_get("description")? },
                );
            }
        }
        Ok(catalog)
    }
}
