//! Merchants and their API keys. A key is `rk_sandbox_<secret>` or `rk_live_<secret>`; only its
//! SHA-256 is stored, found through its public prefix and compared in constant time.

use super::codec::{bool_col, from_micros, to_micros};
use super::db::{Scope, Store};
use crate::ids::{constant_time_eq, random_base62, sha256_hex};
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

const SECRET_LEN: usize = 32;
const PREFIX_SECRET_CHARS: usize = 8;

/// Who a valid key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOwner {
    pub key_id: Uuid,
    pub merchant_id: Uuid,
    pub merchant_name: String,
    pub livemode: bool,
}

impl KeyOwner {
    /// The merchant and mode the key acts for.
    pub fn scope(&self) -> Scope {
        Scope { merchant_id: self.merchant_id, livemode: self.livemode }
    }
}

/// A key as listed: never its secret.
#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    pub prefix: String,
    pub merchant_name: String,
    pub livemode: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A freshly created key; `secret` is shown once and then only its hash exists.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub secret: String,
    pub owner: KeyOwner,
    pub prefix: String,
}

/// Splits a presented key into (livemode, lookup prefix) if it is well formed.
pub fn parse_key(key: &str) -> Option<(bool, String)> {
    let (livemode, secret) = match key.strip_prefix("rk_live_") {
        Some(secret) => (true, secret),
        None => (false, key.strip_prefix("rk_sandbox_")?),
    };
    let well_formed = secret.len() == SECRET_LEN && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    well_formed.then(|| (livemode, key[..key.len() - SECRET_LEN + PREFIX_SECRET_CHARS].to_string()))
}

impl Store {
    pub async fn merchant_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM merchants").fetch_one(&self.reader).await
    }

    /// Creates a key for the merchant called `merchant_name`, creating the merchant if new.
    pub async fn create_key(
        &self,
        merchant_name: &str,
        livemode: bool,
        now: DateTime<Utc>,
    ) -> Result<NewApiKey, sqlx::Error> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO merchants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(Uuid::new_v4().to_string())
            .bind(merchant_name)
            .bind(to_micros(now))
            .execute(tx.conn())
            .await?;
        let merchant_id: String = sqlx::query_scalar("SELECT id FROM merchants WHERE name = $1")
            .bind(merchant_name)
            .fetch_one(tx.conn())
            .await?;
        let secret = format!("rk_{}_{}", if livemode { "live" } else { "sandbox" }, random_base62(SECRET_LEN));
        let (_, prefix) = parse_key(&secret).expect("a generated key is well formed");
        let key_id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO api_keys (id, merchant_id, livemode, prefix, secret_sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key_id.to_string())
        .bind(&merchant_id)
        .bind(livemode)
        .bind(&prefix)
        .bind(sha256_hex(secret.as_bytes()))
        .bind(to_micros(now))
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        let owner = KeyOwner {
            key_id,
            merchant_id: merchant_id.parse().unwrap_or_default(),
            merchant_name: merchant_name.to_string(),
            livemode,
        };
        Ok(NewApiKey { secret, owner, prefix })
    }

    pub async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT k.prefix, m.name, k.livemode, k.created_at, k.last_used_at, k.revoked_at \
             FROM api_keys k JOIN merchants m ON m.id = k.merchant_id ORDER BY k.created_at, k.prefix",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiKeyRecord {
                    prefix: row.try_get("prefix")?,
                    merchant_name: row.try_get("name")?,
                    livemode: bool_col(row, "livemode")?,
                    created_at: from_micros(row.try_get("created_at")?),
                    last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(from_micros),
                    revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros),
                })
            })
            .collect()
    }

    /// Revokes the key with this prefix; false if there is no such active key.
    pub async fn revoke_key(&self, prefix: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE prefix = $2 AND revoked_at IS NULL")
            .bind(to_micros(now))
            .bind(prefix)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The owner of a presented key, if it is well formed, known, matching and not revoked.
    pub async fn authenticate(&self, presented: &str) -> Result<Option<KeyOwner>, sqlx::Error> {
        let Some((livemode, prefix)) = parse_key(presented) else { return Ok(None) };
        let row = sqlx::query(
            "SELECT k.id, k.merchant_id, k.livemode, k.secret_sha256, k.revoked_at, m.name \
             FROM api_keys k JOIN merchants m ON m.id = k.merchant_id WHERE k.prefix = $1",
        )
        .bind(&prefix)
        .fetch_optional(&self.reader)
        .await?;
        // Hash even when nothing matched, so a miss costs the same as a wrong secret.
        let presented_hash = sha256_hex(presented.as_bytes());
        let Some(row) = row else { return Ok(None) };
        let stored_hash: String = row.try_get("secret_sha256")?;
        let revoked = row.try_get::<Option<i64>, _>("revoked_at")?.is_some();
        let stored_livemode = bool_col(&row, "livemode")?;
        if !constant_time_eq(stored_hash.as_bytes(), presented_hash.as_bytes())
            || revoked
            || stored_livemode != livemode
        {
            return Ok(None);
        }
        Ok(Some(KeyOwner {
            key_id: row.try_get::<String, _>("id")?.parse().unwrap_or_default(),
            merchant_id: row.try_get::<String, _>("merchant_id")?.parse().unwrap_or_default(),
            merchant_name: row.try_get("name")?,
            livemode,
        }))
    }

    pub async fn touch_key(&self, key_id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(to_micros(now))
            .bind(key_id.to_string())
            .execute(&self.writer)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_key;

    #[test]
    fn parses_only_well_formed_keys() {
        let secret = "A".repeat(32);
        assert_eq!(parse_key(&format!("rk_sandbox_{secret}")), Some((false, "rk_sandbox_AAAAAAAA".into())));
        assert_eq!(parse_key(&format!("rk_live_{secret}")), Some((true, "rk_live_AAAAAAAA".into())));
        assert_eq!(parse_key(&format!("rk_test_{secret}")), None);
        assert_eq!(parse_key("rk_sandbox_short"), None);
        assert_eq!(parse_key(&format!("rk_sandbox_{}", "é".repeat(16))), None);
    }
}
