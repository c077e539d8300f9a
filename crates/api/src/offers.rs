//! `/api/v1/offers`: promo codes. Admins create platform offers; owners create offers for
//! their own restaurants. Customers see what applies near them and ask why a code does not.

use crate::AppState;
use crate::auth::{Auth, MaybeAuth};
use crate::cart::price::{judge_offer, offer_terms};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, NoBody, Path, Query};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::invalid::optional_text;
use dabba_domain::offer::{Applicability, DiscountType, Use};
use dabba_domain::{Invalid, LatLng, Money, Role};
use dabba_store::model::Offer;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_offer, list_offers))
        .routes(routes!(validate_offer))
        .routes(routes!(deactivate_offer))
}

/// Codes are letters, digits, `-` and `_`, 3 to 20 long, kept upper-case.
pub fn normalise_code(raw: &str) -> Result<String, ApiError> {
    let code = raw.trim();
    if (3..=20).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(ApiError::invalid("code", "use 3 to 20 letters, digits, - or _"))
    }
}

/// [`normalise_code`] as a pattern, white space around allowed (it is trimmed).
pub static CODE_PATTERN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let ws = dabba_domain::invalid::WHITE_SPACE;
    format!("^[{ws}]*[A-Za-z0-9_-]{{3,20}}[{ws}]*$")
});

/// A new offer (seed 004 §6.1). Money in paise; a PERCENTAGE `discount_value` is percent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    #[schema(example = "WELCOME50")]
    pub code: String,
    pub description: Option<String>,
    pub discount_type: DiscountType,
    pub discount_value: i64,
    pub min_order_value: Option<i64>,
    pub max_discount: Option<i64>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    pub usage_limit: Option<i64>,
    pub per_user_limit: Option<i64>,
    pub applicable_to: Applicability,
    pub restaurant_ids: Option<Vec<Uuid>>,
}

fn positive(field: &str, v: Option<i64>) -> Result<Option<i64>, Invalid> {
    match v {
        Some(n) if n < 1 => Err(Invalid::new(field, "must be at least 1")),
        other => Ok(other),
    }
}

#[utoipa::path(post, path = "/api/v1/offers", tag = "offers", security(("bearer" = [])), request_body = OfferInput,
    responses((status = 201, body = Offer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "the code is taken", body = ErrorBody)))]
async fn create_offer(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<OfferInput>,
) -> ApiResult<(StatusCode, Json<Offer>)> {
    if !matches!(auth.role, Role::Admin | Role::Restaurant) {
        return Err(ApiError::forbidden("only admins and restaurant owners create offers"));
    }
    let code = normalise_code(&req.code)?;
    let mut errs = Vec::new();
    let value = match req.discount_type {
        DiscountType::Percentage if !(1..=100).contains(&req.discount_value) => {
            errs.push(Invalid::new("discount_value", "a percentage must be between 1 and 100"));
            0
        }
        DiscountType::Flat => {
            Money::parse("discount_value", req.discount_value).map(Money::paise).unwrap_or_else(|e| {
                errs.push(e);
                0
            })
        }
        _ => req.discount_value,
    };
    if req.discount_type == DiscountType::Flat && value == 0 && errs.is_empty() {
        errs.push(Invalid::new("discount_value", "must be more than 0"));
    }
    let min = Money::parse("min_order_value", req.min_order_value.unwrap_or(0)).map_err(|e| errs.push(e)).ok();
    let max = req
        .max_discount
        .map(|m| Money::parse("max_discount", m).map(Money::paise))
        .transpose()
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let usage_limit = positive("usage_limit", req.usage_limit).map_err(|e| errs.push(e)).ok().flatten();
    let per_user = positive("per_user_limit", req.per_user_limit).map_err(|e| errs.push(e)).ok().flatten();
    let description =
        optional_text("description", req.description.as_deref(), 300).map_err(|e| errs.push(e)).ok().flatten();
    if let (Some(f), Some(u)) = (req.valid_from, req.valid_until)
        && f >= u
    {
        errs.push(Invalid::combination("valid_until", "must be after valid_from"));
    }
    let mut ids: Vec<Uuid> = req.restaurant_ids.unwrap_or_default();
    ids.dedup();
    if req.applicable_to == Applicability::Restaurant && ids.is_empty() {
        errs.push(Invalid::new("restaurant_ids", "a RESTAURANT offer lists its restaurants"));
    }
    if !errs.is_empty() {
        return Err(ApiError::Invalid(errs));
    }
    if auth.role == Role::Restaurant {
        // An owner's offer is only ever for their own restaurants.
        let mine: HashSet<Uuid> =
            state.store.restaurants_of_owner(auth.user_id).await?.iter().map(|r| r.restaurant_id).collect();
        if ids.is_empty() || !ids.iter().all(|id| mine.contains(id)) {
            return Err(ApiError::forbidden("list only restaurants you own in restaurant_ids"));
        }
    } else {
        for id in &ids {
            state
                .store
                .restaurant(*id)
                .await?
                .ok_or_else(|| ApiError::unprocessable("restaurant_ids", format!("no restaurant {id}")))?;
        }
    }
    let offer = Offer {
        offer_id: Uuid::now_v7(),
        code,
        description,
        discount_type: match req.discount_type {
            DiscountType::Flat => "FLAT",
            DiscountType::Percentage => "PERCENTAGE",
        }
        .into(),
        discount_value: value,
        min_order_value: min.map_or(0, Money::paise),
        max_discount: max,
        valid_from: req.valid_from,
        valid_until: req.valid_until,
        usage_limit,
        usage_count: 0,
        per_user_limit: per_user,
        applicable_to: match req.applicable_to {
            Applicability::All => "ALL",
            Applicability::FirstOrder => "FIRST_ORDER",
            Applicability::Restaurant => "RESTAURANT",
        }
        .into(),
        restaurant_ids: ids,
        created_by: auth.user_id,
        is_active: true,
        created_at: dabba_store::now_utc(),
        // An owner's offer is the restaurant's own promotion: it pays the discount.
        funded_by: if auth.role == Role::Restaurant { "RESTAURANT" } else { "PLATFORM" }.into(),
    };
    state.store.create_offer(&offer).await.map_err(|e| match e {
        dabba_store::StoreError::Conflict { .. } => ApiError::conflict("ALREADY_EXISTS", "this code is already in use"),
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(offer)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NearQuery {
    pub lat: f64,
    pub lng: f64,
}

#[utoipa::path(get, path = "/api/v1/offers", tag = "offers", params(NearQuery),
    responses((status = 200, description = "live offers for restaurants delivering here, and platform offers", body = Vec<Offer>),
              (status = 400, body = ErrorBody)))]
async fn list_offers(State(state): State<AppState>, Query(q): Query<NearQuery>) -> ApiResult<Json<Vec<Offer>>> {
    let at = LatLng::parse(q.lat, q.lng, "lat", "lng")?;
    let mut serving: HashSet<Uuid> = HashSet::new();
    state.discovery.read().each_serving(at.lat, at.lng, |place, _| {
        serving.insert(place.restaurant.restaurant_id);
    });
    let live = state.store.live_offers(OffsetDateTime::now_utc()).await?;
    let exhausted = |o: &Offer| o.usage_limit.is_some_and(|l| o.usage_count >= l);
    Ok(Json(
        live.into_iter()
            .filter(|o| {
                !exhausted(o) && (o.restaurant_ids.is_empty() || o.restaurant_ids.iter().any(|id| serving.contains(id)))
            })
            .collect(),
    ))
}

/// Would this code apply to a cart of this value at this restaurant?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    pub code: String,
    /// The cart subtotal, paise.
    pub cart_value: i64,
    pub restaurant_id: Uuid,
}

