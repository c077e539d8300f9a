// An order as it happens: a status stepper that moves live, the map with the restaurant, the
// home and the rider with the trail of their route, the ETA counting down, the rider's card, the
// delivery code, cancelling (with the fee stated first), rating and reordering. Live over
// /ws/track, with polling while the socket cannot connect.

import { h, fill, money, toast, when, clock, dialog, busy, errorsOf, screenAlive, safeGateway } from "../ui.js";
import { api, get, session, wsUrl, newKey } from "../api.js";
import { live } from "../live.js";
import { orderMap } from "../map.js";
import { billTable } from "./cart.js";
import { rateForm, reorder } from "./orders.js";

/** What a customer may say when cancelling (the dashboard counts cancellations by it). */
const CANCEL_REASONS = ["Ordered by mistake", "Taking too long", "Changed my mind", "Wrong address or payment", "Something else"];

const STEPS = [
  ["CONFIRMED", "Confirmed"], ["PREPARING", "Preparing"], ["READY", "Ready"], ["PICKED_UP", "Picked up"],
  ["OUT_FOR_DELIVERY", "On the way"], ["DELIVERED", "Delivered"],
];
const RANK = { PENDING: 0, CONFIRMED: 1, PREPARING: 2, READY: 3, PICKED_UP: 4, OUT_FOR_DELIVERY: 5, DELIVERED: 6, COMPLETED: 6, CANCELLED: -1 };

