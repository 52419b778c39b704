//! Crash safety: the real server binary under 16 concurrent clients (1,000 creates and 200
//! checkouts, each with its own idempotency key) is killed with SIGKILL at five different points
//! and restarted on the same database. Every request answered 2xx before the kill is there,
//! unchanged; retrying every key replays or completes it once; nothing is duplicated; the
//! capped link's cap holds; half the checkouts bring a promotion code with fewer redemptions than
//! them, and it is redeemed exactly once per discounted payment, never past its limit.

mod common;

use common::{temp_db, Db, ServeProcess};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const CREATES: usize = 1_000;
const CHECKOUTS: usize = 200;
const CLIENTS: usize = 16;
const CAP: i64 = 150;
/// Redemptions of the code half the checkouts bring (fewer than them).
const CODE_LIMIT: i64 = 60;
/// How many answers the clients have had when the server is killed.
const KILL_AFTER: [usize; 5] = [1, 137, 480, 777, 1_150];
/// Fixed, so a stored link's `url` is the same before and after the restart.
const BASE_URL: &str = "https://pay.example";

/// Status and body of an answer.
type Answer = (u16, Value);

struct Op {
    key: String,
    path: String,
    body: Value,
    with_api_key: bool,
}

fn operations(capped_public_id: &str) -> Vec<Op> {
    (0..CREATES + CHECKOUTS)
        .map(|i| {
            if i % 6 == 5 && i / 6 < CHECKOUTS {
                let code = (i / 6 % 2 == 0).then_some("crash");
                Op {
                    key: format!("crash-pay-{i}"),
                    path: format!("/public/payment-links/{capped_public_id}/checkout"),
                    body: json!({"email": format!("c{i}@example.com"), "name": "Crash Test", "promotion_code": code,
                                 "card": {"number": "4111111111111111", "expiry": "12/40", "cvc": "123"}}),
                    with_api_key: false,
                }
            } else {
                Op {
                    key: format!("crash-create-{i}"),
                    path: "/v2/payment-links".into(),
                    body: json!({"name": format!("Crash link {i}"), "amount_minor": 100 + i, "currency": "USD"}),
                    with_api_key: true,
                }
            }
        })
        .collect()
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    api_key: &str,
    op: &Op,
) -> Result<(u16, Value, bool), reqwest::Error> {
    let mut req = client.post(format!("{base}{}", op.path)).header("idempotency-key", &op.key).json(&op.body);
    if op.with_api_key {
        req = req.header("x-api-key", api_key);
    }
    let res = req.send().await?;
    let replayed = res.headers().get("idempotency-replayed").is_some_and(|v| v == "true");
    let status = res.status().as_u16();
    let body = res.json().await?;
    Ok((status, body, replayed))
}

fn start(db_url: &str) -> ServeProcess {
    let env = [("PAYLINKS_PUBLIC_BASE_URL", BASE_URL), ("PAYLINKS_RATE_LIMIT", "off")];
    ServeProcess::start(db_url, &env, std::process::Stdio::null())
}

