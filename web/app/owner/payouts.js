// Payouts for a period: the server's totals (gross, commission, discount, net), a chart per day
// of the viewer's calendar, the lines it is made of, and the restaurant's reviews.

import { h, fill, money, when } from "../ui.js";
import { get, qs } from "../api.js";
import { barChart } from "../chart.js";

/** A local calendar day as YYYY-MM-DD. @param {Date} d */
function day(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** @param {any} main @param {{id: string}} params */
export function payoutsScreen(main, { id }) {
  const today = new Date();
  const week = new Date(today.getTime() - 6 * 86400000);
  const form = h("form", { class: "row card", "aria-label": "Period" });
  fill(form, h("label", null, "From", h("input", { type: "date", name: "from", value: day(week), required: true })),
    h("label", null, "To", h("input", { type: "date", name: "to", value: day(today), required: true })),
    h("button", { type: "submit", class: "secondary" }, "Show"));
  const out = h("div");
  const reviews = h("section", { class: "card", "aria-labelledby": "reviews-title" });
  fill(main, h("p", null, h("a", { href: `#/kitchen/${id}` }, "← Orders")), h("h1", null, "Payouts"), form, out, reviews);
  const load = async () => {
    // The viewer's local days, sent as UTC instants.
    const from = new Date(`${form.elements.from.value}T00:00:00`);
    const to = new Date(new Date(`${form.elements.to.value}T00:00:00`).getTime() + 86400000);
    try {
      const p = await get(`/restaurants/${id}/payouts${qs({ from: from.toISOString(), to: to.toISOString() })}`);
      /** @type {Map<string, any>} */
      const days = new Map();
      for (let t = from.getTime(); t < to.getTime(); t += 86400000) days.set(day(new Date(t)), { day: day(new Date(t)), gross: 0, commission: 0, net: 0 });
      for (const l of p.lines) {
        const d = days.get(day(new Date(l.at)));
        if (d) { d.gross += l.gross; d.commission += l.commission; d.net += l.net; }
      }
      fill(out, h("section", { class: "card" },
        h("p", { class: "facts" }, h("span", null, `${p.orders} orders`), h("span", null, `Gross ${money(p.gross)}`),
          h("span", null, `Commission ${money(p.commission)}`), p.discount ? h("span", null, `Your offers ${money(p.discount)}`) : null,
          h("strong", { "data-net": p.net }, `Net ${money(p.net)}`)),
        barChart([...days.values()], ["gross", "commission", "net"], "Payouts per day: gross, commission and net"),
        h("p", { class: "legend small" }, h("span", { class: "key gross" }, "gross"), " ", h("span", { class: "key commission" }, "commission"), " ", h("span", { class: "key net" }, "net")),
        p.lines.length ? h("table", { class: "statement" }, h("caption", null, "Lines"),
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "What"), h("th", { scope: "col", class: "num" }, "Gross"), h("th", { scope: "col", class: "num" }, "Net"))),
          h("tbody", null, p.lines.map((/** @type {any} */ l) => h("tr", null, h("td", null, when(l.at)),
            h("td", null, `${l.kind.replaceAll("_", " ").toLowerCase()}${l.order_id ? ` #${l.order_id.slice(-6).toUpperCase()}` : ""}`),
            h("td", { class: "num" }, money(l.gross)), h("td", { class: "num" }, money(l.net)))))) : h("p", { class: "muted" }, "Nothing in this period.")));
    } catch (err) {
      fill(out, h("p", { class: "form-error", role: "alert" }, /** @type {any} */ (err).message));
    }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
  get(`/restaurants/${id}/reviews?limit=20`).then((list) => fill(reviews, h("h2", { id: "reviews-title" }, "Reviews"),
    list.length ? h("ul", { class: "list" }, list.map((/** @type {any} */ r) => h("li", null,
      h("strong", null, `${r.restaurant_rating}★ food · ${r.delivery_rating}★ delivery`), h("span", { class: "muted small" }, ` ${when(r.created_at)}`),
      r.review_text ? h("p", null, r.review_text) : null))) : h("p", { class: "muted" }, "No reviews yet.")),
  (err) => fill(reviews, h("p", { class: "form-error" }, err.message)));
}
