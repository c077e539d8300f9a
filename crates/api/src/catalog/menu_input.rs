//! Menu request bodies and their checks. As with restaurants, create is a patch with every
//! field present, so [`ItemPatch::apply`] is the single place an item is validated.

use crate::auth::routes::gather;
use crate::error::ApiError;
use dabba_domain::invalid::{optional_text, text};
use dabba_domain::{Invalid, Money};
use dabba_store::model::{Category, CustomizationGroup, CustomizationOption, MenuItem};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A new menu category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    #[schema(example = "Pizzas")]
    pub name: String,
    /// Where it goes (0 = first); appended when absent.
    pub position: Option<i32>,
}

/// Changes to a category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    pub name: Option<String>,
    pub position: Option<i32>,
}

/// The full new order of a restaurant's categories.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryOrder {
    /// Every category id of the restaurant, exactly once, first to last.
    pub category_ids: Vec<Uuid>,
}

/// One priced option. Send `option_id` when editing to keep the id carts refer to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionInput {
    pub option_id: Option<Uuid>,
    #[schema(example = "Large")]
    pub label: String,
    /// Added to the item price, paise.
    #[schema(example = 10000)]
    pub price: i64,
}

/// A customization group. `min_selections` defaults to 1 if required else 0; `max_selections`
/// to 1 if required else the number of options.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub group_id: Option<Uuid>,
    #[schema(example = "Size")]
    pub name: String,
    pub required: bool,
    pub min_selections: Option<i32>,
    pub max_selections: Option<i32>,
    pub options: Vec<OptionInput>,
}

/// A new dish. Prices are paise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub category_id: Uuid,
    #[schema(example = "Margherita Pizza")]
    pub name: String,
    pub description: Option<String>,
    #[schema(example = 29900)]
    pub price: i64,
    pub is_veg: bool,
    pub is_available: Option<bool>,
    pub is_bestseller: Option<bool>,
    /// Units left; absent = not tracked.
    pub stock: Option<i64>,
    /// An http(s) URL of a picture.
    pub image: Option<String>,
    pub customizations: Option<Vec<GroupInput>>,
}

/// Changes to a dish; absent fields stay, `null` clears description, stock or image.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    pub category_id: Option<Uuid>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    pub is_veg: Option<bool>,
    pub is_available: Option<bool>,
    pub is_bestseller: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<i64>)]
    pub stock: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub image: Option<Option<String>>,
    /// Position within its category.
    pub position: Option<i32>,
    /// Replaces all groups.
    pub customizations: Option<Vec<GroupInput>>,
}

impl From<ItemInput> for ItemPatch {
    fn from(i: ItemInput) -> Self {
        ItemPatch {
            category_id: Some(i.category_id),
            name: Some(i.name),
            description: Some(i.description),
            price: Some(i.price),
            is_veg: Some(i.is_veg),
            is_available: Some(i.is_available.unwrap_or(true)),
            is_bestseller: Some(i.is_bestseller.unwrap_or(false)),
            stock: Some(i.stock),
            image: Some(i.image),
            position: None,
            customizations: Some(i.customizations.unwrap_or_default()),
        }
    }
}

/// Positions are small, non-negative numbers, so "one after the last" can never overflow.
pub fn clamp_position(p: i32) -> i32 {
    p.clamp(0, 10_000)
}

/// Longest image URL, in characters as sent.
pub const MAX_IMAGE_URL: usize = 2048;

/// [`image_url`] as a pattern (blank means none; white space around is trimmed).
pub fn image_pattern() -> String {
    let ws = dabba_domain::invalid::WHITE_SPACE;
    format!("^[{ws}]*(?:https?://[^{ws}]+)?[{ws}]*$")
}

fn image_url(v: Option<String>) -> Result<Option<String>, Invalid> {
    if v.as_ref().is_some_and(|s| s.chars().count() > MAX_IMAGE_URL) {
        return Err(Invalid::new("image", "must be an http(s) URL of at most 2048 characters"));
    }
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() > "http://".len() + usize::from(u.starts_with("https://"))
                && !u.contains(char::is_whitespace) =>
        {
            Ok(Some(u))
        }
        Some(_) => Err(Invalid::new("image", "must be an http(s) URL of at most 2048 characters")),
    }
}

fn stock(v: Option<i64>) -> Result<Option<i64>, Invalid> {
    match v {
        Some(n) if !(0..=1_000_000).contains(&n) => Err(Invalid::new("stock", "must be between 0 and 1000000")),
        other => Ok(other),
    }
}

