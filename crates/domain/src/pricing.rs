//! The bill. Computed by the server only, in paise, with one documented rounding rule: taxes are
//! rounded half up to the paisa. Nothing here trusts a number sent by a client.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Fees and taxes, set by the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingConfig {
    /// `(up_to_km, fee)` in increasing distance; beyond the last slab its fee applies.
    pub delivery_slabs: Vec<(f64, i64)>,
    /// Packaging charge per order.
    pub packaging_fee: i64,
    /// Tax on food (subtotal − discount + packaging), in basis points: 500 = 5% (GST on
    /// restaurant food in India).
    pub tax_rate_bp: i64,
}

impl Default for PricingConfig {
    fn default() -> Self {
        Self {
            delivery_slabs: vec![(2.0, 2_000), (5.0, 3_500), (8.0, 5_000), (15.0, 7_000)],
            packaging_fee: 1_500,
            tax_rate_bp: 500,
        }
    }
}

impl PricingConfig {
    pub fn delivery_fee(&self, distance_km: f64) -> i64 {
        self.delivery_slabs
            .iter()
            .find(|(upto, _)| distance_km <= *upto)
            .or(self.delivery_slabs.last())
            .map_or(0, |(_, fee)| *fee)
    }
}

/// One cart line as priced: unit price (item + chosen options) × quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PricedLine {
    pub unit_price: i64,
    pub quantity: i64,
}

/// What the customer pays, and why. All amounts in paise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Bill {
    /// Sum of the lines.
    pub subtotal: i64,
    /// Offer discount, never more than the subtotal.
    pub discount: i64,
    pub delivery_fee: i64,
    pub packaging_fee: i64,
    pub taxes: i64,
    pub total: i64,
}

/// Distinct lines one cart may hold (a quantity per line is capped too: the edge bounds both,
/// so no bill comes near the limits of the arithmetic).
pub const MAX_CART_LINES: i64 = 50;

/// The largest food subtotal one order may have: ₹5,00,000 (a wedding's catering is not a
/// delivery order).
pub const MAX_ORDER_SUBTOTAL: i64 = 50_000_000;

/// `value × bp / 10000`, rounded half up; for non-negative values. Computed wide, so no value
/// wraps; a result beyond `i64` saturates.
pub fn basis_points(value: i64, bp: i64) -> i64 {
    let wide = (i128::from(value) * i128::from(bp) + 5_000) / 10_000;
    i64::try_from(wide).unwrap_or(if wide < 0 { i64::MIN } else { i64::MAX })
}

/// Prices a cart. An empty cart costs nothing (no fees). `None` if an amount would not fit
/// (never for a cart the edge accepted; checked so that no input can wrap).
pub fn bill(lines: &[PricedLine], discount: i64, distance_km: f64, cfg: &PricingConfig) -> Option<Bill> {
    let subtotal =
        lines.iter().try_fold(0i64, |sum, l| sum.checked_add(l.unit_price.max(0).checked_mul(l.quantity.max(0))?))?;
    if subtotal == 0 {
        return Some(Bill { subtotal: 0, discount: 0, delivery_fee: 0, packaging_fee: 0, taxes: 0, total: 0 });
    }
    let discount = discount.clamp(0, subtotal);
    let delivery_fee = cfg.delivery_fee(distance_km);
    let packaging_fee = cfg.packaging_fee;
    let taxable = (subtotal - discount).checked_add(packaging_fee)?;
    let taxes = basis_points(taxable, cfg.tax_rate_bp);
    let total = taxable.checked_add(delivery_fee)?.checked_add(taxes)?;
    Some(Bill { subtotal, discount, delivery_fee, packaging_fee, taxes, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_worked_example() {
        // 2 × ₹299 + 1 × ₹149 = ₹747; ₹100 off; 3 km; packaging ₹15; 5% of ₹662 = ₹33.10.
        let lines = [PricedLine { unit_price: 29_900, quantity: 2 }, PricedLine { unit_price: 14_900, quantity: 1 }];
        let b = bill(&lines, 10_000, 3.0, &PricingConfig::default()).unwrap();
        assert_eq!(
            b,
            Bill {
                subtotal: 74_700,
                discount: 10_000,
                delivery_fee: 3_500,
                packaging_fee: 1_500,
                taxes: 3_310,
                total: 73_010
            }
        );
    }

    #[test]
    fn rounding_is_half_up_to_the_paisa() {
        assert_eq!(basis_points(10, 500), 1); // 0.5 → 1
        assert_eq!(basis_points(9, 500), 0); // 0.45 → 0
        assert_eq!(basis_points(30, 500), 2); // 1.5 → 2
    }

    #[test]
    fn slabs_pick_the_first_that_reaches() {
        let c = PricingConfig::default();
        assert_eq!(c.delivery_fee(0.0), 2_000);
        assert_eq!(c.delivery_fee(2.0), 2_000);
        assert_eq!(c.delivery_fee(2.01), 3_500);
        assert_eq!(c.delivery_fee(40.0), 7_000);
    }

    #[test]
    fn amounts_that_would_wrap_are_refused_not_wrapped() {
        let cfg = PricingConfig::default();
        let huge = [PricedLine { unit_price: i64::MAX / 2, quantity: 3 }];
        assert_eq!(bill(&huge, 0, 1.0, &cfg), None, "the line total does not fit");
        let two = [PricedLine { unit_price: i64::MAX / 2, quantity: 1 }; 2];
        assert_eq!(bill(&two, 0, 1.0, &cfg), None, "the packaging fee on top does not fit");
        assert_eq!(basis_points(i64::MAX, 10_000), i64::MAX);
    }

    proptest! {
        #[test]
        fn any_lines_price_or_are_refused_without_panicking(
            lines in proptest::collection::vec((any::<i64>(), any::<i64>()), 0..20),
            discount in any::<i64>(),
        ) {
            let lines: Vec<PricedLine> = lines.into_iter().map(|(unit_price, quantity)| PricedLine { unit_price, quantity }).collect();
            if let Some(b) = bill(&lines, discount, 3.0, &PricingConfig::default()) {
                prop_assert!(b.discount >= 0 && b.discount <= b.subtotal && b.total >= 0);
            }
        }

        #[test]
        fn bills_add_up_and_never_go_negative(
            lines in proptest::collection::vec((0i64..1_000_000, 0i64..50), 0..20),
            discount in -1_000i64..10_000_000,
            km in 0.0f64..20.0,
        ) {
            let lines: Vec<PricedLine> = lines.into_iter().map(|(unit_price, quantity)| PricedLine { unit_price, quantity }).collect();
            let b = bill(&lines, discount, km, &PricingConfig::default()).unwrap();
            prop_assert_eq!(b.subtotal, lines.iter().map(|l| l.unit_price * l.quantity).sum::<i64>());
            prop_assert!(b.discount >= 0 && b.discount <= b.subtotal);
            prop_assert!(b.taxes >= 0 && b.total >= 0);
            prop_assert_eq!(b.total, b.subtotal - b.discount + b.delivery_fee + b.packaging_fee + b.taxes);
        }
    }
}
