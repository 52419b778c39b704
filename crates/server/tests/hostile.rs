//! Hostile input on every route, table-driven: each case gets a clear 4xx (naming the field when
//! there is one), never a 5xx, and the database is byte for byte what it was before.

mod common;

use common::{parts, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(hostile_input_gets_a_clear_4xx_and_changes_nothing);

/// One hostile request and the answer it must get.
struct Case {
    what: String,
    method: Method,
    path: String,
    /// `None`: no key (the public routes, or a test of the missing key).
    key: bool,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
    /// The field the error must name in `details.fields`.
    field: Option<&'static str>,
}

fn json_case(what: &str, method: Method, path: &str, key: bool, body: Value, field: &'static str) -> Case {
    Case {
        what: what.into(),
        method,
        path: path.into(),
        key,
        content_type: Some("application/json"),
        body: Some(body.to_string().into_bytes()),
        status: 400,
        code: "invalid_request",
        field: Some(field),
    }
}

fn raw_case(what: &str, method: Method, path: &str, key: bool, content_type: &'static str, body: Vec<u8>) -> Case {
    Case {
        what: what.into(),
        method,
        path: path.into(),
        key,
        content_type: Some(content_type),
        body: Some(body),
        status: 400,
        code: "invalid_request",
        field: None,
    }
}

fn get_case(what: &str, path: &str, key: bool, status: u16, code: &'static str, field: Option<&'static str>) -> Case {
    Case {
        what: what.into(),
        method: Method::GET,
        path: path.into(),
        key,
        content_type: None,
        body: None,
        status,
        code,
        field,
    }
}

/// What every body-taking route must survive, whatever its fields.
fn malformed_bodies(method: Method, path: &str, key: bool) -> Vec<Case> {
    let nested = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut cases = vec![
        raw_case("malformed JSON", method.clone(), path, key, "application/json", b"{\"name\": \"x\",".to_vec()),
        raw_case("deeply nested JSON", method.clone(), path, key, "application/json", nested.into_bytes()),
        raw_case("invalid UTF-8", method.clone(), path, key, "application/json", b"{\"name\": \"\xff\xfe\"}".to_vec()),
        raw_case("a JSON array", method.clone(), path, key, "application/json", b"[]".to_vec()),
        raw_case("JSON null", method.clone(), path, key, "application/json", b"null".to_vec()),
        raw_case("a NUL byte outside strings", method.clone(), path, key, "application/json", b"{\0}".to_vec()),
    ];
    let mut wrong_type = raw_case("wrong content type", method.clone(), path, key, "text/plain", b"{}".to_vec());
    wrong_type.field = Some("content-type");
    cases.push(wrong_type);
    let mut too_big =
        raw_case("body over the limit", method.clone(), path, key, "application/json", vec![b' '; 70 * 1024]);
    (too_big.status, too_big.code) = (413, "payload_too_large");
    cases.push(too_big);
    for case in &mut cases {
        case.what = format!("{} {path}: {}", case.method, case.what);
    }
    cases
}

fn create_fields() -> Vec<Case> {
    let create = |what: &str, body: Value, field| json_case(what, Method::POST, "/v2/payment-links", true, body, field);
    let with_amount = |amount: Value| json!({"name": "X", "amount_minor": amount, "currency": "USD"});
    let named = |name: &str| json!({"name": name, "amount_minor": 100});
    let slugged = |slug: &str| json!({"name": "X", "slug": slug, "amount_minor": 100});
    vec![
        create("NUL in a name", named("Tea\0"), "name"),
        create("right-to-left override in a name", named("Tea \u{202E}gnp.exe"), "name"),
        create("zero-width space in a name", named("Te\u{200B}a"), "name"),
        create("only a zero-width space as a name", named("\u{200B}"), "name"),
        create("zero-width space in a slug", slugged("spring\u{200B}sale"), "slug"),
        create("right-to-left override in a slug", slugged("sale\u{202E}"), "slug"),
        create("path traversal as a slug", slugged("../../etc/passwd"), "slug"),
        create("negative amount", with_amount(json!(-1)), "amount_minor"),
        create("overflowing amount", with_amount(json!(1e20)), "amount_minor"),
        create("amount past i64", with_amount(json!(u64::MAX)), "amount_minor"),
        create("fractional minor units", with_amount(json!(12.5)), "amount_minor"),
        create("amount as a string", with_amount(json!("12.50")), "amount_minor"),
        create("unknown currency", json!({"name": "X", "amount_minor": 100, "currency": "XYZ"}), "currency"),
        create("NUL in a currency", json!({"name": "X", "amount_minor": 100, "currency": "US\0"}), "currency"),
        create(
            "3-decimal line item price",
            json!({"name": "X", "line_items": [{"price_data": {"currency": "usd", "unit_amount": 12.345,
                   "product_data": {"name": "Tea"}}, "quantity": 1}]}),
            "line_items[0].price_data.unit_amount",
        ),
        create(
            "overflowing total",
            json!({"name": "X", "line_items": [{"price_data": {"currency": "usd", "unit_amount": 99_999_999_999i64,
                   "product_data": {"name": "Tea"}}, "quantity": 99}]}),
            "line_items",
        ),
        create("NUL in a metadata key", json!({"name": "X", "amount_minor": 1, "metadata": {"a\0": "b"}}), "metadata"),
        create(
            "SQL as the name of an unknown field",
            json!({"name": "X", "amount_minor": 1, "x'; DROP TABLE payment_links; --": 1}),
            "x'; DROP TABLE payment_links; --",
        ),
    ]
}

fn list_queries() -> Vec<Case> {
    let bad = |what: &str, query: &str, field| {
        get_case(what, &format!("/v2/payment-links?{query}"), true, 400, "invalid_request", Some(field))
    };
    vec![
        bad("limit not a number", "limit=abc", "limit"),
        bad("limit zero", "limit=0", "limit"),
        bad("negative offset", "offset=-1", "offset"),
        bad("overflowing offset", "offset=99999999999999999999", "offset"),
        bad("unknown status", "status=deleted", "status"),
        bad("duplicate limit", "limit=10&limit=20", "limit"),
        bad("duplicate search", "search=a&search=b", "search"),
        bad("NUL in search", "search=%00", "search"),
    ]
}

fn paths(link_id: &str) -> Vec<Case> {
    let missing = |what: &str, path: &str, key| get_case(what, path, key, 404, "resource_missing", None);
    let long = "a".repeat(10_000);
    vec![
        missing("path traversal as an id", "/v2/payment-links/..%2F..%2Fetc%2Fpasswd", true),
        missing("encoded NUL as an id", "/v2/payment-links/%00", true),
        missing("a 10,000-character id", &format!("/v2/payment-links/{long}"), true),
        missing("SQL as an id", "/v2/payment-links/1'%20OR%20'1'='1", true),
        missing("path traversal under a link", &format!("/v2/payment-links/{link_id}/..%2Fpayments"), true),
        missing("path traversal as a public id", "/public/payment-links/..%2F..%2Fv2%2Faccount", false),
        missing("SQL as a public id", "/public/payment-links/pl_'%20OR%201=1--", false),
        missing("payments of a traversal", "/v2/payment-links/..%2F/payments", true),
    ]
}

/// Announces a 10 MB JSON string, sends its first 64 KiB and reads the answer without sending
/// the rest: the server must refuse from the announced length, not after reading 10 MB.
async fn ten_megabytes(app: &TestApp, method: &Method, path: &str, key: bool) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let len = 10 * 1024 * 1024;
    let mut stream = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let auth = if key { format!("x-api-key: {}\r\n", app.key) } else { String::new() };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\n{auth}content-type: application/json\r\ncontent-length: {len}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let start = format!("{{\"name\": \"{}", "x".repeat(64 * 1024));
    stream.write_all(start.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") || !answer.ends_with(b"}") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "{method} {path}: connection closed before an answer: {}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body = body.lines().find(|l| l.starts_with('{')).unwrap_or(body);
    (status, serde_json::from_str(body).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}")))
}

