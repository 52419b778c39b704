//! One way to turn an enum into its wire string and back. Every unit enum of the contract is
//! declared with `wire_enum!`, which derives serde and strum's `IntoStaticStr`, `EnumString` and
//! `VariantArray` with the same snake_case spelling (a variant may rename itself for both, as the
//! event types' dotted names do; a test below checks that the two agree for every variant); the
//! blanket impl gives each the methods of `WireEnum`.

use std::str::FromStr;
use strum::VariantArray;

/// Declares a unit enum with its wire spelling (and its OpenAPI schema when that feature is on).
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variants:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize,
            strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($variants)* }
    };
}
pub(crate) use wire_enum;

/// A field that is present (`Some`, its value possibly `null`) or absent (`None`).
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

pub trait WireEnum: Copy + VariantArray + Into<&'static str> + FromStr {
    /// The variant as it is spelled on the wire (`single_select`).
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant spelled `s` on the wire, if any.
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// Every variant, in declaration order.
    fn all() -> &'static [Self] {
        Self::VARIANTS
    }
}

impl<T: Copy + VariantArray + Into<&'static str> + FromStr> WireEnum for T {}

#[cfg(test)]
mod tests {
    use super::WireEnum;
    use crate::*;

    /// serde and strum spell every variant the same, and parsing gives it back.
    fn agrees<T: WireEnum + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>() {
        for &variant in T::all() {
            let serde_spelling = serde_json::to_value(variant).unwrap();
            assert_eq!(serde_spelling, serde_json::Value::String(variant.as_str().into()), "{variant:?}");
            assert_eq!(T::parse(variant.as_str()), Some(variant));
            assert_eq!(serde_json::from_value::<T>(serde_spelling).unwrap(), variant);
        }
        assert_eq!(T::parse("no_such_variant"), None);
    }

    #[test]
    fn serde_and_strum_spell_every_variant_alike() {
        agrees::<LinkMode>();
        agrees::<TaxBehavior>();
        agrees::<PriceTaxBehavior>();
        agrees::<SelectionMode>();
        agrees::<Interval>();
        agrees::<InitialStatus>();
        agrees::<LinkType>();
        agrees::<CustomFieldType>();
        agrees::<AfterCompletion>();
        agrees::<LinkStatus>();
        agrees::<TargetStatus>();
        agrees::<ErrorCode>();
        agrees::<LinkSort>();
        agrees::<error::UnavailableReason>();
        agrees::<checkout::PaymentStatus>();
        agrees::<event::EventType>();
        agrees::<catalog::ProductKind>();
        agrees::<catalog::ProductPricing>();
        agrees::<catalog::PriceType>();
        agrees::<catalog::PricingModel>();
        agrees::<discount::DiscountType>();
        agrees::<discount::AppliesTo>();
    }
}
