//! The dashboard's quarter hours. A day's figures are counted per quarter hour of placing time
//! (the width every time zone's offset divides, so a local day is whole quarters). A quarter
//! whose orders have all reached an end (delivered, rated or cancelled) can no longer change: its
//! counts are kept ("sealed") in `dashboard_slots` and read back instead of its orders, so a day
//! of half a million orders costs ninety-six small rows. Quarters with an order still moving, or
//! too recent for a late commit to be ruled out, are counted from the orders every time.

use crate::model::DashboardCounts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fifteen minutes in microseconds.
pub const SLOT_US: i64 = 15 * 60 * 1_000_000;
const HOUR_US: i64 = 3_600 * 1_000_000;
/// How long after its end a quarter may be sealed: an order's placing time is taken before its
/// transaction commits (checkout stamps it, asks the gateway, then writes), on a clock that may
/// be a little off. Ten minutes covers both as long as no checkout takes that long to commit;
/// one that did would be left out of a quarter kept meanwhile. (A quarter is kept only if it
/// still holds the orders counted, which catches what committed before the keeping.)
pub const SEAL_AFTER_US: i64 = 10 * 60 * 1_000_000;

/// What one quarter hour's orders came to. The shape of [`DashboardCounts`], for one quarter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlotFigures {
    /// (status, orders, their total in paise).
    pub by_status: Vec<(String, i64, i64)>,
    /// (whole seconds from placing to delivery, orders).
    pub delivery: Vec<(i64, i64)>,
    /// (whole seconds from CONFIRMED to PREPARING, orders).
    pub accept: Vec<(i64, i64)>,
    /// (who cancelled, reason, orders).
    pub cancellations: Vec<(Option<String>, Option<String>, i64)>,
}

impl SlotFigures {
    /// Every order has ended: nothing about this quarter can change any more.
    pub fn settled(&self) -> bool {
        self.by_status.iter().all(|(s, _, _)| matches!(s.as_str(), "DELIVERED" | "COMPLETED" | "CANCELLED"))
    }
}

/// The four grouped reads of a stretch of quarters, keyed by quarter (counted from an origin).
#[derive(Debug, Default)]
pub struct Grouped {
    pub by_status: Vec<(i64, String, i64, i64)>,
    pub delivery: Vec<(i64, i64, i64)>,
    pub accept: Vec<(i64, i64, i64)>,
    pub cancellations: Vec<(i64, Option<String>, Option<String>, i64)>,
}

impl Grouped {
    /// Spread over their quarters, as microseconds since 1970 at each quarter's start.
    pub fn into_slots(self, origin: i64) -> BTreeMap<i64, SlotFigures> {
        let mut slots: BTreeMap<i64, SlotFigures> = BTreeMap::new();
        let at = |q: i64| origin + q * SLOT_US;
        for (q, status, n, total) in self.by_status {
            slots.entry(at(q)).or_default().by_status.push((status, n, total));
        }
        for (q, s, n) in self.delivery {
            slots.entry(at(q)).or_default().delivery.push((s, n));
        }
        for (q, s, n) in self.accept {
            slots.entry(at(q)).or_default().accept.push((s, n));
        }
        for (q, by, reason, n) in self.cancellations {
            slots.entry(at(q)).or_default().cancellations.push((by, reason, n));
        }
        slots
    }
}

/// Whether `[from, to)` (microseconds) is made of whole quarters, so sealed ones may serve it.
pub fn on_grid(from: i64, to: i64) -> bool {
    from.rem_euclid(SLOT_US) == 0 && to.rem_euclid(SLOT_US) == 0
}

/// The stretches of `[from, to)` not covered by the `sealed` quarter starts, as `[start, end)`.
pub fn gaps(from: i64, to: i64, sealed: &[i64]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    let mut q = from;
    while q < to {
        if sealed.binary_search(&q).is_err() {
            match out.last_mut() {
                Some(last) if last.1 == q => last.1 = (q + SLOT_US).min(to),
                _ => out.push((q, (q + SLOT_US).min(to))),
            }
        }
        q += SLOT_US;
    }
    out
}

