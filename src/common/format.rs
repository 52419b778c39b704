//! How amounts and times read on the page.

use chrono::{DateTime, Utc};
use paylinks_api::checkout::Renewal;
use paylinks_api::money::format_amount;
use paylinks_api::{Currency, Recurring, WireEnum};

/// `$12.50`, `¥1,250`, `KWD 1.250`; a dash when there is no fixed amount.
pub fn amount(minor: Option<i64>, currency: &str) -> String {
    match (minor, Currency::parse(currency)) {
        (Some(minor), Some(currency)) => format_amount(minor, currency),
        (Some(minor), None) => format!("{currency} {minor}"),
        (None, _) => "—".into(),
    }
}

/// A date and time in UTC, unambiguous for every reader: `2026-12-02 16:59 UTC`. Written out
/// rather than with chrono's `format`, whose pattern parser would weigh on the checkout's download.
pub fn when(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", at.year(), at.month(), at.day(), at.hour(), at.minute())
}

/// `per month`, `every 3 months`: how often a recurring price bills.
pub fn every(recurring: &Recurring) -> String {
    let unit = recurring.interval.as_str();
    match recurring.interval_count {
        n if n > 1 => format!("every {n} {unit}s"),
        _ => format!("per {unit}"),
    }
}

/// `$9.99 per month`
pub fn renewal(renewal: &Renewal, currency: &str) -> String {
    format!("{} {}", amount(Some(renewal.amount_minor), currency), every(&renewal.every()))
}