fn groups(input: Vec<GroupInput>, existing: &[CustomizationGroup]) -> Result<Vec<CustomizationGroup>, Invalid> {
    if input.len() > 10 {
        return Err(Invalid::new("customizations", "at most 10 customization groups"));
    }
    let mut out: Vec<CustomizationGroup> = Vec::new();
    // Each kept id may appear once: carts refer to options by id.
    let mut used = std::collections::HashSet::new();
    for (gi, g) in input.into_iter().enumerate() {
        let f = |name: &str| format!("customizations[{gi}].{name}");
        let name = text(&f("name"), &g.name, 1, 60)?;
        if out.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            return Err(Invalid::combination(f("name"), "two groups have this name"));
        }
        if g.group_id.is_some_and(|id| !used.insert(id)) {
            return Err(Invalid::combination(f("group_id"), "this group id is given twice"));
        }
        let old = match g.group_id {
            Some(id) => Some(
                existing
                    .iter()
                    .find(|e| e.group_id == id)
                    .ok_or_else(|| Invalid::combination(f("group_id"), "no such group on this item"))?,
            ),
            None => None,
        };
        if g.options.is_empty() || g.options.len() > 30 {
            return Err(Invalid::new(f("options"), "give 1 to 30 options"));
        }
        let mut options: Vec<CustomizationOption> = Vec::new();
        for (oi, o) in g.options.into_iter().enumerate() {
            let of = |name: &str| format!("customizations[{gi}].options[{oi}].{name}");
            let label = text(&of("label"), &o.label, 1, 60)?;
            if options.iter().any(|x| x.label.eq_ignore_ascii_case(&label)) {
                return Err(Invalid::combination(of("label"), "two options have this label"));
            }
            let price = Money::parse(&of("price"), o.price)?.paise();
            if o.option_id.is_some_and(|id| !used.insert(id)) {
                return Err(Invalid::combination(of("option_id"), "this option id is given twice"));
            }
            let option_id = match o.option_id {
                Some(id) if old.is_some_and(|g| g.options.iter().any(|x| x.option_id == id)) => id,
                Some(_) => return Err(Invalid::combination(of("option_id"), "no such option in this group")),
                None => Uuid::now_v7(),
            };
            options.push(CustomizationOption { option_id, label, price });
        }
        let n = options.len() as i32;
        let min = g.min_selections.unwrap_or(i32::from(g.required));
        let max = g.max_selections.unwrap_or(if g.required { 1 } else { n });
        if g.required && min < 1 {
            return Err(Invalid::combination(f("min_selections"), "a required group needs at least 1 selection"));
        }
        if !(0..=n).contains(&min) || !(1..=n).contains(&max) || min > max {
            return Err(Invalid::combination(
                f("max_selections"),
                format!(
                    "need 0 <= min_selections <= max_selections <= {n} (the number of options) and max_selections >= 1"
                ),
            ));
        }
        let group_id = old.map_or_else(Uuid::now_v7, |o| o.group_id);
        out.push(CustomizationGroup {
            group_id,
            name,
            required: g.required,
            min_selections: min,
            max_selections: max,
            options,
        });
    }
    Ok(out)
}

impl ItemPatch {
    /// Checks every present field against the restaurant (its categories, veg-only rule) and
    /// writes it into `item`; on any error nothing is kept.
    pub fn apply(self, item: &mut MenuItem, categories: &[Category], veg_only: bool) -> Result<(), ApiError> {
        let mut errs = Vec::new();
        let e = &mut errs;
        let mut next = item.clone();
        if let Some(c) = self.category_id {
            if categories.iter().any(|x| x.category_id == c) {
                next.category_id = c;
            } else {
                e.push(Invalid::combination("category_id", "no such category in this restaurant"));
            }
        }
        if let Some(v) = self.name {
            next.name = gather(e, text("name", &v, 1, 120)).unwrap_or_default();
        }
        if let Some(v) = self.description {
            next.description = gather(e, optional_text("description", v.as_deref(), 1000)).flatten();
        }
        if let Some(v) = self.price {
            next.price = gather(e, Money::parse("price", v)).map(Money::paise).unwrap_or_default();
        }
        if let Some(v) = self.is_veg {
            next.is_veg = v;
        }
        if veg_only && !next.is_veg {
            e.push(Invalid::combination("is_veg", "this restaurant is vegetarian-only"));
        }
        if let Some(v) = self.is_available {
            next.is_available = v;
        }
        if let Some(v) = self.is_bestseller {
            next.is_bestseller = v;
        }
        if let Some(v) = self.stock {
            next.stock = gather(e, stock(v)).flatten();
        }
        if let Some(v) = self.image {
            next.image = gather(e, image_url(v)).flatten();
        }
        if let Some(v) = self.position {
            next.position = clamp_position(v);
        }
        if let Some(v) = self.customizations {
            next.customizations = gather(e, groups(v, &item.customizations)).unwrap_or_default();
        }
        if !errs.is_empty() {
            return Err(ApiError::Invalid(errs));
        }
        *item = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(required: bool, min: Option<i32>, max: Option<i32>, n: usize) -> GroupInput {
        GroupInput {
            group_id: None,
            name: "Size".into(),
            required,
            min_selections: min,
            max_selections: max,
            options: (0..n).map(|i| OptionInput { option_id: None, label: format!("o{i}"), price: 100 }).collect(),
        }
    }

    #[test]
    fn defaults_follow_required() {
        let g = groups(vec![group(true, None, None, 3)], &[]).unwrap();
        assert_eq!((g[0].min_selections, g[0].max_selections), (1, 1));
        let g = groups(vec![group(false, None, None, 3)], &[]).unwrap();
        assert_eq!((g[0].min_selections, g[0].max_selections), (0, 3));
    }

    #[test]
    fn impossible_bounds_are_refused() {
        assert!(groups(vec![group(true, Some(0), None, 3)], &[]).is_err());
        assert!(groups(vec![group(false, Some(2), Some(1), 3)], &[]).is_err());
        assert!(groups(vec![group(false, None, Some(4), 3)], &[]).is_err());
        assert!(groups(vec![group(false, None, None, 0)], &[]).is_err());
    }

    #[test]
    fn ids_survive_an_edit_and_unknown_ids_are_refused() {
        let first = groups(vec![group(true, None, None, 2)], &[]).unwrap();
        let mut again = group(true, None, None, 1);
        again.group_id = Some(first[0].group_id);
        again.options[0].option_id = Some(first[0].options[1].option_id);
        let second = groups(vec![again], &first).unwrap();
        assert_eq!(second[0].group_id, first[0].group_id);
        assert_eq!(second[0].options[0].option_id, first[0].options[1].option_id);
        let mut stranger = group(true, None, None, 1);
        stranger.group_id = Some(Uuid::now_v7());
        assert_eq!(groups(vec![stranger], &first).unwrap_err().field, "customizations[0].group_id");
    }
}
