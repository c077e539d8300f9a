//! Live tracking (seed 004 §5.2): a channel per order in delivery, fed by the assigned rider's
//! pings (directly from ingest, the latency-critical path) and by the order's events (through
//! the relay). Watchers get the current state first, then the stream, so a reconnect resumes
//! cleanly. The same state answers the polling fallback.

use super::local_hour;
use dabba_domain::LatLng;
use dabba_domain::eta::{Stage, Traffic, Vehicle};
use dabba_domain::order::OrderStatus;
use dabba_domain::ping::Fix;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::broadcast;
use utoipa::ToSchema;
use uuid::Uuid;

/// Frames a slow watcher may fall behind by before it skips to the newest.
const BACKLOG: usize = 16;

/// What an estimate needs about an order's way to the door.
#[derive(Debug, Clone)]
pub struct Route {
    pub restaurant: LatLng,
    pub customer: LatLng,
    pub tz: Option<jiff::tz::TimeZone>,
    /// The zone's traffic by hour (learned, or the model's).
    pub traffic: Traffic,
    pub vehicle: Vehicle,
    pub picked_up: bool,
    /// When the food is expected ready.
    pub ready_at: OffsetDateTime,
    /// Drop-offs the rider makes first (other orders of their bundle), in order.
    pub before: Vec<LatLng>,
    /// One rider carried this order alone from pickup to door (no bundle, no hand-over): only
    /// such a trip teaches the hour's traffic.
    pub solo: bool,
}

/// Minutes a drop-off made on the way costs this order: parking, the door, the code.
const DROP_MINUTES: u32 = 4;

impl Route {
    /// Km from `from` to the door through the drop-offs made first.
    fn through(&self, from: LatLng) -> f64 {
        let mut at = from;
        let mut km = 0.0;
        for &stop in self.before.iter().chain([&self.customer]) {
            km += at.distance_km(stop);
            at = stop;
        }
        km
    }

    /// `(eta minutes, km left)` with the rider at `at`.
    pub fn estimate(&self, at: LatLng, now: OffsetDateTime) -> (u32, f64) {
        let hour = local_hour(self.tz.as_ref(), now);
        let stops = DROP_MINUTES * self.before.len() as u32;
        if self.picked_up {
            let km = self.through(at);
            (self.traffic.eta_minutes(Stage::OnTheWay { rider_to_customer_km: km }, self.vehicle, hour) + stops, km)
        } else {
            let to_restaurant = at.distance_km(self.restaurant);
            let onwards = self.through(self.restaurant);
            let cooking_left = ((self.ready_at - now).as_seconds_f64() / 60.0).max(0.0);
            let stage = Stage::BeforePickup {
                cooking_left,
                rider_to_restaurant_km: Some(to_restaurant),
                restaurant_to_customer_km: onwards,
            };
            (self.traffic.eta_minutes(stage, self.vehicle, hour) + stops, to_restaurant + onwards)
        }
    }
}

/// The rider's last position as a watcher sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct LiveLocation {
    pub lat: f64,
    pub lng: f64,
    pub eta_minutes: u32,
    /// Km left to the door (through the restaurant before pickup).
    pub distance_km: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
}

/// A frame for watchers, with the status it reports (to drop repeats and stale ones).
#[derive(Debug, Clone)]
pub struct Frame {
    pub rank: Option<u8>,
    pub text: Arc<str>,
}

/// Position of a status in the lifecycle; a watcher never goes back.
pub fn rank(s: OrderStatus) -> u8 {
    dabba_domain::order::ALL_STATUSES.iter().position(|x| *x == s).unwrap_or(0) as u8
}

pub struct Channel {
    pub tx: broadcast::Sender<Frame>,
    state: Mutex<(Route, Option<LiveLocation>)>,
}

#[derive(Default)]
pub struct Tracker {
    channels: Mutex<HashMap<Uuid, Arc<Channel>>>,
}

impl Tracker {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Arc<Channel>>> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The order's route as the tracker estimates it, if it is tracked.
    pub fn route(&self, order_id: Uuid) -> Option<Route> {
        self.get(order_id).map(|c| c.state.lock().unwrap_or_else(|p| p.into_inner()).0.clone())
    }

    pub fn get(&self, order_id: Uuid) -> Option<Arc<Channel>> {
        self.map().get(&order_id).cloned()
    }

    /// The order's channel, made with `route` if new (an existing one keeps its own).
    pub fn open(&self, order_id: Uuid, route: Route) -> Arc<Channel> {
        self.map()
            .entry(order_id)
            .or_insert_with(|| {
                Arc::new(Channel { tx: broadcast::channel(BACKLOG).0, state: Mutex::new((route, None)) })
            })
            .clone()
    }

    /// Ends the order's channel: watchers get what was sent, then the end.
    pub fn close(&self, order_id: Uuid) {
        self.map().remove(&order_id);
    }

    /// Changes the route (pickup, vehicle, ready time).
    pub fn update_route(&self, order_id: Uuid, change: impl FnOnce(&mut Route)) {
        if let Some(c) = self.get(order_id) {
            change(&mut c.state.lock().unwrap_or_else(|p| p.into_inner()).0);
        }
    }

