//! Dispatch: who gets offered which order. Each order waiting for a rider has a job; a round
//! offers due jobs to riders, by the batch policy (default: all due orders matched at once to
//! the riders near their kitchens at the least total click-to-door, by the dispatch crate's
//! round, an offer only once the rider would need to set off within `lead`) or the greedy one
//! (the crate's greedy round: each order, oldest first, at once to its soonest pickup). An offer has a deadline; a decline or a timeout
//! moves on to the next rider; with nobody available the order waits ("searching") and is
//! retried with backoff, and at once when a rider comes online or is freed.
//!
//! Jobs and offers live in memory on this node; the database says which orders still need a
//! rider, so a restart rebuilds the jobs (see `Delivery::restore`).

use super::fleet::Fleet;
use dabba_domain::LatLng;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Which policy makes the offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Rounds of matching over every due order (`dabba_dispatch::batch`).
    Batch,
    /// Each order, oldest first, at once to its soonest pickup (`dabba_dispatch::greedy`).
    Greedy,
}

/// Operator settings of dispatch.
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// How long a rider has to answer an offer.
    pub offer_timeout: Duration,
    /// How far from the restaurant riders are looked for.
    pub radius_km: f64,
    /// How many nearest riders the policy chooses among.
    pub candidates: usize,
    /// First wait after finding nobody; doubles up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// A rider who declined (or let the offer expire) is not offered the same order again for this long.
    pub decline_cooldown: Duration,
    pub policy: Policy,
    /// Batch: an order is offered once its rider would need to set off within this long (so
    /// that they reach the counter as the food is ready, not long before).
    pub lead: Duration,
    /// Batch: how often orders held back are looked at again.
    pub round_every: Duration,
    /// Batch: the most orders offered to one rider together (when riders are short).
    pub max_bundle: usize,
    /// Batch: a bundle may stack a second kitchen's orders if it is at most this far (minutes'
    /// ride) from the first, the detour is small and every promise holds (0: never).
    pub stack_minutes: i64,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            offer_timeout: Duration::from_secs(30),
            radius_km: 5.0,
            candidates: 20,
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(60),
            decline_cooldown: Duration::from_secs(120),
            policy: Policy::Batch,
            // Time to answer the offer (30 s), a decline and the next rider's answer, and a round.
            lead: Duration::from_secs(5 * 60),
            round_every: Duration::from_secs(5),
            max_bundle: 3,
            stack_minutes: 5,
        }
    }
}

/// What dispatch knows of an order waiting for a rider.
#[derive(Debug, Clone)]
pub struct Job {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub owner_id: Uuid,
    pub restaurant_id: Uuid,
    pub restaurant_name: String,
    pub restaurant: LatLng,
    pub customer: LatLng,
    pub tz: Option<jiff::tz::TimeZone>,
    pub ready_at: Instant,
    /// The drop-off promised to the customer (their estimated delivery time): an order is
    /// stacked with another kitchen's only if both still arrive by their promise.
    pub due: Instant,
    /// The order's delivery distance (km), on which the rider is paid.
    pub distance_km: f64,
    pub earnings: i64,
}

/// Riders finishing a trip within this many minutes are planned for (never offered before
/// they are free).
pub const SOON_MINUTES: i64 = 20;

/// A rider on a trip, soon free where it ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Soon {
    pub rider: Uuid,
    /// Their last drop-off.
    pub at: LatLng,
    pub vehicle: dabba_domain::eta::Vehicle,
    /// Minutes until they should be free there.
    pub free_minutes: f64,
}

/// An open offer.
#[derive(Debug, Clone)]
pub struct Offer {
    pub job: Job,
    pub rider: Uuid,
    /// Every order offered with this one, this one included, in drop-off order (one kitchen's
    /// orders, or two near kitchens'; accepted or declined together).
    pub bundle: Vec<Uuid>,
    pub pickup_km: f64,
    pub expires: Instant,
    pub expires_at: time::OffsetDateTime,
}

struct Slot {
    job: Job,
    offer: Option<Offer>,
    /// The offered rider is accepting: do not offer it elsewhere meanwhile.
    accepting: bool,
    declined: HashMap<Uuid, Instant>,
    attempts: u32,
    next_try: Instant,
    told_searching: bool,
    /// When dispatch started looking.
    since: Instant,
    /// Planned for a rider but held back (batch; greedy: its rider was taken meanwhile); it joins every round until offered, so the
    /// orders waiting are always matched together.
    held: bool,
}

