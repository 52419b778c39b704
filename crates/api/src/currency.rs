//! ISO 4217 currencies (plus the stablecoins USDC and EURC) and their minor-unit exponents.

use std::fmt;

/// A known currency code, upper case, with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// Codes whose minor unit is not the usual hundredth.
const EXPONENT_0: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
    "XPF",
];
const EXPONENT_3: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const EXPONENT_4: &[&str] = &["CLF", "UYW"];
const EXPONENT_2: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND",
    "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY", "COP", "COU",
    "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "EURC", "FJD", "FKP", "GBP", "GEL",
    "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS",
    "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH",
    "USD", "USDC", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

impl Currency {
    pub const USD: Currency = Currency { code: "USD", exponent: 2 };
    /// Devdraft's default.
    pub const USDC: Currency = Currency { code: "USDC", exponent: 2 };

    /// Looks a code up in any letter case.
    pub fn parse(code: &str) -> Option<Currency> {
        let upper = code.to_ascii_uppercase();
        [(EXPONENT_0, 0), (EXPONENT_2, 2), (EXPONENT_3, 3), (EXPONENT_4, 4)]
            .into_iter()
            .find_map(|(codes, exponent)| codes.iter().find(|c| **c == upper).map(|code| Currency { code, exponent }))
    }

    /// Every known currency, by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        let mut all: Vec<Currency> = [(EXPONENT_0, 0), (EXPONENT_2, 2), (EXPONENT_3, 3), (EXPONENT_4, 4)]
            .into_iter()
            .flat_map(|(codes, exponent)| codes.iter().map(move |code| Currency { code, exponent }))
            .collect();
        all.sort_by_key(|c| c.code);
        all.into_iter()
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Number of decimal places of the minor unit (JPY 0, USD 2, KWD 3).
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// The symbol used in front of an amount, for the few currencies where it is unambiguous.
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self.code {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "INR" => "₹",
            "KRW" => "₩",
            _ => return None,
        })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_knows_exponents() {
        assert_eq!(Currency::parse("usd").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("kwd").unwrap().exponent(), 3);
        assert_eq!(Currency::parse("Usdc").unwrap().code(), "USDC");
        assert_eq!(Currency::parse("XXX"), None);
        assert_eq!(Currency::parse("US"), None);
    }

    #[test]
    fn no_code_is_listed_twice() {
        let mut all: Vec<&str> = [EXPONENT_0, EXPONENT_2, EXPONENT_3, EXPONENT_4].concat();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
