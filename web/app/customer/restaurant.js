// A restaurant's page: header (rating, delivery time, cost for two, distance, offers), category
// navigation, the menu with veg and bestseller marks, unavailable and sold-out dishes shown as
// such, and the dialog for a dish's choices, which enforces each group's rules before adding.

import { h, fill, money, toast, vegMark, dialog, confirmBox, busy, screenAlive } from "../ui.js";
import { api, get, qs, place } from "../api.js";
import { cartCount } from "./cart.js";
import { knownCard } from "./cards.js";

/** Distance in km between two points (haversine), for display. */
function km(/** @type {number} */ a1, /** @type {number} */ o1, /** @type {number} */ a2, /** @type {number} */ o2) {
  const r = Math.PI / 180;
  const x = Math.sin(((a2 - a1) * r) / 2) ** 2 + Math.cos(a1 * r) * Math.cos(a2 * r) * Math.sin(((o2 - o1) * r) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(x));
}

/** @param {any} main @param {{id: string}} params */
export function restaurantScreen(main, { id }) {
  const p = place();
  fill(main, h("p", { class: "muted" }, "Loading the menu…"));
  const alive = screenAlive(main);
  Promise.all([get(`/restaurants/${id}`), get(`/restaurants/${id}/menu`), p ? get(`/offers${qs({ lat: p.lat, lng: p.lng })}`).catch(() => []) : []])
    .then(([r, menu, offers]) => alive() && draw(main, r, menu, offers), (err) => alive() && fill(main, h("p", { class: "form-error", role: "alert" }, err.message)));
}

/** @param {any} main @param {any} r @param {any} menu @param {any} offersIn */
function draw(main, r, menu, offersIn) {
  const p = place();
  const offers = (Array.isArray(offersIn) ? offersIn : offersIn.offers || []).filter((/** @type {any} */ o) =>
    o.applicable_to !== "RESTAURANT" || (o.restaurant_ids || []).includes(r.restaurant_id));
  const known = knownCard(r.restaurant_id);
  const distance = known ? known.km : p ? km(p.lat, p.lng, r.latitude, r.longitude) : null;
  const cats = menu.categories.filter((/** @type {any} */ c) => c.items.length);
  const head = h("header", { class: "card rhead" },
    h("h1", null, r.name),
    h("p", { class: "muted" }, r.cuisines.join(", ")),
    h("p", { class: "facts" },
      h("span", { class: "rating" }, `★ ${r.rating_avg.toFixed(1)}`), h("span", null, `${r.rating_count} ratings`),
      known ? h("span", null, `${known.minutes} min`) : h("span", null, `Cooks in ~${r.avg_preparation_minutes} min`),
      distance === null ? null : h("span", null, `${distance.toFixed(1)} km`),
      h("span", null, `${money(r.cost_for_two)} for two`),
      r.min_order_value ? h("span", null, `Minimum order ${money(r.min_order_value)}`) : null),
    menu.is_open ? null : h("p", { class: "closed-note", role: "status" }, "Closed now: you can look, but not order."),
    offers.length ? h("ul", { class: "offers", "aria-label": "Offers" }, offers.map((/** @type {any} */ o) =>
      h("li", null, h("strong", null, o.code), " ", o.description || ""))) : null);
  const nav = h("nav", { class: "catnav", "aria-label": "Menu categories" },
    cats.map((/** @type {any} */ c) => h("a", { href: `#cat-${c.category_id}`, onclick: (/** @type {Event} */ e) => {
      e.preventDefault();
      document.getElementById(`cat-${c.category_id}`)?.scrollIntoView({ behavior: "smooth" });
    } }, c.name)));
  const sections = cats.map((/** @type {any} */ c) => h("section", { id: `cat-${c.category_id}`, class: "cat", "aria-labelledby": `h-${c.category_id}` },
    h("h2", { id: `h-${c.category_id}` }, c.name),
    h("ul", { class: "items" }, c.items.map((/** @type {any} */ it) => itemRow(r, it, menu.is_open)))));
  fill(main, head, nav, sections.length ? sections : h("p", { class: "muted" }, "No dishes on the menu yet."));
}

/** @param {any} it */
function soldOut(it) {
  return it.stock !== null && it.stock !== undefined && it.stock <= 0;
}