/// What the dispatcher asks its caller to do (I/O stays out of the lock).
#[derive(Debug)]
pub enum Action {
    /// Push this offer to the rider.
    Offer(Offer),
    /// The rider's offer for this order is gone (expired).
    Withdrawn { rider: Uuid, order_id: Uuid },
    /// Nobody was found the first time: tell the customer.
    Searching(Job),
}

/// Why an answer to an offer is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum OfferGone {
    /// No open offer of this order to this rider (expired, withdrawn, someone else's).
    NotOpen,
}

pub struct Dispatcher {
    slots: Mutex<HashMap<Uuid, Slot>>,
    pub config: DispatchConfig,
    pub wake: tokio::sync::Notify,
    /// Learned traffic by hour, for the rides the round counts.
    speeds: super::traffic::Speeds,
    /// Riders about to finish a trip, as the loop last saw them.
    soon: Mutex<Vec<Soon>>,
}

impl Dispatcher {
    pub fn new(config: DispatchConfig) -> Self {
        Self::with_speeds(config, Default::default())
    }

    pub fn with_speeds(config: DispatchConfig, speeds: super::traffic::Speeds) -> Self {
        Self { slots: Mutex::default(), config, wake: tokio::sync::Notify::new(), speeds, soon: Mutex::default() }
    }

