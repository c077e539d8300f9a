//! Menus: the public read, and the owner's categories and items.

use super::menu_input::clamp_position;
use super::menu_input::{CategoryInput, CategoryOrder, CategoryPatch, ItemInput, ItemPatch};
use super::{edited_meanwhile, is_open_now, owned_restaurant, visible_restaurant};
use crate::AppState;
use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::invalid::text;
use dabba_store::model::{Category, MenuItem};
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_menu))
        .routes(routes!(create_category))
        .routes(routes!(patch_category, delete_category))
        .routes(routes!(reorder_categories))
        .routes(routes!(create_item))
        .routes(routes!(patch_item, delete_item))
}

/// A category with its items, in menu order.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuCategory {
    pub category_id: Uuid,
    pub name: String,
    pub position: i32,
    pub items: Vec<MenuItem>,
}

/// A restaurant's whole menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct Menu {
    pub restaurant_id: Uuid,
    pub name: String,
    pub is_open: bool,
    pub categories: Vec<MenuCategory>,
}

#[utoipa::path(get, path = "/api/v1/restaurants/{id}/menu", tag = "menu",
    params(("id" = Uuid, Path, description = "restaurant id")),
    responses((status = 200, body = Menu), (status = 404, body = ErrorBody)))]
async fn get_menu(State(state): State<AppState>, who: MaybeAuth, Path(id): Path<Uuid>) -> ApiResult<Json<Menu>> {
    let r = visible_restaurant(&state, &who, id).await?;
    let (categories, items) = tokio::try_join!(state.store.categories(id), state.store.items(id))?;
    let mut menu: Vec<MenuCategory> = categories
        .into_iter()
        .map(|c| MenuCategory { category_id: c.category_id, name: c.name, position: c.position, items: Vec::new() })
        .collect();
    for item in items {
        if let Some(c) = menu.iter_mut().find(|c| c.category_id == item.category_id) {
            c.items.push(item);
        }
    }
    let is_open = is_open_now(&r, jiff::Timestamp::now());
    Ok(Json(Menu { restaurant_id: id, name: r.name, is_open, categories: menu }))
}

#[utoipa::path(post, path = "/api/v1/restaurants/{id}/categories", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "ALREADY_EXISTS: the menu has a category of that name", body = ErrorBody)))]
async fn create_category(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<CategoryInput>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    owned_restaurant(&state, &auth, id).await?;
    let name = text("name", &req.name, 1, 80)?;
    let existing = state.store.categories(id).await?;
    if existing.iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
        return Err(ApiError::conflict("ALREADY_EXISTS", "this menu already has a category with that name"));
    }
    let position = req.position.map_or(existing.len() as i32, clamp_position);
    let category = Category { category_id: Uuid::now_v7(), restaurant_id: id, name, position };
    state.store.create_category(category.clone()).await?;
    Ok((StatusCode::CREATED, Json(category)))
}

#[utoipa::path(patch, path = "/api/v1/restaurants/{id}/categories/{category_id}", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), ("category_id" = Uuid, Path)), request_body = CategoryPatch,
    responses((status = 200, body = Category), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn patch_category(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, category_id)): Path<(Uuid, Uuid)>,
    Json(req): Json<CategoryPatch>,
) -> ApiResult<Json<Category>> {
    owned_restaurant(&state, &auth, id).await?;
    let all = state.store.categories(id).await?;
    let mut c = all.iter().find(|c| c.category_id == category_id).cloned().ok_or(ApiError::NotFound("category"))?;
    if let Some(name) = req.name {
        c.name = text("name", &name, 1, 80)?;
        if all.iter().any(|o| o.category_id != category_id && o.name.eq_ignore_ascii_case(&c.name)) {
            return Err(ApiError::conflict("ALREADY_EXISTS", "this menu already has a category with that name"));
        }
    }
    if let Some(p) = req.position {
        c.position = clamp_position(p);
    }
    state.store.update_category(&c).await?;
    Ok(Json(c))
}