/** @param {any} main @param {{id: string}} params */
export function orderScreen(main, { id }) {
  const stepper = h("ol", { class: "stepper-line", "aria-label": "Order progress" });
  const headline = h("p", { class: "headline", role: "status", "aria-live": "polite" });
  const eta = h("p", { class: "eta", "aria-live": "off" });
  const conn = h("p", { class: "conn", role: "status", hidden: true });
  const map = orderMap("Map of the delivery");
  const partner = h("div", { class: "partner" });
  const extra = h("div");
  const details = h("div");
  /** @type {any} */
  let order = null;
  /** @type {any} */
  let restaurant = null;
  /** @type {{lat: number, lng: number}[]} */
  const trail = [];
  let rider = /** @type {{lat: number, lng: number} | null} */ (null);
  let arrival = /** @type {number | null} */ (null);
  let status = "";
  let feed = /** @type {any} */ (null);
  const over = () => status === "DELIVERED" || status === "COMPLETED" || status === "CANCELLED";

  // Back on the order from the pay page (or its Back button): nothing more to resume.
  sessionStorage.removeItem("dabba.paying");
  const alive = screenAlive(main);
  fill(main, h("section", { class: "card order-live" }, h("h1", null, "Your order"), headline, eta, conn, stepper, map.el, partner), extra, details);

  const drawStepper = () => {
    const rank = RANK[/** @type {keyof RANK} */ (status)] ?? 0;
    fill(stepper, status === "CANCELLED" ? h("li", { class: "cancelled", "aria-current": "step" }, "Cancelled") :
      status === "PENDING" ? h("li", { "aria-current": "step" }, "Waiting for payment") :
      STEPS.map(([s, label], i) => h("li", { class: i + 1 < rank ? "done" : i + 1 === rank ? "now" : "", "data-status": s, "aria-current": i + 1 === rank ? "step" : null }, label)));
    main.querySelector(".order-live")?.setAttribute("data-status", status);
  };
  const drawMap = () => {
    if (!order || !restaurant) return;
    map.update({ restaurant: { lat: restaurant.latitude, lng: restaurant.longitude },
      home: { lat: order.delivery_address.latitude, lng: order.delivery_address.longitude }, rider, trail });
  };
  const tick = () => {
    if (arrival === null || RANK[/** @type {keyof RANK} */ (status)] >= 6 || status === "CANCELLED" || status === "PENDING") { eta.textContent = ""; return; }
    const left = Math.max(0, Math.round((arrival - Date.now()) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
    eta.textContent = left === 0 ? "Arriving now" : `Arriving in ${m} min ${String(s).padStart(2, "0")} s · by ${clock(new Date(arrival).toISOString())}`;
    eta.setAttribute("data-seconds", String(left));
  };
  const ticker = setInterval(tick, 1000);

  /** Reads the order (its timeline, code, terms) and draws what does not move every second. */
  const readOrder = async () => {
    const o = await get(`/orders/${id}`);
    const r = restaurant || (await get(`/restaurants/${o.restaurant_id}`));
    if (!alive()) return;
    order = o;
    restaurant = r;
    status = order.status;
    if (arrival === null) arrival = Date.parse(order.estimated_delivery_time);
    drawStepper();
    drawMap();
    drawExtra();
    drawDetails();
    tick();
    // Nothing more will move: no socket to keep, nothing to reconnect.
    if (over()) {
      feed?.stop();
      conn.hidden = true;
    }
  };
  const drawExtra = () => {
    const parts = [];
    if (status === "PENDING" && order.payment_method !== "COD") parts.push(payNow());
    if (order.delivery_otp) parts.push(h("p", { class: "otp" }, "Give this code to your rider: ", h("strong", { "data-otp": order.delivery_otp }, order.delivery_otp)));
    if (order.cancellation) {
      const t = order.cancellation;
      const btn = h("button", { type: "button", class: "secondary danger", onclick: () => busy(btn, async () => {
        const text = t.fee
          ? `The kitchen has started cooking: cancelling now costs ${money(t.fee)}${t.refund ? `, and ${money(t.refund)} comes back to you` : " (you owe it; nothing was paid online)"}.`
          : `Cancelling now is free${t.refund ? `: ${money(t.refund)} comes back to you` : ""}.`;
        const reason = await dialog("Cancel this order?", (close) => {
          const f = h("form", { class: "cancel-reason" });
          fill(f, h("p", null, text), h("fieldset", null, h("legend", null, "Why are you cancelling?"),
            CANCEL_REASONS.map((r, i) => h("label", { class: "inline block" }, h("input", { type: "radio", name: "reason", value: r, checked: i === 0 }), ` ${r}`))),
          h("div", { class: "row end" }, h("button", { type: "button", class: "secondary", onclick: () => close(null) }, "Keep"),
            h("button", { type: "submit" }, t.fee ? `Cancel and pay ${money(t.fee)}` : "Cancel order")));
          f.addEventListener("submit", (e) => { e.preventDefault(); close(f.elements.reason.value); });
          return f;
        });
        if (!reason) return;
        try {
          // The kitchen may have started cooking while the dialog was open: the fee said must hold.
          const now = await get(`/orders/${id}`);
          if ((now.cancellation?.fee ?? null) !== t.fee) {
            toast(now.cancellation ? `The kitchen has just started cooking: cancelling now costs ${money(now.cancellation.fee)}. Look again before you cancel.` : "This order can no longer be cancelled.", "error");
            await readOrder();
            return;
          }
          const r = await api("PUT", `/orders/${id}/cancel`, { reason });
          toast(r.cancellation_fee ? `Order cancelled; fee ${money(r.cancellation_fee)}, refund ${money(r.refund_amount)}` : "Order cancelled");
          await readOrder();
        } catch (err) {
          toast(/** @type {any} */ (err).message, "error");
        }
      }) }, t.fee ? `Cancel order (fee ${money(t.fee)})` : "Cancel order");
      parts.push(btn);
    }
    if ((status === "DELIVERED" || status === "COMPLETED") && !order.rating) parts.push(rateForm(order, readOrder));
    if (order.rating) parts.push(h("p", { class: "muted" }, `You rated the food ${order.rating.restaurant_rating}★ and the delivery ${order.rating.delivery_rating}★. Thank you!`));
    if (RANK[/** @type {keyof RANK} */ (status)] >= 6 || status === "CANCELLED") parts.push(h("button", { type: "button", class: "secondary", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => reorder(id)) }, "Order again"));
    fill(extra, parts.length ? h("section", { class: "card actions" }, parts) : null);
  };
  const drawDetails = () => {
    fill(details, h("section", { class: "card" },
      h("h2", null, restaurant.name),
      h("ul", { class: "lines" }, order.items.map((/** @type {any} */ l) => h("li", { class: "line" },
        h("span", { class: "grow" }, `${l.quantity} × ${l.name}`, l.customizations.length ? h("span", { class: "muted small" }, ` (${l.customizations.map((/** @type {any} */ c) => c.label).join(", ")})`) : null),
        h("span", { class: "price" }, money(l.line_total))))),
      billTable({ subtotal: order.subtotal, discount: order.discount, delivery_fee: order.delivery_fee, packaging_fee: order.packaging_fee, taxes: order.taxes, total: order.total_amount }, { code: order.promo_code }),
      order.cancellation_fee ? h("p", null, `Cancellation fee ${money(order.cancellation_fee)}; refunded ${money(order.refund_amount)}`) : null,
      h("p", { class: "muted" }, `${order.payment_method} · ${order.payment_status.toLowerCase()} · placed ${when(order.created_at)}`),
      h("details", null, h("summary", null, "Timeline"), h("ol", { class: "timeline" }, order.timeline.map((/** @type {any} */ t) =>
        h("li", null, `${when(t.at)} · ${t.status.replaceAll("_", " ").toLowerCase()}${t.note ? ` · ${t.note}` : ""}`))))));
  };
  /** Paying again (or another way) for an order whose online payment did not go through. */
  const payNow = () => {
    const form = h("form", { class: "row", "aria-label": "Pay for this order" });
    const errors = errorsOf(form);
    const submit = h("button", { type: "submit" }, "Pay now");
    fill(form, h("p", { class: "warn grow" }, "This order is waiting for payment", order.pay_by ? ` until ${clock(order.pay_by)}` : "", "."),
      h("label", null, "Pay by", h("select", { name: "method" }, ["UPI", "CARD", "WALLET"].map((m) => h("option", { value: m, selected: m === order.payment_method }, m === "WALLET" ? "Wallet" : m === "CARD" ? "Card" : "UPI")))),
      submit, errors.area);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(submit, async () => {
        errors.clear();
        try {
          const p = await api("POST", "/payments/initiate", { order_id: id, method: form.elements.method.value }, { key: newKey() });
          if (p.gateway_url && safeGateway(p.gateway_url)) {
            sessionStorage.setItem("dabba.paying", id);
            location.href = p.gateway_url;
          } else await readOrder();
        } catch (err) {
          errors.show(err);
        }
      });
    });
    return form;
  };
  /** @param {any} p */
  const drawPartner = (p) => {
    fill(partner, h("p", null, "Your rider ", h("strong", null, p.name), ` · ${p.vehicle_type.toLowerCase()} ${p.vehicle_number}`,
      p.rating ? ` · ★ ${p.rating}` : "", h("br"), h("span", { class: "muted" }, `Phone ${p.phone}`)));
  };
  /** @param {{lat: number, lng: number}} at */
  const trailTo = (at) => {
    const last = trail[trail.length - 1];
    if (!last || last.lat !== at.lat || last.lng !== at.lng) trail.push({ lat: at.lat, lng: at.lng });
  };
  /** @param {{lat: number, lng: number}} at */
  const moved = (at) => {
    trailTo(at);
    rider = at;
    drawMap();
  };
  /** @param {any} msg */
  const onMessage = (msg) => {
    if (msg.type === "status_update") {
      headline.textContent = msg.message;
      if (msg.eta_minutes !== null && msg.eta_minutes !== undefined) arrival = Date.now() + msg.eta_minutes * 60000;
      if (msg.status !== status) {
        status = msg.status;
        drawStepper();
        readOrder().catch(() => {});
      }
    } else if (msg.type === "partner_assigned") drawPartner(msg.partner);
    else if (msg.type === "location_update") {
      if (msg.eta_minutes !== undefined) arrival = Date.now() + msg.eta_minutes * 60000;
      // After the rider's phone was offline: the way they went, then where they are.
      for (const p of msg.path || []) trailTo(p);
      moved(msg.location);
    } else if (msg.type === "delivered") {
      status = "DELIVERED";
      readOrder().catch(() => {});
    } else if (msg.type === "session_ended") toast("Your session ended: sign in again.", "error");
  };
  const poll = async () => {
    const t = await get(`/tracking/${id}`);
    headline.textContent = t.message;
    if (t.partner) drawPartner(t.partner);
    if (t.location) moved(t.location);
    if (t.eta_minutes !== null && t.eta_minutes !== undefined) arrival = Date.now() + t.eta_minutes * 60000;
    if (t.status !== status || !order) await readOrder();
  };
  feed = live({
    url: () => wsUrl(`/ws/track?order_id=${id}&token=${encodeURIComponent(session()?.token || "")}`),
    onMessage,
    poll,
    onState: (up) => { conn.hidden = up; conn.textContent = up ? "" : "Reconnecting… the page keeps checking meanwhile."; },
  });
  readOrder().catch((err) => { if (alive()) fill(main, h("p", { class: "form-error", role: "alert" }, err.message)); });
  return () => { feed.stop(); clearInterval(ticker); };
}
