// Home: restaurants that deliver to the chosen place, with the listing's filters as chips and a
// search box that suggests dishes, cuisines and restaurants on every keystroke; the results
// page for restaurants and dishes.

import { h, fill, money, toast, vegMark } from "../ui.js";
import { get, qs, place } from "../api.js";
import { restaurantCard } from "./cards.js";

/** @type {Array<[string, string, any]>} */
const CHIPS = [
  ["veg_only", "Pure veg", true],
  ["min_rating", "Rating 4.0+", 4],
  ["has_offer", "Offers", true],
  ["open_now", "Open now", true],
  ["max_delivery_time", "Under 30 min", 30],
  ["max_cost_for_two", "Under ₹300 for two", 30000],
];
const SORTS = [["distance", "Nearest"], ["rating", "Rating"], ["delivery_time", "Delivery time"], ["cost", "Cost for two"]];
const CUISINES = ["North Indian", "South Indian", "Chinese", "Biryani", "Pizza", "Burgers", "Desserts", "Street Food", "Italian", "Bengali"];

/** The search box with its suggestions (an ARIA combobox). @param {string} initial */
export function searchBox(initial = "") {
  const p = place();
  const list = h("ul", { id: "suggestions", role: "listbox", class: "suggestions", hidden: true, "aria-label": "Suggestions" });
  const input = h("input", { type: "search", name: "q", value: initial, placeholder: "Search dishes, cuisines, restaurants",
    role: "combobox", "aria-expanded": "false", "aria-controls": "suggestions", "aria-autocomplete": "list", autocomplete: "off", maxlength: 100 });
  const form = h("form", { class: "search", role: "search" }, h("label", { class: "visually-hidden", for: "q" }, "Search"), input, list);
  input.id = "q";
  let seq = 0;
  let active = -1;
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
  /** @param {any} s */
  const go = (s) => {
    close();
    if (s.type === "restaurant" && s.restaurant_id) location.hash = `#/r/${s.restaurant_id}`;
    else location.hash = `#/search${qs({ q: s.text, type: s.type === "restaurant" ? "restaurant" : "dish" })}`;
  };
  input.addEventListener("input", async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q || !p) return close();
    try {
      const r = await get(`/search/suggestions${qs({ q, lat: p.lat, lng: p.lng, limit: 8 })}`);
      if (mine !== seq) return;
      if (!r.suggestions.length) return close();
      fill(list, r.suggestions.map((/** @type {any} */ s, /** @type {number} */ i) => h("li", { role: "option", id: `sug-${i}`, "aria-selected": "false",
        onmousedown: (/** @type {Event} */ e) => { e.preventDefault(); go(s); } },
        h("span", null, s.text), h("span", { class: "muted" }, s.type))));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      list._items = r.suggestions;
    } catch {
      close();
    }
  });
  input.addEventListener("keydown", (/** @type {KeyboardEvent} */ e) => {
    const items = list.hidden ? [] : list.querySelectorAll("li");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!items.length) return;
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach((/** @type {any} */ li, /** @type {number} */ i) => li.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", `sug-${active}`);
    } else if (e.key === "Escape") close();
    else if (e.key === "Enter" && active >= 0 && items.length) {
      e.preventDefault();
      go(list._items[active]);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) location.hash = `#/search${qs({ q, type: "dish" })}`;
  });
  return form;
}

