//! Amounts in integer minor units: exact parsing of typed major units and display formatting.

use crate::currency::Currency;

/// The largest single amount the contract accepts, in minor units.
pub const MAX_AMOUNT_MINOR: i64 = 99_999_999_999;
/// The message for an amount above [`MAX_AMOUNT_MINOR`], in plain words.
pub const TOO_LARGE: &str = "is more than a single payment may be";

/// Why a typed amount could not be turned into minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    TooManyDecimals { allowed: u8 },
    Negative,
    TooLarge,
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountError::Empty => f.write_str("is required"),
            AmountError::NotANumber => f.write_str("must be a number like 12.50"),
            AmountError::TooManyDecimals { allowed: 0 } => f.write_str("must be a whole number in this currency"),
            AmountError::TooManyDecimals { allowed } => {
                write!(f, "must have at most {allowed} decimal places in this currency")
            }
            AmountError::Negative => f.write_str("must not be negative"),
            AmountError::TooLarge => f.write_str("is too large"),
        }
    }
}

/// Parses an amount typed in major units ("12.5", "1,250", "0.125") into exact minor units,
/// without ever going through floating point.
pub fn parse_major(input: &str, currency: Currency) -> Result<i64, AmountError> {
    parse_scaled(input, currency.exponent())
}

/// Parses a decimal number into an exact integer of `exponent`-th units ("12.5" at exponent 2 is
/// 1250; at exponent 0 "30.0" is 30 and "30.5" has too many decimals), without floating point.
pub fn parse_scaled(input: &str, exponent: u8) -> Result<i64, AmountError> {
    let cleaned: String = input.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    if cleaned.is_empty() {
        return Err(AmountError::Empty);
    }
    if cleaned.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::NotANumber);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(exponent) {
        return Err(AmountError::TooManyDecimals { allowed: exponent });
    }
    let scaled = format!("{whole}{fraction:0<width$}", width = usize::from(exponent));
    let minor: i64 = scaled.trim_start_matches('0').parse().or_else(|_| {
        if scaled.chars().all(|c| c == '0') {
            Ok(0)
        } else {
            Err(AmountError::TooLarge)
        }
    })?;
    if minor > MAX_AMOUNT_MINOR {
        return Err(AmountError::TooLarge);
    }
    Ok(minor)
}

/// Writes minor units as a plain major-unit number: 1250 USD → "12.50", 1250 JPY → "1250".
pub fn minor_to_major_string(minor: i64, currency: Currency) -> String {
    let exponent = u32::from(currency.exponent());
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10u64.pow(exponent);
    format!("{sign}{}.{:0width$}", abs / unit, abs % unit, width = exponent as usize)
}

/// Formats for people: `$12.50`, `¥1,250`, `KWD 1.250`.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let plain = minor_to_major_string(minor, currency);
    let (sign, unsigned) = plain.strip_prefix('-').map_or(("", plain.as_str()), |p| ("-", p));
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() { grouped } else { format!("{grouped}.{fraction}") };
    match currency.symbol() {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{} {number}", currency.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn parses_major_units_exactly_per_exponent() {
        assert_eq!(parse_major("12.50", c("USD")), Ok(1250));
        assert_eq!(parse_major("12.5", c("USD")), Ok(1250));
        assert_eq!(parse_major("0.1", c("USD")), Ok(10));
        assert_eq!(parse_major(".07", c("USD")), Ok(7));
        assert_eq!(parse_major("1,250", c("JPY")), Ok(1250));
        assert_eq!(parse_major("1.250", c("KWD")), Ok(1250));
        assert_eq!(parse_major("0", c("USD")), Ok(0));
        assert_eq!(parse_major("0.00", c("USD")), Ok(0));
        assert_eq!(parse_major("999999999.99", c("USD")), Ok(MAX_AMOUNT_MINOR));
    }

    #[test]
    fn rejects_what_it_cannot_represent() {
        assert_eq!(parse_major("", c("USD")), Err(AmountError::Empty));
        assert_eq!(parse_major("abc", c("USD")), Err(AmountError::NotANumber));
        assert_eq!(parse_major("1.2.3", c("USD")), Err(AmountError::NotANumber));
        assert_eq!(parse_major(".", c("USD")), Err(AmountError::NotANumber));
        assert_eq!(parse_major("-1", c("USD")), Err(AmountError::Negative));
        assert_eq!(parse_major("1.005", c("USD")), Err(AmountError::TooManyDecimals { allowed: 2 }));
        assert_eq!(parse_major("1.5", c("JPY")), Err(AmountError::TooManyDecimals { allowed: 0 }));
        assert_eq!(parse_major("1000000000.00", c("USD")), Err(AmountError::TooLarge));
        assert_eq!(parse_major("99999999999999999999999", c("USD")), Err(AmountError::TooLarge));
    }

    #[test]
    fn formats_per_currency() {
        assert_eq!(format_amount(1250, c("USD")), "$12.50");
        assert_eq!(format_amount(1250, c("JPY")), "¥1,250");
        assert_eq!(format_amount(1250, c("KWD")), "KWD 1.250");
        assert_eq!(format_amount(123456789, c("EUR")), "€1,234,567.89");
        assert_eq!(format_amount(5, c("USD")), "$0.05");
        assert_eq!(format_amount(-5, c("USD")), "-$0.05");
        assert_eq!(minor_to_major_string(1250, c("KWD")), "1.250");
    }

    #[test]
    fn parse_and_format_round_trip() {
        for minor in [0, 1, 99, 100, 12345, MAX_AMOUNT_MINOR] {
            for code in ["USD", "JPY", "KWD"] {
                let s = minor_to_major_string(minor, c(code));
                assert_eq!(parse_major(&s, c(code)), Ok(minor), "{s} {code}");
            }
        }
    }
}
