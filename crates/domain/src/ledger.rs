//! The double-entry ledger's rules: which accounts exist and which postings each money movement
//! makes. Amounts are paise; a positive amount is a debit, a negative one a credit, so every
//! posting sums to zero and so does the whole ledger.
//!
//! The life of an order's money:
//! - paid (card, UPI, wallet): the money is held for the order — `Dr GATEWAY|WALLET:u`,
//!   `Cr ORDER:o`; cash on delivery is collected at the door, in the delivery posting;
//! - delivered: the hold is split as the bill says — the restaurant's share (its food less the
//!   discount it funds itself, plus packaging, less commission on that food), the platform's
//!   commission and delivery fee, the tax owed, the discount the platform funds;
//! - cancelled: the hold goes back to the customer, less any cancellation fee, which goes to
//!   the restaurant (its kitchen had started);
//! - refunded later (support, disputes): an expense of the platform (`REFUNDS`).

use crate::pricing::basis_points;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A ledger account. Its text form (`RESTAURANT:<uuid>`) is what the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// Money held for us at the payment gateway (asset).
    Gateway,
    /// Cash collected at the door by riders (asset).
    Cash,
    /// What a customer's wallet holds (owed to them).
    Wallet(Uuid),
    /// A customer's money held for one order until it is delivered or cancelled.
    Order(Uuid),
    /// Owed to a restaurant.
    Restaurant(Uuid),
    /// Owed to a rider.
    Rider(Uuid),
    /// Owed by a customer (a late-cancellation fee on cash on delivery).
    Receivable(Uuid),
    /// The platform's commission on food.
    Commission,
    /// Delivery fees the platform earns.
    DeliveryFees,
    /// Discounts the platform funds (expense).
    Discounts,
    /// What riders are paid for deliveries (expense).
    RiderPay,
    /// Tax collected, owed to the state.
    Tax,
    /// Refunds granted after the fact (expense).
    Refunds,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gateway => f.write_str("GATEWAY"),
            Self::Cash => f.write_str("CASH"),
            Self::Wallet(id) => write!(f, "WALLET:{id}"),
            Self::Order(id) => write!(f, "ORDER:{id}"),
            Self::Restaurant(id) => write!(f, "RESTAURANT:{id}"),
            Self::Rider(id) => write!(f, "RIDER:{id}"),
            Self::Receivable(id) => write!(f, "RECEIVABLE:{id}"),
            Self::Commission => f.write_str("COMMISSION"),
            Self::DeliveryFees => f.write_str("DELIVERY_FEES"),
            Self::Discounts => f.write_str("DISCOUNTS"),
            Self::RiderPay => f.write_str("RIDER_PAY"),
            Self::Tax => f.write_str("TAX"),
            Self::Refunds => f.write_str("REFUNDS"),
        }
    }
}

impl FromStr for Account {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a ledger account: {s:?}");
        if let Some((kind, id)) = s.split_once(':') {
            let id: Uuid = id.parse().map_err(|_| bad())?;
            return match kind {
                "WALLET" => Ok(Self::Wallet(id)),
                "ORDER" => Ok(Self::Order(id)),
                "RESTAURANT" => Ok(Self::Restaurant(id)),
                "RIDER" => Ok(Self::Rider(id)),
                "RECEIVABLE" => Ok(Self::Receivable(id)),
                _ => Err(bad()),
            };
        }
        match s {
            "GATEWAY" => Ok(Self::Gateway),
            "CASH" => Ok(Self::Cash),
            "COMMISSION" => Ok(Self::Commission),
            "DELIVERY_FEES" => Ok(Self::DeliveryFees),
            "DISCOUNTS" => Ok(Self::Discounts),
            "RIDER_PAY" => Ok(Self::RiderPay),
            "TAX" => Ok(Self::Tax),
            "REFUNDS" => Ok(Self::Refunds),
            _ => Err(bad()),
        }
    }
}

/// One balanced money movement: its kind (`order.paid`, `order.delivered`…) and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub kind: &'static str,
    pub lines: Vec<(Account, i64)>,
}

impl Posting {
    /// Builds a posting, leaving out zero lines. Panics if it does not balance: every builder
    /// here balances by construction, and the property tests check it.
    fn new(kind: &'static str, lines: Vec<(Account, i64)>) -> Self {
        let lines: Vec<_> = lines.into_iter().filter(|(_, amount)| *amount != 0).collect();
        assert_eq!(lines.iter().map(|(_, a)| a).sum::<i64>(), 0, "unbalanced posting {kind}: {lines:?}");
        Self { kind, lines }
    }

