//! A merchant's webhook receiver for tests: a real HTTP server on a free port that keeps every
//! request it gets and answers as the test scripts it (a status, or no answer at all).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Status(u16),
    /// Hold the request without answering (a stalled receiver).
    Stall,
}

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inner {
    got: Vec<Received>,
    script: VecDeque<Answer>,
    default: Option<Answer>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = inner.clone();
        let handler = move |headers: axum::http::HeaderMap, body: String| {
            let shared = shared.clone();
            async move {
                let headers = headers
                    .iter()
                    .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
                    .collect();
                let answer = {
                    let mut inner = shared.lock().unwrap();
                    inner.got.push(Received { headers, body });
                    let fallback = inner.default.unwrap_or(Answer::Status(200));
                    inner.script.pop_front().unwrap_or(fallback)
                };
                match answer {
                    Answer::Status(code) => (axum::http::StatusCode::from_u16(code).unwrap(), "received"),
                    Answer::Stall => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        (axum::http::StatusCode::OK, "late")
                    }
                }
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(handler);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, inner }
    }

    /// The next requests get these answers, in order (then the default).
    pub fn answer_next(&self, answers: &[Answer]) {
        self.inner.lock().unwrap().script.extend(answers.iter().copied());
    }

    /// What every request gets once the script is used up (200 unless set).
    pub fn answer_always(&self, answer: Answer) {
        self.inner.lock().unwrap().default = Some(answer);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }

    /// Waits (up to `within`) until `n` requests have come, and returns them all.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(std::time::Instant::now() < deadline, "{n} deliveries expected, {} came: {got:?}", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
