//! Who charges the card. The only processor shipped is the sandbox, which decides by test card
//! number; a live processor plugs in behind the same trait.

use futures_util::future::BoxFuture;
use paylinks_api::card::CardNumber;

/// What to charge: the card, the amount in minor units and its currency.
pub struct Charge<'a> {
    pub card: &'a CardNumber,
    pub amount_minor: i64,
    pub currency: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded,
    /// `code` is machine-readable; `message` is safe to show the customer.
    Failed {
        code: &'static str,
        message: &'static str,
    },
}

pub trait PaymentProcessor: Send + Sync {
    fn charge<'a>(&'a self, charge: Charge<'a>) -> BoxFuture<'a, ChargeOutcome>;
}

/// Test mode: the published test cards decide the outcome; any other valid number is declined.
pub struct SandboxProcessor;

const DECLINED: ChargeOutcome =
    ChargeOutcome::Failed { code: "card_declined", message: "Your card was declined. Try another card." };

impl PaymentProcessor for SandboxProcessor {
    fn charge<'a>(&'a self, charge: Charge<'a>) -> BoxFuture<'a, ChargeOutcome> {
        let outcome = match charge.card.digits() {
            "4111111111111111" => ChargeOutcome::Succeeded,
            "4000000000000002" => DECLINED,
            "4000000000009995" => ChargeOutcome::Failed {
                code: "insufficient_funds",
                message: "Your card has insufficient funds. Try another card.",
            },
            "4000000000000069" => {
                ChargeOutcome::Failed { code: "expired_card", message: "Your card has expired. Try another card." }
            }
            _ => ChargeOutcome::Failed {
                code: "card_declined",
                message: "This is a test-mode link: use a test card such as 4111 1111 1111 1111.",
            },
        };
        Box::pin(std::future::ready(outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn test_cards_decide_the_outcome() {
        let cases = [
            ("4111 1111 1111 1111", None),
            ("4000 0000 0000 0002", Some("card_declined")),
            ("4000 0000 0000 9995", Some("insufficient_funds")),
            ("4000 0000 0000 0069", Some("expired_card")),
            ("5555 5555 5555 4444", Some("card_declined")),
        ];
        for (number, expected) in cases {
            let card = CardNumber::parse(number).unwrap();
            let outcome = SandboxProcessor.charge(Charge { card: &card, amount_minor: 100, currency: "USD" }).await;
            let code = match outcome {
                ChargeOutcome::Succeeded => None,
                ChargeOutcome::Failed { code, .. } => Some(code),
            };
            assert_eq!(code, expected, "{number}");
        }
    }
}
