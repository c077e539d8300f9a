//! `POST /api/v1/orders`: checkout. Re-validates the cart against the live catalog, prices it,
//! and hands one transaction to the store (see `PlaceOrder`). Idempotent by `Idempotency-Key`,
//! with Stripe's semantics: the key is claimed first (a duplicate while it runs gets 409), the
//! order's transaction stores the response with it, a refusal (4xx) is stored as the key's
//! answer, our own failure (5xx) gives the key back.

use super::events;
use crate::AppState;
use crate::auth::Auth;
use crate::cart::price::{CartView, price_cart};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use crate::idempotency::{Claim, Claimed, claim, idempotency_key, request_hash};
use crate::payments::initiate::{OpenedCharge, PaymentMethod, PaymentStart, payment_row, short_wallet, wallet_payment};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dabba_domain::estimate::delivery_minutes;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_domain::pricing::{Bill, MAX_ORDER_SUBTOTAL};
use dabba_domain::{Role, invalid::optional_text};
use dabba_store::model::{AddressSnapshot, Order, OrderLine};
use dabba_store::{OfferTake, PlaceOrder, StockTake, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(checkout))
}

/// Place the cart as an order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    pub address_id: Uuid,
    pub payment_method: PaymentMethod,
    pub delivery_instructions: Option<String>,
}

/// The placed order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckoutResponse {
    pub order_id: Uuid,
    pub status: OrderStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_delivery_time: OffsetDateTime,
    pub total_amount: i64,
    pub bill: Bill,
    /// The payment: for CARD and UPI, pay at `gateway_url` before `expires_at` (the order
    /// stays PENDING until then).
    pub payment: Option<PaymentStart>,
}

#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = CheckoutRequest,
    params(("Idempotency-Key" = String, Header, description = "one per checkout attempt; a retry with the same key and body returns the first response")),
    responses((status = 201, body = CheckoutResponse), (status = 400, body = ErrorBody),
              (status = 409, description = "CART_EMPTY, PRICE_CHANGED (details: the updated cart), ITEMS_UNAVAILABLE, OUT_OF_STOCK, RESTAURANT_CLOSED, RESTAURANT_BUSY, ADDRESS_NOT_SERVICEABLE, BELOW_MINIMUM_ORDER, OFFER_NOT_APPLICABLE, ORDER_TOO_LARGE (over ₹5,00,000 of food), REQUEST_IN_PROGRESS (a copy of this request is running; not kept under the key)", body = ErrorBody),
              (status = 422, description = "the key was used with another body; online payment not available yet", body = ErrorBody)))]
async fn checkout(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Json(req): Json<CheckoutRequest>,
) -> ApiResult<Response> {
    auth.require(Role::Customer)?;
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiError::invalid("Idempotency-Key", "send an Idempotency-Key header (a UUID per checkout attempt)")
    })?;
    let instructions = optional_text("delivery_instructions", req.delivery_instructions.as_deref(), 300)?;
    let claim = match claim(&state, auth.user_id, &key, &request_hash(&req)).await? {
        Claimed::Run(c) => c,
        Claimed::Replay(r) => return Ok(r),
    };
    match place(&state, &auth, &claim, &req, instructions).await {
        Ok(body) => {
            claim.stored();
            state.relay.wake();
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Err(e) => Err(claim.failed(e).await),
    }
}

/// When the oldest of the orders filling the kitchen's window leaves it.
async fn retry_after_seconds(state: &AppState, restaurant_id: Uuid, limit: i64) -> ApiResult<i64> {
    let recent = state.store.orders_of_restaurant(restaurant_id, None, limit + 20, 0).await?;
    let counted: Vec<_> = recent.iter().filter(|o| o.status != OrderStatus::Cancelled).take(limit as usize).collect();
    let oldest = counted.last().map_or_else(OffsetDateTime::now_utc, |o| o.created_at);
    let free_at = oldest + state.ordering.kitchen_window;
    Ok((free_at - OffsetDateTime::now_utc()).whole_seconds().max(1))
}

fn conflict_with_cart(code: &'static str, message: String, cart: &CartView) -> ApiError {
    ApiError::ConflictWith { code, message, details: serde_json::json!({ "cart": cart }) }
}

