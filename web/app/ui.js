// Small DOM helpers shared by every screen: element building, money, times, messages, dialogs.

/**
 * Builds an element. `attrs` keys starting with "on" are listeners; `class`, `for`, `aria-*`
 * and the rest are attributes; children may be strings, nodes, arrays, null or false.
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {any}
 */
export function h(tag, attrs, ...children) {
  const el = /** @type {any} */ (document.createElement(tag));
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** @param {any} el @param {any[]} children */
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. @param {any} el @param {...any} children */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", minimumFractionDigits: 2 });

/** ₹1,23,456.00 from paise (Indian digit grouping). @param {number} paise */
export function money(paise) {
  return rupees.format(paise / 100);
}

/** A time in the viewer's zone. @param {string} iso */
export function clock(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
}

/** A date and time in the viewer's zone. @param {string} iso */
export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
}

/** Shows a passing message. @param {string} text @param {"info"|"error"} [kind] */
export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null }, text);
  box.append(t);
  setTimeout(() => t.remove(), kind === "error" ? 8000 : 4000);
}

/**
 * An inline message area for a form: shows an API error's message and marks the fields it names.
 * @param {any} form
 */
export function errorsOf(form) {
  const area = h("p", { class: "form-error", role: "alert", hidden: true });
  return {
    area,
    /** @param {any} err */
    show(err) {
      form.querySelectorAll("[aria-invalid]").forEach((/** @type {any} */ f) => f.removeAttribute("aria-invalid"));
      form.querySelectorAll(".field-error").forEach((/** @type {any} */ f) => f.remove());
      const details = Array.isArray(err?.details) ? err.details : [];
      for (const d of details) {
        const field = form.querySelector(`[name="${CSS.escape(String(d.field).split(/[.[]/)[0])}"]`);
        if (field) {
          field.setAttribute("aria-invalid", "true");
          field.insertAdjacentElement("afterend", h("span", { class: "field-error" }, d.message));
        }
      }
      area.hidden = false;
      area.textContent = err?.message || String(err);
    },
    clear() {
      area.hidden = true;
      area.textContent = "";
      form.querySelectorAll(".field-error").forEach((/** @type {any} */ f) => f.remove());
    },
  };
}

/**
 * A modal dialog; resolves with what `build` passes to `close`, or null when dismissed.
 * @param {string} title
 * @param {(close: (v: any) => void) => any} build
 * @returns {Promise<any>}
 */
export function dialog(title, build) {
  return new Promise((resolve) => {
    const d = h("dialog", { "aria-label": title });
    let done = false;
    const close = (/** @type {any} */ v) => {
      if (done) return;
      done = true;
      d.close();
      d.remove();
      resolve(v);
    };
    d.addEventListener("cancel", () => close(null));
    fill(d, h("div", { class: "dialog-head" }, h("h2", null, title),
      h("button", { class: "icon", type: "button", "aria-label": "Close", onclick: () => close(null) }, "✕")), build(close));
    document.body.append(d);
    d.showModal();
  });
}

/** Asks yes or no. @param {string} title @param {string} text @param {string} yes */
export function confirmBox(title, text, yes) {
  return dialog(title, (close) => h("div", null, h("p", null, text), h("div", { class: "row end" },
    h("button", { type: "button", class: "secondary", onclick: () => close(false) }, "Keep"),
    h("button", { type: "button", onclick: () => close(true) }, yes))));
}

/** A veg or non-veg mark, as Indian menus print them. @param {boolean} veg */
export function vegMark(veg) {
  return h("span", { class: veg ? "veg" : "nonveg", role: "img", "aria-label": veg ? "Vegetarian" : "Non-vegetarian", title: veg ? "Vegetarian" : "Non-vegetarian" });
}

/** A button that stays disabled while its action runs, so a double click acts once. @param {any} btn @param {() => Promise<any>} act */
export async function busy(btn, act) {
  if (btn.disabled) return;
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  try {
    return await act();
  } finally {
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}

/**
 * Whether the screen that called this is still the one shown: a screen's late answers must not
 * draw over the next screen. The router counts screens in `main.dataset.screen`.
 * @param {any} main
 */
export function screenAlive(main) {
  const mine = main.dataset.screen;
  return () => main.dataset.screen === mine;
}

/** A payment page the app may send the person to: this server's own, or an https gateway. @param {string} url */
export function safeGateway(url) {
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin || u.protocol === "https:";
  } catch {
    return false;
  }
}