async fn survives_sigkill(db: Db, kill_after: usize) {
    let db = temp_db(db).await;
    let mut server = start(&db.url);
    let key = server.key.clone().expect("a first start prints a key");
    let client = reqwest::Client::new();
    let capped = json!({"name": "Capped", "amount_minor": 500, "currency": "USD", "max_completions": CAP});
    let capped = server.create_link(&key, &capped).await;
    let code = json!({"code": "CRASH", "name": "Crash", "discount_type": "percentage", "discount_value": 10, "max_redemptions": CODE_LIMIT});
    server.create(&key, "/v2/discounts", &code).await;
    let ops = Arc::new(operations(capped["public_id"].as_str().unwrap()));

    // 16 clients take the next operation until the work runs out or the server is gone.
    let answered: Arc<Mutex<Vec<Option<Answer>>>> = Arc::new(Mutex::new(vec![None; ops.len()]));
    let (next, done) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (ops, answered, next, done) = (ops.clone(), answered.clone(), next.clone(), done.clone());
            let (client, base, key) = (client.clone(), server.base.clone(), key.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(op) = ops.get(i) else { return };
                    match send(&client, &base, &key, op).await {
                        Ok((status, body, _)) => {
                            answered.lock().unwrap()[i] = Some((status, body));
                            done.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => return, // the server is gone
                    }
                }
            })
        })
        .collect();
    while done.load(Ordering::SeqCst) < kill_after {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for client in clients {
        client.await.unwrap();
    }
    let before: Vec<Option<Answer>> = answered.lock().unwrap().clone();
    let answered_2xx = before.iter().flatten().filter(|(s, _)| (200..300).contains(s)).count();
    assert!(answered_2xx >= 1, "the clients got answers before the kill");

    // Restart on the same database and retry every key.
    let mut server = start(&db.url);
    assert!(server.key.is_none(), "the restarted server found its merchant");
    let mut created = std::collections::HashSet::new();
    let mut paid = std::collections::HashSet::new();
    let mut discounted = 0;
    for (i, op) in ops.iter().enumerate() {
        let (status, body, replayed) = send(&client, &server.base, &key, op).await.unwrap();
        if let Some((was_status, was_body)) = &before[i] {
            assert_eq!((status, &body), (*was_status, was_body), "{}: a retry must replay the answer", op.key);
            assert!(replayed || !(200..300).contains(&status), "{}: not marked as a replay", op.key);
        }
        if op.with_api_key {
            assert_eq!(status, 201, "{}: {body}", op.key);
            assert!(created.insert(body["id"].as_str().unwrap().to_string()), "{}: a second link", op.key);
        } else if status == 200 && body["data"]["status"] == "succeeded" {
            assert!(paid.insert(body["data"]["payment_id"].as_str().unwrap().to_string()), "{}: paid twice", op.key);
            let coded = op.body["promotion_code"].is_string();
            assert_eq!(body["data"]["amount_minor"], if coded { 450 } else { 500 }, "{}: {body}", op.key);
            discounted += i64::from(coded);
        } else if status == 400 {
            assert_eq!(body["details"]["fields"]["promotion_code"][0], "\"crash\" has been used up", "{}", op.key);
        } else {
            // Once the cap is reached the link is completed and no longer payable.
            assert!(status == 404 || body["data"]["status"] == "failed", "{}: {status} {body}", op.key);
        }
    }
    assert_eq!(created.len(), CREATES);

    // Links answered before the kill are stored as they were answered.
    for (status, body) in before.iter().flatten() {
        if *status == 201 {
            let stored = server.get(&key, &format!("/v2/payment-links/{}", body["id"].as_str().unwrap())).await;
            assert_eq!(&stored, body, "a link changed across the crash");
        }
    }
    // One link per create key, no more; the cap held and matches the payments.
    let page = server.get(&key, "/v2/payment-links?limit=1").await;
    assert_eq!(page["pagination"]["total"], CREATES as i64 + 1, "links beyond one per key");
    let capped_id = capped["id"].as_str().unwrap();
    let capped_now = server.get(&key, &format!("/v2/payment-links/{capped_id}")).await;
    let completed = capped_now["completed_count"].as_i64().unwrap();
    assert!(completed <= CAP, "{completed} payments on a link capped at {CAP}");
    assert_eq!(completed, paid.len() as i64, "completed_count matches the successful payments");
    let revenue = 500 * paid.len() as i64 - 50 * discounted;
    assert_eq!(capped_now["revenue_minor"], revenue, "revenue matches the successful payments");
    // The code was redeemed once per discounted payment, never past its limit.
    let redeemed = count(&db.url, "SELECT current_redemptions FROM discounts WHERE code = 'CRASH'").await;
    assert_eq!(redeemed, discounted, "one redemption per discounted payment");
    assert!(redeemed <= CODE_LIMIT, "{redeemed} redemptions of a code limited to {CODE_LIMIT}");
    let stats = server.get(&key, &format!("/v2/payment-links/{capped_id}/stats")).await;
    assert_eq!(stats["successful_payments"], paid.len() as i64, "{stats}");
    // Each committed change has its event, and no event outlived a change that was rolled back.
    let events = |kind: &str| format!("SELECT COUNT(*) FROM events WHERE type = '{kind}'");
    assert_eq!(count(&db.url, &events("payment_link.created")).await, CREATES as i64 + 1, "link events");
    assert_eq!(count(&db.url, &events("payment.succeeded")).await, paid.len() as i64, "payment events");
    assert_eq!(count(&db.url, &events("checkout.session.completed")).await, paid.len() as i64, "checkout events");
    let failed = count(&db.url, "SELECT COUNT(*) FROM payments WHERE status = 'failed'").await;
    assert_eq!(count(&db.url, &events("payment.failed")).await, failed, "failed-payment events");
    server.terminate();
}

/// One number from the test's database, looked at under the API.
async fn count(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_survives_sigkill_at_five_points() {
    for kill_after in KILL_AFTER {
        survives_sigkill(Db::Sqlite, kill_after).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_sigkill_at_five_points() {
    for kill_after in KILL_AFTER {
        let Some(db) = Db::postgres() else { return };
        survives_sigkill(db, kill_after).await;
    }
}
