//! Delivery's reaction to order events: dispatch starts at CONFIRMED and stops at assignment or
//! cancellation; watchers hear every status change, the rider's assignment and the search.
//! Idempotent, as every subscriber must be: a repeated event repeats a frame watchers dedupe.

use super::tracking::{Partner, delivered_frame, mask_phone, partner_frame, status_frame};
use super::{Delivery, job_of, ready_at};
use crate::events::Subscriber;
use crate::orders::events::ORDER_STATUS_CHANGED;
use async_trait::async_trait;
use dabba_domain::order::OrderStatus;
use dabba_store::Store;
use dabba_store::model::{Event, NewEvent, Order};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

pub const DELIVERY_ASSIGNED: &str = "delivery.assigned";
pub const DELIVERY_SEARCHING: &str = "delivery.searching";

/// `delivery.assigned`: who delivers the order (and whether an admin changed the rider).
pub fn assigned_event(o: &Order, owner_id: Uuid, rider_id: Uuid, by_admin: bool) -> NewEvent {
    NewEvent {
        topic: DELIVERY_ASSIGNED,
        key: o.order_id,
        payload: json!({
            "order_id": o.order_id,
            "user_id": o.user_id,
            "restaurant_id": o.restaurant_id,
            "owner_id": owner_id,
            "rider_id": rider_id,
            "previous_rider_id": o.rider_id,
            "by_admin": by_admin,
        }),
    }
}

pub struct DeliveryFollower {
    pub store: Arc<dyn Store>,
    pub delivery: Arc<Delivery>,
}

/// The partner card of a rider.
pub async fn partner(store: &dyn Store, rider: Uuid) -> anyhow::Result<Option<Partner>> {
    Ok(store.rider(rider).await?.map(|p| Partner {
        rider_id: p.user_id,
        name: p.name,
        phone: mask_phone(&p.phone),
        vehicle_type: p.vehicle_type,
        vehicle_number: p.vehicle_number,
        rating: p.rating.map(|r| (r * 10.0).round() / 10.0),
    }))
}

impl DeliveryFollower {
    fn id(e: &Event, key: &str) -> Option<Uuid> {
        e.payload[key].as_str().and_then(|s| s.parse().ok())
    }

    async fn status_changed(&self, e: &Event, to: OrderStatus) -> anyhow::Result<()> {
        let d = &self.delivery;
        let order_id = e.key;
        let tracked = d.tracker.get(order_id).is_some();
        let needs_order = tracked
            || matches!(
                to,
                OrderStatus::Confirmed | OrderStatus::Preparing | OrderStatus::Cancelled | OrderStatus::Delivered
            );
        if !needs_order {
            return Ok(());
        }
        let Some(o) = self.store.order(order_id).await? else { return Ok(()) };
        match to {
            OrderStatus::Confirmed | OrderStatus::Preparing if o.rider_id.is_none() => {
                if let Some(r) = self.store.restaurant(o.restaurant_id).await? {
                    if to == OrderStatus::Confirmed {
                        d.dispatcher.add(job_of(&o, &r));
                    } else {
                        d.dispatcher.ready_at(order_id, job_of(&o, &r).ready_at);
                    }
                }
            }
            OrderStatus::Ready => d.dispatcher.ready_at(order_id, std::time::Instant::now()),
            OrderStatus::Cancelled | OrderStatus::Delivered => {
                d.dispatcher.remove(order_id, &d.fleet);
                if let Some(rider) = o.rider_id {
                    d.free_rider(rider, order_id);
                }
            }
            _ => {}
        }
        if tracked {
            if to == OrderStatus::Preparing
                && let Some(r) = self.store.restaurant(o.restaurant_id).await?
            {
                let at = ready_at(&o, &r);
                d.tracker.update_route(order_id, |route| route.ready_at = at);
            }
            if matches!(to, OrderStatus::PickedUp | OrderStatus::OutForDelivery) {
                d.tracker.update_route(order_id, |route| route.picked_up = true);
            }
            let eta = super::watch::eta_of(d, &o);
            let searching = o.rider_id.is_none() && d.dispatcher.is_searching(order_id);
            d.tracker.publish(order_id, status_frame(order_id, to, eta, searching));
            if to == OrderStatus::Delivered {
                d.tracker.publish(order_id, delivered_frame(order_id, e.created_at));
            }
            if !to.is_active() {
                d.tracker.close(order_id);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Subscriber for DeliveryFollower {
    fn name(&self) -> &'static str {
        "delivery"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        for e in events {
            match e.topic.as_str() {
                ORDER_STATUS_CHANGED => {
                    if let Some(to) = e.payload["to"].as_str().and_then(OrderStatus::parse) {
                        self.status_changed(e, to).await?;
                    }
                }
                DELIVERY_ASSIGNED => {
                    if self.delivery.tracker.get(e.key).is_none() {
                        continue;
                    }
                    let Some(rider) = Self::id(e, "rider_id") else { continue };
                    if let Some(p) = partner(self.store.as_ref(), rider).await? {
                        let vehicle = p.vehicle_type;
                        self.delivery.tracker.update_route(e.key, |r| r.vehicle = vehicle);
                        self.delivery.tracker.publish(e.key, partner_frame(e.key, &p));
                    }
                }
                DELIVERY_SEARCHING => {
                    if self.delivery.tracker.get(e.key).is_none() {
                        continue;
                    }
                    if let Some(o) = self.store.order(e.key).await?.filter(|o| o.rider_id.is_none()) {
                        let eta = super::watch::eta_of(&self.delivery, &o);
                        self.delivery.tracker.publish(e.key, status_frame(e.key, o.status, eta, true));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
