// The rider's app, phone first: go online and offline; while online the phone's position streams
// over /ws/rider (fixes queued while the connection is down, sent in order with a sequence number
// and forgotten once acknowledged); offers as cards with a countdown (one card for a bundle of
// one kitchen's orders, or two near kitchens', accepted or declined together); each order carried one step at a time,
// in drop-off order (to the restaurant, picked up once the kitchen marked it ready, on the way,
// delivered with the customer's code); earnings for a period.

import { h, fill, money, toast, busy, errorsOf, when } from "../ui.js";
import { api, get, qs, session, wsUrl } from "../api.js";
import { live } from "../live.js";
import { orderMap } from "../map.js";
import { barChart } from "../chart.js";

/** A link that opens the phone's maps app at a point. @param {number} lat @param {number} lng @param {string} label */
function mapsLink(lat, lng, label) {
  return h("a", { class: "maps", href: `https://www.google.com/maps/dir/?api=1&destination=${lat.toFixed(6)},${lng.toFixed(6)}`, target: "_blank", rel: "noopener" }, label);
}

/** Fixes waiting for the server's ack, kept across reloads so none is lost. */
class Outbox {
  constructor() {
    /** @type {any[]} */
    this.queue = JSON.parse(localStorage.getItem("dabba.fixes") || "[]");
    this.seq = Number(localStorage.getItem("dabba.fixes.seq") || "0");
    /** @type {Map<number, number>} seq → how many fixes it carried */
    this.inflight = new Map();
  }
  save() {
    localStorage.setItem("dabba.fixes", JSON.stringify(this.queue.slice(-2000)));
    localStorage.setItem("dabba.fixes.seq", String(this.seq));
  }
  /** @param {any} fix */
  push(fix) {
    this.queue.push(fix);
    this.save();
  }
  /** The next batch to send (the oldest first), if none is in flight. */
  next() {
    if (this.inflight.size || !this.queue.length) return null;
    this.seq += 1;
    const pings = this.queue.slice(0, 100);
    this.inflight.set(this.seq, pings.length);
    this.save();
    return { type: "locations", pings, seq: this.seq };
  }
  /** @param {number} seq */
  acked(seq) {
    const n = this.inflight.get(seq);
    if (n === undefined) return;
    this.inflight.delete(seq);
    this.queue.splice(0, n);
    this.save();
  }
  /** A new connection: what was in flight goes again. */
  reset() {
    this.inflight.clear();
  }
}