/** @param {any} r @param {any} it @param {boolean} open */
function itemRow(r, it, open) {
  const unavailable = !it.is_available || soldOut(it);
  const add = h("button", { type: "button", class: "add", disabled: unavailable || !open, "aria-label": `Add ${it.name}`,
    onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => addItem(r, it)) }, unavailable ? (soldOut(it) ? "Sold out" : "Unavailable") : "Add");
  return h("li", { class: `item${unavailable ? " unavailable" : ""}`, "data-item": it.item_id },
    h("div", { class: "item-text" },
      h("p", null, vegMark(it.is_veg), it.is_bestseller ? h("span", { class: "badge" }, "Bestseller") : null),
      h("h3", null, it.name),
      h("p", { class: "price" }, money(it.price)),
      it.description ? h("p", { class: "muted clip2" }, it.description) : null,
      it.customizations.length ? h("p", { class: "muted small" }, "Customisable") : null,
      it.stock !== null && it.stock !== undefined && it.stock > 0 && it.stock <= 5 ? h("p", { class: "warn small" }, `Only ${it.stock} left`) : null),
    add);
}

/** Picks options (when the dish has any) and adds it; asks before replacing another restaurant's cart. @param {any} r @param {any} it */
async function addItem(r, it) {
  let picked = { quantity: 1, customizations: /** @type {any[]} */ ([]) };
  if (it.customizations.length) {
    const chosen = await chooseOptions(it);
    if (!chosen) return;
    picked = chosen;
  }
  const body = { restaurant_id: r.restaurant_id, item_id: it.item_id, quantity: picked.quantity, customizations: picked.customizations };
  try {
    await api("POST", "/cart/items", body);
  } catch (err) {
    const e = /** @type {any} */ (err);
    if (e.code !== "CART_RESTAURANT_CONFLICT") return toast(e.message, "error");
    const yes = await confirmBox("Replace your cart?", `Your cart has dishes from another restaurant. Start a new cart with ${it.name} from ${r.name}?`, "Replace cart");
    if (!yes) return;
    try {
      await api("POST", "/cart/items", { ...body, replace_cart: true });
    } catch (err2) {
      return toast(/** @type {any} */ (err2).message, "error");
    }
  }
  toast(`${it.name} added to your cart`);
  cartCount().catch(() => {});
}

/** The choices dialog; resolves with {quantity, customizations} or null. @param {any} it */
function chooseOptions(it) {
  return dialog(it.name, (close) => {
    const form = h("form", { class: "options" });
    const problem = h("p", { class: "form-error", role: "alert", hidden: true });
    let qty = 1;
    const qtyOut = h("output", { "aria-live": "polite" }, "1");
    const groups = it.customizations.map((/** @type {any} */ g) => {
      const single = g.max_selections === 1;
      const rule = g.required || g.min_selections > 0
        ? (single ? "Required · choose 1" : `Required · choose ${g.min_selections}–${g.max_selections}`)
        : `Optional · up to ${g.max_selections}`;
      return h("fieldset", { "data-group": g.group_id },
        h("legend", null, g.name, h("span", { class: "muted small" }, ` ${rule}`)),
        g.options.map((/** @type {any} */ o) => h("label", { class: "option" },
          h("input", { type: single ? "radio" : "checkbox", name: `g-${g.group_id}`, value: o.option_id }),
          h("span", null, o.label), h("span", { class: "muted" }, o.price ? `+${money(o.price)}` : ""))));
    });
    const submit = h("button", { type: "submit" }, "Add to cart");
    fill(form, it.description ? h("p", { class: "muted" }, it.description) : null, groups,
      h("div", { class: "row stepper" }, h("span", null, "Quantity"),
        h("button", { type: "button", class: "icon", "aria-label": "One less", onclick: () => { qty = Math.max(1, qty - 1); qtyOut.textContent = String(qty); } }, "−"),
        qtyOut,
        h("button", { type: "button", class: "icon", "aria-label": "One more", onclick: () => { qty = Math.min(50, qty + 1); qtyOut.textContent = String(qty); } }, "+")),
      problem, submit);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const customizations = [];
      for (const g of it.customizations) {
        const ids = [...form.querySelectorAll(`input[name="g-${g.group_id}"]:checked`)].map((/** @type {any} */ i) => i.value);
        const min = Math.max(g.min_selections, g.required ? 1 : 0);
        if (ids.length < min || ids.length > g.max_selections) {
          problem.hidden = false;
          problem.textContent = ids.length < min ? `Choose ${min === 1 ? "one" : `at least ${min}`} in “${g.name}”.` : `Choose at most ${g.max_selections} in “${g.name}”.`;
          form.querySelector(`[data-group="${g.group_id}"] input`)?.focus();
          return;
        }
        if (ids.length) customizations.push({ group_id: g.group_id, option_ids: ids });
      }
      close({ quantity: qty, customizations });
    });
    return form;
  });
}

