//! The order state machine (seed 004 §4.5, DESIGN.md): which status may follow which, and who
//! may move it. Every transition in the system goes through [`check_transition`].

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    /// Placed, waiting for payment (COD skips it).
    Pending,
    /// Paid or COD; the restaurant is asked to accept.
    Confirmed,
    /// The restaurant accepted and is cooking.
    Preparing,
    /// Ready for pickup.
    Ready,
    PickedUp,
    OutForDelivery,
    Delivered,
    /// Rated, or closed after a while.
    Completed,
    Cancelled,
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Actor {
    Customer,
    Restaurant,
    Rider,
    Admin,
    /// Timers and payment callbacks.
    System,
}

pub const ALL_STATUSES: [OrderStatus; 9] = [
    OrderStatus::Pending,
    OrderStatus::Confirmed,
    OrderStatus::Preparing,
    OrderStatus::Ready,
    OrderStatus::PickedUp,
    OrderStatus::OutForDelivery,
    OrderStatus::Delivered,
    OrderStatus::Completed,
    OrderStatus::Cancelled,
];

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "PENDING",
            OrderStatus::Confirmed => "CONFIRMED",
            OrderStatus::Preparing => "PREPARING",
            OrderStatus::Ready => "READY",
            OrderStatus::PickedUp => "PICKED_UP",
            OrderStatus::OutForDelivery => "OUT_FOR_DELIVERY",
            OrderStatus::Delivered => "DELIVERED",
            OrderStatus::Completed => "COMPLETED",
            OrderStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_STATUSES.into_iter().find(|x| x.as_str() == s)
    }

    /// Still moving (not delivered, completed or cancelled).
    pub fn is_active(self) -> bool {
        !matches!(self, OrderStatus::Delivered | OrderStatus::Completed | OrderStatus::Cancelled)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for OrderStatus {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        OrderStatus::parse(&s).ok_or_else(|| format!("unknown order status {s:?}"))
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// No actor may go from `from` to `to`.
    Invalid { from: OrderStatus, to: OrderStatus },
    /// The step exists, but not for this actor.
    NotAllowed { from: OrderStatus, to: OrderStatus, actor: Actor },
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionError::Invalid { from, to } => write!(f, "an order cannot go from {from} to {to}"),
            TransitionError::NotAllowed { from: OrderStatus::Pending, to: OrderStatus::Confirmed, .. } => {
                f.write_str("only a settled payment confirms an order; this one is waiting for its payment")
            }
            TransitionError::NotAllowed { from, to, actor } => {
                write!(f, "{actor:?} cannot move an order from {from} to {to}")
            }
        }
    }
}

/// The actors allowed to take each step; a step absent here does not exist.
fn allowed(from: OrderStatus, to: OrderStatus) -> &'static [Actor] {
    use Actor::*;
    use OrderStatus::*;
    match (from, to) {
        // Only a settled payment confirms (its settlement acts as the system): not even an
        // admin confirms an order nobody paid for.
        (Pending, Confirmed) => &[System],
        (Confirmed, Preparing) => &[Restaurant, Admin],
        (Preparing, Ready) => &[Restaurant, Admin],
        (Ready, PickedUp) => &[Rider, Admin],
        (PickedUp, OutForDelivery) => &[Rider, Admin],
        (OutForDelivery, Delivered) => &[Rider, Admin],
        (Delivered, Completed) => &[Customer, System, Admin],
        // Cancellation: only before pickup. The restaurant rejects before accepting, or gives
        // up while cooking; the system cancels unpaid or unaccepted orders.
        (Pending, Cancelled) => &[Customer, System, Admin],
        (Confirmed, Cancelled) => &[Customer, Restaurant, System, Admin],
        (Preparing | Ready, Cancelled) => &[Customer, Restaurant, Admin],
        _ => &[],
    }
}

/// Checks one step of the state machine.
pub fn check_transition(from: OrderStatus, to: OrderStatus, actor: Actor) -> Result<(), TransitionError> {
    let who = allowed(from, to);
    if who.is_empty() {
        Err(TransitionError::Invalid { from, to })
    } else if who.contains(&actor) {
        Ok(())
    } else {
        Err(TransitionError::NotAllowed { from, to, actor })
    }
}

