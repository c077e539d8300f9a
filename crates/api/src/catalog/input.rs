//! Restaurant request bodies and the one place they are checked. Create and full update (PUT)
//! are a patch with every field present, so all three share [`RestaurantPatch::apply`].

use crate::auth::routes::gather;
use crate::error::ApiError;
use dabba_domain::hours::parse_time_zone;
use dabba_domain::invalid::{optional_text, text};
use dabba_domain::{Invalid, LatLng, Money, Phone, WeeklyHours};
use dabba_store::model::{PostalAddress, Restaurant};
use serde::Deserialize;
use utoipa::ToSchema;

/// The largest delivery radius a restaurant may set; listings search this far around a customer.
pub const MAX_DELIVERY_RADIUS_KM: f64 = 15.0;

/// A restaurant, as created or fully replaced. Money is paise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestaurantInput {
    #[schema(example = "Pizza Palace")]
    pub name: String,
    pub description: Option<String>,
    #[schema(example = json!(["Italian", "Fast Food"]))]
    pub cuisines: Vec<String>,
    /// Free-form words customers may search by (at most 10, each up to 30 characters).
    #[serde(default)]
    #[schema(example = json!(["pizza", "late night"]))]
    pub tags: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub address: PostalAddress,
    pub phone: Option<String>,
    #[schema(example = 50000)]
    pub cost_for_two: i64,
    #[schema(example = 20)]
    pub avg_preparation_minutes: i64,
    #[schema(example = 5.0)]
    pub delivery_radius_km: f64,
    #[schema(example = 14900)]
    pub min_order_value: i64,
    pub is_veg: bool,
    pub operating_hours: WeeklyHours,
    #[schema(example = "Asia/Kolkata")]
    pub timezone: String,
    /// Stop taking orders for now (the kitchen is swamped, a power cut…).
    pub is_paused: Option<bool>,
    /// Take at most this many orders per 15 minutes (1–500); absent = no limit.
    pub kitchen_limit: Option<i32>,
}

/// Changes to a restaurant; absent fields stay, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestaurantPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub cuisines: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address: Option<PostalAddress>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub cost_for_two: Option<i64>,
    pub avg_preparation_minutes: Option<i64>,
    pub delivery_radius_km: Option<f64>,
    pub min_order_value: Option<i64>,
    pub is_veg: Option<bool>,
    pub operating_hours: Option<WeeklyHours>,
    pub timezone: Option<String>,
    pub is_paused: Option<bool>,
    /// At most this many orders per 15 minutes; `null` removes the limit.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<i32>)]
    pub kitchen_limit: Option<Option<i32>>,
}

impl From<RestaurantInput> for RestaurantPatch {
    fn from(i: RestaurantInput) -> Self {
        RestaurantPatch {
            name: Some(i.name),
            description: Some(i.description),
            cuisines: Some(i.cuisines),
            tags: Some(i.tags),
            latitude: Some(i.latitude),
            longitude: Some(i.longitude),
            address: Some(i.address),
            phone: Some(i.phone),
            cost_for_two: Some(i.cost_for_two),
            avg_preparation_minutes: Some(i.avg_preparation_minutes),
            delivery_radius_km: Some(i.delivery_radius_km),
            min_order_value: Some(i.min_order_value),
            is_veg: Some(i.is_veg),
            operating_hours: Some(i.operating_hours),
            timezone: Some(i.timezone),
            is_paused: i.is_paused,
            kitchen_limit: Some(i.kitchen_limit),
        }
    }
}

fn cuisines(list: Vec<String>) -> Result<Vec<String>, Invalid> {
    if list.is_empty() || list.len() > 10 {
        return Err(Invalid::new("cuisines", "list 1 to 10 cuisines"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let c = text(&format!("cuisines[{i}]"), c, 1, 40)?;
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&c)) {
            out.push(c);
        }
    }
    Ok(out)
}

