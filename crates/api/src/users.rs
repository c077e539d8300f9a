//! `/api/v1/users`: the caller's profile and delivery addresses.

use crate::AppState;
use crate::auth::Auth;
use crate::auth::routes::gather;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::invalid::{optional_text, text};
use dabba_domain::{Email, Invalid, LatLng, PersonName, Phone};
use dabba_store::model::{Address, ProfileChange, User};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_profile, update_profile))
        .routes(routes!(create_address, list_addresses))
        .routes(routes!(update_address, delete_address))
}

/// Profile changes; absent fields stay as they are, `"email": null` removes the email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
}

#[utoipa::path(get, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn get_profile(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<User>> {
    let user = state.store.user(auth.user_id).await?.ok_or(ApiError::NotFound("user"))?;
    Ok(Json(user))
}

#[utoipa::path(put, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])), request_body = ProfileUpdate,
    responses((status = 200, body = User), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_profile(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<ProfileUpdate>,
) -> ApiResult<Json<User>> {
    let mut errs = Vec::new();
    let change = ProfileChange {
        name: req.name.and_then(|n| gather(&mut errs, PersonName::parse("name", &n).map(PersonName::into_inner))),
        phone: req.phone.and_then(|p| gather(&mut errs, Phone::parse("phone", &p).map(Phone::into_inner))),
        email: match req.email {
            None => None,
            Some(None) => Some(None),
            Some(Some(e)) => gather(&mut errs, Email::parse("email", &e).map(|e| Some(Some(e.into_inner())))).flatten(),
        },
    };
    if !errs.is_empty() {
        return Err(ApiError::Invalid(errs));
    }
    let user = state.store.update_profile(auth.user_id, change).await?.ok_or(ApiError::NotFound("user"))?;
    Ok(Json(user))
}

/// HOME, WORK or OTHER.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AddressType {
    Home,
    Work,
    Other,
}

/// A delivery address.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub address_type: AddressType,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub landmark: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub pincode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// Make this the default address (the first address always is).
    pub is_default: Option<bool>,
}

impl AddressInput {
    fn parse(self, user_id: Uuid, address_id: Uuid) -> Result<Address, ApiError> {
        let mut errs: Vec<Invalid> = Vec::new();
        let line1 = gather(&mut errs, text("address_line1", &self.address_line1, 1, 200));
        let line2 = gather(&mut errs, optional_text("address_line2", self.address_line2.as_deref(), 200));
        let landmark = gather(&mut errs, optional_text("landmark", self.landmark.as_deref(), 200));
        let city = gather(&mut errs, text("city", &self.city, 1, 100));
        let st = gather(&mut errs, optional_text("state", self.state.as_deref(), 100));
        let pincode = gather(&mut errs, optional_text("pincode", self.pincode.as_deref(), 10).and_then(check_pincode));
        let at = gather(&mut errs, LatLng::parse(self.latitude, self.longitude, "latitude", "longitude"));
        match (line1, line2, landmark, city, st, pincode, at) {
            (Some(line1), Some(line2), Some(landmark), Some(city), Some(st), Some(pincode), Some(at))
                if errs.is_empty() =>
            {
                Ok(Address {
                    address_id,
                    user_id,
                    address_type: match self.address_type {
                        AddressType::Home => "HOME",
                        AddressType::Work => "WORK",
                        AddressType::Other => "OTHER",
                    }
                    .into(),
                    address_line1: line1,
                    address_line2: line2,
                    landmark,
                    city,
                    state: st,
                    pincode,
                    latitude: at.lat,
                    longitude: at.lng,
                    is_default: self.is_default.unwrap_or(false),
                    created_at: dabba_store::now_utc(),
                })
            }
            _ => Err(ApiError::Invalid(errs)),
        }
    }
}

fn check_pincode(p: Option<String>) -> Result<Option<String>, Invalid> {
    match p {
        Some(p) if !p.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') => {
            Err(Invalid::new("pincode", "must contain only letters, digits, spaces or dashes"))
        }
        other => Ok(other),
    }
}

#[utoipa::path(post, path = "/api/v1/users/addresses", tag = "users", security(("bearer" = [])), request_body = AddressInput,
    responses((status = 201, body = Address), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, description = "TOO_MANY_ADDRESSES: delete one first", body = ErrorBody)))]
async fn create_address(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<AddressInput>,
) -> ApiResult<(StatusCode, Json<Address>)> {
    let address = req.parse(auth.user_id, Uuid::now_v7())?;
    Ok((StatusCode::CREATED, Json(state.store.create_address(address, MAX_ADDRESSES).await?)))
}

/// Enough for home, work, family and friends; more is a sign of abuse.
const MAX_ADDRESSES: usize = 20;

#[utoipa::path(get, path = "/api/v1/users/addresses", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "default first, then newest first", body = Vec<Address>), (status = 401, body = ErrorBody)))]
async fn list_addresses(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Address>>> {
    Ok(Json(state.store.addresses(auth.user_id).await?))
}

#[utoipa::path(put, path = "/api/v1/users/addresses/{id}", tag = "users", security(("bearer" = [])), request_body = AddressInput,
    params(("id" = Uuid, Path, description = "address id")),
    responses((status = 200, body = Address), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_address(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<AddressInput>,
) -> ApiResult<Json<Address>> {
    let address = req.parse(auth.user_id, id)?;
    // Another user's address is "not found": its existence is not ours to reveal.
    let saved = state.store.update_address(address).await?.ok_or(ApiError::NotFound("address"))?;
    Ok(Json(saved))
}

#[utoipa::path(delete, path = "/api/v1/users/addresses/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "address id")),
    responses((status = 204, description = "deleted"), (status = 404, body = ErrorBody)))]
async fn delete_address(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<StatusCode> {
    if state.store.delete_address(auth.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("address"))
    }
}
