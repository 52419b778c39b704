//! Property: any sequence of status requests on one link behaves like a simple model of the
//! contract's transition table.

mod common;

use common::{parts, Db, TestApp};
use proptest::prelude::*;
use serde_json::json;

const TARGETS: [&str; 4] = ["active", "inactive", "archived", "expired"];

/// The contract's table, written out independently of the server's code.
fn model(from: &str, to: &str) -> Option<&'static str> {
    let allowed = from == to
        || matches!(
            (from, to),
            ("draft", _)
                | ("active", "inactive" | "archived" | "expired")
                | ("inactive", "active" | "archived" | "expired")
                | ("expired", "archived")
        );
    allowed.then(|| TARGETS.into_iter().find(|t| *t == to).unwrap())
}

#[test]
fn random_status_sequences_match_the_model() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::spawn(Db::Sqlite));
    let config = ProptestConfig { cases: 48, ..ProptestConfig::default() };
    proptest!(config, |(start_draft in any::<bool>(), steps in proptest::collection::vec(0usize..4, 1..12))| {
        rt.block_on(async {
            let status = if start_draft { "draft" } else { "active" };
            let link = app.create_ok(&json!({"name": "P", "amount_minor": 1, "status": status})).await;
            let id = link["id"].as_str().unwrap().to_string();
            let mut expected = status.to_string();
            for step in steps {
                let to = TARGETS[step];
                let (code, body) = parts(app.set_status(&id, to).await).await;
                match model(&expected, to) {
                    Some(next) => {
                        assert_eq!(code, 200, "{expected} -> {to}: {body}");
                        expected = next.to_string();
                    }
                    None => assert_eq!(code, 400, "{expected} -> {to}: {body}"),
                }
                let (_, got) = parts(app.get(&format!("/v2/payment-links/{id}")).await).await;
                assert_eq!(got["status"], expected.as_str());
            }
        });
    });
}