/// The quarters that may be kept: whole, ended at least [`SEAL_AFTER_US`] before `now`, every
/// order settled. Empty quarters are kept too (they stay empty).
pub fn sealable(slots: &BTreeMap<i64, SlotFigures>, from: i64, to: i64, now: i64) -> Vec<(i64, SlotFigures)> {
    if !on_grid(from, to) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut q = from;
    while q < to && q + SLOT_US + SEAL_AFTER_US <= now {
        let f = slots.get(&q).cloned().unwrap_or_default();
        if f.settled() {
            out.push((q, f));
        }
        q += SLOT_US;
    }
    out
}

/// The counts of `[from, ...)` from its quarters: hours counted from `from`.
pub fn counts<'a>(from: i64, slots: impl IntoIterator<Item = (i64, &'a SlotFigures)>) -> DashboardCounts {
    let mut c = DashboardCounts::default();
    let mut delivery: BTreeMap<i64, i64> = BTreeMap::new();
    let mut accept: BTreeMap<i64, i64> = BTreeMap::new();
    for (start, f) in slots {
        let hour = (start - from).div_euclid(HOUR_US);
        c.by_hour.extend(f.by_status.iter().map(|(s, n, t)| (hour, s.clone(), *n, *t)));
        for (s, n) in &f.delivery {
            *delivery.entry(*s).or_default() += n;
        }
        for (s, n) in &f.accept {
            *accept.entry(*s).or_default() += n;
        }
        c.cancellations.extend(f.cancellations.iter().cloned());
    }
    c.delivery_seconds = delivery.into_iter().collect();
    c.accept_seconds = accept.into_iter().collect();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_join_neighbouring_quarters() {
        let q = SLOT_US;
        assert_eq!(gaps(0, 4 * q, &[]), vec![(0, 4 * q)]);
        assert_eq!(gaps(0, 4 * q, &[q, 2 * q]), vec![(0, q), (3 * q, 4 * q)]);
        assert_eq!(gaps(0, 2 * q, &[0, q]), vec![]);
        // Off the grid the last stretch ends at `to`.
        assert_eq!(gaps(0, q + 7, &[]), vec![(0, q + 7)]);
    }

    #[test]
    fn only_ended_settled_whole_quarters_are_sealed() {
        let q = SLOT_US;
        let mut slots = BTreeMap::new();
        let done = SlotFigures {
            by_status: vec![("DELIVERED".into(), 2, 500), ("CANCELLED".into(), 1, 90)],
            ..Default::default()
        };
        let open = SlotFigures { by_status: vec![("PREPARING".into(), 1, 100)], ..Default::default() };
        slots.insert(0, done.clone());
        slots.insert(q, open);
        let now = 3 * q + SEAL_AFTER_US;
        let sealed: Vec<i64> = sealable(&slots, 0, 4 * q, now).into_iter().map(|(s, _)| s).collect();
        // The open quarter waits; the empty third is kept; the fourth ended too recently.
        assert_eq!(sealed, vec![0, 2 * q]);
        assert!(sealable(&slots, 1, 4 * q, now).is_empty(), "off the grid nothing is kept");
        assert_eq!(sealable(&slots, 0, 4 * q, now)[0].1, done);
    }

    #[test]
    fn quarters_add_up_to_hours_from_the_start() {
        let q = SLOT_US;
        let a = SlotFigures {
            by_status: vec![("DELIVERED".into(), 1, 100)],
            delivery: vec![(60, 1)],
            cancellations: vec![(Some("CUSTOMER".into()), None, 1)],
            ..Default::default()
        };
        let b = SlotFigures {
            by_status: vec![("DELIVERED".into(), 2, 300)],
            delivery: vec![(60, 2), (90, 1)],
            ..Default::default()
        };
        let c = counts(q, [(q, &a), (5 * q, &b)]);
        assert_eq!(c.by_hour, vec![(0, "DELIVERED".into(), 1, 100), (1, "DELIVERED".into(), 2, 300)]);
        assert_eq!(c.delivery_seconds, vec![(60, 3), (90, 1)]);
        assert_eq!(c.cancellations.len(), 1);
    }
}