/** @param {any} main */
export function riderScreen(main) {
  const status = h("section", { class: "card", "aria-labelledby": "duty-title" });
  const offers = h("section", { "aria-label": "Offers", "aria-live": "assertive" });
  const job = h("section", { "aria-live": "polite" });
  const earnings = h("section", { class: "card", "aria-labelledby": "earn-title" });
  const conn = h("p", { class: "conn", role: "status", hidden: true });
  fill(main, conn, status, offers, job, earnings);
  const outbox = new Outbox();
  let online = false;
  let feed = /** @type {any} */ (null);
  let watch = /** @type {number | null} */ (null);
  let lock = /** @type {any} */ (null);
  let sock = /** @type {WebSocket | null} */ (null);
  let jobTimer = 0;
  /** Offers shown, by order: each with what takes its card away. @type {Map<string, () => void>} */
  const cards = new Map();
  let last = /** @type {{lat: number, lng: number} | null} */ (null);

  const flush = () => {
    if (!sock || sock.readyState !== 1) return;
    const batch = outbox.next();
    if (batch) sock.send(JSON.stringify(batch));
  };
  /** @param {GeolocationPosition} p */
  const onFix = (p) => {
    last = { lat: p.coords.latitude, lng: p.coords.longitude };
    outbox.push({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy ?? null,
      speed: p.coords.speed ?? null, heading: p.coords.heading ?? null, recorded_at: new Date(p.timestamp).toISOString() });
    flush();
  };
  const here = () => new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 15000 }));

  const drawStatus = async () => {
    let profile = null;
    try {
      profile = await get("/delivery/profile");
    } catch (err) {
      if (/** @type {any} */ (err).status !== 404) return fill(status, h("p", { class: "form-error" }, /** @type {any} */ (err).message));
    }
    const form = h("form", { "aria-label": "Vehicle" });
    const errors = errorsOf(form);
    fill(form, h("div", { class: "row" },
      h("label", null, "Vehicle", h("select", { name: "vehicle_type" }, ["BICYCLE", "SCOOTER", "MOTORCYCLE", "CAR"].map((v) =>
        h("option", { value: v, selected: profile?.vehicle_type === v }, v[0] + v.slice(1).toLowerCase())))),
      h("label", null, "Vehicle number", h("input", { name: "vehicle_number", value: profile?.vehicle_number || "", required: true, maxlength: 20, autocapitalize: "characters" }))),
    errors.area, h("button", { type: "submit", class: "secondary" }, profile ? "Update vehicle" : "Save vehicle"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      errors.clear();
      try {
        await api("PUT", "/delivery/profile", { vehicle_type: form.elements.vehicle_type.value, vehicle_number: form.elements.vehicle_number.value.trim().toUpperCase() });
        toast("Vehicle saved");
        drawStatus();
      } catch (err) {
        errors.show(err);
      }
    });
    const toggle = h("button", { type: "button", class: online ? "secondary big" : "big", "data-duty": online ? "online" : "offline",
      onclick: () => busy(toggle, () => setOnline(!online)) }, online ? "Go offline" : "Go online");
    fill(status, h("h1", { id: "duty-title" }, online ? "You are online" : "You are offline"),
      profile ? h("p", { class: "muted" }, `${profile.name} · ${profile.vehicle_type.toLowerCase()} ${profile.vehicle_number} · ${profile.deliveries} ${profile.deliveries === 1 ? "delivery" : "deliveries"}`) :
        h("p", { class: "warn" }, "Add your vehicle before going online."),
      profile ? toggle : null, h("details", { open: !profile }, h("summary", null, "Vehicle"), form));
  };

  /** @param {boolean} on */
  const setOnline = async (on) => {
    try {
      if (on) {
        const p = /** @type {GeolocationPosition} */ (await here());
        last = { lat: p.coords.latitude, lng: p.coords.longitude };
        await api("POST", "/delivery/available", { available: true, lat: last.lat, lng: last.lng });
        online = true;
        startStreaming();
      } else {
        await api("POST", "/delivery/available", { available: false, lat: last?.lat ?? 0, lng: last?.lng ?? 0 });
        online = false;
        stopStreaming();
      }
    } catch (err) {
      const e = /** @type {any} */ (err);
      // A GeolocationPositionError's code 1 is a refusal; API errors carry string codes.
      toast(e.code === 1 ? "Allow location to go online: dispatch needs to know where you are." : e.message, "error");
    }
    drawStatus();
  };

  const startStreaming = () => {
    watch = navigator.geolocation.watchPosition(onFix, () => {}, { enableHighAccuracy: true, maximumAge: 0 });
    // Keep the screen on while riding, where the browser allows it.
    /** @type {any} */ (navigator).wakeLock?.request("screen").then((/** @type {any} */ l) => { lock = l; }, () => {});
    feed = live({
      url: () => wsUrl(`/ws/rider?token=${encodeURIComponent(session()?.token || "")}`),
      onMessage,
      poll: async () => {
        await readJob();
        for (const o of await get("/delivery/orders/available")) showOffer(o);
      },
      onState: (up) => {
        conn.hidden = up;
        conn.textContent = up ? "" : `Offline: ${outbox.queue.length} position(s) kept, sent when the connection is back.`;
      },
      onOpen: (ws) => { sock = ws; outbox.reset(); flush(); },
    });
  };
  const stopStreaming = () => {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    lock?.release?.();
    feed?.stop();
    feed = null;
    sock = null;
    for (const drop of [...cards.values()]) drop();
  };

  /** @param {any} m */
  const onMessage = (m) => {
    if (m.type === "ack") {
      outbox.acked(m.seq);
      flush();
    } else if (m.type === "offer") showOffer(m);
    else if (m.type === "offer_withdrawn") {
      cards.get(m.order_id)?.();
    } else if (m.type === "error") toast(m.message || "The server refused a message", "error");
  };

  /** Offers of a bundle whose card is shown: order id → the card's "add this offer". */
  const bundles = new Map();

  /** @param {any} o a DeliveryOffer */
  const showOffer = (o) => {
    if (cards.has(o.order_id)) return;
    // Each order of a bundle comes as its own offer: the first makes the card, the others join it.
    const bundle = o.bundle?.length ? o.bundle : [o.order_id];
    const join = bundle.map((/** @type {string} */ id) => bundles.get(id)).find(Boolean);
    if (join) return join(o);
    const countdown = h("p", { class: "deadline" });
    const title = h("h2");
    const trips = h("p");
    const map = orderMap("Pickup and drop");
    /** @type {any[]} */
    const parts = [];
    const add = (/** @type {any} */ part) => {
      parts.push(part);
      cards.set(part.order_id, remove);
      const earned = parts.reduce((sum, p) => sum + p.earnings, 0);
      fill(title, parts.length > 1 ? `${parts.length} orders · ${money(earned)}` : `New order · ${money(earned)}`);
      const drops = parts.map((p) => `${p.trip_km.toFixed(1)} km`).join(" + ");
      const kitchens = [...new Set(parts.map((p) => p.restaurant_name))].join(" + ");
      fill(trips, h("strong", null, kitchens), ` · ${o.pickup_km.toFixed(1)} km to pick up · ${drops} to the ${parts.length > 1 ? "customers" : "customer"}`);
    };
    map.update({ restaurant: o.pickup, home: o.drop, rider: last, trail: [] });
    const card = h("article", { class: "card offer-card", "data-offer": o.order_id, "data-bundle": bundle.join(" "), "aria-label": `Offer from ${o.restaurant_name}` },
      title, trips, countdown, map.el,
      h("div", { class: "row" },
        h("button", { type: "button", class: "big", "data-action": "accept", onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
          // Accepting one order of a bundle takes them all; if that one was cancelled
          // meanwhile, the next one answers for the rest.
          let failure = null;
          for (const p of parts) {
            try {
              await api("POST", `/delivery/orders/${p.order_id}/accept`);
              failure = null;
              break;
            } catch (err) {
              failure = err;
              if (/** @type {any} */ (err).code !== "OFFER_NOT_OPEN") break;
            }
          }
          if (failure) toast(/** @type {any} */ (failure).message, "error");
          remove();
          if (!failure) await readJob();
        }) }, "Accept"),
        h("button", { type: "button", class: "secondary", "data-action": "reject", onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
          await api("POST", `/delivery/orders/${o.order_id}/reject`, { reason: "Not now" }).catch(() => {});
          remove();
        }) }, "Reject")));
    const deadline = Date.parse(o.expires_at);
    const tick = setInterval(() => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = `${left} s to decide`;
      if (!left) remove();
    }, 250);
    function remove() {
      clearInterval(tick);
      card.remove();
      for (const p of parts) cards.delete(p.order_id);
      for (const id of bundle) bundles.delete(id);
    }
    for (const id of bundle) bundles.set(id, add);
    add(o);
    offers.prepend(card);
    try { navigator.vibrate?.(300); } catch { /* not on this device */ }
  };

  /** The orders carried, in drop-off order, each with its one next step. */
  const readJob = async () => {
    const jobs = await get("/delivery/orders/current");
    clearTimeout(jobTimer);
    fill(job, ...jobs.map((/** @type {any} */ j, /** @type {number} */ i) => jobCard(j, i, jobs.length)));
    // Until the kitchen marks the food ready, look again every few seconds.
    if (jobs.some((/** @type {any} */ j) => ["CONFIRMED", "PREPARING"].includes(j.status))) jobTimer = window.setTimeout(() => readJob().catch(() => {}), 4000);
  };

  /** One order carried: the first with the route map. @param {any} j @param {number} i @param {number} n */
  const jobCard = (j, i, n) => {
    const map = i ? null : orderMap("Your route");
    map?.update({ restaurant: { lat: j.pickup.lat, lng: j.pickup.lng }, home: { lat: j.drop.latitude, lng: j.drop.longitude }, rider: last, trail: [] });
    const step = async (/** @type {any} */ body, /** @type {any} */ errors) => {
      try {
        await api("PUT", `/delivery/orders/${j.order_id}/status`, body);
        await readJob();
        drawEarnings();
      } catch (err) {
        if (errors) errors.show(err); else toast(/** @type {any} */ (err).message, "error");
      }
    };
    let next;
    if (["CONFIRMED", "PREPARING", "READY"].includes(j.status)) {
      const ready = j.status === "READY";
      next = h("div", null, h("p", null, "Go to ", h("strong", null, j.pickup.name), `, ${j.pickup.address} · `, mapsLink(j.pickup.lat, j.pickup.lng, "Open in maps")),
        ready ? null : h("p", { class: "warn", role: "status" }, "The kitchen has not marked it ready yet."),
        h("button", { type: "button", class: "big", "data-step": "PICKED_UP", disabled: !ready, onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => step({ status: "PICKED_UP" })) }, "Picked up"));
    } else if (j.status === "PICKED_UP") {
      next = h("button", { type: "button", class: "big", "data-step": "OUT_FOR_DELIVERY", onclick: (/** @type {any} */ e) => busy(e.currentTarget, () => step({ status: "OUT_FOR_DELIVERY" })) }, "On the way to the customer");
    } else {
      const form = h("form", { class: "otp-form" });
      const errors = errorsOf(form);
      fill(form, h("p", null, "Deliver to ", h("strong", null, j.customer_name), `, ${j.drop.address_line1}, ${j.drop.city} · `, mapsLink(j.drop.latitude, j.drop.longitude, "Open in maps")),
        h("label", null, "Customer's code", h("input", { name: "otp", inputmode: "numeric", autocomplete: "one-time-code", required: true, pattern: "[0-9]{4,6}", maxlength: 6 })),
        errors.area, h("button", { type: "submit", class: "big", "data-step": "DELIVERED" }, "Delivered"));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        busy(form.querySelector("button[type=submit]"), () => step({ status: "DELIVERED", otp: form.elements.otp.value.trim() }, errors));
      });
      next = form;
    }
    return h("article", { class: "card job", "data-job": j.order_id, "data-status": j.status },
      h("h2", null, n > 1 ? `Drop ${i + 1} of ${n} · ${money(j.earnings)}` : `Current job · ${money(j.earnings)}`),
      j.collect_amount ? h("p", { class: "cash" }, "Collect ", h("strong", null, money(j.collect_amount)), " in cash") : h("p", { class: "muted" }, "Paid online: nothing to collect"),
      j.delivery_instructions ? h("p", null, `Note: ${j.delivery_instructions}`) : null,
      h("p", { class: "muted small" }, `Customer ${j.customer_name} · ${j.customer_phone}`),
      map?.el, next);
  };

  const drawEarnings = async () => {
    const form = h("form", { class: "row", "aria-label": "Period" });
    const out = h("div");
    const today = new Date();
    const ymd = (/** @type {Date} */ d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    fill(form, h("label", null, "From", h("input", { type: "date", name: "from", value: ymd(today) })),
      h("label", null, "To", h("input", { type: "date", name: "to", value: ymd(today) })),
      h("button", { type: "button", class: "secondary", onclick: () => { form.elements.from.value = ymd(new Date(Date.now() - 6 * 86400000)); form.elements.to.value = ymd(today); load(); } }, "Last 7 days"),
      h("button", { type: "submit", class: "secondary" }, "Show"));
    const load = async () => {
      const from = new Date(`${form.elements.from.value}T00:00:00`), to = new Date(new Date(`${form.elements.to.value}T00:00:00`).getTime() + 86400000);
      try {
        const e = await get(`/delivery/earnings${qs({ from: from.toISOString(), to: to.toISOString() })}`);
        /** @type {Map<string, any>} */
        const days = new Map();
        for (let t = from.getTime(); t < to.getTime(); t += 86400000) days.set(ymd(new Date(t)), { day: ymd(new Date(t)), earned: 0 });
        for (const l of e.lines) { const d = days.get(ymd(new Date(l.at))); if (d) d.earned += l.amount; }
        fill(out, h("p", { class: "balance", "data-earned": e.total }, money(e.total)), h("p", { class: "muted" }, `${e.deliveries} ${e.deliveries === 1 ? "delivery" : "deliveries"}`),
          days.size > 1 ? barChart([...days.values()], ["earned"], "Earnings per day") : null,
          e.lines.length ? h("ul", { class: "list" }, e.lines.map((/** @type {any} */ l) => h("li", null, `${when(l.at)} · ${money(l.amount)}`))) : h("p", { class: "muted" }, "No deliveries in this period."));
      } catch (err) {
        fill(out, h("p", { class: "form-error" }, /** @type {any} */ (err).message));
      }
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    fill(earnings, h("h2", { id: "earn-title" }, "Earnings"), form, out);
    load();
  };

  drawStatus();
  readJob().catch(() => {});
  drawEarnings();
  return () => { stopStreaming(); clearTimeout(jobTimer); };
}
