//! What every call to a paylinks server shares, in the dashboard and the checkout alike: one error
//! type for every failure (from the network or the server) whose message a page can show and
//! whose field errors a form can map back, and one way to send a request and decode its answer.

use gloo_net::http::{Request, Response};
use paylinks_api::{ErrorBody, FieldErrors};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No key: the merchant signed out (perhaps in another tab).
    SignedOut,
    /// The request never got an answer (offline, DNS, CORS, server down).
    Network(String),
    /// The server answered with an error body.
    Server { status: u16, body: ErrorBody },
}

impl ApiError {
    /// One sentence for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::SignedOut => "You are signed out; sign in again.".into(),
            ApiError::Network(detail) => {
                format!("Could not reach the server ({detail}). Check your connection and retry.")
            }
            ApiError::Server { body, .. } => body.message.clone(),
        }
    }

    pub fn field_errors(&self) -> FieldErrors {
        match self {
            ApiError::Server { body, .. } => body.field_errors(),
            ApiError::Network(_) | ApiError::SignedOut => FieldErrors::default(),
        }
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let text = response.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return serde_json::from_str(&text).map_err(|e| ApiError::Network(format!("unexpected answer: {e}")));
    }
    let body = serde_json::from_str(&text).unwrap_or_else(|_| {
        ErrorBody::new(paylinks_api::ErrorCode::InternalError, format!("The server answered {status} without details."))
    });
    Err(ApiError::Server { status, body })
}

/// Sends `request` and decodes its answer: the body on success, else the server's error.
pub async fn send<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Result<T, ApiError> {
    let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(request.send().await.map_err(|e| ApiError::Network(e.to_string()))?).await
}
