//! The ledger check (`dabba ledger check`, `GET /api/v1/admin/ledger/check`): every
//! transaction sums to zero; all balances sum to zero; every order's entries explain its bill;
//! wallets and payments agree with the ledger and the refunds.

use dabba_domain::ledger::Account;
use dabba_store::model::LedgerSnapshot;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerReport {
    pub ok: bool,
    pub transactions: i64,
    pub orders_checked: usize,
    /// Balances of the platform's own accounts (debit positive).
    pub platform: HashMap<String, i64>,
    /// What is wrong, one line each (empty when ok).
    pub problems: Vec<String>,
}

const ACTIVE: [&str; 6] = ["PENDING", "CONFIRMED", "PREPARING", "READY", "PICKED_UP", "OUT_FOR_DELIVERY"];

pub fn check(s: &LedgerSnapshot) -> LedgerReport {
    let mut problems = Vec::new();
    for (txn, sum) in &s.unbalanced {
        problems.push(format!("transaction {txn} sums to {sum}, not 0"));
    }
    if s.total != 0 {
        problems.push(format!("all balances sum to {}, not 0", s.total));
    }
    // (order, kind) → account → sum
    let mut by_order: HashMap<(Uuid, &str), HashMap<&str, i64>> = HashMap::new();
    let mut holds: HashMap<Uuid, i64> = HashMap::new();
    for (order, kind, account, sum) in &s.by_order {
        *by_order.entry((*order, kind.as_str())).or_default().entry(account.as_str()).or_default() += sum;
        if account.starts_with("ORDER:") {
            *holds.entry(*order).or_default() += sum;
        }
    }
    // What online payments captured for each order, less what went straight back (paid twice,
    // or refused in review): the rest is held while the order is active.
    let mut paid_online: HashMap<Uuid, i64> = HashMap::new();
    for p in s.payments.iter().filter(|p| p.2 == "SUCCEEDED" && p.3 > 0) {
        if let Some(o) = p.1 {
            *paid_online.entry(o).or_default() += p.3;
        }
    }
    for ((order, kind), lines) in &by_order {
        if *kind == "payment.returned" {
            let back = lines.get(Account::Order(*order).to_string().as_str()).copied().unwrap_or(0);
            *paid_online.entry(*order).or_default() -= back;
        }
    }
    for o in &s.orders {
        let id = o.order_id;
        let hold = holds.get(&id).copied().unwrap_or(0);
        let active = ACTIVE.contains(&o.status.as_str());
        let expected = if active && o.payment_method != "COD" && paid_online.get(&id).is_some_and(|p| *p > 0) {
            -o.total_amount
        } else {
            0
        };
        if hold != expected {
            problems.push(format!("order {id} ({}) holds {hold}, expected {expected}", o.status));
        }
        if !(0 <= o.restaurant_discount && o.restaurant_discount <= o.discount && o.discount <= o.subtotal) {
            problems.push(format!(
                "order {id}: discount {} (restaurant-funded {}) does not fit its subtotal {}",
                o.discount, o.restaurant_discount, o.subtotal
            ));
        }
        if matches!(o.status.as_str(), "DELIVERED" | "COMPLETED") {
            let empty = HashMap::new();
            let d = by_order.get(&(id, "order.delivered")).unwrap_or(&empty);
            let on = |a: Account| d.get(a.to_string().as_str()).copied().unwrap_or(0);
            let food = on(Account::Restaurant(o.restaurant_id)) + on(Account::Commission);
            // The platform books only the discount it funds; the restaurant's own comes off
            // its food.
            let explained = on(Account::Tax) == -o.taxes
                && on(Account::DeliveryFees) == -o.delivery_fee
                && on(Account::Discounts) == o.discount - o.restaurant_discount
                && food == -(o.subtotal - o.restaurant_discount + o.packaging_fee)
                && on(Account::Restaurant(o.restaurant_id)) <= 0
                && on(Account::Order(id)) == if o.payment_method == "COD" { 0 } else { o.total_amount };
            if !explained {
                problems.push(format!("order {id}: the delivery entries do not explain its bill ({d:?})"));
            }
        }
        if o.status == "CANCELLED" && o.cancellation_fee > 0 {
            let to_restaurant: i64 = ["order.cancelled", "order.fee_owed"]
                .iter()
                .filter_map(|k| by_order.get(&(id, *k)))
                .filter_map(|m| m.get(Account::Restaurant(o.restaurant_id).to_string().as_str()))
                .sum();
            if to_restaurant != -o.cancellation_fee {
                problems
                    .push(format!("order {id}: fee {} but the restaurant got {}", o.cancellation_fee, -to_restaurant));
            }
        }
    }
    let accounts: HashMap<&str, i64> = s.accounts.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    for (user, balance) in &s.wallets {
        let ledger = -accounts.get(Account::Wallet(*user).to_string().as_str()).copied().unwrap_or(0);
        if ledger != *balance {
            problems.push(format!("wallet of {user} holds {balance}, the ledger says {ledger}"));
        }
    }
    for (payment, _, _, captured, refunded, refunds) in &s.payments {
        if refunded != refunds || refunded > captured {
            problems
                .push(format!("payment {payment}: captured {captured}, refunded {refunded}, refunds sum {refunds}"));
        }
    }
    for (refund, payment, amount) in &s.failed_refunds {
        problems.push(format!(
            "refund {refund} of {amount} on payment {payment} FAILED at the gateway: the customer has not got it back \
             (POST /api/v1/admin/refunds/{refund}/retry, or settle it by hand)"
        ));
    }
    let platform = s.accounts.iter().filter(|(a, _)| !a.contains(':')).map(|(a, b)| (a.clone(), *b)).collect();
    LedgerReport {
        ok: problems.is_empty(),
        transactions: s.transactions,
        orders_checked: s.orders.len(),
        platform,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dabba_store::model::OrderMoneyRow;

    fn order(status: &str, method: &str) -> OrderMoneyRow {
        OrderMoneyRow {
            order_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            restaurant_id: Uuid::from_u128(3),
            status: status.into(),
            payment_method: method.into(),
            subtotal: 10_000,
            discount: 0,
            restaurant_discount: 0,
            delivery_fee: 2_000,
            packaging_fee: 1_500,
            taxes: 575,
            total_amount: 14_075,
            cancellation_fee: 0,
        }
    }

    #[test]
    fn an_empty_ledger_is_consistent() {
        assert!(check(&LedgerSnapshot::default()).ok);
    }

    #[test]
    fn each_kind_of_inconsistency_is_reported() {
        let o = order("DELIVERED", "CARD");
        let hold = Account::Order(o.order_id).to_string();
        let s = LedgerSnapshot {
            transactions: 2,
            unbalanced: vec![(Uuid::from_u128(9), 5)],
            total: 5,
            // Paid, but never split at delivery.
            by_order: vec![
                (o.order_id, "order.paid".into(), hold.clone(), -14_075),
                (o.order_id, "order.paid".into(), "GATEWAY".into(), 14_075),
            ],
            orders: vec![o.clone(), OrderMoneyRow { order_id: Uuid::from_u128(4), ..order("CONFIRMED", "CARD") }],
            wallets: vec![(o.user_id, 100)],
            accounts: vec![(hold, -14_075)],
            payments: vec![
                (Uuid::from_u128(5), Some(o.order_id), "SUCCEEDED".into(), 14_075, 100, 0),
                (Uuid::from_u128(6), Some(Uuid::from_u128(4)), "SUCCEEDED".into(), 14_075, 0, 0),
            ],
            failed_refunds: vec![(Uuid::from_u128(7), Uuid::from_u128(5), 100)],
        };
        let r = check(&s);
        assert!(!r.ok);
        let all = r.problems.join("\n");
        for expected in [
            "sums to 5, not 0",
            "all balances sum to 5",
            "holds -14075, expected 0",
            "do not explain its bill",
            "holds 0, expected -14075",
            "wallet of",
            "refunds sum 0",
            "FAILED at the gateway",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
        }
    }
}