/// Everything under the API that a request could change, as one comparable value.
async fn snapshot(app: &TestApp) -> Value {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let mut counts = serde_json::Map::new();
    for table in ["merchants", "api_keys", "payment_links", "payments", "idempotency_keys"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        counts.insert(table.into(), n.into());
    }
    pool.close().await;
    let (_, links) = parts(app.get("/v2/payment-links?limit=100").await).await;
    json!({"counts": counts, "links": links})
}

async fn hostile_input_gets_a_clear_4xx_and_changes_nothing(app: TestApp) {
    let link = app.create_ok(&json!({"name": "Target", "amount_minor": 500, "currency": "USD"})).await;
    let (id, public_id) = (link["id"].as_str().unwrap(), link["public_id"].as_str().unwrap());
    let status_path = format!("/v2/payment-links/{id}/status");
    let checkout_path = format!("/public/payment-links/{public_id}/checkout");
    let mut cases = Vec::new();
    cases.extend(malformed_bodies(Method::POST, "/v2/payment-links", true));
    cases.extend(malformed_bodies(Method::PATCH, &status_path, true));
    cases.extend(malformed_bodies(Method::POST, &format!("/v2/payment-links/{id}/expire"), true));
    cases.extend(malformed_bodies(Method::POST, &checkout_path, false));
    cases.extend(create_fields());
    cases.push(json_case("unknown status", Method::PATCH, &status_path, true, json!({"status": "deleted"}), "status"));
    cases.push(json_case(
        "NUL in a status",
        Method::PATCH,
        &status_path,
        true,
        json!({"status": "active\0"}),
        "status",
    ));
    let pay = |extra: Value| {
        let mut body = json!({"email": "a@example.com", "name": "A",
                              "card": {"number": "4111111111111111", "expiry": "12/40", "cvc": "123"}});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    cases.push(json_case(
        "RTL override in a payer name",
        Method::POST,
        &checkout_path,
        false,
        pay(json!({"name": "A\u{202E}B"})),
        "name",
    ));
    cases.push(json_case(
        "NUL in an email",
        Method::POST,
        &checkout_path,
        false,
        pay(json!({"email": "a\0@example.com"})),
        "email",
    ));
    cases.push(json_case(
        "fractional quantity",
        Method::POST,
        &checkout_path,
        false,
        pay(json!({"quantities": [1.5]})),
        "quantities[0]",
    ));
    cases.push(json_case(
        "quantities for a link without line items",
        Method::POST,
        &checkout_path,
        false,
        pay(json!({"quantities": [-1]})),
        "quantities",
    ));
    cases.push(json_case(
        "card number with letters",
        Method::POST,
        &checkout_path,
        false,
        pay(json!({"card": {"number": "4111abcd", "expiry": "12/40", "cvc": "123"}})),
        "card.number",
    ));
    cases.extend(list_queries());
    cases.extend(paths(id));

    let before = snapshot(&app).await;
    let body_routes = [
        (Method::POST, "/v2/payment-links".to_string(), true),
        (Method::PATCH, status_path.clone(), true),
        (Method::POST, checkout_path.clone(), false),
    ];
    for (method, path, key) in &body_routes {
        let (status, body) = ten_megabytes(&app, method, path, *key).await;
        assert_eq!((status, body["error"].as_str()), (413, Some("payload_too_large")), "{method} {path}: {body}");
    }
    for case in &cases {
        let mut req = app.client.request(case.method.clone(), app.url(&case.path));
        if case.key {
            req = req.header("x-api-key", &app.key);
        }
        if let Some(content_type) = case.content_type {
            req = req.header("content-type", content_type);
        }
        if let Some(body) = &case.body {
            req = req.body(body.clone());
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{}: {e}", case.what));
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{}: not JSON ({status}): {text:.200}", case.what));
        assert_eq!((status, body["error"].as_str()), (case.status, Some(case.code)), "{}: {text:.300}", case.what);
        if let Some(field) = case.field {
            assert!(body["details"]["fields"].get(field).is_some(), "{}: should name {field}: {text:.300}", case.what);
        }
    }
    assert_eq!(snapshot(&app).await, before, "hostile requests changed the database");
}