    pub fn is_balanced(&self) -> bool {
        self.lines.iter().map(|(_, a)| a).sum::<i64>() == 0
    }

    /// The signed amount this posting puts on `account`.
    pub fn on(&self, account: Account) -> i64 {
        self.lines.iter().filter(|(a, _)| *a == account).map(|(_, x)| x).sum()
    }
}

/// The parts of an order's bill the ledger splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderMoney {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub restaurant_id: Uuid,
    pub subtotal: i64,
    pub discount: i64,
    /// The part of `discount` the restaurant funds (its own offer): it comes off the
    /// restaurant's share, not the platform's discount expense.
    pub restaurant_discount: i64,
    pub delivery_fee: i64,
    pub packaging_fee: i64,
    pub taxes: i64,
    pub total: i64,
}

/// The operator's terms for splitting an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayoutTerms {
    /// Commission on the food subtotal, in basis points (1800 = 18%).
    pub commission_bp: i64,
    /// A rider's pay per delivery: a base…
    pub rider_base: i64,
    /// …plus this much per started kilometre from restaurant to customer.
    pub rider_per_km: i64,
}

impl Default for PayoutTerms {
    fn default() -> Self {
        Self { commission_bp: 1_800, rider_base: 2_500, rider_per_km: 700 }
    }
}

impl PayoutTerms {
    pub fn commission(&self, subtotal: i64) -> i64 {
        basis_points(subtotal, self.commission_bp)
    }

    /// Base + per started km + the customer's tip, all of which the rider keeps.
    pub fn rider_pay(&self, distance_km: f64, tip: i64) -> i64 {
        let km = distance_km.max(0.0).ceil() as i64;
        self.rider_base + self.rider_per_km * km + tip
    }
}

/// Money taken for an order (card, UPI: from the gateway; wallet: from the wallet) is held.
pub fn paid(order_id: Uuid, from: Account, amount: i64) -> Posting {
    Posting::new("order.paid", vec![(from, amount), (Account::Order(order_id), -amount)])
}

/// A wallet top-up captured at the gateway.
pub fn topped_up(user_id: Uuid, amount: i64) -> Posting {
    Posting::new("wallet.topup", vec![(Account::Gateway, amount), (Account::Wallet(user_id), -amount)])
}

/// The delivery of an order: the hold (for cash on delivery, the cash collected) is split as
/// the bill says; the rider, if any, is paid.
pub fn delivered(o: &OrderMoney, terms: &PayoutTerms, cash: bool, rider: Option<(Uuid, i64)>) -> Posting {
    // What the restaurant sold, after the discount it gave itself; commission is on that.
    let food = o.subtotal - o.restaurant_discount;
    let commission = terms.commission(food);
    let mut lines = Vec::with_capacity(10);
    if cash {
        lines.push((Account::Cash, o.total));
        lines.push((Account::Order(o.order_id), -o.total));
    }
    lines.extend([
        (Account::Order(o.order_id), o.total),
        (Account::Discounts, o.discount - o.restaurant_discount),
        (Account::Restaurant(o.restaurant_id), -(food + o.packaging_fee - commission)),
        (Account::Commission, -commission),
        (Account::DeliveryFees, -o.delivery_fee),
        (Account::Tax, -o.taxes),
    ]);
    if let Some((rider_id, pay)) = rider {
        lines.push((Account::RiderPay, pay));
        lines.push((Account::Rider(rider_id), -pay));
    }
    Posting::new("order.delivered", lines)
}

/// Where a refund goes: back to the card/UPI it came from (through the gateway) or to the
/// customer's wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundTo {
    Gateway,
    Wallet(Uuid),
}

impl RefundTo {
    fn account(self) -> Account {
        match self {
            Self::Gateway => Account::Gateway,
            Self::Wallet(u) => Account::Wallet(u),
        }
    }
}

/// Cancelling an order whose `held` money is held: `refund` goes back, `fee` goes to the
/// restaurant. If support already refunded some of it (`held − fee − refund`), that part was
/// booked as the platform's expense then, and is taken back from that expense now.
pub fn cancelled(o: &OrderMoney, held: i64, fee: i64, refund: i64, to: RefundTo) -> Posting {
    let earlier = held - fee - refund;
    Posting::new(
        "order.cancelled",
        vec![
            (Account::Order(o.order_id), held),
            (to.account(), -refund),
            (Account::Restaurant(o.restaurant_id), -fee),
            (Account::Refunds, -earlier),
        ],
    )
}

