//! The delivery context: riders' live state, dispatch, the route history and live tracking.
//!
//! - `fleet` / `grid`: where riders are and who is available (memory, embedded mode).
//! - `dispatch`: offers orders to riders (greedy, behind a policy trait).
//! - `tracking`: a channel per order in delivery; `watch` serves it over WebSocket and HTTP.
//! - `rider` / `rider_ws`: the rider's endpoints; `admin`: assignment by hand, route history.
//! - `follower`: reacts to order events (start dispatch, stop it, tell watchers).

mod admin;
pub mod dispatch;
pub mod fleet;
pub mod follower;
pub mod grid;
pub mod history;
pub mod ingest;
mod matching;
pub mod offers;
mod ops;
pub mod otp;
mod rider;
mod rider_ws;
pub mod tracking;
pub mod traffic;
pub mod watch;

use crate::AppState;
use dabba_domain::LatLng;
use dabba_domain::eta::Vehicle;
use dabba_domain::order::OrderStatus;
use dabba_store::model::{Order, Restaurant};
use dabba_store::{Store, StoreResult};
use dispatch::{DispatchConfig, Dispatcher, Job};
use fleet::Fleet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tracking::{Route, Tracker};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub use follower::DeliveryFollower;

pub fn router() -> OpenApiRouter<AppState> {
    rider::router()
        .merge(offers::router())
        .merge(ingest::router())
        .merge(watch::router())
        .merge(admin::router())
        .merge(ops::router())
}

/// WebSocket routes (outside the OpenAPI document).
pub fn sockets() -> axum::Router<AppState> {
    watch::socket_route().merge(rider_ws::route())
}

/// Operator settings of delivery.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub dispatch: DispatchConfig,
    /// One point per rider per this period is kept in the route history.
    pub history_every: Duration,
    /// The route history is deleted after this.
    pub history_retention: time::Duration,
    /// A rider whose last fix is older than this is not offered work until the next one.
    pub max_silence: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            dispatch: DispatchConfig::default(),
            history_every: Duration::from_secs(15),
            history_retention: time::Duration::days(30),
            max_silence: Duration::from_secs(120),
        }
    }
}

/// Messages for a connected rider's socket.
pub type RiderSocket = mpsc::Sender<Arc<str>>;

pub struct Delivery {
    pub fleet: Fleet,
    /// Traffic by hour as learned from delivered trips (the tracker's routes and dispatch read
    /// it).
    pub speeds: traffic::Speeds,
    pub dispatcher: Dispatcher,
    pub tracker: Tracker,
    pub history: history::History,
    /// Riders connected over `/ws/rider`, to push offers to.
    sockets: Mutex<HashMap<Uuid, RiderSocket>>,
    pub config: DeliveryConfig,
}

impl Delivery {
    pub fn new(config: DeliveryConfig) -> Self {
        let speeds = traffic::Speeds::default();
        Self {
            fleet: Fleet::new(config.history_every, config.max_silence),
            dispatcher: Dispatcher::with_speeds(config.dispatch.clone(), speeds.clone()),
            speeds,
            tracker: Tracker::default(),
            history: Default::default(),
            sockets: Mutex::default(),
            config,
        }
    }

