//! Webhook delivery survives crashes and shares work: the real server binary is killed with
//! SIGKILL while a delivery is in flight (and right after the write that caused an event
//! committed), restarted on the same database, and every event still arrives, each recorded
//! once. On PostgreSQL, two server processes deliver each attempt once between them.

mod common;

use common::receiver::{Answer, Receiver};
use common::{temp_db, Db, ServeProcess};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

on_both_databases!(a_delivery_cut_by_sigkill_is_made_after_restart);

fn start(db_url: &str) -> ServeProcess {
    ServeProcess::start(db_url, &[("PAYLINKS_RATE_LIMIT", "off")], std::process::Stdio::null())
}

fn kill(server: &mut ServeProcess) {
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// How many times each event id arrived.
fn arrivals(receiver: &Receiver) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for got in receiver.received() {
        *count.entry(got.json()["id"].as_str().unwrap().to_string()).or_default() += 1;
    }
    count
}

async fn a_delivery_cut_by_sigkill_is_made_after_restart(db: Db) {
    let db = temp_db(db).await;
    let mut server = start(&db.url);
    let key = server.key.clone().expect("a first start prints a sandbox key");
    let receiver = Receiver::start().await;
    server.add_endpoint(&key, &receiver.url, &["payment_link.created"]).await;

    // The first attempt hangs at the receiver; the server dies with it in flight.
    receiver.answer_next(&[Answer::Stall]);
    let cut = server.create_link(&key, &json!({"name": "Cut", "amount_minor": 500})).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    kill(&mut server);
    server = start(&db.url);
    // A second event's write commits and the server dies at once, before (or while) it delivers.
    let committed = server.create_link(&key, &json!({"name": "Committed", "amount_minor": 700})).await;
    kill(&mut server);
    server = start(&db.url);

    // Both events arrive (SQLite: at the restart; PostgreSQL: once the dead server's claim runs
    // out); each is one event in the log.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let events = loop {
        let events = server.get(&key, "/v2/events?type=payment_link.created").await;
        let delivered = server.get(&key, "/v2/webhook-deliveries?status=succeeded").await;
        if delivered["data"].as_array().unwrap().len() == 2 {
            break events;
        }
        assert!(std::time::Instant::now() < deadline, "not delivered: {delivered}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 2, "exactly one event per write");
    let of = |link: &Value| {
        let found = events.iter().find(|e| e["data"]["object"]["id"] == link["id"]).expect("the link's event");
        found["id"].as_str().unwrap().to_string()
    };
    let count = arrivals(&receiver);
    assert!(count[&of(&cut)] >= 2, "the cut attempt was made again: {count:?}");
    assert!(count[&of(&committed)] >= 1, "{count:?}");
    let all: Vec<_> = receiver.received().into_iter().filter(|r| r.json()["id"] == of(&cut).as_str()).collect();
    assert!(all.iter().all(|r| r.body == all[0].body), "every attempt sends the same bytes");
    // An attempt cut by a crash is not a failure: the delivery succeeded on its first counted one.
    let log = server.get(&key, &format!("/v2/webhook-deliveries?event_id={}", of(&cut))).await;
    assert_eq!((log["data"][0]["status"].as_str(), log["data"][0]["attempts"].as_i64()), (Some("succeeded"), Some(1)));
    server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_deliver_each_attempt_once() {
    let Some(db) = Db::postgres() else { return };
    let db = temp_db(db).await;
    let mut first = start(&db.url);
    let key = first.key.clone().expect("a first start prints a sandbox key");
    let mut second = start(&db.url);
    let receiver = Receiver::start().await;
    first.add_endpoint(&key, &receiver.url, &["payment_link.created"]).await;
    for n in 0..40 {
        let server = if n % 2 == 0 { &first } else { &second };
        server.create_link(&key, &json!({"name": format!("Shared {n}"), "amount_minor": 100 + n})).await;
    }
    receiver.wait_for(40, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let count = arrivals(&receiver);
    assert_eq!(count.len(), 40);
    assert!(count.values().all(|n| *n == 1), "each event once: {count:?}");
    first.terminate();
    second.terminate();
}
