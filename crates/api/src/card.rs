//! Card details as a customer types them: number (Luhn), expiry and security code. The number
//! is kept only as long as a payment takes; its `Debug` never shows it.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Other,
}

impl CardBrand {
    pub fn of(digits: &str) -> CardBrand {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
        match digits.as_bytes().first() {
            Some(b'4') => CardBrand::Visa,
            Some(b'3') if matches!(prefix(2), 34 | 37) => CardBrand::Amex,
            Some(b'5') if (51..=55).contains(&prefix(2)) => CardBrand::Mastercard,
            Some(b'2') if (2221..=2720).contains(&prefix(4)) => CardBrand::Mastercard,
            Some(b'6') if prefix(4) == 6011 || prefix(2) == 65 => CardBrand::Discover,
            _ => CardBrand::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Other => "unknown",
        }
    }

    fn cvc_len(self) -> usize {
        if self == CardBrand::Amex {
            4
        } else {
            3
        }
    }
}

/// The digits of a card number that passed the Luhn check.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Accepts digits with spaces or dashes between them: 12 to 19 digits passing the Luhn check.
    pub fn parse(input: &str) -> Result<CardNumber, &'static str> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            return Err("is required");
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !(12..=19).contains(&digits.len()) {
            return Err("must be 12 to 19 digits");
        }
        if !luhn_ok(&digits) {
            return Err("is not a valid card number; check the digits");
        }
        Ok(CardNumber(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> String {
        self.0[self.0.len() - 4..].to_string()
    }

    pub fn brand(&self) -> CardBrand {
        CardBrand::of(&self.0)
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber(…{})", self.last4())
    }
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card numbers in `text`: runs of 13 to 19 digits (single spaces or dashes between them
/// allowed) that pass the Luhn check, as byte ranges.
fn card_number_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let (start, mut end, mut digits) = (i, i, String::new());
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                digits.push(char::from(bytes[j]));
                end = j + 1;
            } else if !(matches!(bytes[j], b' ' | b'-') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)) {
                break;
            }
            j += 1;
        }
        if (13..=19).contains(&digits.len()) && luhn_ok(&digits) {
            spans.push(start..end);
        }
        i = end.max(i + 1);
    }
    spans
}

/// Whether `text` holds something that is a card number (typed where it does not belong).
pub fn contains_card_number(text: &str) -> bool {
    !card_number_spans(text).is_empty()
}

/// `text` with every card number in it cut to its last four digits (`…1111`).
pub fn redact_card_numbers(text: &str) -> String {
    let mut out = text.to_string();
    for span in card_number_spans(text).into_iter().rev() {
        let digits: String = text[span.clone()].chars().filter(char::is_ascii_digit).collect();
        out.replace_range(span, &format!("…{}", &digits[digits.len() - 4..]));
    }
    out
}

/// `MM/YY` or `MM/YYYY` (spaces allowed) → (month, full year); the card must not have expired
/// before (`year`, `month`) = today.
pub fn parse_expiry(input: &str, today: (i32, u32)) -> Result<(u32, i32), &'static str> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let (month, year) = compact.split_once('/').ok_or("must look like MM/YY")?;
    let month: u32 = month.parse().map_err(|_| "must look like MM/YY")?;
    let year: i32 = match year.len() {
        2 => 2000 + year.parse::<i32>().map_err(|_| "must look like MM/YY")?,
        4 => year.parse().map_err(|_| "must look like MM/YY")?,
        _ => return Err("must look like MM/YY"),
    };
    if !(1..=12).contains(&month) {
        return Err("month must be 01 to 12");
    }
    if (year, month) < today {
        return Err("this card has expired");
    }
    Ok((month, year))
}

/// The security code: 3 digits (4 on American Express).
pub fn check_cvc(cvc: &str, brand: CardBrand) -> Result<(), &'static str> {
    let ok = cvc.len() == brand.cvc_len() && cvc.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else if brand == CardBrand::Amex {
        Err("must be the 4 digits on the front of the card")
    } else {
        Err("must be the 3 digits on the back of the card")
    }
}

/// A card number as typed, regrouped for reading: `4111 1111 1111 1111`; Amex as 4-6-5.
pub fn group_card_number(input: &str) -> String {
    let digits: String = input.chars().filter(char::is_ascii_digit).take(19).collect();
    let groups: &[usize] = if CardBrand::of(&digits) == CardBrand::Amex { &[4, 6, 5] } else { &[4, 4, 4, 4, 3] };
    let mut out = String::with_capacity(digits.len() + 4);
    let mut rest = digits.as_str();
    for &size in groups {
        if rest.is_empty() {
            break;
        }
        let (group, tail) = rest.split_at(size.min(rest.len()));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(group);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_pass_luhn_and_typos_do_not() {
        for number in ["4111 1111 1111 1111", "4000000000000002", "4000-0000-0000-9995", "4000000000000069"] {
            assert!(CardNumber::parse(number).is_ok(), "{number}");
        }
        assert_eq!(
            CardNumber::parse("4111 1111 1111 1112").unwrap_err(),
            "is not a valid card number; check the digits"
        );
        assert_eq!(CardNumber::parse("4111").unwrap_err(), "must be 12 to 19 digits");
        assert_eq!(CardNumber::parse("4111a111111111111").unwrap_err(), "must be 12 to 19 digits");
        assert_eq!(CardNumber::parse("").unwrap_err(), "is required");
        let card = CardNumber::parse("4111111111111111").unwrap();
        assert_eq!((card.brand(), card.last4().as_str()), (CardBrand::Visa, "1111"));
        assert_eq!(format!("{card:?}"), "CardNumber(…1111)");
        assert_eq!(CardBrand::of("378282246310005"), CardBrand::Amex);
        assert_eq!(CardBrand::of("5555555555554444"), CardBrand::Mastercard);
    }

    #[test]
    fn card_numbers_are_found_wherever_they_are_typed() {
        for text in ["4111 1111 1111 1111", "pay 4111-1111-1111-1111 now", "4111111111111111", "+378282246310005"] {
            assert!(contains_card_number(text), "{text}");
        }
        for text in ["4111 1111 1111 1112", "+44 20 7946 0958", "order 12345", "2026-12-02", ""] {
            assert!(!contains_card_number(text), "{text}");
        }
        assert_eq!(redact_card_numbers("card 4111 1111 1111 1111, thanks"), "card …1111, thanks");
        assert_eq!(redact_card_numbers("\"4242424242424242\""), "\"…4242\"");
    }

    #[test]
    fn expiry_and_cvc() {
        let today = (2026, 11);
        assert_eq!(parse_expiry("12/30", today), Ok((12, 2030)));
        assert_eq!(parse_expiry("11 / 2026", today), Ok((11, 2026)));
        assert_eq!(parse_expiry("10/26", today), Err("this card has expired"));
        assert_eq!(parse_expiry("13/30", today), Err("month must be 01 to 12"));
        assert_eq!(parse_expiry("1230", today), Err("must look like MM/YY"));
        assert!(check_cvc("123", CardBrand::Visa).is_ok());
        assert!(check_cvc("1234", CardBrand::Visa).is_err());
        assert!(check_cvc("1234", CardBrand::Amex).is_ok());
        assert!(check_cvc("12a", CardBrand::Visa).is_err());
    }

    #[test]
    fn groups_numbers_as_typed() {
        assert_eq!(group_card_number("41111111"), "4111 1111");
        assert_eq!(group_card_number("4111 1111 1111 1111"), "4111 1111 1111 1111");
        assert_eq!(group_card_number("378282246310005"), "3782 822463 10005");
        assert_eq!(group_card_number("abc"), "");
    }
}