    /// The rider's fix for an order being tracked: estimate, remember, send.
    /// The rider's new position to the order's watchers; `path`, when a message brought several
    /// fixes, is the way there (oldest first).
    pub fn location(&self, order_id: Uuid, fix: &Fix, path: &[Fix]) {
        let Some(c) = self.get(order_id) else { return };
        let timestamp = OffsetDateTime::from_unix_timestamp_nanos(fix.recorded_ms as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let live = {
            let mut st = c.state.lock().unwrap_or_else(|p| p.into_inner());
            let (eta, km) = st.0.estimate(fix.at, OffsetDateTime::now_utc());
            let live = LiveLocation {
                lat: fix.at.lat,
                lng: fix.at.lng,
                eta_minutes: eta,
                distance_km: (km * 100.0).round() / 100.0,
                timestamp,
            };
            st.1 = Some(live);
            live
        };
        let mut text = location_frame(order_id, &live);
        if path.len() > 1 {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            v["path"] = path.iter().map(|f| json!({"lat": f.at.lat, "lng": f.at.lng})).collect();
            text = v.to_string();
        }
        let _ = c.tx.send(Frame { rank: None, text: text.into() });
    }

    /// The last position, for the snapshot and the polling fallback.
    pub fn live(&self, order_id: Uuid) -> Option<LiveLocation> {
        self.get(order_id).and_then(|c| c.state.lock().unwrap_or_else(|p| p.into_inner()).1)
    }

    /// Sends a frame to the order's watchers, if it is tracked.
    pub fn publish(&self, order_id: Uuid, frame: Frame) {
        if let Some(c) = self.get(order_id) {
            let _ = c.tx.send(frame);
        }
    }
}

/// What the customer is told at each status.
pub fn status_message(s: OrderStatus, searching: bool) -> &'static str {
    match s {
        OrderStatus::Confirmed | OrderStatus::Preparing | OrderStatus::Ready if searching => {
            "We are looking for a delivery partner near the restaurant"
        }
        OrderStatus::Pending => "Waiting for your payment",
        OrderStatus::Confirmed => "Your order is confirmed; the restaurant will accept it shortly",
        OrderStatus::Preparing => "Your order is being prepared",
        OrderStatus::Ready => "Your order is packed and waiting for pickup",
        OrderStatus::PickedUp => "Your order has been picked up",
        OrderStatus::OutForDelivery => "Your order is on its way",
        OrderStatus::Delivered => "Your order has been delivered",
        OrderStatus::Completed => "Your order is complete",
        OrderStatus::Cancelled => "Your order was cancelled",
    }
}

pub fn status_frame(order_id: Uuid, s: OrderStatus, eta: Option<u32>, searching: bool) -> Frame {
    let mut v = json!({
        "type": "status_update",
        "order_id": order_id,
        "status": s,
        "timestamp": rfc3339(OffsetDateTime::now_utc()),
        "message": status_message(s, searching),
        "eta_minutes": eta,
    });
    if searching {
        v["dispatch"] = json!("SEARCHING");
    }
    // A search notice repeats the status on purpose: it is news, never a stale repeat.
    Frame { rank: if searching { None } else { Some(rank(s)) }, text: v.to_string().into() }
}

/// A rider as the customer sees them: phone masked (calls go through support).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Partner {
    pub rider_id: Uuid,
    pub name: String,
    pub phone: String,
    pub vehicle_type: Vehicle,
    pub vehicle_number: String,
    pub rating: Option<f64>,
}

/// `+91XXXXXX3210`: the country prefix and the last four digits.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    phone.chars().enumerate().map(|(i, c)| if i < 3 || i + 4 >= n || !c.is_ascii_digit() { c } else { 'X' }).collect()
}

pub fn partner_frame(order_id: Uuid, p: &Partner) -> Frame {
    let text = json!({"type": "partner_assigned", "order_id": order_id, "partner": p}).to_string();
    Frame { rank: None, text: text.into() }
}

pub fn location_frame(order_id: Uuid, l: &LiveLocation) -> String {
    json!({
        "type": "location_update",
        "order_id": order_id,
        "location": {"lat": l.lat, "lng": l.lng},
        "eta_minutes": l.eta_minutes,
        "distance_km": l.distance_km,
        "timestamp": rfc3339(l.timestamp),
    })
    .to_string()
}

pub fn delivered_frame(order_id: Uuid, at: OffsetDateTime) -> Frame {
    let text = json!({"type": "delivered", "order_id": order_id, "delivered_at": rfc3339(at), "otp_verified": true});
    Frame { rank: None, text: text.to_string().into() }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_but_recognisable() {
        assert_eq!(mask_phone("+919876543210"), "+91XXXXXX3210");
        assert_eq!(mask_phone("12"), "12");
    }

    #[test]
    fn estimates_follow_the_stage() {
        let now = OffsetDateTime::now_utc();
        let mut r = Route {
            restaurant: LatLng { lat: 12.97, lng: 77.59 },
            customer: LatLng { lat: 12.99, lng: 77.59 },
            tz: None,
            traffic: Traffic::default(),
            vehicle: Vehicle::Scooter,
            picked_up: false,
            ready_at: now,
            before: Vec::new(),
            solo: true,
        };
        let rider = LatLng { lat: 12.96, lng: 77.59 };
        let (before, km_before) = r.estimate(rider, now);
        assert!((km_before - 3.336).abs() < 0.01, "{km_before}");
        r.picked_up = true;
        let (after, km_after) = r.estimate(LatLng { lat: 12.98, lng: 77.59 }, now);
        assert!(after < before && km_after < 1.2, "{after} {before} {km_after}");
        // Second drop of a bundle: the first customer, 1 km east of the second, comes first.
        let at = LatLng { lat: 12.98, lng: 77.59 };
        let (alone, _) = r.estimate(at, now);
        let first = LatLng { lat: 12.99, lng: 77.5992 };
        r.before = vec![first];
        let (second, km) = r.estimate(at, now);
        let want = at.distance_km(first) + first.distance_km(r.customer);
        assert!((km - want).abs() < 1e-9 && km > km_after + 1.3, "{km} {want} {km_after}");
        assert!(second >= alone + DROP_MINUTES + 2, "{second} {alone}");
    }
}
