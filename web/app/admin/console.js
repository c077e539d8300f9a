// The operations console: the live city map (riders by state, orders by status, waiting and late
// ones highlighted) following /ws/ops; the dispatch board (orders waiting for a rider, how long,
// the nearest riders, assign or reassign by hand); an order's detail with support actions; the
// payments needing review and the ledger check. `#/ops/order/ID` opens with that order's detail.

import { h, fill, money, toast, busy, when, errorsOf, dialog } from "../ui.js";
import { api, get, session, wsUrl, newKey } from "../api.js";
import { live } from "../live.js";
import { cityMap, orderMap } from "../map.js";

/** Distance in km (display only). */
function km(/** @type {any} */ a, /** @type {any} */ b) {
  const r = Math.PI / 180;
  const x = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lng - a.lng) * r) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(x));
}

/** @param {number} s */
function waited(s) {
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** @param {any} main @param {{id?: string}} [params] */
export function consoleScreen(main, params = {}) {
  const map = cityMap("Live city map");
  const legend = h("p", { class: "legend small" },
    h("span", { class: "key available" }, "available"), " ", h("span", { class: "key on_job" }, "on a job"), " ",
    h("span", { class: "key offline" }, "offline"), " · orders: ", h("span", { class: "key waiting" }, "waiting for a rider"), " ", h("span", { class: "key late" }, "late"));
  const stats = h("p", { class: "facts", "aria-live": "polite" });
  const board = h("section", { class: "card", "aria-labelledby": "board-title" });
  const detail = h("section", { "aria-live": "polite" });
  const review = h("section", { class: "card", "aria-labelledby": "review-title" });
  const conn = h("p", { class: "conn", role: "status", hidden: true });
  const find = h("form", { class: "row card", "aria-label": "Find an order" });
  const findErrors = errorsOf(find);
  fill(find, h("label", { class: "grow" }, "Order id", h("input", { name: "order_id", required: true, pattern: "[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", placeholder: "0190…" })),
    h("button", { type: "submit", class: "secondary" }, "Open"), findErrors.area);
  find.addEventListener("submit", (e) => { e.preventDefault(); findErrors.clear(); showOrder(find.elements.order_id.value.trim().toLowerCase()); });
  fill(main, h("h1", null, "Operations"), conn, stats, h("section", { class: "card" }, map.el, legend), board, find, detail, review);
  /** @type {any} */
  let city = { riders: [], orders: [] };

  const read = async () => {
    city = await get("/admin/live");
    map.update(city);
    const count = (/** @type {string} */ st) => city.riders.filter((/** @type {any} */ r) => r.state === st).length;
    fill(stats, h("span", null, `${city.orders.length} active orders`), h("span", null, `${city.orders.filter((/** @type {any} */ o) => !o.rider_id).length} waiting for a rider`),
      h("span", null, `${city.orders.filter((/** @type {any} */ o) => o.late).length} late`),
      h("span", null, `${count("AVAILABLE")} riders available, ${count("ON_JOB") + count("OFFERED")} busy`));
    drawBoard();
  };
  const drawBoard = () => {
    const waiting = city.orders.filter((/** @type {any} */ o) => !o.rider_id).sort((/** @type {any} */ a, /** @type {any} */ b) => b.age_seconds - a.age_seconds);
    fill(board, h("h2", { id: "board-title" }, "Waiting for a rider"),
      waiting.length ? h("ul", { class: "list" }, waiting.map((/** @type {any} */ o) => h("li", { class: "row dispatch", "data-waiting": o.order_id },
        h("span", { class: "grow" }, h("strong", null, o.restaurant_name), ` · #${o.order_id.slice(-6).toUpperCase()} · ${o.status.toLowerCase()} · waiting ${waited(o.age_seconds)}`,
          o.late ? h("span", { class: "badge" }, "late") : null),
        h("button", { type: "button", class: "secondary", onclick: () => assign(o) }, "Assign"),
        h("button", { type: "button", class: "link", onclick: () => showOrder(o.order_id) }, "Details")))) : h("p", { class: "muted" }, "Every active order has a rider."));
  };
  /** Candidate riders by distance to the restaurant, available ones first. @param {any} o */
  const assign = async (o) => {
    const riders = city.riders.filter((/** @type {any} */ r) => r.location && r.state !== "OFFLINE" && r.rider_id !== o.rider_id)
      .map((/** @type {any} */ r) => ({ ...r, km: km(r.location, o.restaurant) }))
      .sort((/** @type {any} */ a, /** @type {any} */ b) => (a.state === "AVAILABLE" ? 0 : 1) - (b.state === "AVAILABLE" ? 0 : 1) || a.km - b.km).slice(0, 10);
    const chosen = await dialog(`Give #${o.order_id.slice(-6).toUpperCase()} to a rider`, (close) => riders.length ? h("ul", { class: "list" }, riders.map((/** @type {any} */ r) =>
      h("li", { class: "row" }, h("span", { class: "grow" }, `Rider ${r.rider_id.slice(-6).toUpperCase()} · ${r.km.toFixed(1)} km · ${r.state.toLowerCase().replace("_", " ")}`),
        h("button", { type: "button", "data-rider": r.rider_id, onclick: () => close(r.rider_id) }, "Assign")))) : h("p", null, "No rider is online near here."));
    if (!chosen) return;
    try {
      await api("POST", `/admin/orders/${o.order_id}/assign`, { rider_id: chosen });
      toast(`Order #${o.order_id.slice(-6).toUpperCase()} given to rider ${chosen.slice(-6).toUpperCase()}`);
      await read();
    } catch (err) {
      toast(/** @type {any} */ (err).message, "error");
    }
  };
  let shown = 0;
  /** An order's whole story and what support can do with it. @param {string} id */
  const showOrder = async (id) => {
    const mine = ++shown;
    try {
      const o = await get(`/orders/${id}`);
      const r = await get(`/restaurants/${o.restaurant_id}`).catch(() => null);
      // What failed to load says so, rather than looking like "nothing".
      const problems = /** @type {string[]} */ ([]);
      /** @param {string} what @param {Promise<any>} p */
      const orNone = (what, p) => p.catch((/** @type {any} */ e) => { problems.push(`${what}: ${e.message}`); return []; });
      // The rider's kept route for this order, from their assignment to delivery (or now).
      const end = o.timeline.find((/** @type {any} */ t) => t.status === "DELIVERED" || t.status === "CANCELLED")?.at;
      const from = o.assigned_at || o.created_at;
      const to = new Date(Math.min(end ? Date.parse(end) + 60000 : Date.now(), Date.parse(from) + 7 * 86400000)).toISOString();
      const [payments, ledger, route] = await Promise.all([
        orNone("payments", get(`/admin/orders/${id}/payments`)),
        orNone("ledger", get(`/admin/orders/${id}/ledger`)),
        o.rider_id ? orNone("route", get(`/admin/riders/${o.rider_id}/locations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)) : Promise.resolve([])]);
      if (mine !== shown) return;
      const inCity = city.orders.find((/** @type {any} */ x) => x.order_id === id);
      const trail = route.filter((/** @type {any} */ p) => !p.order_id || p.order_id === id).map((/** @type {any} */ p) => ({ lat: p.latitude, lng: p.longitude }));
      const where = r ? orderMap("The rider's route for this order") : null;
      where?.update({ restaurant: { lat: r.latitude, lng: r.longitude }, home: { lat: o.delivery_address.latitude, lng: o.delivery_address.longitude },
        rider: trail.at(-1) || null, trail });
      // Ledger lines by transaction: what each movement of money did to whom.
      const txns = new Map();
      for (const l of ledger) txns.set(l.txn_id, [...(txns.get(l.txn_id) || []), l]);
      fill(detail, h("article", { class: "card", "data-detail": id },
        h("h2", null, `Order #${id.slice(-6).toUpperCase()} · ${o.status}`),
        h("p", null, `${r ? r.name : o.restaurant_id} · ${money(o.total_amount)} · ${o.payment_method} ${o.payment_status.toLowerCase()} · placed ${when(o.created_at)}`),
        problems.length ? h("p", { class: "form-error", role: "alert" }, `Could not load ${problems.join("; ")}`) : null,
        h("ol", { class: "timeline" }, o.timeline.map((/** @type {any} */ t) => h("li", null, `${when(t.at)} · ${t.status} by ${t.actor.toLowerCase()}${t.note ? ` · ${t.note}` : ""}`))),
        payments.length ? h("ul", { class: "list", "aria-label": "Payments" }, payments.map((/** @type {any} */ p) => h("li", { class: "row", "data-payment": p.payment_id, "data-refunded": p.refunded },
          h("span", { class: "grow" }, `${p.method} · ${p.status.toLowerCase()} · took ${money(p.captured)}${p.refunded ? ` · refunded ${money(p.refunded)}` : ""}`),
          p.captured - p.refunded > 0 && p.method !== "COD" ? h("button", { type: "button", class: "secondary", onclick: () => refund(p) }, "Refund") : null))) : null,
        where ? h("details", { "data-route": trail.length }, h("summary", null, o.rider_id ? `Rider's route (${trail.length} kept points)` : "Map (no rider yet)"), where.el) : null,
        txns.size ? h("details", { "data-ledger-lines": ledger.length }, h("summary", null, `Ledger: ${txns.size} transaction(s)`),
          h("ul", { class: "list" }, [...txns.values()].map((lines) => h("li", null, h("strong", null, `${lines[0].kind} · ${when(lines[0].created_at)}`),
            h("ul", { class: "plain small" }, lines.map((/** @type {any} */ l) => h("li", null, `${l.account}: ${l.amount > 0 ? "debit" : "credit"} ${money(Math.abs(l.amount))}`))))))) : null,
        h("div", { class: "row" },
          inCity ? h("button", { type: "button", class: "secondary", onclick: () => assign(inCity) }, o.rider_id ? "Reassign" : "Assign") : null,
          h("button", { type: "button", class: "secondary danger", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => banUser(o.user_id, "customer")) }, "Ban customer"),
          o.rider_id ? h("button", { type: "button", class: "secondary danger", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => banUser(o.rider_id, "rider")) }, "Ban rider") : null,
          r ? (r.is_banned
            ? h("button", { type: "button", class: "secondary", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => ban(r, false)) }, "Unban restaurant")
            : h("button", { type: "button", class: "secondary danger", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => ban(r, true)) }, "Ban restaurant")) : null),
        r?.is_banned ? h("p", { class: "warn" }, `Banned: ${r.ban_reason || "no reason given"}`) : null));
    } catch (err) {
      if (mine === shown) findErrors.show(err);
    }
    /** Part or all of what a payment took, back to its source or to the wallet. @param {any} p */
    async function refund(p) {
      const left = p.captured - p.refunded;
      const key = newKey();
      const done = await dialog(`Refund payment ${p.payment_id.slice(-6).toUpperCase()}`, (close) => {
        const f = h("form");
        const errors = errorsOf(f);
        fill(f, h("p", null, `Up to ${money(left)} can be refunded.`),
          h("label", null, "Amount (₹)", h("input", { name: "amount", type: "number", min: 0.01, step: 0.01, max: (left / 100).toFixed(2), required: true, value: (Math.floor(left / 2) / 100).toFixed(2) })),
          h("label", null, "Reason", h("input", { name: "reason", required: true, maxlength: 500, value: "Support: part of the order was missing" })),
          h("label", { class: "inline" }, h("input", { type: "checkbox", name: "to_wallet" }), " To the customer's wallet (instant) instead of the card or UPI"),
          errors.area, h("button", { type: "submit" }, "Refund"));
        f.addEventListener("submit", async (e) => {
          e.preventDefault();
          errors.clear();
          try {
            close(await api("POST", `/payments/${p.payment_id}/refund`, { amount: Math.round(Number(f.elements.amount.value) * 100),
              reason: f.elements.reason.value.trim(), to_wallet: f.elements.to_wallet.checked }, { key }));
          } catch (err) {
            errors.show(err);
          }
        });
        return f;
      });
      if (done) {
        toast(`Refunded ${money(done.amount ?? 0)}`);
        await showOrder(id);
      }
    }
    /** Bans a person (their sessions end at once); an unban button takes it back. @param {string} user @param {string} who */
    async function banUser(user, who) {
      const reason = await dialog(`Ban this ${who}?`, (close) => {
        const f = h("form");
        fill(f, h("label", null, "Reason (kept with the account)", h("input", { name: "reason", required: true, maxlength: 500 })), h("button", { type: "submit", class: "danger" }, "Ban"));
        f.addEventListener("submit", (e) => { e.preventDefault(); close(f.elements.reason.value.trim()); });
        return f;
      });
      if (!reason) return;
      try {
        await api("POST", `/admin/users/${user}/ban`, { reason });
        const undo = h("button", { type: "button", class: "secondary", onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
          try {
            await api("POST", `/admin/users/${user}/unban`, {});
            toast(`The ${who} is unbanned`);
            note.remove();
          } catch (err) {
            toast(/** @type {any} */ (err).message, "error");
          }
        }) }, `Unban the ${who}`);
        const note = h("p", { class: "warn row", "data-banned": user }, `The ${who} is banned: ${reason}. `, undo);
        detail.querySelector("article")?.append(note);
        toast(`The ${who} is banned and signed out everywhere`);
      } catch (err) {
        toast(/** @type {any} */ (err).message, "error");
      }
    }
    /** @param {any} r @param {boolean} on */
    async function ban(r, on) {
      let reason = "";
      if (on) {
        reason = await dialog(`Ban ${r.name}?`, (close) => {
          const f = h("form");
          fill(f, h("label", null, "Reason (the owner sees it)", h("input", { name: "reason", required: true, maxlength: 500 })), h("button", { type: "submit", class: "danger" }, "Ban"));
          f.addEventListener("submit", (e) => { e.preventDefault(); close(f.elements.reason.value.trim()); });
          return f;
        });
        if (!reason) return;
      }
      try {
        await api("POST", `/admin/restaurants/${r.restaurant_id}/${on ? "ban" : "unban"}`, on ? { reason } : {});
        toast(on ? `${r.name} banned: it is off the customers' app` : `${r.name} unbanned`);
        await showOrder(id);
      } catch (err) {
        toast(/** @type {any} */ (err).message, "error");
      }
    }
  };
  const drawReview = async () => {
    const [payments, ledger] = await Promise.all([get("/admin/payments").catch(() => []), get("/admin/ledger/check").catch((e) => ({ error: e.message }))]);
    fill(review, h("h2", { id: "review-title" }, "Money"),
      h("p", { class: ledger.ok === false || ledger.error ? "warn" : "good", "data-ledger": ledger.ok === undefined ? "" : String(ledger.ok) },
        ledger.error ? `Ledger check failed to run: ${ledger.error}` : ledger.ok ? "Ledger check: every paisa is explained." : "Ledger check found problems: see /api/v1/admin/ledger/check."),
      h("h3", null, "Payments needing review"),
      payments.length ? h("ul", { class: "list" }, payments.map((/** @type {any} */ p) => h("li", null, `${p.payment_id.slice(-6).toUpperCase()} · ${money(p.amount)} · ${p.method} · ${p.purpose.toLowerCase()}${p.failure_reason ? ` · ${p.failure_reason}` : ""}`))) : h("p", { class: "muted" }, "None."));
  };
  const feed = live({
    url: () => wsUrl(`/ws/ops?token=${encodeURIComponent(session()?.token || "")}`),
    onMessage: (m) => { if (m.type === "changed") read().catch(() => {}); },
    poll: read,
    onState: (up) => { conn.hidden = up; conn.textContent = up ? "" : "Live feed lost: reconnecting, refreshing every few seconds meanwhile."; },
  });
  drawReview();
  // Opened from Find: the live city first, so the order's Assign button knows it.
  if (params.id) read().catch(() => {}).finally(() => showOrder(/** @type {string} */ (params.id)));
  return () => feed.stop();
}