    fn sockets(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, RiderSocket>> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends a message to the rider's socket if they have one open (offers also wait in
    /// `GET /delivery/orders/available`).
    pub fn tell_rider(&self, rider: Uuid, text: Arc<str>) {
        let tx = self.sockets().get(&rider).cloned();
        if let Some(tx) = tx {
            let _ = tx.try_send(text);
        }
    }

    /// The rider is done with `order` (delivered, cancelled, given to another, an accept that
    /// failed): they are free, and orders waiting for a rider try again now (once: a second
    /// call for the same order, from another path, finds them free already).
    pub fn free_rider(&self, rider: Uuid, order: Uuid) {
        if self.fleet.release(rider, order) {
            self.dispatcher.retry_all();
        }
    }

    /// Rebuilds what memory lost in a restart from the database: orders waiting for a rider,
    /// riders on their way with an order.
    pub async fn restore(&self, store: &dyn Store) -> StoreResult<()> {
        for (zone, hour, factor) in store.learned_traffic().await? {
            self.speeds.set(&zone, hour as u8, factor);
        }
        for o in store.riders_on_orders().await? {
            let Some(rider) = o.rider_id else { continue };
            let vehicle = store.rider(rider).await?.map_or(Vehicle::Scooter, |p| p.vehicle_type);
            self.fleet.deliver(rider, vehicle, o.order_id);
            if let Some(r) = store.restaurant(o.restaurant_id).await? {
                self.tracker.open(o.order_id, self.route_of(&o, &r, vehicle));
            }
        }
        for o in store.orders_without_rider().await? {
            if let Some(r) = store.restaurant(o.restaurant_id).await? {
                self.dispatcher.add(job_of(&o, &r));
            }
        }
        Ok(())
    }
}

/// The hour of the day where the restaurant is (UTC if its zone is unknown).
pub fn local_hour(tz: Option<&jiff::tz::TimeZone>, at: OffsetDateTime) -> u8 {
    let Ok(ts) = jiff::Timestamp::from_second(at.unix_timestamp()) else { return at.hour() };
    match tz {
        Some(tz) => ts.to_zoned(tz.clone()).hour() as u8,
        None => at.hour(),
    }
}

/// When the food of `o` is expected ready.
pub fn ready_at(o: &Order, r: &Restaurant) -> OffsetDateTime {
    match o.status {
        OrderStatus::Pending | OrderStatus::Confirmed => {
            dabba_store::now_utc() + time::Duration::seconds_f64(r.preparation_minutes() * 60.0)
        }
        OrderStatus::Preparing => {
            let minutes = o.estimated_preparation_minutes.map_or_else(|| r.preparation_minutes(), f64::from);
            o.updated_at + time::Duration::seconds_f64(minutes * 60.0)
        }
        _ => dabba_store::now_utc(),
    }
}

impl Delivery {
    /// Riders on a trip expected to finish within [`dispatch::SOON_MINUTES`]: where their last
    /// drop-off is and when they should be free there (the tracker's ETA of their last order,
    /// plus the handoff).
    pub fn soon_free(&self) -> Vec<dispatch::Soon> {
        let now = OffsetDateTime::now_utc();
        self.fleet
            .busy()
            .into_iter()
            .filter_map(|(rider, fix, vehicle, carried)| {
                let route = self.tracker.route(*carried.last()?)?;
                let (eta, _) = route.estimate(fix.at, now);
                let free_minutes = eta as f64 + 2.0;
                (free_minutes <= dispatch::SOON_MINUTES as f64).then_some(dispatch::Soon {
                    rider,
                    at: route.customer,
                    vehicle,
                    free_minutes,
                })
            })
            .collect()
    }

    /// The way of `o` as the tracker estimates it, with this city's learned traffic.
    pub fn route_of(&self, o: &Order, r: &Restaurant, vehicle: Vehicle) -> Route {
        let tz = jiff::tz::TimeZone::get(&r.timezone).ok();
        Route { traffic: self.speeds.of(tz.as_ref()), ..route_of(o, r, vehicle) }
    }
}

/// The way of `o` with the model's traffic.
pub fn route_of(o: &Order, r: &Restaurant, vehicle: Vehicle) -> Route {
    Route {
        restaurant: LatLng { lat: r.latitude, lng: r.longitude },
        customer: LatLng { lat: o.delivery_address.latitude, lng: o.delivery_address.longitude },
        tz: jiff::tz::TimeZone::get(&r.timezone).ok(),
        traffic: Default::default(),
        vehicle,
        picked_up: matches!(o.status, OrderStatus::PickedUp | OrderStatus::OutForDelivery | OrderStatus::Delivered),
        ready_at: ready_at(o, r),
        before: Vec::new(),
        solo: true,
    }
}

/// Converts a wall-clock time to the monotonic clock dispatch runs on.
fn instant_at(at: OffsetDateTime) -> Instant {
    let now = Instant::now();
    let ahead = (at - OffsetDateTime::now_utc()).as_seconds_f64();
    if ahead > 0.0 { now + Duration::from_secs_f64(ahead) } else { now }
}

pub fn job_of(o: &Order, r: &Restaurant) -> Job {
    Job {
        order_id: o.order_id,
        user_id: o.user_id,
        owner_id: r.owner_id,
        restaurant_id: r.restaurant_id,
        restaurant_name: r.name.clone(),
        restaurant: LatLng { lat: r.latitude, lng: r.longitude },
        customer: LatLng { lat: o.delivery_address.latitude, lng: o.delivery_address.longitude },
        tz: jiff::tz::TimeZone::get(&r.timezone).ok(),
        ready_at: instant_at(ready_at(o, r)),
        due: instant_at(o.estimated_delivery_time),
        distance_km: o.distance_km,
        earnings: 0,
    }
}

/// Starts dispatch and the history writer, after rebuilding state from the database.
pub fn spawn(state: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let d = state.delivery.clone();
    let mut tasks = d.history.spawn(state.store.clone(), d.config.history_retention);
    let sweeper = d.clone();
    tasks.push(tokio::spawn(async move {
        // Riders whose app went quiet leave the grid within this period of their silence.
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            let swept = sweeper.fleet.sweep_silent(sweeper.config.max_silence);
            if swept > 0 {
                tracing::info!(swept, "silent riders taken out of dispatch");
            }
        }
    }));
    tasks.push(tokio::spawn(async move {
        if let Err(e) = state.delivery.restore(state.store.as_ref()).await {
            tracing::warn!(error = %e, "delivery state not restored; dispatch starts from new events");
        }
        offers::dispatch_loop(state).await;
    }));
    tasks
}
