//! Offer rules (seed 004 §6.1 `offers`, §11 Q9): when a code applies, and how much it takes off.
//! Counting redemptions atomically is the store's job; deciding is this module's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiscountType {
    /// `discount_value` percent of the subtotal, capped by `max_discount`.
    Percentage,
    /// `discount_value` paise off.
    Flat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Applicability {
    /// Any customer, any restaurant listed (or all when the list is empty).
    All,
    /// Only a customer's first order.
    FirstOrder,
    /// Only at the listed restaurants.
    Restaurant,
}

/// The terms of an offer, as the rules need them.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub discount_type: DiscountType,
    pub discount_value: i64,
    pub min_order_value: i64,
    pub max_discount: Option<i64>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_until: Option<OffsetDateTime>,
    pub usage_limit: Option<i64>,
    pub usage_count: i64,
    pub per_user_limit: Option<i64>,
    pub applicable_to: Applicability,
    pub restaurant_ids: Vec<Uuid>,
    pub is_active: bool,
}

/// Facts about this use of a code.
#[derive(Debug, Clone, Copy)]
pub struct Use {
    pub now: OffsetDateTime,
    pub subtotal: i64,
    pub restaurant_id: Uuid,
    /// The customer's earlier orders that were not cancelled.
    pub previous_orders: i64,
    /// The customer's redemptions of this offer that were not given back.
    pub user_redemptions: i64,
}

/// Why a code does not apply: a stable code and words for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

fn no(code: &'static str, message: impl Into<String>) -> Result<(), Rejection> {
    Err(Rejection { code, message: message.into() })
}

fn rupees(paise: i64) -> String {
    if paise % 100 == 0 { format!("₹{}", paise / 100) } else { format!("₹{}.{:02}", paise / 100, paise % 100) }
}

impl Terms {
    /// The discount for a subtotal, if the offer applied: never more than the subtotal.
    pub fn discount_for(&self, subtotal: i64) -> i64 {
        let raw = match self.discount_type {
            DiscountType::Percentage => crate::pricing::basis_points(subtotal, self.discount_value.saturating_mul(100)),
            DiscountType::Flat => self.discount_value,
        };
        let capped = self.max_discount.map_or(raw, |m| raw.min(m));
        capped.clamp(0, subtotal.max(0))
    }

    /// Whether the offer applies to this use, and if not, why.
    pub fn check(&self, u: &Use) -> Result<(), Rejection> {
        if !self.is_active {
            return no("OFFER_INACTIVE", "this offer has been withdrawn");
        }
        if self.valid_from.is_some_and(|f| u.now < f) {
            return no("OFFER_NOT_STARTED", "this offer has not started yet");
        }
        if self.valid_until.is_some_and(|t| u.now >= t) {
            return no("OFFER_EXPIRED", "this offer has expired");
        }
        let restaurant_listed = self.restaurant_ids.contains(&u.restaurant_id);
        if !self.restaurant_ids.is_empty() && !restaurant_listed {
            return no("OFFER_NOT_FOR_RESTAURANT", "this offer is not valid at this restaurant");
        }
        if self.applicable_to == Applicability::FirstOrder && u.previous_orders > 0 {
            return no("OFFER_FIRST_ORDER_ONLY", "this offer is for a first order only");
        }
        if u.subtotal < self.min_order_value {
            return no(
                "OFFER_MIN_ORDER",
                format!(
                    "add {} more to use this offer (minimum {})",
                    rupees(self.min_order_value - u.subtotal),
                    rupees(self.min_order_value)
                ),
            );
        }
        if self.usage_limit.is_some_and(|l| self.usage_count >= l) {
            return no("OFFER_EXHAUSTED", "this offer has been fully used");
        }
        if self.per_user_limit.is_some_and(|l| u.user_redemptions >= l) {
            return no("OFFER_LIMIT_REACHED", "you have already used this offer as often as allowed");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            discount_type: DiscountType::Percentage,
            discount_value: 20,
            min_order_value: 20_000,
            max_discount: Some(10_000),
            valid_from: None,
            valid_until: None,
            usage_limit: Some(100),
            usage_count: 0,
            per_user_limit: Some(1),
            applicable_to: Applicability::All,
            restaurant_ids: vec![],
            is_active: true,
        }
    }

    fn usage(subtotal: i64) -> Use {
        Use {
            now: OffsetDateTime::now_utc(),
            subtotal,
            restaurant_id: Uuid::nil(),
            previous_orders: 3,
            user_redemptions: 0,
        }
    }

    #[test]
    fn percentage_is_capped_and_flat_never_exceeds_the_subtotal() {
        let t = terms();
        assert_eq!(t.discount_for(30_000), 6_000);
        assert_eq!(t.discount_for(90_000), 10_000, "capped at max_discount");
        let flat = Terms { discount_type: DiscountType::Flat, discount_value: 15_000, max_discount: None, ..terms() };
        assert_eq!(flat.discount_for(10_000), 10_000);
    }

    #[test]
    fn every_rejection_says_why() {
        let now = OffsetDateTime::now_utc();
        let cases: Vec<(Terms, Use, &str)> = vec![
            (Terms { is_active: false, ..terms() }, usage(30_000), "OFFER_INACTIVE"),
            (Terms { valid_from: Some(now + time::Duration::hours(1)), ..terms() }, usage(30_000), "OFFER_NOT_STARTED"),
            (Terms { valid_until: Some(now - time::Duration::hours(1)), ..terms() }, usage(30_000), "OFFER_EXPIRED"),
            (Terms { restaurant_ids: vec![Uuid::now_v7()], ..terms() }, usage(30_000), "OFFER_NOT_FOR_RESTAURANT"),
            (Terms { applicable_to: Applicability::FirstOrder, ..terms() }, usage(30_000), "OFFER_FIRST_ORDER_ONLY"),
            (terms(), usage(19_999), "OFFER_MIN_ORDER"),
            (Terms { usage_count: 100, ..terms() }, usage(30_000), "OFFER_EXHAUSTED"),
            (terms(), Use { user_redemptions: 1, ..usage(30_000) }, "OFFER_LIMIT_REACHED"),
        ];
        for (t, u, code) in cases {
            assert_eq!(t.check(&u).unwrap_err().code, code);
        }
        assert!(terms().check(&usage(30_000)).is_ok());
        let first = Terms { applicable_to: Applicability::FirstOrder, ..terms() };
        assert!(first.check(&Use { previous_orders: 0, ..usage(30_000) }).is_ok());
        assert!(terms().check(&usage(19_999)).unwrap_err().message.contains("₹0.01"));
    }
}
