//! Pricing a cart against the live catalog: what each line costs now, what is wrong with it,
//! the offer, the delivery distance and the bill. Shared by the cart view, offer validation and
//! checkout, so the customer is shown exactly what checkout will charge.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use dabba_domain::LatLng;
use dabba_domain::offer::{Applicability, DiscountType, Terms, Use};
use dabba_domain::pricing::{Bill, PricedLine, bill};
use dabba_store::model::{Address, CartHead, CartLine, ChosenOption, MenuItem, Offer, Restaurant, Selection};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// Checks a selection against an item's customization groups; returns the unit price (item +
/// options) and the options as they will be printed on the order.
pub fn price_selection(item: &MenuItem, selection: &[Selection]) -> Result<(i64, Vec<ChosenOption>), String> {
    let mut seen_groups = HashSet::new();
    for s in selection {
        if !seen_groups.insert(s.group_id) {
            return Err(format!("group {} is given twice", s.group_id));
        }
        if !item.customizations.iter().any(|g| g.group_id == s.group_id) {
            return Err(format!("{} has no customization group {}", item.name, s.group_id));
        }
    }
    let mut unit = item.price;
    let mut chosen = Vec::new();
    for g in &item.customizations {
        let picked: &[Uuid] = selection.iter().find(|s| s.group_id == g.group_id).map_or(&[], |s| &s.option_ids);
        let n = picked.len() as i32;
        if n < g.min_selections || n > g.max_selections {
            return Err(if g.min_selections == g.max_selections {
                format!("choose exactly {} in \"{}\" for {}", g.min_selections, g.name, item.name)
            } else {
                format!("choose {} to {} in \"{}\" for {}", g.min_selections, g.max_selections, g.name, item.name)
            });
        }
        let mut once = HashSet::new();
        for id in picked {
            let o = g
                .options
                .iter()
                .find(|o| o.option_id == *id)
                .ok_or_else(|| format!("\"{}\" has no option {id}", g.name))?;
            if !once.insert(*id) {
                return Err(format!("\"{}\" is chosen twice", o.label));
            }
            unit = unit.saturating_add(o.price);
            chosen.push(ChosenOption { group: g.name.clone(), label: o.label.clone(), price: o.price });
        }
    }
    Ok((unit, chosen))
}

/// The same selection always has the same key, whatever order the client sent it in.
pub fn selection_key(selection: &[Selection]) -> String {
    let mut groups: Vec<(Uuid, Vec<Uuid>)> = selection
        .iter()
        .filter(|s| !s.option_ids.is_empty())
        .map(|s| {
            let mut o = s.option_ids.clone();
            o.sort();
            (s.group_id, o)
        })
        .collect();
    groups.sort();
    groups
        .iter()
        .map(|(g, o)| format!("{g}:{}", o.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",")))
        .collect::<Vec<_>>()
        .join(";")
}

/// A cart line as the customer sees it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineView {
    pub cart_item_id: Uuid,
    pub item_id: Uuid,
    pub name: String,
    pub quantity: i64,
    /// Price of one, with options, now.
    pub unit_price: i64,
    pub line_total: i64,
    pub is_veg: bool,
    pub customizations: Vec<ChosenOption>,
    /// Set when the price changed since the customer added it (the old price).
    pub previous_unit_price: Option<i64>,
    /// Why this line cannot be ordered as it is (sold out, removed…).
    pub problem: Option<String>,
}

/// The promo code on the cart and whether it applies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    pub code: String,
    pub applied: bool,
    pub discount: i64,
    /// Why it does not apply.
    pub reason: Option<String>,
    pub reason_code: Option<String>,
}

/// A priced cart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartView {
    pub restaurant_id: Option<Uuid>,
    pub restaurant_name: Option<String>,
    pub lines: Vec<LineView>,
    pub offer: Option<OfferView>,
    /// The address the delivery fee was computed for (the default one unless chosen).
    pub address_id: Option<Uuid>,
    pub distance_km: Option<f64>,
    pub bill: Bill,
}

/// A priced cart with what checkout needs besides the view.
pub struct Priced {
    pub view: CartView,
    pub head: Option<CartHead>,
    pub lines: Vec<CartLine>,
    pub restaurant: Option<Restaurant>,
    pub items: HashMap<Uuid, MenuItem>,
    pub offer: Option<Offer>,
    pub address: Option<Address>,
}

pub fn offer_terms(o: &Offer) -> Terms {
    Terms {
        discount_type: if o.discount_type == "FLAT" { DiscountType::Flat } else { DiscountType::Percentage },
        discount_value: o.discount_value,
        min_order_value: o.min_order_value,
        max_discount: o.max_discount,
        valid_from: o.valid_from,
        valid_until: o.valid_until,
        usage_limit: o.usage_limit,
        usage_count: o.usage_count,
        per_user_limit: o.per_user_limit,
        applicable_to: match o.applicable_to.as_str() {
            "FIRST_ORDER" => Applicability::FirstOrder,
            "RESTAURANT" => Applicability::Restaurant,
            _ => Applicability::All,
        },
        restaurant_ids: o.restaurant_ids.clone(),
        is_active: o.is_active,
    }
}