/// The share kept when the customer cancels once cooking started (seed 004 §10.2: 20%).
pub const LATE_CANCELLATION_FEE_PERCENT: i64 = 20;

/// `(fee, refund)` for a customer's cancellation of an order of `total` paise in `status`:
/// free before PREPARING, 20% (rounded half up to the paisa) from PREPARING on. Cancellations by
/// the restaurant, the system or an admin are always refunded in full.
pub fn cancellation_terms(status: OrderStatus, total: i64, actor: Actor) -> (i64, i64) {
    let late = matches!(status, OrderStatus::Preparing | OrderStatus::Ready);
    if actor == Actor::Customer && late {
        let fee = (total * LATE_CANCELLATION_FEE_PERCENT + 50) / 100;
        (fee, total - fee)
    } else {
        (0, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Actor::*;
    use OrderStatus::*;

    const ACTORS: [Actor; 5] = [Customer, Restaurant, Rider, Admin, System];

    /// Every (from, to, actor) triple, against the table written out by hand.
    #[test]
    fn exhaustive_transition_table() {
        let expected: &[(OrderStatus, OrderStatus, &[Actor])] = &[
            (Pending, Confirmed, &[System]),
            (Pending, Cancelled, &[Customer, System, Admin]),
            (Confirmed, Preparing, &[Restaurant, Admin]),
            (Confirmed, Cancelled, &[Customer, Restaurant, System, Admin]),
            (Preparing, Ready, &[Restaurant, Admin]),
            (Preparing, Cancelled, &[Customer, Restaurant, Admin]),
            (Ready, PickedUp, &[Rider, Admin]),
            (Ready, Cancelled, &[Customer, Restaurant, Admin]),
            (PickedUp, OutForDelivery, &[Rider, Admin]),
            (OutForDelivery, Delivered, &[Rider, Admin]),
            (Delivered, Completed, &[Customer, System, Admin]),
        ];
        let mut checked = 0;
        for from in ALL_STATUSES {
            for to in ALL_STATUSES {
                let row = expected.iter().find(|(f, t, _)| *f == from && *t == to);
                for actor in ACTORS {
                    let got = check_transition(from, to, actor);
                    match row {
                        None => assert_eq!(got, Err(TransitionError::Invalid { from, to })),
                        Some((_, _, who)) if who.contains(&actor) => {
                            assert_eq!(got, Ok(()), "{from}->{to} by {actor:?}")
                        }
                        Some(_) => assert_eq!(got, Err(TransitionError::NotAllowed { from, to, actor })),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 9 * 5);
    }

    #[test]
    fn nothing_leaves_a_final_state_and_no_cancelling_after_pickup() {
        for to in ALL_STATUSES {
            for actor in ACTORS {
                assert!(check_transition(Cancelled, to, actor).is_err());
                assert!(check_transition(Completed, to, actor).is_err());
            }
        }
        for from in [PickedUp, OutForDelivery, Delivered] {
            for actor in ACTORS {
                assert!(check_transition(from, Cancelled, actor).is_err(), "{from}");
            }
        }
    }

    #[test]
    fn cancellation_fee_applies_once_cooking_started() {
        assert_eq!(cancellation_terms(Confirmed, 50_000, Customer), (0, 50_000));
        assert_eq!(cancellation_terms(Preparing, 50_000, Customer), (10_000, 40_000));
        assert_eq!(cancellation_terms(Ready, 33_333, Customer), (6_667, 26_666));
        assert_eq!(cancellation_terms(Preparing, 50_000, Restaurant), (0, 50_000), "a rejection is refunded in full");
        for total in [0, 1, 2, 3, 99, 12_345] {
            let (fee, refund) = cancellation_terms(Preparing, total, Customer);
            assert_eq!(fee + refund, total);
            assert!(fee >= 0 && refund >= 0);
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in ALL_STATUSES {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("LOST"), None);
    }
}
