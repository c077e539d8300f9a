// The cart and checkout: the server's bill, quantity steps, offer codes with the server's reason
// when one does not apply, the minimum order, the address and the payment method. Placing an
// order sends one Idempotency-Key per attempt, so a double click or a retry places one order; a
// price change is shown and asked about, never accepted silently.

import { h, fill, money, toast, busy, errorsOf, screenAlive, safeGateway } from "../ui.js";
import { api, get, qs, place, newKey } from "../api.js";

/** Updates the cart count in the top bar. */
export async function cartCount() {
  const p = place();
  const c = await get(`/cart${qs({ address_id: p?.address_id })}`);
  const n = c.lines.reduce((/** @type {number} */ a, /** @type {any} */ l) => a + l.quantity, 0);
  document.querySelectorAll(".cart-link .count").forEach((el) => { el.textContent = n ? String(n) : ""; });
  return c;
}

/** @param {any} bill @param {any} [offer] */
export function billTable(bill, offer) {
  const row = (/** @type {string} */ label, /** @type {number} */ v, /** @type {string} */ cls = "") => h("tr", { class: cls }, h("th", { scope: "row" }, label), h("td", null, money(v)));
  return h("table", { class: "bill", "aria-label": "Bill" }, h("tbody", null,
    row("Item total", bill.subtotal),
    bill.discount ? row(`Discount${offer?.code ? ` (${offer.code})` : ""}`, -bill.discount, "good") : null,
    row("Delivery fee", bill.delivery_fee),
    bill.packaging_fee ? row("Packaging", bill.packaging_fee) : null,
    row("Taxes", bill.taxes),
    row("To pay", bill.total, "total")));
}