/// A late-cancellation fee on cash on delivery: nothing was paid, so the customer owes it.
pub fn fee_owed(o: &OrderMoney, fee: i64) -> Posting {
    Posting::new(
        "order.fee_owed",
        vec![(Account::Receivable(o.user_id), fee), (Account::Restaurant(o.restaurant_id), -fee)],
    )
}

/// A refund granted by support (after delivery, or on top of a cancellation): the platform's
/// expense.
pub fn refunded(amount: i64, to: RefundTo) -> Posting {
    Posting::new("refund", vec![(Account::Refunds, amount), (to.account(), -amount)])
}

/// A refund the gateway would not send, paid into the customer's wallet instead: the money
/// the gateway was to give back stays there, the wallet owes it to the customer.
pub fn rerouted(user_id: Uuid, amount: i64) -> Posting {
    Posting::new("refund.rerouted", vec![(Account::Gateway, amount), (Account::Wallet(user_id), -amount)])
}

/// Money captured for an order that no longer wants it (paid twice, or paid after it was
/// cancelled): held, and at once given back in full.
pub fn returned(order_id: Uuid, amount: i64, to: RefundTo) -> Posting {
    Posting::new("payment.returned", vec![(Account::Order(order_id), amount), (to.account(), -amount)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{PricedLine, PricingConfig, bill};
    use proptest::prelude::*;

    fn money(subtotal_lines: &[(i64, i64)], discount: i64, distance: f64) -> OrderMoney {
        funded(subtotal_lines, discount, 0, distance)
    }

    /// An order whose discount the restaurant funds `restaurant_percent` of.
    fn funded(subtotal_lines: &[(i64, i64)], discount: i64, restaurant_percent: i64, distance: f64) -> OrderMoney {
        let lines: Vec<PricedLine> =
            subtotal_lines.iter().map(|&(unit_price, quantity)| PricedLine { unit_price, quantity }).collect();
        let b = bill(&lines, discount, distance, &PricingConfig::default()).unwrap();
        OrderMoney {
            order_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            restaurant_id: Uuid::from_u128(3),
            subtotal: b.subtotal,
            discount: b.discount,
            restaurant_discount: b.discount * restaurant_percent / 100,
            delivery_fee: b.delivery_fee,
            packaging_fee: b.packaging_fee,
            taxes: b.taxes,
            total: b.total,
        }
    }

    #[test]
    fn accounts_round_trip_through_text() {
        let id = Uuid::from_u128(7);
        for a in [
            Account::Gateway,
            Account::Cash,
            Account::Wallet(id),
            Account::Order(id),
            Account::Restaurant(id),
            Account::Rider(id),
            Account::Receivable(id),
            Account::Commission,
            Account::DeliveryFees,
            Account::Discounts,
            Account::RiderPay,
            Account::Tax,
            Account::Refunds,
        ] {
            assert_eq!(a.to_string().parse::<Account>(), Ok(a));
        }
        assert!("BANK".parse::<Account>().is_err());
        assert!("ORDER:nope".parse::<Account>().is_err());
    }

    #[test]
    fn a_delivered_order_splits_as_its_bill_says() {
        let o = money(&[(29_900, 2)], 5_000, 3.0);
        let terms = PayoutTerms::default();
        let p = delivered(&o, &terms, false, Some((Uuid::from_u128(9), terms.rider_pay(3.0, 0))));
        // 18% of 59 800 = 10 764.
        assert_eq!(p.on(Account::Commission), -10_764);
        assert_eq!(p.on(Account::Restaurant(o.restaurant_id)), -(59_800 + 1_500 - 10_764));
        assert_eq!(p.on(Account::Tax), -o.taxes);
        assert_eq!(p.on(Account::DeliveryFees), -3_500);
        assert_eq!(p.on(Account::Discounts), 5_000);
        assert_eq!(p.on(Account::Order(o.order_id)), o.total);
        assert_eq!(p.on(Account::Rider(Uuid::from_u128(9))), -(2_500 + 3 * 700));
    }

    #[test]
    fn a_restaurant_funded_discount_comes_off_the_restaurant_not_the_platform() {
        // A FLAT offer as large as the food, funded by the restaurant, on cash: the platform
        // must not owe the restaurant the food it gave away.
        let o = funded(&[(50_000, 1)], 50_000, 100, 2.0);
        assert_eq!(o.restaurant_discount, 50_000);
        let p = delivered(&o, &PayoutTerms::default(), true, None);
        assert_eq!(p.on(Account::Discounts), 0, "the platform funds nothing");
        // Food after its own discount is 0: the restaurant keeps packaging, pays no commission.
        assert_eq!(p.on(Account::Restaurant(o.restaurant_id)), -o.packaging_fee);
        assert_eq!(p.on(Account::Commission), 0);
        // The same offer funded by the platform: the platform pays it, as before.
        let platform = funded(&[(50_000, 1)], 50_000, 0, 2.0);
        let q = delivered(&platform, &PayoutTerms::default(), true, None);
        assert_eq!(q.on(Account::Discounts), 50_000);
        assert_eq!(q.on(Account::Restaurant(o.restaurant_id)), -(50_000 + 1_500 - 9_000));
    }

    #[test]
    fn cash_on_delivery_is_collected_and_split_in_one_posting() {
        let o = money(&[(10_000, 1)], 0, 1.0);
        let p = delivered(&o, &PayoutTerms::default(), true, None);
        assert_eq!(p.on(Account::Cash), o.total);
        assert_eq!(p.on(Account::Order(o.order_id)), 0, "the hold nets to zero");
    }

    #[test]
    fn rider_pay_counts_started_kilometres_and_the_tip() {
        let t = PayoutTerms { commission_bp: 0, rider_base: 2_000, rider_per_km: 500 };
        assert_eq!(t.rider_pay(0.0, 0), 2_000);
        assert_eq!(t.rider_pay(2.1, 0), 3_500);
        assert_eq!(t.rider_pay(2.0, 1_000), 4_000);
    }

    proptest! {
        #[test]
        fn every_posting_balances_and_holds_net_out(
            lines in proptest::collection::vec((0i64..100_000, 1i64..20), 1..6),
            discount in 0i64..50_000,
            restaurant_percent in 0i64..=100,
            distance in 0.0f64..20.0,
            commission_bp in 0i64..5_000,
            fee_percent in 0i64..=100,
            earlier in 0i64..10_000,
            tip in 0i64..10_000,
        ) {
            let o = funded(&lines, discount, restaurant_percent, distance);
            let terms = PayoutTerms { commission_bp, ..PayoutTerms::default() };
            let rider = Some((Uuid::from_u128(5), terms.rider_pay(distance, tip)));
            let pay = paid(o.order_id, Account::Gateway, o.total);
            let done = delivered(&o, &terms, false, rider);
            prop_assert!(pay.is_balanced() && done.is_balanced());
            // Paid then delivered: the hold is empty, and what the restaurant, the platform and
            // the state receive is exactly the bill.
            prop_assert_eq!(pay.on(Account::Order(o.order_id)) + done.on(Account::Order(o.order_id)), 0);
            let received = -(done.on(Account::Restaurant(o.restaurant_id)) + done.on(Account::Commission)
                + done.on(Account::DeliveryFees) + done.on(Account::Tax));
            prop_assert_eq!(received, o.subtotal - o.restaurant_discount + o.packaging_fee + o.delivery_fee + o.taxes);
            prop_assert!(done.on(Account::Restaurant(o.restaurant_id)) <= 0, "a restaurant is never made to owe for a sale");
            prop_assert_eq!(done.on(Account::Discounts), o.discount - o.restaurant_discount);
            prop_assert_eq!(received - done.on(Account::Discounts), o.total);

            let fee = o.total * fee_percent / 100;
            let earlier = earlier.min(o.total - fee);
            let c = cancelled(&o, o.total, fee, o.total - fee - earlier, RefundTo::Gateway);
            prop_assert!(c.is_balanced());
            prop_assert_eq!(pay.on(Account::Order(o.order_id)) + c.on(Account::Order(o.order_id)), 0);
            prop_assert!(fee_owed(&o, fee).is_balanced());
            prop_assert!(refunded(earlier, RefundTo::Wallet(o.user_id)).is_balanced());
            prop_assert!(returned(o.order_id, o.total, RefundTo::Gateway).is_balanced());
            prop_assert!(rerouted(o.user_id, earlier).is_balanced());
        }
    }
}