    /// The riders about to finish a trip, for the next rounds to plan for.
    pub fn soon(&self, riders: Vec<Soon>) {
        *self.soon.lock().unwrap_or_else(|p| p.into_inner()) = riders;
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts looking for a rider for `job` (again, harmlessly, if it is known).
    pub fn add(&self, job: Job) {
        let now = Instant::now();
        self.slots().entry(job.order_id).or_insert(Slot {
            job,
            offer: None,
            accepting: false,
            declined: HashMap::new(),
            attempts: 0,
            next_try: now,
            told_searching: false,
            since: now,
            held: false,
        });
        self.wake.notify_one();
    }

    /// The food is expected ready at `ready_at`.
    pub fn ready_at(&self, order_id: Uuid, ready_at: Instant) {
        if let Some(s) = self.slots().get_mut(&order_id) {
            s.job.ready_at = ready_at;
        }
    }

    /// Stops looking (assigned by hand, cancelled); the offered rider, if any, is released.
    pub fn remove(&self, order_id: Uuid, fleet: &Fleet) -> Option<Uuid> {
        let slot = self.slots().remove(&order_id)?;
        let rider = slot.offer.map(|o| o.rider);
        if let Some(r) = rider
            && fleet.release(r, order_id)
        {
            self.retry_all();
        }
        rider
    }

    /// A rider came online or became free: retry every waiting job now rather than at its next
    /// backoff (which grows to `retry_max`).
    pub fn retry_all(&self) {
        retry_waiting(&mut self.slots(), Instant::now());
        self.wake.notify_one();
    }

    /// The open offers to this rider.
    pub fn offers_for(&self, rider: Uuid) -> Vec<Offer> {
        let now = Instant::now();
        self.slots().values().filter_map(|s| s.offer.clone()).filter(|o| o.rider == rider && o.expires > now).collect()
    }

    /// Whether any order waits for an offer (only then is a round worth its inputs).
    pub fn waiting(&self) -> bool {
        self.slots().values().any(|s| s.offer.is_none() && !s.accepting)
    }

    pub fn is_searching(&self, order_id: Uuid) -> bool {
        self.slots().get(&order_id).is_some_and(|s| s.offer.is_none() && s.attempts > 0)
    }

    /// The rider takes the offer, and with it every order of its bundle still offered to them:
    /// they stay theirs while the assignments are written. The offers taken, in drop-off order.
    pub fn begin_accept(&self, order_id: Uuid, rider: Uuid) -> Result<Vec<Offer>, OfferGone> {
        let now = Instant::now();
        let mut slots = self.slots();
        let open = |s: &Slot| matches!(&s.offer, Some(o) if o.rider == rider && o.expires > now && !s.accepting);
        let s = slots.get(&order_id).filter(|s| open(s)).ok_or(OfferGone::NotOpen)?;
        let mut ids: Vec<Uuid> = s.offer.iter().flat_map(|o| o.bundle.iter().copied()).collect();
        if !ids.contains(&order_id) {
            ids.push(order_id);
        }
        let mut taken = Vec::new();
        for id in ids {
            if let Some(s) = slots.get_mut(&id).filter(|s| open(s)) {
                s.accepting = true;
                taken.extend(s.offer.clone());
            }
        }
        Ok(taken)
    }

    /// The assignment was written (`true`: the job is done) or refused (the order moved on).
    pub fn end_accept(&self, order_id: Uuid, written: bool) {
        let mut slots = self.slots();
        if written {
            slots.remove(&order_id);
        } else if let Some(s) = slots.get_mut(&order_id) {
            s.accepting = false;
            s.offer = None;
        }
    }

    /// The rider declines, the whole bundle: the next rider is tried at once.
    pub fn decline(&self, order_id: Uuid, rider: Uuid, fleet: &Fleet) -> Result<(), OfferGone> {
        let now = Instant::now();
        let mut slots = self.slots();
        let open = |s: &Slot| matches!(&s.offer, Some(o) if o.rider == rider) && !s.accepting;
        let s = slots.get(&order_id).filter(|s| open(s)).ok_or(OfferGone::NotOpen)?;
        let bundle = s.offer.as_ref().map_or_else(Vec::new, |o| o.bundle.clone());
        for id in std::iter::once(order_id).chain(bundle) {
            let Some(s) = slots.get_mut(&id).filter(|s| open(s)) else { continue };
            s.offer = None;
            s.declined.insert(rider, now + self.config.decline_cooldown);
            fleet.release(rider, id);
        }
        // The rider is free for the other orders waiting, and this one tries the next rider.
        retry_waiting(&mut slots, now);
        drop(slots);
        self.wake.notify_one();
        Ok(())
    }

    /// One round: expires offers and makes new ones. Returns what to tell people and when the
    /// next round is due.
    pub fn step(&self, fleet: &Fleet, earnings: impl Fn(f64) -> i64) -> (Vec<Action>, Option<Instant>) {
        self.step_at(Instant::now(), fleet, earnings)
    }

    /// [`Self::step`] as if it were `now` (tests move the clock instead of waiting for it).
    fn step_at(&self, now: Instant, fleet: &Fleet, earnings: impl Fn(f64) -> i64) -> (Vec<Action>, Option<Instant>) {
        let wall = time::OffsetDateTime::now_utc();
        let mut actions = Vec::new();
        let mut next: Option<Instant> = None;
        let mut slots = self.slots();
        // Lapsed offers first: each frees its rider for every order waiting, not only for the
        // orders looked at after it.
        let mut freed = false;
        for (id, s) in slots.iter_mut().filter(|(_, s)| !s.accepting) {
            let Some(o) = s.offer.take_if(|o| o.expires <= now) else { continue };
            fleet.release(o.rider, *id);
            s.declined.insert(o.rider, now + self.config.decline_cooldown);
            freed = true;
            actions.push(Action::Withdrawn { rider: o.rider, order_id: *id });
        }
        if freed {
            retry_waiting(&mut slots, now);
        }
        // Oldest orders first: they have waited longest.
        let mut ids: Vec<Uuid> = slots.keys().copied().collect();
        ids.sort();
        let mut due = Vec::new();
        for id in ids {
            let Some(s) = slots.get_mut(&id) else { continue };
            if s.accepting {
                continue;
            }
            if let Some(o) = &s.offer {
                next = Some(next.map_or(o.expires, |n| n.min(o.expires)));
                continue;
            }
            if s.next_try > now && !s.held {
                next = Some(next.map_or(s.next_try, |n| n.min(s.next_try)));
                continue;
            }
            s.declined.retain(|_, until| *until > now);
            due.push(id);
        }
        let made = |s: &mut Slot,
                    rider: Uuid,
                    bundle: &[Uuid],
                    km: f64,
                    actions: &mut Vec<Action>,
                    next: &mut Option<Instant>| {
            s.job.earnings = earnings(s.job.distance_km);
            let o = Offer {
                job: s.job.clone(),
                rider,
                bundle: bundle.to_vec(),
                pickup_km: km,
                expires: now + self.config.offer_timeout,
                expires_at: wall + self.config.offer_timeout,
            };
            *next = Some(next.map_or(o.expires, |n| n.min(o.expires)));
            (s.held, s.attempts) = (false, 0);
            s.offer = Some(o.clone());
            actions.push(Action::Offer(o));
        };
        let nobody = |s: &mut Slot, actions: &mut Vec<Action>, next: &mut Option<Instant>| {
            s.held = false;
            s.attempts += 1;
            let backoff = self.config.retry_base.saturating_mul(1 << s.attempts.min(16).saturating_sub(1));
            s.next_try = now + backoff.min(self.config.retry_max);
            *next = Some(next.map_or(s.next_try, |n| n.min(s.next_try)));
            if !s.told_searching {
                s.told_searching = true;
                actions.push(Action::Searching(s.job.clone()));
            }
        };
        // One round per time zone: its hour sets the traffic (a city's kitchens share one).
        let mut zones: HashMap<Option<String>, Vec<Uuid>> = HashMap::new();
        for id in due {
            let zone = slots.get(&id).and_then(|s| s.job.tz.as_ref()?.iana_name().map(str::to_owned));
            zones.entry(zone).or_default().push(id);
        }
        for due in zones.into_values() {
            self.matched_round(&mut slots, &due, now, wall, fleet, &made, &nobody, &mut actions, &mut next);
        }
        (actions, next)
    }
}

/// Makes the offer of a slot to a rider `km` from the kitchen, with the bundle it goes in (what
/// to tell, when to look again).
type Made<'a> = dyn Fn(&mut Slot, Uuid, &[Uuid], f64, &mut Vec<Action>, &mut Option<Instant>) + 'a;
/// Backs a slot off: nobody could take it.
type Nobody<'a> = dyn Fn(&mut Slot, &mut Vec<Action>, &mut Option<Instant>) + 'a;

impl Dispatcher {
    /// A round of the policy over the `due` orders of one time zone.
    #[allow(clippy::too_many_arguments)]
    fn matched_round(
        &self,
        slots: &mut HashMap<Uuid, Slot>,
        due: &[Uuid],
        now: Instant,
        wall: time::OffsetDateTime,
        fleet: &Fleet,
        made: &Made,
        nobody: &Nobody,
        actions: &mut Vec<Action>,
        next: &mut Option<Instant>,
    ) {
        let soon = self.soon.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut orders = Vec::with_capacity(due.len());
        let mut reachable = Vec::new();
        let mut km: HashMap<(usize, Uuid), f64> = HashMap::new();
        for (i, id) in due.iter().enumerate() {
            let s = &slots[id];
            orders.push(super::matching::Due {
                restaurant_id: s.job.restaurant_id,
                restaurant: s.job.restaurant,
                customer: s.job.customer,
                waited_minutes: now.saturating_duration_since(s.since).as_secs_f64() / 60.0,
                ready_minutes: s.job.ready_at.saturating_duration_since(now).as_secs_f64() / 60.0,
                due_minutes: s.job.due.saturating_duration_since(now).as_secs_f64() / 60.0,
            });
            let near = fleet.nearest(s.job.restaurant, self.config.radius_km, self.config.candidates, |r| {
                s.declined.contains_key(&r)
            });
            for n in near {
                km.insert((i, n.entry.rider), n.km);
                reachable.push(super::matching::Reachable {
                    order: i,
                    rider: n.entry.rider,
                    at: n.entry.at,
                    vehicle: n.entry.vehicle,
                    free_minutes: 0.0,
                });
            }
            // Riders finishing a trip within the radius: planned for, offered once free.
            for r in soon.iter().filter(|r| !s.declined.contains_key(&r.rider)) {
                if r.at.distance_km(s.job.restaurant) <= self.config.radius_km {
                    reachable.push(super::matching::Reachable {
                        order: i,
                        rider: r.rider,
                        at: r.at,
                        vehicle: r.vehicle,
                        free_minutes: r.free_minutes,
                    });
                }
            }
        }
        let tz = due.first().and_then(|id| slots.get(id)).and_then(|s| s.job.tz.clone());
        let hour = super::local_hour(tz.as_ref(), wall);
        let lead = (self.config.lead.as_secs_f64() / 60.0).ceil() as i64;
        let settings = super::matching::Settings {
            lead_minutes: lead,
            max_bundle: self.config.max_bundle,
            stack_reach: self.config.stack_minutes,
            greedy: self.config.policy == Policy::Greedy,
            traffic: self.speeds.of(tz.as_ref()),
        };
        let (send, planned) = super::matching::round(&orders, &reachable, hour, &settings);
        let mut sent = vec![false; due.len()];
        for super::matching::Sent { orders: jobs, rider, .. } in send {
            let bundle: Vec<Uuid> = jobs.iter().map(|&i| due[i]).collect();
            // The index may be a moment behind (the rider just went offline or was offered
            // elsewhere): the orders stay planned and join the next round.
            if !fleet.reserve(rider, &bundle) {
                continue;
            }
            for &i in &jobs {
                let Some(s) = slots.get_mut(&due[i]) else { continue };
                sent[i] = true;
                made(s, rider, &bundle, km.get(&(i, rider)).copied().unwrap_or(0.0), actions, next);
            }
        }
        for (i, id) in due.iter().enumerate().filter(|&(i, _)| !sent[i]) {
            let Some(s) = slots.get_mut(id) else { continue };
            if planned.get(i).copied().unwrap_or(false) {
                // Held back for a rider who need not set off yet: looked at again every round
                // (and with every other order), no longer "searching".
                (s.held, s.attempts) = (true, 0);
                s.next_try = now + self.config.round_every;
                *next = Some(next.map_or(s.next_try, |n| n.min(s.next_try)));
            } else {
                nobody(s, actions, next);
            }
        }
    }
}

/// Makes every order waiting without an offer due now.
fn retry_waiting(slots: &mut HashMap<Uuid, Slot>, now: Instant) {
    for s in slots.values_mut().filter(|s| s.offer.is_none() && !s.accepting) {
        s.next_try = s.next_try.min(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dabba_domain::eta::Vehicle;

    const AT: LatLng = LatLng { lat: 12.97, lng: 77.59 };

    fn job(n: u128) -> Job {
        Job {
            order_id: Uuid::from_u128(n),
            user_id: Uuid::from_u128(1000 + n),
            owner_id: Uuid::from_u128(2000),
            restaurant_id: Uuid::from_u128(3000),
            restaurant_name: "Thali House".into(),
            restaurant: AT,
            customer: LatLng { lat: 12.98, lng: 77.60 },
            tz: None,
            ready_at: Instant::now(),
            due: Instant::now() + Duration::from_secs(3600),
            distance_km: 1.5,
            earnings: 0,
        }
    }

    /// One rider online at the restaurant; order 1 is offered to them, order 2 finds nobody and
    /// backs off.
    fn one_rider_two_orders() -> (Dispatcher, Fleet, Uuid) {
        let rider = Uuid::from_u128(7);
        let fleet = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        fleet.know(rider, Vehicle::Scooter);
        fleet.set_online(rider, true);
        let fix = dabba_domain::ping::Fix { at: AT, recorded_ms: 1_000, speed: None, heading: None, accuracy: None };
        fleet.ingest(rider, &[fix]).unwrap();
        // An order that has waited a while backs off longer than an offer lasts.
        let config = DispatchConfig {
            offer_timeout: Duration::from_secs(5),
            retry_base: Duration::from_secs(20),
            ..Default::default()
        };
        let d = Dispatcher::new(config);
        d.add(job(1));
        let (first, _) = d.step(&fleet, |_| 0);
        assert!(matches!(&first[..], [Action::Offer(o)] if o.rider == rider && o.job.order_id == Uuid::from_u128(1)));
        d.add(job(2));
        let (second, _) = d.step(&fleet, |_| 0);
        assert!(matches!(&second[..], [Action::Searching(j)] if j.order_id == Uuid::from_u128(2)), "{second:?}");
        (d, fleet, rider)
    }

    fn offered(actions: &[Action], order: u128) -> Option<Uuid> {
        actions.iter().find_map(|a| match a {
            Action::Offer(o) if o.job.order_id == Uuid::from_u128(order) => Some(o.rider),
            _ => None,
        })
    }

    /// A fleet of riders online at these points (km east of `AT`).
    fn fleet_at(riders: &[(u128, f64)]) -> Fleet {
        let fleet = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        for &(n, km_east) in riders {
            let rider = Uuid::from_u128(n);
            fleet.know(rider, Vehicle::Scooter);
            fleet.set_online(rider, true);
            let at = east(km_east);
            let fix = dabba_domain::ping::Fix { at, recorded_ms: 1_000, speed: None, heading: None, accuracy: None };
            fleet.ingest(rider, &[fix]).unwrap();
        }
        fleet
    }

    fn east(km: f64) -> LatLng {
        LatLng { lat: AT.lat, lng: AT.lng + km / (111.32 * AT.lat.to_radians().cos()) }
    }

    #[test]
    fn batch_holds_an_order_back_until_its_rider_must_set_off() {
        let fleet = fleet_at(&[(7, 0.0)]);
        let d = Dispatcher::new(DispatchConfig::default());
        assert_eq!(d.config.policy, Policy::Batch, "the default");
        // The food is 40 minutes away; the rider is at the counter.
        d.add(job(1));
        let start = Instant::now();
        d.ready_at(Uuid::from_u128(1), start + Duration::from_secs(40 * 60));
        let (actions, next) = d.step_at(start, &fleet, |_| 0);
        assert!(actions.is_empty(), "neither offered nor searching: {actions:?}");
        assert!(next.is_some_and(|n| n <= start + d.config.round_every), "looked at again soon");
        assert!(!d.is_searching(Uuid::from_u128(1)));
        let (actions, _) = d.step_at(start + Duration::from_secs(20 * 60), &fleet, |_| 0);
        assert!(actions.is_empty(), "20 min on, still 20 to go: {actions:?}");
        // Once setting off within the lead (5 min, plus a round and the walk to the counter).
        let (actions, _) = d.step_at(start + Duration::from_secs(32 * 60), &fleet, |_| 0);
        assert!(actions.is_empty(), "32 min on, 8 to go: {actions:?}");
        let (actions, _) = d.step_at(start + Duration::from_secs(33 * 60), &fleet, |_| 0);
        assert_eq!(offered(&actions, 1), Some(Uuid::from_u128(7)), "{actions:?}");
    }

    #[test]
    fn an_order_added_later_is_matched_with_those_held_back() {
        // Two riders at the kitchen; food 40 min away for both orders, the second added a
        // minute after the first was planned and held back.
        let fleet = fleet_at(&[(7, 0.0), (8, 0.1)]);
        let d = Dispatcher::new(DispatchConfig::default());
        d.add(job(1));
        let start = Instant::now();
        let ready = start + Duration::from_secs(40 * 60);
        d.ready_at(Uuid::from_u128(1), ready);
        assert!(d.step_at(start, &fleet, |_| 0).0.is_empty());
        d.add(Job { ready_at: ready, ..job(2) });
        let (actions, _) = d.step_at(start + Duration::from_secs(60), &fleet, |_| 0);
        assert!(actions.is_empty(), "both planned, neither searching: {actions:?}");
        assert!(!d.is_searching(Uuid::from_u128(2)));
        // When they must set off, each order has its own rider.
        let (actions, _) = d.step_at(ready - Duration::from_secs(60), &fleet, |_| 0);
        let (a, b) = (offered(&actions, 1), offered(&actions, 2));
        assert!(a.is_some() && b.is_some() && a != b, "{actions:?}");
    }

    #[test]
    fn a_searching_order_planned_later_is_no_longer_searching() {
        let fleet = fleet_at(&[]);
        let d = Dispatcher::new(DispatchConfig::default());
        d.add(job(1));
        let start = Instant::now();
        d.ready_at(Uuid::from_u128(1), start + Duration::from_secs(40 * 60));
        let (actions, _) = d.step_at(start, &fleet, |_| 0);
        assert!(matches!(&actions[..], [Action::Searching(_)]), "{actions:?}");
        assert!(d.is_searching(Uuid::from_u128(1)));
        let rider = fleet_at(&[(7, 0.0)]);
        d.retry_all();
        assert!(d.step(&rider, |_| 0).0.is_empty(), "planned, held back");
        assert!(!d.is_searching(Uuid::from_u128(1)));
    }

    #[test]
    fn batch_matches_the_due_orders_together_where_greedy_takes_them_in_turn() {
        // Kitchen A at `AT`, kitchen B 2.5 km east; rider 1 is 0.25 km east (near A, 2.25 km
        // from B), rider 2 is 1 km west (1 km from A, 3.5 km from B). In turn, A (the older)
        // takes rider 1 and B gets rider 2, 3.5 km away; together, 3.25 km in all instead of 3.75.
        let b = Job { restaurant: east(2.5), restaurant_id: Uuid::from_u128(3001), customer: east(3.0), ..job(2) };
        for (policy, want) in [(Policy::Batch, [(1, 2), (2, 1)]), (Policy::Greedy, [(1, 1), (2, 2)])] {
            let fleet = fleet_at(&[(1, 0.25), (2, -1.0)]);
            let d = Dispatcher::new(DispatchConfig { policy, ..Default::default() });
            d.add(job(1));
            d.add(b.clone());
            let (actions, _) = d.step(&fleet, |_| 0);
            for (order, rider) in want {
                assert_eq!(offered(&actions, order), Some(Uuid::from_u128(rider)), "{policy:?}: {actions:?}");
            }
        }
    }

    #[test]
    fn a_rider_about_to_finish_at_the_kitchen_is_waited_for() {
        // One free rider 4 km away (about 16 minutes); one finishing a drop-off by the kitchen
        // in 2 minutes. The food is ready now.
        let fleet = fleet_at(&[(7, 4.0)]);
        let d = Dispatcher::new(DispatchConfig::default());
        let soon = Soon { rider: Uuid::from_u128(9), at: east(0.1), vehicle: Vehicle::Scooter, free_minutes: 2.0 };
        d.soon(vec![soon]);
        d.add(job(1));
        let (actions, _) = d.step(&fleet, |_| 0);
        assert!(actions.is_empty(), "held for the rider about to finish, not searching: {actions:?}");
        assert!(!d.is_searching(Uuid::from_u128(1)));
        // They finish: free by the kitchen, offered the order.
        let both = fleet_at(&[(7, 4.0), (9, 0.1)]);
        d.soon(Vec::new());
        let (actions, _) = d.step_at(Instant::now() + d.config.round_every, &both, |_| 0);
        assert_eq!(offered(&actions, 1), Some(Uuid::from_u128(9)), "{actions:?}");
        // Finishing beyond the horizon, they are not waited for.
        let d = Dispatcher::new(DispatchConfig::default());
        d.soon(vec![Soon { free_minutes: (SOON_MINUTES + 1) as f64, ..soon }]);
        d.add(job(2));
        assert_eq!(offered(&d.step(&fleet, |_| 0).0, 2), Some(Uuid::from_u128(7)));
    }

    #[test]
    fn a_lapsed_offer_frees_its_rider_for_an_order_backing_off() {
        let (d, fleet, rider) = one_rider_two_orders();
        // A round just after order 1's offer lapsed, order 2 still in its backoff.
        let later = Instant::now() + d.config.offer_timeout + Duration::from_millis(1);
        assert!(later < Instant::now() + d.config.retry_base, "order 2 is still backing off then");
        let (actions, _) = d.step_at(later, &fleet, |_| 0);
        assert!(
            actions.iter().any(|a| matches!(a, Action::Withdrawn { order_id, .. } if *order_id == Uuid::from_u128(1)))
        );
        assert_eq!(offered(&actions, 2), Some(rider), "not left waiting for its backoff: {actions:?}");
    }

    #[test]
    fn a_declined_offer_frees_its_rider_for_the_other_orders() {
        let (d, fleet, rider) = one_rider_two_orders();
        d.decline(Uuid::from_u128(1), rider, &fleet).unwrap();
        let (actions, _) = d.step(&fleet, |_| 0);
        assert_eq!(offered(&actions, 2), Some(rider), "{actions:?}");
        assert_eq!(offered(&actions, 1), None, "not to the rider who declined it");
    }

    #[test]
    fn a_rider_freed_elsewhere_is_offered_the_waiting_order_at_once() {
        let (d, fleet, rider) = one_rider_two_orders();
        // Order 1 is cancelled under its offer: the rider is free.
        assert_eq!(d.remove(Uuid::from_u128(1), &fleet), Some(rider));
        let (actions, _) = d.step(&fleet, |_| 0);
        assert_eq!(offered(&actions, 2), Some(rider), "{actions:?}");
    }
}
