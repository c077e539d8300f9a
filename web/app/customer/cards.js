// A restaurant's card in lists and search results.

import { h, money, clock } from "../ui.js";

/** The delivery estimate the listing gave for a restaurant, for its page's header. @param {string} id */
export function knownCard(id) {
  try {
    return JSON.parse(sessionStorage.getItem(`dabba.card.${id}`) || "null");
  } catch {
    return null;
  }
}

/** @param {any} r a RestaurantCard */
export function restaurantCard(r) {
  sessionStorage.setItem(`dabba.card.${r.restaurant_id}`, JSON.stringify({ minutes: r.estimated_delivery_minutes, km: r.distance_km }));
  const closed = !r.is_open;
  return h("li", { class: `rcard${closed ? " closed" : ""}` },
    h("a", { href: `#/r/${r.restaurant_id}`, "aria-label": `${r.name}${closed ? ", closed now" : ""}` },
      h("div", { class: "rcard-top" },
        h("h3", null, r.name),
        r.rating_count ? h("span", { class: "rating", "aria-label": `rated ${r.rating_avg.toFixed(1)} of 5` }, `★ ${r.rating_avg.toFixed(1)}`) : h("span", { class: "badge" }, "New")),
      h("p", { class: "muted clip" }, r.cuisines.join(", ")),
      h("p", { class: "facts" },
        h("span", null, `${r.estimated_delivery_minutes} min`),
        h("span", null, `${r.distance_km.toFixed(1)} km`),
        h("span", null, `${money(r.cost_for_two)} for two`),
        r.is_veg ? h("span", { class: "pure-veg" }, "Pure veg") : null,
        r.has_offer ? h("span", { class: "offer" }, "Offer") : null),
      closed ? h("p", { class: "closed-note" }, r.opens_at ? `Closed · opens ${clock(r.opens_at)}` : "Closed now") : null));
}