fn tags(list: Vec<String>) -> Result<Vec<String>, Invalid> {
    if list.len() > 10 {
        return Err(Invalid::new("tags", "list at most 10 tags"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let t = text(&format!("tags[{i}]"), t, 1, 30)?.to_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn postal(a: PostalAddress) -> Result<PostalAddress, Invalid> {
    let inner = || -> Result<PostalAddress, Invalid> {
        Ok(PostalAddress {
            line1: text("line1", &a.line1, 1, 200)?,
            line2: optional_text("line2", a.line2.as_deref(), 200)?,
            city: text("city", &a.city, 1, 100)?,
            state: optional_text("state", a.state.as_deref(), 100)?,
            pincode: optional_text("pincode", a.pincode.as_deref(), 10)?,
        })
    };
    inner().map_err(|e| e.within("address"))
}

fn in_range(field: &str, v: i64, lo: i64, hi: i64, unit: &str) -> Result<i32, Invalid> {
    if (lo..=hi).contains(&v) {
        Ok(v as i32)
    } else {
        Err(Invalid::new(field, format!("must be between {lo} and {hi} {unit}")))
    }
}

fn radius(v: f64) -> Result<f64, Invalid> {
    if v.is_finite() && (0.5..=MAX_DELIVERY_RADIUS_KM).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::new("delivery_radius_km", format!("must be between 0.5 and {MAX_DELIVERY_RADIUS_KM} km")))
    }
}

impl RestaurantPatch {
    /// Checks every present field and writes it into `r`; on any error nothing is kept.
    pub fn apply(self, r: &mut Restaurant) -> Result<(), ApiError> {
        let mut errs = Vec::new();
        let mut next = r.clone();
        let e = &mut errs;
        if let Some(v) = self.name {
            next.name = gather(e, text("name", &v, 1, 120)).unwrap_or_default();
        }
        if let Some(v) = self.description {
            next.description = gather(e, optional_text("description", v.as_deref(), 2000)).flatten();
        }
        if let Some(v) = self.cuisines {
            next.cuisines = gather(e, cuisines(v)).unwrap_or_default();
        }
        if let Some(v) = self.tags {
            next.tags = gather(e, tags(v)).unwrap_or_default();
        }
        if self.latitude.is_some() || self.longitude.is_some() {
            let (lat, lng) = (self.latitude.unwrap_or(r.latitude), self.longitude.unwrap_or(r.longitude));
            if let Some(p) = gather(e, LatLng::parse(lat, lng, "latitude", "longitude")) {
                (next.latitude, next.longitude) = (p.lat, p.lng);
            }
        }
        if let Some(v) = self.address
            && let Some(a) = gather(e, postal(v))
        {
            next.address = a;
        }
        if let Some(v) = self.phone {
            next.phone = match v {
                None => None,
                Some(p) => gather(e, Phone::parse("phone", &p).map(Phone::into_inner)),
            };
        }
        if let Some(v) = self.cost_for_two {
            next.cost_for_two = gather(e, Money::parse("cost_for_two", v)).map(Money::paise).unwrap_or_default();
        }
        if let Some(v) = self.avg_preparation_minutes {
            next.avg_preparation_minutes =
                gather(e, in_range("avg_preparation_minutes", v, 1, 180, "minutes")).unwrap_or(1);
        }
        if let Some(v) = self.delivery_radius_km {
            next.delivery_radius_km = gather(e, radius(v)).unwrap_or(1.0);
        }
        if let Some(v) = self.min_order_value {
            next.min_order_value = gather(e, Money::parse("min_order_value", v)).map(Money::paise).unwrap_or_default();
        }
        if let Some(v) = self.is_veg {
            next.is_veg = v;
        }
        if let Some(v) = self.operating_hours {
            next.operating_hours = gather(e, v.parse("operating_hours")).unwrap_or_default();
        }
        if let Some(v) = self.timezone
            && gather(e, parse_time_zone("timezone", &v)).is_some()
        {
            next.timezone = v.trim().to_owned();
        }
        if let Some(v) = self.is_paused {
            next.is_paused = v;
        }
        if let Some(v) = self.kitchen_limit {
            next.kitchen_limit = match v {
                Some(n) if !(1..=500).contains(&n) => {
                    e.push(Invalid::new("kitchen_limit", "must be between 1 and 500 orders per 15 minutes"));
                    None
                }
                other => other,
            };
        }
        if !errs.is_empty() {
            return Err(ApiError::Invalid(errs));
        }
        *r = next;
        Ok(())
    }
}