/// Decides an offer for a subtotal at a restaurant for this customer.
pub async fn judge_offer(
    state: &AppState,
    user_id: Uuid,
    o: &Offer,
    subtotal: i64,
    restaurant_id: Uuid,
) -> ApiResult<OfferView> {
    let (previous_orders, user_redemptions) =
        tokio::try_join!(state.store.count_orders_of_user(user_id), state.store.user_redemptions(o.offer_id, user_id))?;
    let terms = offer_terms(o);
    let usage =
        Use { now: time::OffsetDateTime::now_utc(), subtotal, restaurant_id, previous_orders, user_redemptions };
    Ok(match terms.check(&usage) {
        Ok(()) => OfferView {
            code: o.code.clone(),
            applied: true,
            discount: terms.discount_for(subtotal),
            reason: None,
            reason_code: None,
        },
        Err(r) => OfferView {
            code: o.code.clone(),
            applied: false,
            discount: 0,
            reason: Some(r.message),
            reason_code: Some(r.code.into()),
        },
    })
}

/// Prices the customer's cart for `address_id` (or their default address).
pub async fn price_cart(state: &AppState, user_id: Uuid, address_id: Option<Uuid>) -> ApiResult<Priced> {
    let (head, lines) = state.store.cart(user_id).await?;
    let addresses = state.store.addresses(user_id).await?;
    let address = match address_id {
        Some(id) => Some(
            addresses.into_iter().find(|a| a.address_id == id).ok_or(crate::error::ApiError::NotFound("address"))?,
        ),
        None => addresses.into_iter().find(|a| a.is_default),
    };
    let empty = CartView {
        restaurant_id: None,
        restaurant_name: None,
        lines: vec![],
        offer: None,
        address_id: address.as_ref().map(|a| a.address_id),
        distance_km: None,
        bill: Bill::default(),
    };
    let Some(h) = head.clone().filter(|_| !lines.is_empty()) else {
        return Ok(Priced { view: empty, head, lines, restaurant: None, items: HashMap::new(), offer: None, address });
    };
    let (restaurant, items) =
        tokio::try_join!(state.store.restaurant(h.restaurant_id), state.store.items(h.restaurant_id))?;
    let items: HashMap<Uuid, MenuItem> = items.into_iter().map(|i| (i.item_id, i)).collect();
    let mut views = Vec::with_capacity(lines.len());
    for l in &lines {
        views.push(match items.get(&l.item_id) {
            None => LineView {
                cart_item_id: l.cart_item_id,
                item_id: l.item_id,
                name: "(removed from the menu)".into(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                line_total: l.unit_price.saturating_mul(l.quantity),
                is_veg: false,
                customizations: vec![],
                previous_unit_price: None,
                problem: Some("this dish is no longer on the menu".into()),
            },
            Some(item) => {
                let (unit, chosen, mut problem) = match price_selection(item, &l.selection) {
                    Ok((u, c)) => (u, c, None),
                    Err(e) => (l.unit_price, vec![], Some(format!("the choices changed: {e}"))),
                };
                if problem.is_none() && !item.is_available {
                    problem = Some(format!("{} is not available right now", item.name));
                }
                if problem.is_none() && item.stock.is_some_and(|s| s < l.quantity) {
                    problem = Some(format!("only {} of {} left", item.stock.unwrap_or(0), item.name));
                }
                LineView {
                    cart_item_id: l.cart_item_id,
                    item_id: l.item_id,
                    name: item.name.clone(),
                    quantity: l.quantity,
                    unit_price: unit,
                    line_total: unit.saturating_mul(l.quantity),
                    is_veg: item.is_veg,
                    customizations: chosen,
                    previous_unit_price: (unit != l.unit_price).then_some(l.unit_price),
                    problem,
                }
            }
        });
    }
    let distance_km = match (&restaurant, &address) {
        (Some(r), Some(a)) => {
            Some(LatLng { lat: r.latitude, lng: r.longitude }.distance_km(LatLng { lat: a.latitude, lng: a.longitude }))
        }
        _ => None,
    };
    let priced: Vec<PricedLine> =
        views.iter().map(|v| PricedLine { unit_price: v.unit_price, quantity: v.quantity }).collect();
    let subtotal: i64 = priced.iter().fold(0i64, |sum, p| sum.saturating_add(p.unit_price.saturating_mul(p.quantity)));
    let mut offer = None;
    let mut offer_view = None;
    if let Some(code) = &h.promo_code {
        match state.store.offer_by_code(code).await? {
            Some(o) => {
                offer_view = Some(judge_offer(state, user_id, &o, subtotal, h.restaurant_id).await?);
                offer = Some(o);
            }
            None => {
                offer_view = Some(OfferView {
                    code: code.clone(),
                    applied: false,
                    discount: 0,
                    reason: Some("this code does not exist any more".into()),
                    reason_code: Some("OFFER_UNKNOWN".into()),
                })
            }
        }
    }
    let discount = offer_view.as_ref().map_or(0, |o| o.discount);
    let view = CartView {
        restaurant_id: Some(h.restaurant_id),
        restaurant_name: restaurant.as_ref().map(|r| r.name.clone()),
        lines: views,
        offer: offer_view,
        address_id: address.as_ref().map(|a| a.address_id),
        distance_km: distance_km.map(|d| (d * 100.0).round() / 100.0),
        bill: bill(&priced, discount, distance_km.unwrap_or(0.0), &state.pricing).ok_or_else(|| {
            ApiError::conflict("CART_TOO_LARGE", "this cart is too large to price; remove some dishes")
        })?,
    };
    Ok(Priced { view, head, lines, restaurant, items, offer, address })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_keys_ignore_order() {
        let (g1, g2, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let x =
            vec![Selection { group_id: g1, option_ids: vec![a, b] }, Selection { group_id: g2, option_ids: vec![] }];
        let y = vec![Selection { group_id: g1, option_ids: vec![b, a] }];
        assert_eq!(selection_key(&x), selection_key(&y));
        assert_ne!(selection_key(&x), selection_key(&[]));
    }
}
