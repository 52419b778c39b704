//! Bulk data straight into the store (not through HTTP): `n` active links for the one merchant.

use sqlx::Row;

/// Inserts links named "Bench link 1" … "Bench link n", newest last, in one statement; links 10,
/// 200, 400, 600 and 800 (those of them there are) are renamed "Quarterly retainer …".
pub async fn links(database_url: &str, n: u64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url).await.expect("connect to the bench database");
    let merchant: String = sqlx::query("SELECT id FROM merchants").fetch_one(&pool).await.unwrap().get(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
    let columns = "id, merchant_id, livemode, public_id, name, name_lower, slug, mode, status, amount_minor, \
        currency, product_ids, line_items, collect_shipping, allow_promotion_codes, tax_behavior, metadata, \
        selection_mode, status_changed_at, created_at, updated_at, version";
    let postgres = database_url.starts_with("postgres");
    let (source, pad12, pad20, false_, true_) = if postgres {
        (
            format!("generate_series(1, {n}) AS s(n)"),
            "lpad(n::text, 12, '0')",
            "lpad(n::text, 20, '0')",
            "false",
            "true",
        )
    } else {
        (
            format!("(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s)"),
            "printf('%012d', n)",
            "printf('%020d', n)",
            "0",
            "1",
        )
    };
    let sql = format!(
        "INSERT INTO payment_links ({columns}) SELECT \
         '00000000-0000-4000-8000-' || {pad12}, '{merchant}', {false_}, 'pl_' || {pad20}, \
         'Bench link ' || n, 'bench link ' || n, NULL, 'custom', 'active', 1000 + n % 1000, 'USD', '[]', '[]', \
         {false_}, {true_}, 'unspecified', '{{}}', 'bundle', {now} - n, {now} - {n} + n, {now} - {n} + n, 0 FROM {source}"
    );
    sqlx::query(&sql).execute(&pool).await.expect("seed links");
    // Five links every size has, with a word no other name contains: a search whose answer
    // stays the same size as the data grows.
    let rare = "UPDATE payment_links SET name = 'Quarterly retainer ' || public_id, \
        name_lower = 'quarterly retainer ' || public_id WHERE public_id IN \
        ('pl_00000000000000000010', 'pl_00000000000000000200', 'pl_00000000000000000400', \
        'pl_00000000000000000600', 'pl_00000000000000000800')";
    sqlx::query(rare).execute(&pool).await.expect("seed the rare names");
    if postgres {
        // What autovacuum would have done by now: statistics, and the trigram indexes' pending
        // entries merged (until then every search reads them all).
        sqlx::raw_sql("VACUUM ANALYZE payment_links").execute(&pool).await.unwrap();
    } else {
        sqlx::query("PRAGMA optimize").execute(&pool).await.unwrap();
    }
    pool.close().await;
}