/// The answer, with the reason when it does not apply.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    pub code: String,
    pub valid: bool,
    pub discount: i64,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/offers/validate", tag = "offers", request_body = ValidateRequest,
    responses((status = 200, body = Validation), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 429, description = "RATE_LIMITED: too many codes tried; see Retry-After", body = ErrorBody)))]
async fn validate_offer(
    State(state): State<AppState>,
    who: MaybeAuth,
    crate::edge::ClientIp(ip): crate::edge::ClientIp,
    Json(req): Json<ValidateRequest>,
) -> ApiResult<Json<Validation>> {
    // Codes are guessable words: a customer (or, signed out, an address) tries a few a minute.
    let who_tries = who.0.as_ref().map_or_else(|| ip.to_string(), |a| a.user_id.to_string());
    state.edge.check(crate::edge::Bucket::OfferCheck, &who_tries)?;
    let code = normalise_code(&req.code)?;
    let cart_value = Money::parse("cart_value", req.cart_value)?.paise();
    let offer = state.store.offer_by_code(&code).await?.ok_or(ApiError::NotFound("offer"))?;
    let view = match who.0 {
        // A signed-in customer gets the whole answer, first-order and per-user limits included.
        Some(auth) => judge_offer(&state, auth.user_id, &offer, cart_value, req.restaurant_id).await?,
        None => {
            let usage = Use {
                now: OffsetDateTime::now_utc(),
                subtotal: cart_value,
                restaurant_id: req.restaurant_id,
                previous_orders: 0,
                user_redemptions: 0,
            };
            let terms = offer_terms(&offer);
            match terms.check(&usage) {
                Ok(()) => crate::cart::price::OfferView {
                    code: code.clone(),
                    applied: true,
                    discount: terms.discount_for(cart_value),
                    reason: None,
                    reason_code: None,
                },
                Err(r) => crate::cart::price::OfferView {
                    code: code.clone(),
                    applied: false,
                    discount: 0,
                    reason: Some(r.message),
                    reason_code: Some(r.code.into()),
                },
            }
        }
    };
    Ok(Json(Validation {
        code,
        valid: view.applied,
        discount: view.discount,
        reason_code: view.reason_code,
        reason: view.reason,
    }))
}

#[utoipa::path(delete, path = "/api/v1/offers/{id}", tag = "offers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "offer id")),
    responses((status = 204, description = "withdrawn"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn deactivate_offer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    _: NoBody,
) -> ApiResult<StatusCode> {
    let offer = state.store.offer(id).await?.ok_or(ApiError::NotFound("offer"))?;
    if !(auth.is_admin() || offer.created_by == auth.user_id) {
        return Err(ApiError::forbidden("only an admin or the offer's creator can withdraw it"));
    }
    state.store.deactivate_offer(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
