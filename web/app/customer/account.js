// The customer's account: wallet (balance, statement, top-up through the pay page),
// notifications with their unread count, profile and saved addresses.

import { h, fill, money, when, toast, busy, errorsOf, safeGateway } from "../ui.js";
import { api, get, newKey, place, setPlace } from "../api.js";

/** @param {any} main */
export function accountScreen(main) {
  const wallet = h("section", { class: "card", "aria-labelledby": "wallet-title" });
  const notes = h("section", { class: "card", "aria-labelledby": "notes-title" });
  const profile = h("section", { class: "card", "aria-labelledby": "profile-title" });
  const addresses = h("section", { class: "card", "aria-labelledby": "addr-title" });
  fill(main, h("h1", null, "Account"), wallet, notes, profile, addresses);
  drawWallet(wallet);
  drawNotes(notes);
  drawProfile(profile);
  drawAddresses(addresses);
}

/** @param {any} box */
async function drawWallet(box) {
  const w = await get("/wallet").catch((err) => ({ error: err.message }));
  if (w.error) return fill(box, h("p", { class: "form-error" }, w.error));
  const form = h("form", { class: "row", "aria-label": "Top up" });
  const errors = errorsOf(form);
  const submit = h("button", { type: "submit" }, "Add money");
  fill(form, h("label", { class: "grow" }, "Amount (₹)", h("input", { name: "amount", type: "number", min: 10, max: 20000, step: 1, required: true, value: 500 })),
    h("label", null, "Pay by", h("select", { name: "method" }, h("option", { value: "UPI" }, "UPI"), h("option", { value: "CARD" }, "Card"))), submit, errors.area);
  // One key per top-up the person means: a retry after a timeout cannot charge twice; a
  // changed amount or method is a new top-up.
  let key = newKey();
  form.addEventListener("change", () => { key = newKey(); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      try {
        const r = await api("POST", "/wallet/topup", { amount: Math.round(Number(form.elements.amount.value) * 100), method: form.elements.method.value }, { key });
        sessionStorage.setItem("dabba.return", "#/account");
        if (r.gateway_url && safeGateway(r.gateway_url)) location.href = r.gateway_url;
      } catch (err) {
        errors.show(err);
      }
    });
  });
  fill(box, h("h2", { id: "wallet-title" }, "Dabba wallet"), h("p", { class: "balance", "data-balance": w.balance }, money(w.balance)), form,
    w.recent.length ? h("table", { class: "statement" }, h("caption", null, "Recent"), h("tbody", null, [...w.recent].reverse().map((/** @type {any} */ l) =>
      h("tr", null, h("td", null, when(l.created_at)), h("td", null, l.kind.replaceAll("_", " ").toLowerCase()), h("td", { class: "num" }, money(-l.amount)))))) : null);
}

/** @param {any} box */
async function drawNotes(box) {
  const list = await get("/notifications?limit=20").catch(() => []);
  const unread = list.filter((/** @type {any} */ n) => !n.read_at).length;
  fill(box, h("h2", { id: "notes-title" }, "Notifications ", unread ? h("span", { class: "badge", "aria-label": `${unread} unread` }, String(unread)) : null),
    unread ? h("button", { type: "button", class: "link", onclick: async () => { await api("POST", "/notifications/read-all").catch(() => {}); drawNotes(box); } }, "Mark all read") : null,
    list.length ? h("ul", { class: "list" }, list.map((/** @type {any} */ n) => h("li", { class: n.read_at ? "" : "unread" },
      h(n.order_id ? "a" : "span", { href: n.order_id ? `#/order/${n.order_id}` : null }, h("strong", null, n.title), " ", n.body),
      h("span", { class: "muted small" }, ` ${when(n.created_at)}`)))) : h("p", { class: "muted" }, "Nothing yet."));
}

/** @param {any} box */
async function drawProfile(box) {
  const u = await get("/users/profile").catch(() => null);
  if (!u) return;
  const form = h("form", { "aria-labelledby": "profile-title" });
  const errors = errorsOf(form);
  const submit = h("button", { type: "submit", class: "secondary" }, "Save");
  fill(form, h("h2", { id: "profile-title" }, "Profile"), h("p", { class: "muted" }, u.phone),
    h("label", null, "Name", h("input", { name: "name", required: true, maxlength: 100, value: u.name })),
    h("label", null, "Email", h("input", { name: "email", type: "email", value: u.email || "" })), errors.area, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      try {
        await api("PUT", "/users/profile", { name: form.elements.name.value.trim(), ...(form.elements.email.value.trim() ? { email: form.elements.email.value.trim() } : {}) });
        toast("Profile saved");
      } catch (err) {
        errors.show(err);
      }
    });
  });
  fill(box, form);
}

/** @param {any} box */
async function drawAddresses(box) {
  const list = await get("/users/addresses").catch(() => []);
  fill(box, h("h2", { id: "addr-title" }, "Addresses"), h("ul", { class: "list" }, list.map((/** @type {any} */ a) => h("li", { class: "row" },
    h("span", { class: "grow" }, `${a.address_type.toLowerCase()} · ${a.address_line1}, ${a.city}`),
    h("button", { type: "button", class: "link", onclick: () => { setPlace({ lat: a.latitude, lng: a.longitude, label: `${a.address_type === "HOME" ? "Home" : a.address_type === "WORK" ? "Work" : "Other"} · ${a.address_line1}`, address_id: a.address_id }); location.hash = "#/"; } }, "Deliver here"),
    h("button", { type: "button", class: "link danger", "aria-label": `Delete ${a.address_line1}`, onclick: async () => {
      try {
        await api("DELETE", `/users/addresses/${a.address_id}`);
        if (place()?.address_id === a.address_id) localStorage.removeItem("dabba.place");
        drawAddresses(box);
      } catch (err) {
        toast(/** @type {any} */ (err).message, "error");
      }
    } }, "Delete")))), h("a", { href: "#/place" }, "Add an address"));
}
