//! The dashboard's typed client of the v2 API (with the merchant's key).

use crate::common::api::{send, ApiError};
use gloo_net::http::{Request, RequestBuilder};
use paylinks_api::catalog::{
    CreatePrice, CreateProduct, Price, PriceList, ProductEnvelope, ProductList, UpdateProduct,
};
use paylinks_api::discount::{CreateDiscount, DiscountEnvelope, DiscountList, UpdateDiscount};
use paylinks_api::payment::{LinkStats, PaymentList};
use paylinks_api::webhook::{
    CreateWebhookEndpoint, DeletedEnvelope, DeliveryEnvelope, DeliveryList, EndpointEnvelope, EndpointList,
    TestEventRequest, TestEventResult, UpdateWebhookEndpoint,
};
use paylinks_api::{
    Account, CreatePaymentLink, ListQuery, PaymentLink, PaymentLinkList, StatusResult, TargetStatus, UpdateStatus,
};

/// Talks to one API base URL with one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub base: String,
    pub key: String,
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }

    fn keyed(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.header("x-api-key", &self.key)
    }

    /// Who the key belongs to: also how sign-in checks a key.
    pub async fn account(&self) -> Result<Account, ApiError> {
        send(self.keyed(Request::get(&self.url("/v2/account"))).build()).await
    }

    pub async fn list_links(&self, query: &ListQuery) -> Result<PaymentLinkList, ApiError> {
        let qs = query.to_query_string();
        let path = if qs.is_empty() { "/v2/payment-links".to_string() } else { format!("/v2/payment-links?{qs}") };
        send(self.keyed(Request::get(&self.url(&path))).build()).await
    }

    pub async fn get_link(&self, id: &str) -> Result<PaymentLink, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::get(&self.url(&format!("/v2/payment-links/{id}")))).build()).await
    }

    /// Creates a link; retrying with the same `idempotency_key` can never create two.
    pub async fn create_link(&self, body: &CreatePaymentLink, idempotency_key: &str) -> Result<PaymentLink, ApiError> {
        let builder =
            self.keyed(Request::post(&self.url("/v2/payment-links"))).header("idempotency-key", idempotency_key);
        send(builder.json(body)).await
    }

    /// The newest payments on a link.
    pub async fn payments(&self, id: &str, query: &ListQuery) -> Result<PaymentList, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let qs = query.to_query_string();
        let path = format!("/v2/payment-links/{id}/payments?{qs}");
        send(self.keyed(Request::get(&self.url(&path))).build()).await
    }

    pub async fn stats(&self, id: &str) -> Result<LinkStats, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::get(&self.url(&format!("/v2/payment-links/{id}/stats")))).build()).await
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
        send(builder.json(&UpdateStatus { status: to })).await
    }

    /// The products (the newest 100).
    pub async fn list_products(&self) -> Result<ProductList, ApiError> {
        send(self.keyed(Request::get(&self.url("/v2/products?limit=100"))).build()).await
    }

    /// Creates a product and its first price; the same `idempotency_key` never makes two.
    pub async fn create_product(
        &self,
        body: &CreateProduct,
        idempotency_key: &str,
    ) -> Result<ProductEnvelope, ApiError> {
        let builder = self.keyed(Request::post(&self.url("/v2/products"))).header("idempotency-key", idempotency_key);
        send(builder.json(body)).await
    }

    pub async fn update_product(&self, id: &str, body: &UpdateProduct) -> Result<ProductEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::patch(&self.url(&format!("/v2/products/{id}")))).json(body)).await
    }

    /// The prices (the newest 100), archived ones too.
    pub async fn list_prices(&self) -> Result<PriceList, ApiError> {
        send(self.keyed(Request::get(&self.url("/v2/prices?limit=100"))).build()).await
    }

    pub async fn create_price(&self, body: &CreatePrice, idempotency_key: &str) -> Result<Price, ApiError> {
        let builder = self.keyed(Request::post(&self.url("/v2/prices"))).header("idempotency-key", idempotency_key);
        send(builder.json(body)).await
    }

    pub async fn archive_price(&self, id: &str) -> Result<Price, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::delete(&self.url(&format!("/v2/prices/{id}")))).build()).await
    }

    /// The promotion codes (the newest 100).
    pub async fn list_discounts(&self) -> Result<DiscountList, ApiError> {
        send(self.keyed(Request::get(&self.url("/v2/discounts?limit=100"))).build()).await
    }

    pub async fn create_discount(
        &self,
        body: &CreateDiscount,
        idempotency_key: &str,
    ) -> Result<DiscountEnvelope, ApiError> {
        let builder = self.keyed(Request::post(&self.url("/v2/discounts"))).header("idempotency-key", idempotency_key);
        send(builder.json(body)).await
    }

    pub async fn update_discount(&self, id: &str, body: &UpdateDiscount) -> Result<DiscountEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::patch(&self.url(&format!("/v2/discounts/{id}")))).json(body)).await
    }

    pub async fn list_endpoints(&self) -> Result<EndpointList, ApiError> {
        send(self.keyed(Request::get(&self.url("/v2/webhook-endpoints?limit=100"))).build()).await
    }

    /// Registers an endpoint; retrying with the same `idempotency_key` can never add two.
    pub async fn create_endpoint(
        &self,
        body: &CreateWebhookEndpoint,
        idempotency_key: &str,
    ) -> Result<EndpointEnvelope, ApiError> {
        let builder =
            self.keyed(Request::post(&self.url("/v2/webhook-endpoints"))).header("idempotency-key", idempotency_key);
        send(builder.json(body)).await
    }

    pub async fn get_endpoint(&self, id: &str) -> Result<EndpointEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::get(&self.url(&format!("/v2/webhook-endpoints/{id}")))).build()).await
    }

    pub async fn update_endpoint(&self, id: &str, body: &UpdateWebhookEndpoint) -> Result<EndpointEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::patch(&self.url(&format!("/v2/webhook-endpoints/{id}")))).json(body)).await
    }

    pub async fn delete_endpoint(&self, id: &str) -> Result<DeletedEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::delete(&self.url(&format!("/v2/webhook-endpoints/{id}")))).build()).await
    }

    pub async fn rotate_secret(&self, id: &str, idempotency_key: &str) -> Result<EndpointEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let path = format!("/v2/webhook-endpoints/{id}/rotate-secret");
        send(self.keyed(Request::post(&self.url(&path))).header("idempotency-key", idempotency_key).build()).await
    }

    pub async fn send_test_event(&self, id: &str, event_type: &str) -> Result<TestEventResult, ApiError> {
        let id = js_sys::encode_uri_component(id);
        let body = TestEventRequest { event_type: event_type.to_string() };
        send(self.keyed(Request::post(&self.url(&format!("/v2/webhook-endpoints/{id}/test")))).json(&body)).await
    }

    /// The newest deliveries to one endpoint.
    pub async fn deliveries(&self, endpoint_id: &str) -> Result<DeliveryList, ApiError> {
        let id = js_sys::encode_uri_component(endpoint_id);
        send(self.keyed(Request::get(&self.url(&format!("/v2/webhook-deliveries?endpoint_id={id}&limit=25")))).build())
            .await
    }

    pub async fn retry_delivery(&self, id: &str) -> Result<DeliveryEnvelope, ApiError> {
        let id = js_sys::encode_uri_component(id);
        send(self.keyed(Request::post(&self.url(&format!("/v2/webhook-deliveries/{id}/retry")))).build()).await
    }
}
