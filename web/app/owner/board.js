// The restaurant's live order board: new, preparing, ready and picked-up columns that follow
// /ws/kitchen without a reload (a new order or a cancellation plays a sound and shows a banner);
// accept with preparation minutes or reject with a reason, mark ready, the rider's arrival and
// the accept deadline counting down. Also pausing, the kitchen limit and opening hours.

import { h, fill, money, clock, toast, busy, dialog, errorsOf } from "../ui.js";
import { api, get, session, wsUrl } from "../api.js";
import { live } from "../live.js";

/** @param {any} main */
export function kitchenList(main) {
  const list = h("ul", { class: "list" });
  fill(main, h("section", { class: "card" }, h("h1", null, "Your restaurants"), list));
  get("/restaurants/mine").then((rs) => {
    if (rs.length === 1 && !sessionStorage.getItem("dabba.kitchen.listed")) {
      sessionStorage.setItem("dabba.kitchen.listed", "1");
      location.hash = `#/kitchen/${rs[0].restaurant_id}`;
      return;
    }
    fill(list, rs.length ? rs.map((/** @type {any} */ r) => h("li", null, h("a", { class: "row-button", href: `#/kitchen/${r.restaurant_id}` },
      h("strong", null, r.name), h("span", { class: "muted" }, r.is_paused ? "paused" : r.is_open ? "open" : "closed")))) : h("li", { class: "muted" }, "No restaurants yet."));
  }, (err) => fill(list, h("li", { class: "form-error" }, err.message)));
}

/** @type {Array<[string, string, string[]]>} */
const COLUMNS = [
  ["new", "New", ["CONFIRMED"]],
  ["preparing", "Preparing", ["PREPARING"]],
  ["ready", "Ready", ["READY"]],
  ["out", "Picked up", ["PICKED_UP", "OUT_FOR_DELIVERY"]],
];
const REJECT_REASONS = ["Item out of stock", "Kitchen too busy", "Closing soon", "Cannot deliver this order"];

/** A short chime, made here (no audio file to fetch). Browsers may hold it back until the page was clicked once. */
function chime() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator(), g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.2, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.6);
  } catch {
    // No sound: the banner still says it.
  }
}

