// The dashboard of a day (or the last 24 hours): orders and what became of them, GMV, delivery
// and accept times, cancellations by cause, riders online; per hour in the viewer's time.

import { h, fill, money } from "../ui.js";
import { get, qs } from "../api.js";
import { barChart } from "../chart.js";

/** YYYY-MM-DD of a local date. @param {Date} d */
function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A local hour as the axis shows it. @param {string} iso */
function hourLabel(iso) {
  const d = new Date(iso);
  // Zones off the hour (India is UTC+05:30) show the minutes.
  return d.toLocaleTimeString(undefined, d.getMinutes() ? { hour: "numeric", minute: "2-digit" } : { hour: "numeric" });
}

/** @param {number | null | undefined} m minutes */
function mins(m) {
  return m === null || m === undefined ? "–" : `${m.toFixed(1)} min`;
}

/** @param {any} main */
export function dashboardScreen(main) {
  const form = h("form", { class: "row card", "aria-label": "Period" });
  const out = h("section", { "aria-live": "polite" });
  const today = isoDay(new Date());
  fill(form, h("label", null, "Day", h("input", { type: "date", name: "day", value: today, max: today, required: true })),
    h("button", { type: "submit", class: "secondary" }, "Show"),
    h("button", { type: "button", class: "link", onclick: () => show(null) }, "Last 24 hours"));
  form.addEventListener("submit", (e) => { e.preventDefault(); show(form.elements.day.value); });
  fill(main, h("h1", null, "Dashboard"), form, out);

  let asked = 0;
  /** The figures of a local day, or of the last 24 hours with null. @param {string | null} day */
  const show = async (day) => {
    const mine = ++asked;
    let query = {};
    if (day) {
      const [y, m, d] = day.split("-").map(Number);
      query = { from: new Date(y, m - 1, d).toISOString(), to: new Date(y, m - 1, d + 1).toISOString() };
    }
    fill(out, h("p", { class: "muted" }, "Counting…"));
    try {
      const f = await get(`/admin/dashboard${qs(query)}`);
      if (mine !== asked) return;
      draw(f, day ? new Date(`${day}T00:00`).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" }) : "The last 24 hours");
    } catch (err) {
      if (mine === asked) fill(out, h("p", { class: "form-error", role: "alert" }, /** @type {any} */ (err).message));
    }
  };

  /** @param {any} f @param {string} title */
  const draw = (f, title) => {
    /** @param {string} key @param {string} label @param {string} text @param {any} value */
    const tile = (key, label, text, value) => h("div", { class: "tile", "data-figure": key, "data-value": value === null || value === undefined ? "" : String(value) },
      h("span", { class: "muted small" }, label), h("strong", null, text));
    const hours = f.hours.map((/** @type {any} */ x) => ({ ...x, hour: hourLabel(x.start) }));
    const byHour = { tick: (/** @type {any} */ d) => d.hour, name: (/** @type {any} */ d) => d.hour, ticks: 8 };
    const count = { ...byHour, format: (/** @type {number} */ v) => String(Math.round(v)) };
    fill(out, h("h2", null, title),
      h("div", { class: "tiles" },
        tile("orders", "Orders placed", String(f.orders), f.orders),
        tile("delivered", "Delivered", String(f.delivered), f.delivered),
        tile("cancelled", "Cancelled", String(f.cancelled), f.cancelled),
        tile("in_progress", "Still moving", String(f.in_progress), f.in_progress),
        tile("gmv", "GMV (delivered)", money(f.gmv), f.gmv),
        tile("aov", "Average order", f.average_order_value === null ? "–" : money(f.average_order_value), f.average_order_value),
        tile("delivery_mean", "Delivery time, mean", mins(f.delivery_minutes.mean), f.delivery_minutes.mean),
        tile("delivery_p90", "Delivery time, p90", mins(f.delivery_minutes.p90), f.delivery_minutes.p90),
        tile("accept_mean", "Restaurant accept, mean", mins(f.accept_minutes.mean), f.accept_minutes.mean),
        tile("accept_p90", "Restaurant accept, p90", mins(f.accept_minutes.p90), f.accept_minutes.p90),
        tile("riders_peak", "Riders online, busiest hour", String(f.riders_online_peak), f.riders_online_peak)),
      h("section", { class: "card" }, h("h3", null, "Orders per hour"),
        barChart(hours, ["orders", "delivered", "cancelled"], "Orders placed, delivered and cancelled per hour", count),
        h("p", { class: "legend small" }, h("span", { class: "key k-orders" }, "placed"), " ", h("span", { class: "key k-delivered" }, "delivered"), " ",
          h("span", { class: "key k-cancelled" }, "cancelled"))),
      h("section", { class: "card" }, h("h3", null, "GMV per hour"), barChart(hours, ["gmv"], "GMV of delivered orders per hour", byHour)),
      h("section", { class: "card" }, h("h3", null, "Riders online per hour"), barChart(hours, ["riders_online"], "Riders online per hour", count)),
      h("section", { class: "card", "aria-labelledby": "causes-title" }, h("h3", { id: "causes-title" }, "Cancellations"),
        f.cancellations.length ? h("table", { class: "causes" },
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "By"), h("th", { scope: "col" }, "Reason"), h("th", { scope: "col" }, "Orders"))),
          h("tbody", null, f.cancellations.map((/** @type {any} */ c) => h("tr", { "data-cause": `${c.cancelled_by}:${c.reason}`, "data-count": c.count },
            h("td", null, c.cancelled_by.toLowerCase()), h("td", null, c.reason), h("td", null, String(c.count))))))
          : h("p", { class: "muted" }, "No cancellations.")));
  };
  show(today);
}