/** @param {any} main */
export function cartScreen(main) {
  const p = place();
  let key = newKey();
  const draw = (/** @type {any} */ cart, /** @type {any} */ restaurant, /** @type {string} */ note = "") => {
    key = newKey();
    if (!cart.lines.length) {
      fill(main, h("section", { class: "card narrow" }, h("h1", null, "Your cart is empty"), h("p", null, h("a", { href: "#/" }, "Find something to eat"))));
      return;
    }
    const below = restaurant && cart.bill.subtotal < restaurant.min_order_value;
    const offerForm = h("form", { class: "row offer-form", "aria-label": "Offer code" });
    const offerErrors = errorsOf(offerForm);
    fill(offerForm, h("label", { class: "grow" }, "Offer code", h("input", { name: "promo_code", maxlength: 20, autocomplete: "off", value: cart.offer?.code || "" })),
      h("button", { type: "submit", class: "secondary" }, "Apply"),
      cart.offer ? h("button", { type: "button", class: "link", onclick: () => change(() => api("DELETE", "/cart/offer")) }, "Remove") : null,
      offerErrors.area);
    offerForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const code = offerForm.elements.promo_code.value.trim().toUpperCase();
      if (!code) return;
      change(() => api("POST", "/cart/apply-offer", { promo_code: code }), offerErrors);
    });
    const pay = h("form", { class: "card checkout", "aria-labelledby": "pay-title" });
    const payErrors = errorsOf(pay);
    const place_ = h("button", { type: "submit", class: "big", disabled: below }, `Place order · ${money(cart.bill.total)}`);
    fill(pay, h("h2", { id: "pay-title" }, "Pay with"),
      h("fieldset", { class: "methods" }, h("legend", { class: "visually-hidden" }, "Payment method"),
        [["UPI", "UPI"], ["CARD", "Card"], ["WALLET", "Dabba wallet"], ["COD", "Cash on delivery"]].map(([v, l], i) =>
          h("label", { class: "option" }, h("input", { type: "radio", name: "payment_method", value: v, checked: i === 0 }), l))),
      h("label", null, "Instructions for the rider (optional)", h("input", { name: "delivery_instructions", maxlength: 500 })),
      h("p", { class: "muted" }, "Delivering to ", h("strong", null, p?.label || "—"), " · ", h("a", { href: "#/place" }, "change")),
      payErrors.area, place_);
    pay.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(place_, () => checkout(pay, payErrors));
    });
    fill(main,
      h("section", { class: "card" },
        h("h1", null, "Your cart"),
        h("p", null, "From ", h("a", { href: `#/r/${cart.restaurant_id}` }, cart.restaurant_name)),
        note ? h("p", { class: "warn", role: "alert" }, note) : null,
        h("ul", { class: "lines" }, cart.lines.map((/** @type {any} */ l) => lineRow(l))),
        offerForm,
        cart.offer && !cart.offer.applied ? h("p", { class: "form-error", role: "alert" }, `${cart.offer.code} does not apply: ${cart.offer.reason}`) : null,
        cart.offer?.applied ? h("p", { class: "good" }, `${cart.offer.code} applied: you save ${money(cart.offer.discount)}`) : null,
        billTable(cart.bill, cart.offer),
        below ? h("p", { class: "warn" }, `The minimum order here is ${money(restaurant.min_order_value)}: add ${money(restaurant.min_order_value - cart.bill.subtotal)} more.`) : null),
      pay);
  };
  /** @param {any} l */
  const lineRow = (l) => h("li", { class: "line" },
    h("div", { class: "grow" }, h("strong", null, l.name),
      l.customizations.length ? h("p", { class: "muted small" }, l.customizations.map((/** @type {any} */ c) => c.label).join(", ")) : null,
      l.problem ? h("p", { class: "warn small" }, l.problem) : null,
      l.previous_unit_price ? h("p", { class: "warn small" }, `Price changed from ${money(l.previous_unit_price)} to ${money(l.unit_price)}`) : null),
    h("div", { class: "stepper", role: "group", "aria-label": `Quantity of ${l.name}` },
      h("button", { type: "button", class: "icon", "aria-label": `One less ${l.name}`, onclick: () => change(() => l.quantity <= 1
        ? api("DELETE", `/cart/items/${l.cart_item_id}`) : api("PUT", `/cart/items/${l.cart_item_id}`, { quantity: l.quantity - 1 })) }, "−"),
      h("output", null, String(l.quantity)),
      h("button", { type: "button", class: "icon", "aria-label": `One more ${l.name}`, onclick: () => change(() => api("PUT", `/cart/items/${l.cart_item_id}`, { quantity: l.quantity + 1 })) }, "+")),
    h("span", { class: "price" }, money(l.line_total)));
  /** Runs a cart change and redraws from the cart it returns. @param {() => Promise<any>} act @param {any} [errors] */
  const change = async (act, errors) => {
    try {
      await act();
    } catch (err) {
      const e = /** @type {any} */ (err);
      if (errors && e.code === "OFFER_NOT_APPLICABLE") { errors.show(e); return; }
      if (errors) errors.show(e); else toast(e.message, "error");
      if (e.status !== 409) return;
    }
    await reload();
  };
  const alive = screenAlive(main);
  const reload = async (/** @type {string} */ note = "") => {
    const cart = await cartCount();
    const restaurant = cart.restaurant_id ? await get(`/restaurants/${cart.restaurant_id}`).catch(() => null) : null;
    if (alive()) draw(cart, restaurant, note);
  };
  /** @param {any} form @param {any} errors */
  const checkout = async (form, errors) => {
    const k = key;
    errors.clear();
    if (!p?.address_id) {
      errors.show({ message: "Choose a saved address to deliver to first." });
      return;
    }
    const f = form.elements;
    const body = { address_id: p.address_id, payment_method: f.payment_method.value,
      ...(f.delivery_instructions.value.trim() ? { delivery_instructions: f.delivery_instructions.value.trim() } : {}) };
    try {
      const r = await api("POST", "/orders", body, { key: k });
      document.querySelectorAll(".cart-link .count").forEach((el) => { el.textContent = ""; });
      if (r.payment?.gateway_url && safeGateway(r.payment.gateway_url)) {
        sessionStorage.setItem("dabba.paying", r.order_id);
        location.href = r.payment.gateway_url;
      } else {
        location.hash = `#/order/${r.order_id}`;
      }
    } catch (err) {
      const e = /** @type {any} */ (err);
      if (e.code === "PRICE_CHANGED" || e.code === "CART_CHANGED" || e.code === "ITEMS_UNAVAILABLE" || e.code === "OUT_OF_STOCK") {
        // The cart changed under us: show it as it is now and let the person decide again.
        await reload(`${e.message}. Check your cart and place the order again.`);
        return;
      }
      // A final refusal: the next attempt is a new request (a retry of the same one keeps its key).
      if (e.status >= 400 && e.status < 500 && e.code !== "REQUEST_IN_PROGRESS") key = newKey();
      errors.show(e);
    }
  };
  reload().catch((err) => fill(main, h("p", { class: "form-error", role: "alert" }, err.message)));
}