/** @param {any} main */
export function homeScreen(main) {
  const p = place();
  if (!p) return;
  /** @type {Record<string, any>} */
  const filters = JSON.parse(sessionStorage.getItem("dabba.filters") || "{}");
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Filters" });
  const list = h("ul", { class: "cards", "aria-label": "Restaurants" });
  const more = h("button", { type: "button", class: "secondary more", hidden: true }, "Show more restaurants");
  const count = h("p", { class: "muted", "aria-live": "polite" });
  let page = 1;
  let loading = false;
  // Each reload starts a new generation: answers of an older one are dropped.
  let generation = 0;
  const drawChips = () => {
    fill(chips,
      CHIPS.map(([key, label, value]) => h("button", { type: "button", class: "chip", "aria-pressed": String(filters[key] !== undefined),
        onclick: () => { if (filters[key] !== undefined) delete filters[key]; else filters[key] = value; reload(); } }, label)),
      h("label", { class: "chip-select" }, h("span", { class: "visually-hidden" }, "Cuisine"),
        h("select", { name: "cuisine", onchange: (/** @type {any} */ e) => { if (e.target.value) filters.cuisine = e.target.value; else delete filters.cuisine; reload(); } },
          h("option", { value: "" }, "All cuisines"), CUISINES.map((c) => h("option", { value: c, selected: filters.cuisine === c }, c)))),
      h("label", { class: "chip-select" }, h("span", { class: "visually-hidden" }, "Sort by"),
        h("select", { name: "sort", onchange: (/** @type {any} */ e) => { filters.sort = e.target.value; reload(); } },
          SORTS.map(([v, l]) => h("option", { value: v, selected: (filters.sort || "distance") === v }, `Sort: ${l}`)))));
  };
  const load = async () => {
    if (loading) return;
    loading = true;
    more.disabled = true;
    const mine = generation;
    try {
      const r = await get(`/restaurants${qs({ lat: p.lat, lng: p.lng, ...filters, page, limit: 20 })}`);
      if (mine !== generation) return;
      list.append(...r.restaurants.map(restaurantCard));
      count.textContent = r.total === 0 ? "No restaurant delivers here with these filters." :
        `${r.total_exact ? r.total : `${r.total}+`} restaurants deliver here`;
      more.hidden = page * r.limit >= r.total || r.restaurants.length === 0;
      page += 1;
    } catch (err) {
      toast(/** @type {any} */ (err).message, "error");
    } finally {
      if (mine === generation) {
        loading = false;
        more.disabled = false;
      }
    }
  };
  const reload = () => {
    sessionStorage.setItem("dabba.filters", JSON.stringify(filters));
    generation += 1;
    loading = false;
    page = 1;
    fill(list);
    drawChips();
    load();
  };
  more.addEventListener("click", load);
  // Infinite scroll: the next page loads as the button comes into view.
  const seen = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && !more.hidden) load(); });
  seen.observe(more);
  fill(main, searchBox(), chips, h("h1", null, "Restaurants near you"), count, list, more);
  reload();
  return () => seen.disconnect();
}

/** @param {any} main @param {{query: URLSearchParams}} params */
export function searchScreen(main, { query }) {
  const p = place();
  const q = query.get("q") || "";
  const type = query.get("type") === "restaurant" ? "restaurant" : "dish";
  const results = h("ul", { class: type === "dish" ? "dishes" : "cards", "aria-label": "Results" });
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": "Show" },
    h("a", { href: `#/search${qs({ q, type: "dish" })}`, "aria-current": type === "dish" ? "page" : null }, "Dishes"),
    h("a", { href: `#/search${qs({ q, type: "restaurant" })}`, "aria-current": type === "restaurant" ? "page" : null }, "Restaurants"));
  const note = h("p", { class: "muted", "aria-live": "polite" }, "Searching…");
  fill(main, searchBox(q), h("h1", null, `Results for “${q}”`), tabs, note, results);
  if (!p) return;
  get(`/search${qs({ q, lat: p.lat, lng: p.lng, type, limit: 30 })}`).then((r) => {
    note.textContent = r.total ? `${r.total} found` : "Nothing found nearby. Try another word.";
    if (type === "restaurant") fill(results, (r.restaurants || []).map(restaurantCard));
    else fill(results, (r.dishes || []).map((/** @type {any} */ d) => h("li", { class: "dish-hit" },
      h("a", { href: `#/r/${d.restaurant.restaurant_id}` }, vegMark(d.is_veg), h("strong", null, d.name),
        d.is_bestseller ? h("span", { class: "badge" }, "Bestseller") : null,
        h("span", { class: "price" }, money(d.price)),
        h("span", { class: "muted" }, `${d.restaurant.name} · ${d.restaurant.estimated_delivery_minutes} min${d.restaurant.is_open ? "" : " · closed"}`)))));
  }, (err) => { note.textContent = err.message; });
}