#[utoipa::path(delete, path = "/api/v1/restaurants/{id}/categories/{category_id}", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), ("category_id" = Uuid, Path)),
    responses((status = 204, description = "deleted"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the category still has items", body = ErrorBody)))]
async fn delete_category(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, category_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    owned_restaurant(&state, &auth, id).await?;
    if state.store.delete_category(id, category_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("category"))
    }
}

#[utoipa::path(put, path = "/api/v1/restaurants/{id}/categories/order", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = CategoryOrder,
    responses((status = 200, body = Vec<Category>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn reorder_categories(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<CategoryOrder>,
) -> ApiResult<Json<Vec<Category>>> {
    owned_restaurant(&state, &auth, id).await?;
    let current: HashSet<Uuid> = state.store.categories(id).await?.iter().map(|c| c.category_id).collect();
    let wanted: HashSet<Uuid> = req.category_ids.iter().copied().collect();
    if wanted.len() != req.category_ids.len() || wanted != current {
        return Err(ApiError::unprocessable("category_ids", "list every category of this restaurant exactly once"));
    }
    if !state.store.reorder_categories(id, &req.category_ids).await? {
        return Err(edited_meanwhile("menu"));
    }
    Ok(Json(state.store.categories(id).await?))
}

#[utoipa::path(post, path = "/api/v1/restaurants/{id}/items", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = ItemInput,
    responses((status = 201, body = MenuItem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_item(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<ItemInput>,
) -> ApiResult<(StatusCode, Json<MenuItem>)> {
    let r = owned_restaurant(&state, &auth, id).await?;
    let (categories, items) = tokio::try_join!(state.store.categories(id), state.store.items(id))?;
    if items.len() >= MAX_ITEMS {
        return Err(ApiError::conflict("MENU_FULL", format!("a menu holds at most {MAX_ITEMS} items")));
    }
    let now = dabba_store::now_utc();
    let mut item = MenuItem {
        item_id: Uuid::now_v7(),
        restaurant_id: id,
        category_id: req.category_id,
        name: String::new(),
        description: None,
        price: 0,
        is_veg: true,
        is_available: true,
        is_bestseller: false,
        stock: None,
        image: None,
        position: 0,
        customizations: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    ItemPatch::from(req).apply(&mut item, &categories, r.is_veg)?;
    item.position = items
        .iter()
        .filter(|i| i.category_id == item.category_id)
        .map(|i| clamp_position(i.position.saturating_add(1)))
        .max()
        .unwrap_or(0);
    state.store.create_item(&item).await?;
    super::reindex(&state).await;
    Ok((StatusCode::CREATED, Json(item)))
}

/// A generous bound for one restaurant's menu; real menus hold tens to a few hundred dishes.
const MAX_ITEMS: usize = 1000;

#[utoipa::path(patch, path = "/api/v1/restaurants/{id}/items/{item_id}", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), ("item_id" = Uuid, Path)), request_body = ItemPatch,
    responses((status = 200, body = MenuItem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn patch_item(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item_id)): Path<(Uuid, Uuid)>,
    Json(req): Json<ItemPatch>,
) -> ApiResult<Json<MenuItem>> {
    let r = owned_restaurant(&state, &auth, id).await?;
    let mut item = state.store.item(id, item_id).await?.ok_or(ApiError::NotFound("item"))?;
    let read_at = item.updated_at;
    let categories = state.store.categories(id).await?;
    req.apply(&mut item, &categories, r.is_veg)?;
    item.updated_at = dabba_store::now_utc();
    if !state.store.update_item(&item, read_at).await? {
        return Err(match state.store.item(id, item_id).await? {
            None => ApiError::NotFound("item"),
            Some(_) => edited_meanwhile("item"),
        });
    }
    super::reindex(&state).await;
    Ok(Json(item))
}

#[utoipa::path(delete, path = "/api/v1/restaurants/{id}/items/{item_id}", tag = "menu", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), ("item_id" = Uuid, Path)),
    responses((status = 204, description = "deleted"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_item(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    owned_restaurant(&state, &auth, id).await?;
    if state.store.delete_item(id, item_id).await? {
        super::reindex(&state).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("item"))
    }
}
