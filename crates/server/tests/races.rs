//! Races over real HTTP on both backends: many writers on one link or one slug at once.
//! (Concurrent payments on a capped link: `checkout.rs`; concurrent identical creates:
//! `idempotency.rs`.)

mod common;

use common::{parts, TestApp};
use futures_util::future::join_all;
use serde_json::json;
use std::sync::Arc;

on_both_backends!(hundred_status_changes_end_in_a_state_a_winner_set, one_slug_raced_makes_one_link);

/// 100 concurrent changes towards four targets: each is answered 200 (it won, or the link was
/// already there), 409 (it lost a race) or 400 (not allowed from the state it found); the link
/// ends in the target of a request that got 200, and nothing follows an archive.
async fn hundred_status_changes_end_in_a_state_a_winner_set(app: TestApp) {
    let link = app.simple_link("Contested").await;
    let id = link["id"].as_str().unwrap().to_string();
    let targets = ["inactive", "active", "expired", "archived"];
    let app = Arc::new(app);
    let answers = join_all((0..100).map(|i| {
        let (app, id, target) = (app.clone(), id.clone(), targets[i % targets.len()]);
        async move { (target, parts(app.set_status(&id, target).await).await) }
    }))
    .await;
    let mut won = Vec::new();
    for (target, (status, body)) in &answers {
        match status {
            200 => {
                assert_eq!(body["status"], *target, "{body}");
                won.push(*target);
            }
            409 => assert_eq!(body["error"], "conflict", "{body}"),
            400 => {
                let message = body["message"].as_str().unwrap();
                assert!(message.contains(target), "the refusal names the target: {message}");
            }
            other => panic!("{target}: unexpected {other} {body}"),
        }
    }
    let (_, after) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
    let last = after["status"].as_str().unwrap();
    assert!(won.contains(&last), "ends in {last}, which no request won ({won:?})");
    if won.contains(&"archived") {
        assert_eq!(last, "archived", "archived is final");
    }
}

/// 20 creates with one slug at once (no idempotency keys): exactly one link, and 409 for the rest.
async fn one_slug_raced_makes_one_link(app: TestApp) {
    let app = Arc::new(app);
    let statuses = join_all((0..20).map(|i| {
        let app = app.clone();
        async move {
            let body = json!({"name": format!("Racer {i}"), "slug": "only-one", "amount_minor": 100});
            parts(app.create(&body).await).await
        }
    }))
    .await;
    let created = statuses.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{statuses:?}");
    for (status, body) in statuses.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, body["error"].as_str()), (409, Some("conflict")), "{body}");
        assert!(body["details"]["fields"].get("slug").is_some(), "{body}");
    }
    let (_, page) = parts(app.get("/v2/payment-links?search=only-one").await).await;
    assert_eq!(page["pagination"]["total"], 1, "{page}");
}
