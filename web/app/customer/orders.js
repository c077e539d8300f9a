// Past and current orders, reordering (with the API's notes about changed or missing dishes)
// and rating the food, the delivery and each dish.

import { h, fill, money, when, toast, busy, errorsOf, dialog } from "../ui.js";
import { api, get } from "../api.js";

/** @param {any} main */
export function ordersScreen(main) {
  const list = h("ul", { class: "list orders", "aria-label": "Orders" });
  fill(main, h("section", { class: "card" }, h("h1", null, "Your orders"), list));
  get("/orders?limit=50").then((orders) => {
    if (!orders.length) return fill(list, h("li", { class: "muted" }, "No orders yet."));
    fill(list, orders.map((/** @type {any} */ o) => h("li", null,
      h("a", { href: `#/order/${o.order_id}`, class: "row-button" },
        h("strong", null, `${money(o.total_amount)} · ${o.status.replaceAll("_", " ").toLowerCase()}`),
        h("span", { class: "muted" }, when(o.created_at))))));
  }, (err) => fill(list, h("li", { class: "form-error" }, err.message)));
}

/** Puts the order's dishes back in the cart and shows what changed. @param {string} id */
export async function reorder(id) {
  try {
    const r = await api("POST", `/orders/${id}/reorder`);
    const notes = [...r.unavailable.map((/** @type {any} */ n) => `${n.name}: ${n.reason}`), ...r.price_changes.map((/** @type {any} */ n) => `${n.name}: ${n.reason}`)];
    if (notes.length) {
      await dialog("Some things changed", (close) => h("div", null, h("ul", { class: "notes" }, notes.map((n) => h("li", null, n))),
        h("div", { class: "row end" }, h("button", { type: "button", onclick: () => close(true) }, "See the cart"))));
    }
    location.hash = "#/cart";
  } catch (err) {
    toast(/** @type {any} */ (err).message, "error");
  }
}

/** Stars as radio buttons. @param {string} name @param {string} label @param {boolean} [required] */
function stars(name, label, required = true) {
  return h("fieldset", { class: "stars" }, h("legend", null, label),
    [1, 2, 3, 4, 5].map((n) => h("label", null, h("input", { type: "radio", name, value: n, required }), h("span", { "aria-hidden": "true" }, "★"), h("span", { class: "visually-hidden" }, `${n} of 5`))));
}

/** The rating form of a delivered order. @param {any} order @param {() => Promise<any>} done */
export function rateForm(order, done) {
  const form = h("form", { class: "rate", "aria-label": "Rate your order" });
  const errors = errorsOf(form);
  const submit = h("button", { type: "submit" }, "Send rating");
  fill(form, h("h2", null, "How was it?"), stars("restaurant_rating", "Food"), stars("delivery_rating", "Delivery"),
    order.items.length ? h("details", null, h("summary", null, "Rate each dish (optional)"),
      order.items.map((/** @type {any} */ l) => stars(`dish-${l.item_id}`, l.name, false))) : null,
    h("label", null, "Review (optional)", h("textarea", { name: "review_text", maxlength: 1000, rows: 2 })),
    errors.area, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      const f = form.elements;
      const dish_ratings = order.items.map((/** @type {any} */ l) => ({ item_id: l.item_id, rating: Number(form.querySelector(`input[name="dish-${l.item_id}"]:checked`)?.value || 0) }))
        .filter((/** @type {any} */ d) => d.rating > 0);
      try {
        await api("POST", "/ratings", { order_id: order.order_id, restaurant_rating: Number(f.restaurant_rating.value), delivery_rating: Number(f.delivery_rating.value),
          ...(dish_ratings.length ? { dish_ratings } : {}), ...(f.review_text.value.trim() ? { review_text: f.review_text.value.trim() } : {}) });
        toast("Thanks for rating!");
        await done();
      } catch (err) {
        errors.show(err);
      }
    });
  });
  return form;
}