async fn place(
    state: &AppState,
    auth: &Auth,
    claim: &Claim,
    req: &CheckoutRequest,
    instructions: Option<String>,
) -> ApiResult<CheckoutResponse> {
    let address_id = req.address_id;
    let method = req.payment_method;
    let priced = price_cart(state, auth.user_id, Some(address_id)).await?;
    let view = &priced.view;
    let (Some(restaurant), Some(address)) = (&priced.restaurant, &priced.address) else {
        return Err(ApiError::conflict("CART_EMPTY", "the cart is empty"));
    };
    if restaurant.is_banned {
        return Err(ApiError::conflict("RESTAURANT_UNAVAILABLE", format!("{} is not taking orders", restaurant.name)));
    }
    let now = OffsetDateTime::now_utc();
    if restaurant.is_paused || !crate::catalog::is_open_now(restaurant, jiff::Timestamp::now()) {
        return Err(ApiError::conflict("RESTAURANT_CLOSED", format!("{} is closed right now", restaurant.name)));
    }
    let distance = view.distance_km.unwrap_or(f64::MAX);
    if distance > restaurant.delivery_radius_km {
        return Err(ApiError::conflict(
            "ADDRESS_NOT_SERVICEABLE",
            format!(
                "{} delivers up to {} km; this address is {distance:.1} km away",
                restaurant.name, restaurant.delivery_radius_km
            ),
        ));
    }
    let problems: Vec<_> = view.lines.iter().filter(|l| l.problem.is_some()).collect();
    if !problems.is_empty() {
        let names: Vec<&str> = problems.iter().filter_map(|l| l.problem.as_deref()).collect();
        return Err(conflict_with_cart("ITEMS_UNAVAILABLE", names.join("; "), view));
    }
    let changed: Vec<(Uuid, i64)> =
        view.lines.iter().filter(|l| l.previous_unit_price.is_some()).map(|l| (l.cart_item_id, l.unit_price)).collect();
    if !changed.is_empty() {
        // The customer is shown the new prices; placing again accepts them.
        state.store.reprice_cart(auth.user_id, &changed).await?;
        let names: Vec<String> = view
            .lines
            .iter()
            .filter_map(|l| l.previous_unit_price.map(|p| format!("{} ({} → {})", l.name, p, l.unit_price)))
            .collect();
        let fresh = price_cart(state, auth.user_id, Some(address_id)).await?.view;
        return Err(conflict_with_cart("PRICE_CHANGED", format!("prices changed: {}", names.join(", ")), &fresh));
    }
    if view.bill.subtotal > MAX_ORDER_SUBTOTAL {
        return Err(ApiError::conflict(
            "ORDER_TOO_LARGE",
            format!("one order holds at most ₹{} of food; split it into smaller orders", MAX_ORDER_SUBTOTAL / 100),
        ));
    }
    if view.bill.subtotal < restaurant.min_order_value {
        return Err(ApiError::conflict(
            "BELOW_MINIMUM_ORDER",
            format!(
                "{} takes orders from {} paise; add {} more",
                restaurant.name,
                restaurant.min_order_value,
                restaurant.min_order_value - view.bill.subtotal
            ),
        ));
    }
    if let Some(o) = view.offer.as_ref().filter(|o| !o.applied) {
        return Err(ApiError::ConflictWith {
            code: "OFFER_NOT_APPLICABLE",
            message: o.reason.clone().unwrap_or_default(),
            details: serde_json::json!({"reason_code": o.reason_code, "cart": view}),
        });
    }
    let order_id = Uuid::now_v7();
    // The kitchen's preparation as seen on its orders (its promise until it has some).
    let minutes = delivery_minutes(restaurant.preparation_minutes().round() as u32, distance);
    let created = dabba_store::now_utc();
    let online = method.online();
    if method == PaymentMethod::Wallet {
        // Said before anything is written; the store's guard decides under concurrency.
        let balance = state.store.wallet_balance(auth.user_id).await?;
        if balance < view.bill.total {
            return Err(short_wallet(balance, view.bill.total));
        }
    }
    let order = Order {
        order_id,
        user_id: auth.user_id,
        restaurant_id: restaurant.restaurant_id,
        status: if online.is_some() { OrderStatus::Pending } else { OrderStatus::Confirmed },
        payment_method: method.as_str().into(),
        payment_status: if method == PaymentMethod::Wallet { "SUCCESS" } else { "PENDING" }.into(),
        subtotal: view.bill.subtotal,
        discount: view.bill.discount,
        restaurant_discount: if priced.offer.as_ref().is_some_and(|o| o.funded_by == "RESTAURANT") {
            view.bill.discount
        } else {
            0
        },
        delivery_fee: view.bill.delivery_fee,
        packaging_fee: view.bill.packaging_fee,
        taxes: view.bill.taxes,
        total_amount: view.bill.total,
        promo_code: view.offer.as_ref().filter(|o| o.applied).map(|o| o.code.clone()),
        offer_id: priced.offer.as_ref().filter(|_| view.offer.as_ref().is_some_and(|o| o.applied)).map(|o| o.offer_id),
        delivery_address: AddressSnapshot {
            address_id: address.address_id,
            address_line1: address.address_line1.clone(),
            address_line2: address.address_line2.clone(),
            landmark: address.landmark.clone(),
            city: address.city.clone(),
            pincode: address.pincode.clone(),
            latitude: address.latitude,
            longitude: address.longitude,
        },
        delivery_instructions: instructions,
        distance_km: view.distance_km.unwrap_or_default(),
        estimated_delivery_time: created + time::Duration::minutes(minutes as i64),
        estimated_preparation_minutes: None,
        accept_by: online.is_none().then(|| created + state.ordering.accept_within),
        pay_by: online.map(|_| created + state.payments.config.window),
        cancel_reason: None,
        cancellation_fee: 0,
        refund_amount: 0,
        rider_id: None,
        assigned_at: None,
        delivery_otp: Some(crate::delivery::otp::new_code()),
        otp_attempts: 0,
        created_at: created,
        updated_at: created,
    };
    let tracked = |item: &Uuid| priced.items.get(item).is_some_and(|i| i.stock.is_some());
    let lines: Vec<OrderLine> = view
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| OrderLine {
            stock_taken: if tracked(&l.item_id) { l.quantity } else { 0 },
            order_id,
            line_no: i as i32 + 1,
            item_id: l.item_id,
            name: l.name.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            customizations: l.customizations.clone(),
            line_total: l.line_total,
        })
        .collect();
    // Sorted by item: every transaction that locks items does so in this order.
    let mut stock: Vec<StockTake> = Vec::new();
    for l in &view.lines {
        if tracked(&l.item_id) {
            match stock.iter_mut().find(|s| s.item_id == l.item_id) {
                Some(s) => s.quantity += l.quantity,
                None => stock.push(StockTake { item_id: l.item_id, quantity: l.quantity, name: l.name.clone() }),
            }
        }
    }
    stock.sort_by_key(|s| s.item_id);
    let mut opened = None;
    let money = match online {
        Some(online) => {
            let payment_id = Uuid::now_v7();
            let charge = OpenedCharge::open(state, payment_id, online, order.total_amount).await?;
            let mut p =
                payment_row(state, auth.user_id, Some(order_id), method, order.total_amount, Some(&charge.charge));
            p.payment_id = payment_id;
            opened = Some(charge);
            dabba_store::MoneyWrite { new_payments: vec![p], ..Default::default() }
        }
        None if method == PaymentMethod::Wallet => wallet_payment(state, &order),
        None => dabba_store::MoneyWrite {
            new_payments: vec![payment_row(state, auth.user_id, Some(order_id), method, order.total_amount, None)],
            ..Default::default()
        },
    };
    let response = CheckoutResponse {
        order_id,
        status: order.status,
        estimated_delivery_time: order.estimated_delivery_time,
        total_amount: order.total_amount,
        bill: view.bill,
        payment: money.new_payments.first().map(|p| PaymentStart::of(p, order.status)),
    };
    let place = PlaceOrder {
        events: events::placed(&order, restaurant.owner_id),
        cart_lines: priced.lines.iter().map(|l| (l.cart_item_id, l.quantity)).collect(),
        stock,
        offer: order.offer_id.map(|offer_id| OfferTake {
            offer_id,
            per_user_limit: priced.offer.as_ref().and_then(|o| o.per_user_limit),
        }),
        kitchen_limit: restaurant.kitchen_limit.map(|l| (l as i64, now - state.ordering.kitchen_window)),
        actor: Actor::Customer,
        key: Some(claim.fence().answer(StatusCode::CREATED, &response)),
        order,
        lines,
        money,
    };
    let placed = state.store.place_order(&place).await;
    // Refused or failed: nobody may pay the charge of an order that does not exist. (Dropped
    // before this point, `opened` cancels it in the background.)
    if let Some(charge) = opened {
        match placed {
            Ok(()) => charge.recorded(),
            Err(_) => charge.cancel().await,
        }
    }
    match placed {
        Ok(()) => {}
        Err(StoreError::Refused { code: "RESTAURANT_BUSY", .. }) => {
            let limit = restaurant.kitchen_limit.unwrap_or(1).max(1) as i64;
            let retry_after = retry_after_seconds(state, restaurant.restaurant_id, limit).await?;
            return Err(ApiError::ConflictWith {
                code: "RESTAURANT_BUSY",
                message: format!("{} is busy; try again in {} minutes", restaurant.name, (retry_after + 59) / 60),
                details: serde_json::json!({"retry_after_seconds": retry_after}),
            });
        }
        Err(StoreError::Refused { code: "INSUFFICIENT_BALANCE", .. }) => {
            return Err(short_wallet(state.store.wallet_balance(auth.user_id).await?, response.total_amount));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(response)
}
