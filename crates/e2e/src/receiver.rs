//! A merchant's webhook receiver on a real socket, for the end-to-end tests and the bench: it
//! answers every `POST /hooks` 200 (after a delay, if asked, or once released if held) and keeps
//! each body it answered, with when.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

pub struct Receiver {
    /// Where to point an endpoint: `http://127.0.0.1:PORT/hooks`.
    pub url: String,
    shared: Arc<Shared>,
}

struct Shared {
    delay: Duration,
    /// `false` while held: requests wait until it turns `true`.
    open: watch::Sender<bool>,
    answered: Mutex<Vec<(Instant, String)>>,
}

impl Receiver {
    /// Starts a receiver that answers at once.
    pub async fn start() -> Receiver {
        Receiver::answering_after(Duration::ZERO).await
    }

    /// Starts a receiver that takes `delay` over every answer (a stalled receiver, when it is
    /// longer than the sender's timeout).
    pub async fn answering_after(delay: Duration) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a receiver port");
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let shared = Arc::new(Shared { delay, open: watch::Sender::new(true), answered: Mutex::new(Vec::new()) });
        let app = Router::new().route("/hooks", post(receive)).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, shared }
    }

    /// Requests from now on wait, unanswered, until `release`.
    pub fn hold(&self) {
        self.shared.open.send_replace(false);
    }

    pub fn release(&self) {
        self.shared.open.send_replace(true);
    }

    /// How many deliveries were answered.
    pub fn count(&self) -> usize {
        self.shared.answered.lock().unwrap().len()
    }

    /// How many answered deliveries were events of `event_type`.
    pub fn count_of(&self, event_type: &str) -> usize {
        let needle = format!("\"type\":\"{event_type}\"");
        self.shared.answered.lock().unwrap().iter().filter(|(_, body)| body.contains(&needle)).count()
    }

    /// When the last delivery was answered.
    pub fn last_answered_at(&self) -> Option<Instant> {
        self.shared.answered.lock().unwrap().last().map(|(at, _)| *at)
    }
}

async fn receive(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    let mut open = shared.open.subscribe();
    // The sender is held by `shared` itself, so this only ends once released.
    let _ = open.wait_for(|open| *open).await;
    tokio::time::sleep(shared.delay).await;
    shared.answered.lock().unwrap().push((Instant::now(), body));
    StatusCode::OK
}
