//! The error body every non-2xx response carries, and field-level validation errors.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::wire::wire_enum! {
    /// Stable machine codes of the `error` field.
    pub enum ErrorCode {
        InvalidRequest,
        Unauthenticated,
        ResourceMissing,
        Conflict,
        IdempotencyConflict,
        IdempotencyInProgress,
        PayloadTooLarge,
        RateLimited,
        InternalError,
        ServiceUnavailable,
        /// Every slot of a capped link is held by customers paying right now.
        SoldOut,
        /// The payment processor (Stripe) failed; the customer has not been charged.
        ProcessorError,
    }
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::ResourceMissing => 404,
            ErrorCode::Conflict
            | ErrorCode::IdempotencyConflict
            | ErrorCode::IdempotencyInProgress
            | ErrorCode::SoldOut => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::InternalError => 500,
            ErrorCode::ProcessorError => 502,
            ErrorCode::ServiceUnavailable => 503,
        }
    }
}

/// `{"error": code, "message": sentence, "details": null | {...}}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    pub details: Option<ErrorDetails>,
}

/// `details` of an error: the messages per field of a validation error, or why a link the
/// customer holds cannot be paid.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetails {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Public routes only: why a paused, expired or sold-out link cannot be paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<UnavailableReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_name: Option<String>,
    /// The merchant's `inactive_message` for the link, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

crate::wire::wire_enum! {
    /// Why a link that exists cannot be paid (missing, draft and archived links say nothing).
    pub enum UnavailableReason {
        Paused,
        Expired,
        SoldOut,
    }
}

impl ErrorBody {
    /// An error about particular fields: the first message in `message`, all in `details.fields`.
    pub fn for_fields(error: ErrorCode, errors: FieldErrors) -> Self {
        let mut sentences = errors.iter().flat_map(|(f, ms)| ms.iter().map(move |m| format!("{f}: {m}")));
        let first = sentences.next().unwrap_or_else(|| "the request is invalid".into());
        let rest = sentences.count();
        let message = match rest {
            0 => first,
            n => format!("{first} (and {n} more)"),
        };
        ErrorBody { error, message, details: Some(ErrorDetails { fields: errors.0, ..ErrorDetails::default() }) }
    }
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody { error, message: message.into(), details: None }
    }

    /// The per-field messages of a validation error (`details.fields`), if any.
    pub fn field_errors(&self) -> FieldErrors {
        FieldErrors(self.details.as_ref().map(|d| d.fields.clone()).unwrap_or_default())
    }
}

/// Validation messages keyed by field path (`name`, `line_items[1].quantity`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// Sets `field`'s one message.
    pub fn replace(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.insert(field.into(), vec![message.into()]);
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(|m| m.first()).map(String::as_str)
    }

    /// `Ok(value)` when nothing was added, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    /// Adds `other`'s fields that have no message here yet (a field that already says why keeps
    /// its one message).
    pub fn merge_missing(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_insert(messages);
        }
    }

    /// How many fields have a message.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Forgets the messages of `field`.
    pub fn remove(&mut self, field: &str) {
        self.0.remove(field);
    }

    /// Each field with its messages, in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(field, messages)| (field.as_str(), messages.as_slice()))
    }

    /// The same errors with each field's messages replaced by `rewrite(field, messages)`.
    /// The same messages under other field names (`rename` gives each field's new name).
    pub fn rename(self, rename: impl Fn(&str) -> String) -> FieldErrors {
        let mut renamed = FieldErrors::default();
        for (field, messages) in self.0 {
            renamed.0.entry(rename(&field)).or_default().extend(messages);
        }
        renamed
    }

    pub fn map(self, rewrite: impl Fn(&str, Vec<String>) -> Vec<String>) -> FieldErrors {
        FieldErrors(
            self.0
                .into_iter()
                .map(|(field, messages)| {
                    let m = rewrite(&field, messages);
                    (field, m)
                })
                .collect(),
        )
    }
}

impl From<FieldErrors> for ErrorBody {
    fn from(errors: FieldErrors) -> Self {
        ErrorBody::for_fields(ErrorCode::InvalidRequest, errors)
    }
}

/// Parses a JSON request body, turning every serde failure into a message that names the field.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, FieldErrors> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = inner.to_string();
        if text.starts_with("unknown field `") {
            return FieldErrors::single(path, "is not a known field");
        }
        if inner.is_syntax() || inner.is_eof() {
            return FieldErrors::single("body", format!("is not valid JSON ({text})"));
        }
        let field = if path == "." { "body".to_string() } else { path };
        // Drop serde's " at line 1 column 7" suffix: the field path says where.
        let message = text.split(" at line ").next().unwrap_or(&text).to_string();
        FieldErrors::single(field, message)
    })
}

/// Parses a body that may carry vendor fields paylinks does not support: each of `unsupported`
/// that is present asking for something (not `null`, `false` or one of its harmless values) is
/// refused by name; the rest are dropped before parsing.
pub fn parse_json_supporting<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    unsupported: &[(&str, &[&str])],
) -> Result<T, FieldErrors> {
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return parse_json(bytes);
    };
    let mut errors = FieldErrors::default();
    for (field, harmless) in unsupported {
        let Some(value) = fields.remove(*field) else { continue };
        let asks_nothing = match &value {
            serde_json::Value::Null | serde_json::Value::Bool(false) => true,
            serde_json::Value::String(s) => harmless.contains(&s.as_str()),
            _ => false,
        };
        if !asks_nothing {
            errors.add(*field, "is not supported by paylinks");
        }
    }
    let parsed = serde_json::to_vec(&fields)
        .map_err(|_| FieldErrors::single("body", "is not valid JSON"))
        .and_then(|b| parse_json(&b));
    match parsed {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.merge_missing(more);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        name: Option<String>,
        items: Option<Vec<Item>>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        quantity: i64,
    }

    #[test]
    fn names_the_field_in_every_parse_error() {
        let e = parse_json::<Probe>(br#"{"nme": "x"}"#).unwrap_err();
        assert_eq!(e.get("nme"), Some("is not a known field"));
        let e = parse_json::<Probe>(br#"{"items": [{"quantity": 1, "extra": 2}]}"#).unwrap_err();
        assert_eq!(e.get("items[0].extra"), Some("is not a known field"));
        let e = parse_json::<Probe>(br#"{"items": [{"quantity": 1.5}]}"#).unwrap_err();

        assert!(e.get("items[0].quantity").unwrap().contains("floating point"));
        let e = parse_json::<Probe>(br#"{"name": "x""#).unwrap_err();

        assert!(e.get("body").unwrap().starts_with("is not valid JSON"));
        let e = parse_json::<Probe>(b"[]").unwrap_err();
        assert!(e.get("body").is_some());
    }

    #[test]
    fn error_body_lists_fields_and_first_message() {
        let mut errors = FieldErrors::default();
        errors.add("name", "must be 1 to 200 characters");
        errors.add("slug", "is taken");
        let body = ErrorBody::from(errors.clone());
        assert_eq!(body.error, ErrorCode::InvalidRequest);
        assert_eq!(body.message, "name: must be 1 to 200 characters (and 1 more)");
        assert_eq!(body.field_errors(), errors);
    }
}