/** @param {any} main @param {{id: string}} params */
export function boardScreen(main, { id }) {
  const banner = h("div", { class: "banner", role: "alert", hidden: true });
  const conn = h("p", { class: "conn", role: "status", hidden: true });
  const failed = h("p", { class: "form-error", role: "alert", hidden: true });
  const head = h("div", { class: "board-head" });
  const cols = Object.fromEntries(COLUMNS.map(([key, label]) => [key, h("ol", { class: "tickets", "aria-label": `${label} orders` })]));
  const counts = Object.fromEntries(COLUMNS.map(([key]) => [key, h("span", { class: "count" })]));
  const board = h("div", { class: "board" }, COLUMNS.map(([key, label]) => h("section", { class: `col col-${key}`, "aria-labelledby": `col-${key}` },
    h("h2", { id: `col-${key}` }, label, " ", counts[key]), cols[key])));
  const settings = h("section", { class: "card", "aria-labelledby": "settings-title" });
  fill(main, banner, head, conn, failed, board, settings);
  /** @type {any} */
  let restaurant = null;
  /** @type {Map<string, any>} */
  const lines = new Map();
  /** @type {Map<string, string>} */
  const known = new Map();
  let first = true;
  let reads = 0;
  /** Minutes typed into a ticket, kept across redraws. @type {Map<string, string>} */
  const typed = new Map();

  const drawHead = () => {
    fill(head, h("h1", null, restaurant.name),
      h("p", { class: "facts" }, h("span", { class: restaurant.is_paused ? "warn" : "good" }, restaurant.is_paused ? "Paused: not taking orders" : restaurant.is_open ? "Open: taking orders" : "Closed now"),
        h("button", { type: "button", class: "secondary", "aria-pressed": String(restaurant.is_paused), onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
          try {
            restaurant = await api("PATCH", `/restaurants/${id}`, { is_paused: !restaurant.is_paused });
            toast(restaurant.is_paused ? "Paused: customers cannot order" : "Taking orders again");
            drawHead();
          } catch (err) {
            toast(/** @type {any} */ (err).message, "error");
          }
        }) }, restaurant.is_paused ? "Resume orders" : "Pause orders"),
        h("a", { href: `#/kitchen/${id}/menu` }, "Edit menu"),
        h("a", { href: `#/kitchen/${id}/payouts` }, "Payouts and reviews")));
  };
  const ticker = setInterval(() => {
    main.querySelectorAll("[data-deadline]").forEach((/** @type {any} */ el) => {
      const left = Math.max(0, Math.round((Number(el.dataset.deadline) - Date.now()) / 1000));
      el.textContent = left ? `Accept within ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "Accept time is up";
      el.classList.toggle("urgent", left < 60);
    });
  }, 1000);

  /** @param {any} o */
  const ticket = (o) => {
    const l = lines.get(o.order_id);
    const actions = [];
    if (o.status === "CONFIRMED") {
      const minutes = h("input", { type: "number", name: "minutes", min: 1, max: 180, "aria-label": "Preparation minutes",
        value: typed.get(o.order_id) || o.estimated_preparation_minutes || restaurant.avg_preparation_minutes,
        oninput: (/** @type {any} */ e) => typed.set(o.order_id, e.target.value) });
      actions.push(h("label", { class: "inline small" }, "Ready in ", minutes, " min"),
        h("button", { type: "button", "data-action": "accept", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => move(o, { status: "PREPARING", estimated_preparation_minutes: Number(minutes.value) })) }, "Accept"),
        h("button", { type: "button", class: "secondary danger", "data-action": "reject", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => reject(o)) }, "Reject"));
    } else if (o.status === "PREPARING") {
      actions.push(h("button", { type: "button", "data-action": "ready", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => move(o, { status: "READY" })) }, "Mark ready"));
    }
    const short = o.order_id.slice(-6).toUpperCase();
    return h("li", { class: "ticket", "data-order": o.order_id, "data-status": o.status, "aria-label": `Order ${short}` },
      h("p", { class: "row" }, h("strong", { class: "grow" }, `#${short}`), h("span", null, money(o.total_amount))),
      h("p", { class: "muted small" }, `${clock(o.created_at)} · ${o.payment_method === "COD" ? "cash" : "paid"}`),
      l ? h("ul", { class: "ticket-lines" }, l.items.map((/** @type {any} */ i) => h("li", null, `${i.quantity} × ${i.name}`,
        i.customizations.length ? h("span", { class: "muted" }, ` (${i.customizations.map((/** @type {any} */ c) => c.label).join(", ")})`) : null))) : null,
      o.delivery_instructions ? h("p", { class: "small" }, `Note: ${o.delivery_instructions}`) : null,
      o.status === "CONFIRMED" && o.accept_by ? h("p", { class: "deadline small", "data-deadline": Date.parse(o.accept_by) }) : null,
      o.estimated_preparation_minutes && o.status === "PREPARING" ? h("p", { class: "small" }, `Promised in ${o.estimated_preparation_minutes} min`) : null,
      o.rider_arrival ? h("p", { class: "small rider" }, `Rider ${o.rider_arrival.minutes ? `arrives in ~${o.rider_arrival.minutes} min` : "is here"} (${o.rider_arrival.distance_km.toFixed(1)} km)`) : null,
      actions.length ? h("div", { class: "row actions" }, actions) : null);
  };
  /** @param {any} o @param {any} body */
  const move = async (o, body) => {
    try {
      await api("PATCH", `/restaurants/${id}/orders/${o.order_id}/status`, body);
      await read();
    } catch (err) {
      toast(/** @type {any} */ (err).message, "error");
      await read();
    }
  };
  /** @param {any} o */
  const reject = async (o) => {
    const reason = await dialog("Reject this order?", (close) => {
      const form = h("form");
      fill(form, h("fieldset", null, h("legend", null, "Why?"), REJECT_REASONS.map((r, i) => h("label", { class: "option" }, h("input", { type: "radio", name: "reason", value: r, checked: i === 0 }), r))),
        h("p", { class: "muted" }, "The customer is refunded in full."),
        h("div", { class: "row end" }, h("button", { type: "submit", class: "danger" }, "Reject order")));
      form.addEventListener("submit", (e) => { e.preventDefault(); close(form.elements.reason.value); });
      return form;
    });
    if (reason) await move(o, { status: "CANCELLED", reason });
  };

  const read = async () => {
    if (!restaurant) {
      restaurant = await get(`/restaurants/${id}`);
      drawHead();
      drawSettings(settings, id, () => restaurant, (r) => { restaurant = r; drawHead(); });
    }
    const mine = ++reads;
    // Each column by its status (a rush cannot push older tickets off a page of "newest"), and
    // the newest orders for what just ended (a cancellation to announce).
    const statuses = COLUMNS.flatMap(([, , ss]) => ss);
    const [recent, ...columns] = await Promise.all([get(`/restaurants/${id}/orders?limit=20`),
      ...statuses.map((st) => get(`/restaurants/${id}/orders?status=${st}&limit=50`))]);
    const active = columns.flat();
    const orders = [...active, ...recent.filter((/** @type {any} */ o) => !active.some((/** @type {any} */ a) => a.order_id === o.order_id))];
    await Promise.all(active.filter((/** @type {any} */ o) => !lines.has(o.order_id)).map(async (/** @type {any} */ o) => {
      // A failed read is tried again at the next one, not remembered as empty.
      const view = await get(`/orders/${o.order_id}`).catch(() => null);
      if (view) lines.set(o.order_id, view);
    }));
    // A newer read started meanwhile: its answer is the one to show.
    if (mine !== reads) return;
    failed.hidden = true;
    // What is news since the last read: a new order, or a cancellation of one we showed.
    for (const o of orders) {
      const before = known.get(o.order_id);
      if (!first && before !== o.status) {
        if (o.status === "CONFIRMED" && (!before || before === "PENDING")) alert(`New order #${o.order_id.slice(-6).toUpperCase()} · ${money(o.total_amount)}`);
        if (o.status === "CANCELLED" && before && before !== "CANCELLED") alert(`Order #${o.order_id.slice(-6).toUpperCase()} was cancelled${o.cancel_reason ? `: ${o.cancel_reason}` : ""}`);
      }
      known.set(o.order_id, o.status);
    }
    first = false;
    for (const [key, , statuses] of COLUMNS) {
      const here = active.filter((/** @type {any} */ o) => statuses.includes(o.status));
      fill(cols[key], here.length ? here.map(ticket) : h("li", { class: "muted empty" }, "None"));
      counts[key].textContent = here.length ? `(${here.length})` : "";
    }
  };
  /** A board that cannot load says so. @param {any} err */
  const shown = (err) => {
    failed.hidden = false;
    failed.textContent = `Could not load the orders: ${err.message}`;
  };
  /** @param {string} text */
  const alert = (text) => {
    chime();
    banner.hidden = false;
    fill(banner, h("span", { class: "grow" }, text), h("button", { type: "button", class: "icon", "aria-label": "Dismiss", onclick: () => { banner.hidden = true; } }, "✕"));
  };
  let pending = /** @type {any} */ (null);
  const feed = live({
    url: () => wsUrl(`/ws/kitchen?restaurant_id=${id}&token=${encodeURIComponent(session()?.token || "")}`),
    // Changes come in bursts (an order's several events): one read for a burst.
    // "ready": subscribed, so nothing after this read is missed; read then.
    onMessage: (m) => { if (m.type === "order_changed" || m.type === "ready") { clearTimeout(pending); pending = setTimeout(() => read().catch(shown), 150); } },
    poll: () => read().catch(shown),
    onState: (up) => { conn.hidden = up; conn.textContent = up ? "" : "Connection lost: reconnecting, and checking for orders every few seconds meanwhile."; },
  });
  return () => { feed.stop(); clearInterval(ticker); clearTimeout(pending); };
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** Kitchen limit and opening hours. @param {any} box @param {string} id @param {() => any} current @param {(r: any) => void} saved */
function drawSettings(box, id, current, saved) {
  const r = current();
  const form = h("form", { "aria-labelledby": "settings-title" });
  const errors = errorsOf(form);
  const submit = h("button", { type: "submit", class: "secondary" }, "Save settings");
  fill(form, h("h2", { id: "settings-title" }, "Settings"),
    h("label", null, "Kitchen limit (orders at once, empty for none)", h("input", { name: "kitchen_limit", type: "number", min: 1, max: 1000, value: r.kitchen_limit ?? "" })),
    h("table", { class: "hours" }, h("caption", null, "Opening hours (local time; leave both empty for a closed day)"),
      h("tbody", null, DAYS.map((d) => h("tr", null, h("th", { scope: "row" }, d[0].toUpperCase() + d.slice(1)),
        h("td", null, h("input", { name: `${d}-open`, type: "time", value: r.operating_hours[d]?.open || "", "aria-label": `${d} opens` })),
        h("td", null, h("input", { name: `${d}-close`, type: "time", value: r.operating_hours[d]?.close || "", "aria-label": `${d} closes` })))))),
    errors.area, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      const f = form.elements;
      /** @type {Record<string, any>} */
      const hours = {};
      for (const d of DAYS) {
        const open = f[`${d}-open`].value, close = f[`${d}-close`].value;
        if (open && close) hours[d] = { open, close };
      }
      const limit = f.kitchen_limit.value.trim();
      try {
        saved(await api("PATCH", `/restaurants/${id}`, { operating_hours: hours, kitchen_limit: limit ? Number(limit) : null }));
        toast("Settings saved");
      } catch (err) {
        errors.show(err);
      }
    });
  });
  fill(box, form);
}
