//! SQL shared by both backends. Each `impl_*_store!` macro expands to a trait implementation for
//! one backend's store type: the SQL is written once, the pools and migrations stay per backend.

#[macro_use]
mod users;
#[macro_use]
mod catalog;
#[macro_use]
mod cart;
#[macro_use]
mod orders;
#[macro_use]
mod events;
#[macro_use]
mod payments;
#[macro_use]
mod delivery;

/// Binds every column of an order, in `order_cols!` order, onto a `push_values` row; the row,
/// for more columns.
macro_rules! push_order {
    ($b:ident, $o:ident) => {{
        let mut b = $b;
        b.push_bind($o.order_id)
            .push_bind($o.user_id)
            .push_bind($o.restaurant_id)
            .push_bind($o.status.as_str())
            .push_bind(&$o.payment_method)
            .push_bind(&$o.payment_status)
            .push_bind($o.subtotal)
            .push_bind($o.discount)
            .push_bind($o.delivery_fee)
            .push_bind($o.packaging_fee)
            .push_bind($o.taxes)
            .push_bind($o.total_amount)
            .push_bind(&$o.promo_code)
            .push_bind($o.offer_id)
            .push_bind(sqlx::types::Json(&$o.delivery_address))
            .push_bind(&$o.delivery_instructions)
            .push_bind($o.distance_km)
            .push_bind($crate::Stamp($o.estimated_delivery_time))
            .push_bind($o.estimated_preparation_minutes)
            .push_bind($o.accept_by.map($crate::Stamp))
            .push_bind(&$o.cancel_reason)
            .push_bind($o.cancellation_fee)
            .push_bind($o.refund_amount)
            .push_bind($crate::Stamp($o.created_at))
            .push_bind($crate::Stamp($o.updated_at))
            .push_bind($o.pay_by.map($crate::Stamp))
            .push_bind($o.rider_id)
            .push_bind($o.assigned_at.map($crate::Stamp))
            .push_bind(&$o.delivery_otp)
            .push_bind($o.otp_attempts)
            .push_bind($o.restaurant_discount);
        b
    }};
}
/// Binds every column of a restaurant, in `restaurant_cols!` order, onto a `push_values` row.
macro_rules! push_restaurant {
    ($b:ident, $r:ident) => {{
        let mut b = $b;
        b.push_bind($r.restaurant_id)
            .push_bind($r.owner_id)
            .push_bind(&$r.name)
            .push_bind(&$r.description)
            .push_bind(sqlx::types::Json(&$r.cuisines))
            .push_bind($r.latitude)
            .push_bind($r.longitude)
            .push_bind(sqlx::types::Json(&$r.address))
            .push_bind(&$r.phone)
            .push_bind($r.cost_for_two)
            .push_bind($r.avg_preparation_minutes)
            .push_bind($r.delivery_radius_km)
            .push_bind($r.min_order_value)
            .push_bind($r.is_veg)
            .push_bind(sqlx::types::Json(&$r.operating_hours))
            .push_bind(&$r.timezone)
            .push_bind($r.is_paused)
            .push_bind($r.kitchen_limit)
            .push_bind($r.is_banned)
            .push_bind(&$r.ban_reason)
            .push_bind($r.rating_avg)
            .push_bind($r.rating_count)
            .push_bind($crate::Stamp($r.created_at))
            .push_bind($crate::Stamp($r.updated_at))
            .push_bind(sqlx::types::Json(&$r.tags));
    }};
}

/// Binds every column of a menu item, in `item_cols!` order, onto a `push_values` row.
macro_rules! push_item {
    ($b:ident, $i:ident) => {{
        let mut b = $b;
        b.push_bind($i.item_id)
            .push_bind($i.restaurant_id)
            .push_bind($i.category_id)
            .push_bind(&$i.name)
            .push_bind(&$i.description)
            .push_bind($i.price)
            .push_bind($i.is_veg)
            .push_bind($i.is_available)
            .push_bind($i.is_bestseller)
            .push_bind($i.stock)
            .push_bind(&$i.image)
            .push_bind($i.position)
            .push_bind(sqlx::types::Json(&$i.customizations))
            .push_bind($crate::Stamp($i.created_at))
            .push_bind($crate::Stamp($i.updated_at));
    }};
}

pub(crate) use {push_item, push_order, push_restaurant};

/// `text` for a LIKE pattern with `ESCAPE '\'`: its own `%`, `_` and `\` match themselves.
pub(crate) fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
