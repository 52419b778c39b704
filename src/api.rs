//! The typed client of the v2 API. Every failure, from the network or the server, becomes an
//! `ApiError` whose message a page can show and whose field errors a form can map back.

use gloo_net::http::{Request, RequestBuilder, Response};
use paylinks_api::checkout::{LinkStats, PaymentList};
use paylinks_api::{
    Account, CreatePaymentLink, ErrorBody, FieldErrors, ListQuery, PaymentLink, PaymentLinkList, StatusResult,
    TargetStatus, UpdateStatus,
};
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

/// Talks to one API base URL with one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub base: String,
    pub key: String,
}

pub(crate) async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
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

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }

    fn keyed(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.header("x-api-key", &self.key)
    }

    async fn send<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Result<T, ApiError> {
        let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
        decode(request.send().await.map_err(|e| ApiError::Network(e.to_string()))?).await
    }

    /// Who the key belongs to: also how sign-in checks a key.
    pub async fn account(&self) -> Result<Account, ApiError> {
        Self::send(self.keyed(Request::get(&self.url("/v2/account"))).build()).await
    }

    pub async fn list_links(&self, query: &ListQuery) -> Result<PaymentLinkList, ApiError> {
        let qs = query.to_query_string();
        let path = if qs.is_empty() { "/v2/payment-links".to_string() } else { format!("/v2/payment-links?{qs}") };
        Self::send(self.keyed(Request::get(&self.url(&path))).build()).await
    }

    pub async fn get_link(&self, id: &str) -> Result<PaymentLink, ApiError> {
        let id = js_sys::encode_uri_component(id);
        Self::send(self.keyed(Request::get(&self.url(&format!("/v2/payment-links/{id}")))).build()).await
    }

    /// Creates a link; retrying with the same `idempotency_key` can never create two.
    pub async fn create_link(&self, body: &CreatePaymentLink, idempotency_key: &str) -> Result<PaymentLink, ApiError> {
        let builder =
            self.keyed(Request::post(&self.url("/v2/payment-links"))).header("idempotency-key", idempotency_key);
        Self::send(builder.json(body)).await
    }

    /// The newest payments on a link.
    pub async fn payments(&self, id: &str, query: &ListQuery) -> Result<PaymentList, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let qs = query.to_query_string();
        let path = format!("/v2/payment-links/{id}/payments?{qs}");
        Self::send(self.keyed(Request::get(&self.url(&path))).build()).await
    }

    pub async fn stats(&self, id: &str) -> Result<LinkStats, ApiError> {
        let id = js_sys::encode_uri_component(id);
        Self::send(self.keyed(Request::get(&self.url(&format!("/v2/payment-links/{id}/stats")))).build()).await
    }

    pub async fn set_status(
        &self,
        id: &str,
        to: TargetStatus,
        idempotency_key: &str,
    ) -> Result<StatusResult, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let builder = self
            .keyed(Request::patch(&self.url(&format!("/v2/payment-links/{id}/status"))))
            .header("idempotency-key", idempotency_key);
        Self::send(builder.json(&UpdateStatus { status: to })).await
    }
}
