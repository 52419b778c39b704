//! How amounts and times read on the page.

use chrono::{DateTime, Utc};
use paylinks_api::money::format_amount;
use paylinks_api::Currency;

/// `$12.50`, `¥1,250`, `KWD 1.250`; a dash when there is no fixed amount.
pub fn amount(minor: Option<i64>, currency: &str) -> String {
    match (minor, Currency::parse(currency)) {
        (Some(minor), Some(currency)) => format_amount(minor, currency),
        (Some(minor), None) => format!("{currency} {minor}"),
        (None, _) => "—".into(),
    }
}

/// A date and time in UTC, unambiguous for every reader.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
