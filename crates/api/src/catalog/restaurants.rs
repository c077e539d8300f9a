//! Restaurant handlers: owners create and edit; anyone reads one restaurant.

use super::input::{RestaurantInput, RestaurantPatch};
use super::{RestaurantView, edited_meanwhile, owned_restaurant, reindex, visible_restaurant};
use crate::AppState;
use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::{Role, WeeklyHours};
use dabba_store::model::{PostalAddress, Restaurant};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_restaurant)).routes(routes!(my_restaurants)).routes(routes!(
        get_restaurant,
        replace_restaurant,
        patch_restaurant
    ))
}

fn blank(owner_id: Uuid) -> Restaurant {
    let now = dabba_store::now_utc();
    Restaurant {
        restaurant_id: Uuid::now_v7(),
        owner_id,
        name: String::new(),
        description: None,
        cuisines: Vec::new(),
        tags: Vec::new(),
        latitude: 0.0,
        longitude: 0.0,
        address: PostalAddress { line1: String::new(), line2: None, city: String::new(), state: None, pincode: None },
        phone: None,
        cost_for_two: 0,
        avg_preparation_minutes: 20,
        learned_preparation_minutes: None,
        delivery_radius_km: 5.0,
        min_order_value: 0,
        is_veg: false,
        operating_hours: WeeklyHours::default(),
        timezone: "UTC".into(),
        is_paused: false,
        kitchen_limit: None,
        is_banned: false,
        ban_reason: None,
        rating_avg: 0.0,
        rating_count: 0,
        created_at: now,
        updated_at: now,
    }
}

#[utoipa::path(post, path = "/api/v1/restaurants", tag = "restaurants", security(("bearer" = [])),
    request_body = RestaurantInput,
    responses((status = 201, body = RestaurantView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, description = "not a RESTAURANT account, or APPROVAL_PENDING (an admin has not approved the partner yet)", body = ErrorBody)))]
async fn create_restaurant(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<RestaurantInput>,
) -> ApiResult<(StatusCode, Json<RestaurantView>)> {
    auth.require(Role::Restaurant)?;
    crate::admin::require_approved(&state, &auth).await?;
    let mut r = blank(auth.user_id);
    RestaurantPatch::from(req).apply(&mut r)?;
    state.store.create_restaurant(r.clone()).await?;
    reindex(&state).await;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/restaurants/mine", tag = "restaurants", security(("bearer" = [])),
    responses((status = 200, description = "the caller's restaurants, banned ones with the reason", body = Vec<RestaurantView>),
              (status = 403, body = ErrorBody)))]
async fn my_restaurants(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<RestaurantView>>> {
    auth.require(Role::Restaurant)?;
    let list = state.store.restaurants_of_owner(auth.user_id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/restaurants/{id}", tag = "restaurants",
    params(("id" = Uuid, Path, description = "restaurant id")),
    responses((status = 200, body = RestaurantView), (status = 404, body = ErrorBody)))]
async fn get_restaurant(
    State(state): State<AppState>,
    who: MaybeAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RestaurantView>> {
    Ok(Json(visible_restaurant(&state, &who, id).await?.into()))
}

async fn edit(state: &AppState, auth: &Auth, id: Uuid, patch: RestaurantPatch) -> ApiResult<RestaurantView> {
    let mut r = owned_restaurant(state, auth, id).await?;
    let read_at = r.updated_at;
    let becomes_veg = patch.is_veg == Some(true) && !r.is_veg;
    patch.apply(&mut r)?;
    if becomes_veg && state.store.items(id).await?.iter().any(|i| !i.is_veg) {
        return Err(ApiError::conflict(
            "MENU_NOT_VEG",
            "the menu still has non-vegetarian items; remove them before marking the restaurant vegetarian",
        ));
    }
    r.updated_at = dabba_store::now_utc();
    if !state.store.update_restaurant(&r, read_at).await? {
        return Err(edited_meanwhile("restaurant"));
    }
    reindex(state).await;
    Ok(r.into())
}

#[utoipa::path(put, path = "/api/v1/restaurants/{id}", tag = "restaurants", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = RestaurantInput,
    responses((status = 200, body = RestaurantView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn replace_restaurant(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<RestaurantInput>,
) -> ApiResult<Json<RestaurantView>> {
    Ok(Json(edit(&state, &auth, id, req.into()).await?))
}

#[utoipa::path(patch, path = "/api/v1/restaurants/{id}", tag = "restaurants", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = RestaurantPatch,
    responses((status = 200, body = RestaurantView), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn patch_restaurant(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<RestaurantPatch>,
) -> ApiResult<Json<RestaurantView>> {
    Ok(Json(edit(&state, &auth, id, req).await?))
}
