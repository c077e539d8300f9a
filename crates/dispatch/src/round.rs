//! What a dispatch round works on, whichever policy runs it: the orders waiting ([`Job`]), the
//! riders free or soon free ([`Rider`]), the settings ([`Params`]), and what it decides
//! ([`Send`]). Times are whole minutes (any unit, as long as the [`Travel`](crate::travel::Travel)
//! port answers in it); places are points.

use crate::travel::Point;

/// An order waiting for a rider.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// The kitchen (bundles hold one kitchen's orders).
    pub restaurant: usize,
    pub pickup_at: Point,
    pub drop_at: Point,
    pub placed: i64,
    /// When the food is expected at the counter.
    pub ready: i64,
    /// The drop-off promised to the customer: an order stacked with another kitchen's must
    /// still arrive by then ([`NO_PROMISE`] where none was made).
    pub due: i64,
}

/// A job's `due` where nothing was promised (MDRP).
pub const NO_PROMISE: i64 = i64::MAX / 4;

/// A rider who is free now or will be.
#[derive(Debug, Clone, Copy)]
pub struct Rider {
    /// Where they are, or where their current trip ends.
    pub at: Point,
    /// At that kitchen's counter (no trip needed to pick up there).
    pub at_restaurant: Option<usize>,
    /// When they can leave for a new trip.
    pub free: i64,
    /// The end of their shift: no pickup after it.
    pub off: i64,
    /// Their minutes per minute of the travel port (a bicycle is slower than the scooter the
    /// server's port rides; 1 in MDRP).
    pub pace: f64,
}

impl Rider {
    /// Minutes for this rider from `from` to `to`.
    pub fn ride(&self, travel: &dyn crate::travel::Travel, from: Point, to: Point) -> i64 {
        let m = travel.minutes(from, to);
        if self.pace == 1.0 { m } else { (m as f64 * self.pace).ceil() as i64 }
    }
}

/// How the dispatcher works a round.
#[derive(Debug, Clone)]
pub struct Params {
    /// Minutes until the next round: what is sent now is what could not wait that long.
    pub every: i64,
    /// Minutes between sending a rider and their setting off (the server's riders answer an
    /// offer first; the simulator's couriers leave at once): a rider is sent this much earlier.
    pub lead: i64,
    /// Riders freeing up within this many minutes are planned for (never sent before then).
    pub horizon: i64,
    /// Riders farther than this many minutes from the kitchen are not considered (the server's
    /// search radius does the same).
    pub max_reach: i64,
    /// The most orders one rider carries from one kitchen.
    pub max_bundle: usize,
    /// Orders of one kitchen go together only if their ready times are this close.
    pub bundle_window: i64,
    /// Stacking (Dabba's world; MDRP forbids it, 0 = off): a bundle may take in a second
    /// kitchen's orders if that kitchen is at most this many minutes' ride from the first...
    pub stack_reach: i64,
    /// ...the stacked trip adds at most this many minutes of click-to-door per order against
    /// carrying them apart, and every order still arrives by its `due`.
    pub stack_detour: i64,
    /// Minutes of click-to-door a plan may give up to use a rider who is free now rather than one
    /// still on a trip: idle capacity is worth using, and a trip's end is an estimate.
    pub free_now_bonus: i64,
    /// The solver's budget: rows × columns of one round's assignment problem. Past it each
    /// bundle keeps only its cheapest riders as columns.
    pub max_cells: usize,
    /// Half of each service time is spent before the pickup or drop-off instant.
    pub pickup_service: i64,
    pub dropoff_service: i64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            every: 1,
            lead: 0,
            horizon: 20,
            max_reach: i64::MAX / 4,
            max_bundle: 3,
            bundle_window: 20,
            stack_reach: 0,
            stack_detour: 10,
            free_now_bonus: 5,
            max_cells: 4_000_000,
            pickup_service: 4,
            dropoff_service: 4,
        }
    }
}

/// A rider sent now with a bundle, in drop-off order (indices into the round's jobs and riders).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    pub rider: usize,
    pub jobs: Vec<usize>,
    /// A job of the kitchen to ride to first (a stacked bundle calls at two; the plan's
    /// promises hold in this order).
    pub first: usize,
}

/// A round's answer: who leaves now, and which jobs the round planned for a rider but held back
/// (not needed yet, or waiting for a rider about to finish); the rest found no rider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub send: Vec<Send>,
    /// By job: planned (sent now or held back).
    pub planned: Vec<bool>,
}
