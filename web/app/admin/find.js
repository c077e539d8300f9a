// Finding things for support: orders by the customer's phone or the restaurant; people by phone,
// email or name (banned ones with why, ban and unban); restaurants by name (the same).

import { h, fill, money, toast, busy, when, errorsOf, dialog } from "../ui.js";
import { api, get, qs } from "../api.js";

/** Asks for the reason of a ban; null when dismissed. @param {string} what */
function askReason(what) {
  return dialog(`Ban ${what}?`, (close) => {
    const f = h("form");
    fill(f, h("label", null, "Reason (kept with the account and shown to them)", h("input", { name: "reason", required: true, maxlength: 500 })),
      h("button", { type: "submit", class: "danger" }, "Ban"));
    f.addEventListener("submit", (e) => { e.preventDefault(); close(f.elements.reason.value.trim()); });
    return f;
  });
}

/**
 * A search form whose results land under it; `run` reads the form and returns the list.
 * @param {string} label @param {any[]} fields @param {(f: any) => Promise<any[]>} run @param {(x: any, again: () => void) => any} row
 */
function searchBox(label, fields, run, row) {
  const form = h("form", { class: "card", "aria-label": label });
  const errors = errorsOf(form);
  const results = h("ul", { class: "list", "aria-label": `${label}: results` });
  let asked = 0;
  const again = async () => {
    const mine = ++asked;
    errors.clear();
    try {
      const found = await run(form);
      // Only the latest search draws: an older answer arriving late is dropped.
      if (mine !== asked) return;
      fill(results, found.length ? found.map((x) => row(x, again)) : h("li", { class: "muted" }, "Nothing found."));
    } catch (err) {
      if (mine !== asked) return;
      errors.show(err);
      fill(results);
    }
  };
  fill(form, h("h2", null, label), h("div", { class: "row" }, ...fields, h("button", { type: "submit", class: "secondary" }, "Search")), errors.area, results);
  form.addEventListener("submit", (e) => { e.preventDefault(); again(); });
  return { form, again };
}

/** @param {any} main */
export function findScreen(main) {
  const orders = searchBox("Orders",
    [h("label", { class: "grow" }, "Customer's phone", h("input", { name: "phone", type: "tel", placeholder: "+91 94200 00000", autocomplete: "off" })),
      h("label", { class: "grow" }, "or restaurant id", h("input", { name: "restaurant_id", placeholder: "0190…", autocomplete: "off" }))],
    async (f) => {
      const phone = f.elements.phone.value.trim(), restaurant = f.elements.restaurant_id.value.trim().toLowerCase();
      return get(`/admin/orders${qs({ phone: phone || undefined, restaurant_id: restaurant || undefined, limit: 50 })}`);
    },
    (o) => h("li", { class: "row", "data-found-order": o.order_id },
      h("span", { class: "grow" }, `#${o.order_id.slice(-6).toUpperCase()} · ${o.status.toLowerCase().replaceAll("_", " ")} · ${money(o.total_amount)} · ${o.payment_method} · ${when(o.created_at)}`),
      h("a", { href: `#/ops/order/${o.order_id}` }, "Open")));

  /** A ban or unban button for a person or a restaurant. @param {any} x @param {string} path @param {string} what @param {() => void} again */
  const banButton = (x, path, what, again) => h("button", { type: "button", class: x.is_banned ? "secondary" : "secondary danger",
    onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
      const reason = x.is_banned ? null : await askReason(what);
      if (!x.is_banned && !reason) return;
      try {
        await api("POST", `${path}/${x.is_banned ? "unban" : "ban"}`, x.is_banned ? {} : { reason });
        toast(x.is_banned ? `${what} unbanned` : `${what} banned`);
        again();
      } catch (err) {
        toast(/** @type {any} */ (err).message, "error");
      }
    }) }, x.is_banned ? "Unban" : "Ban");

  const people = searchBox("People",
    [h("label", { class: "grow" }, "Phone, email or name", h("input", { name: "q", maxlength: 100, autocomplete: "off" })),
      h("label", null, "Role", h("select", { name: "role" }, h("option", { value: "" }, "Anyone"),
        ["CUSTOMER", "RESTAURANT", "DELIVERY", "ADMIN"].map((r) => h("option", { value: r }, r === "DELIVERY" ? "Rider" : r[0] + r.slice(1).toLowerCase())))),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "banned" }), " Banned only")],
    (f) => get(`/admin/users${qs({ q: f.elements.q.value.trim() || undefined, role: f.elements.role.value || undefined,
      banned: f.elements.banned.checked ? "true" : undefined, limit: 50 })}`),
    (u, again) => h("li", { class: "row", "data-user": u.user_id },
      h("span", { class: "grow" }, h("strong", null, u.name), ` · ${u.phone} · ${u.role === "DELIVERY" ? "rider" : u.role.toLowerCase()}${u.approved_at ? "" : " · waiting for approval"}`,
        u.is_banned ? h("span", { class: "warn block" }, `Banned: ${u.ban_reason || "no reason given"}`) : null),
      u.role === "ADMIN" ? null : banButton(u, `/admin/users/${u.user_id}`, u.name, again)));

  const places = searchBox("Restaurants",
    [h("label", { class: "grow" }, "Name", h("input", { name: "q", maxlength: 100, autocomplete: "off" })),
      h("label", { class: "inline" }, h("input", { type: "checkbox", name: "banned" }), " Banned only")],
    (f) => get(`/admin/restaurants${qs({ q: f.elements.q.value.trim() || undefined, banned: f.elements.banned.checked ? "true" : undefined, limit: 50 })}`),
    (r, again) => h("li", { class: "row", "data-restaurant": r.restaurant_id },
      h("span", { class: "grow" }, h("strong", null, r.name), ` · ${r.address?.city || ""} · ${r.is_paused ? "paused" : "taking orders"}`,
        r.is_banned ? h("span", { class: "warn block" }, `Banned: ${r.ban_reason || "no reason given"}`) : null),
      h("button", { type: "button", class: "link", onclick: () => {
        orders.form.elements.phone.value = "";
        orders.form.elements.restaurant_id.value = r.restaurant_id;
        orders.again();
        orders.form.scrollIntoView();
      } }, "Orders"),
      banButton(r, `/admin/restaurants/${r.restaurant_id}`, r.name, again)));

  fill(main, h("h1", null, "Find"), orders.form, people.form, places.form);
}
