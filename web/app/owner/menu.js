// The menu editor: categories (add, rename, move, delete) and items (new, with a choice group
// and its options; availability, stock, price). Validation messages from the API are shown at the
// field they concern. The customer's page reads the same menu, so a change shows there at once.

import { h, fill, money, toast, busy, errorsOf, dialog, vegMark } from "../ui.js";
import { api, get } from "../api.js";

/** @param {any} main @param {{id: string}} params */
export function menuScreen(main, { id }) {
  const body = h("div");
  const addCat = h("form", { class: "row card", "aria-label": "New category" });
  const catErrors = errorsOf(addCat);
  fill(addCat, h("label", { class: "grow" }, "New category", h("input", { name: "name", required: true, maxlength: 100 })), h("button", { type: "submit", class: "secondary" }, "Add category"), catErrors.area);
  addCat.addEventListener("submit", async (e) => {
    e.preventDefault();
    catErrors.clear();
    try {
      await api("POST", `/restaurants/${id}/categories`, { name: addCat.elements.name.value.trim() });
      addCat.reset();
      await draw();
    } catch (err) {
      catErrors.show(err);
    }
  });
  fill(main, h("p", null, h("a", { href: `#/kitchen/${id}` }, "← Orders")), h("h1", null, "Menu"), addCat, body);
  const draw = async () => {
    const menu = await get(`/restaurants/${id}/menu`);
    const cats = menu.categories;
    fill(body, cats.map((/** @type {any} */ c, /** @type {number} */ i) => h("section", { class: "card", "aria-labelledby": `mc-${c.category_id}` },
      h("div", { class: "row" }, h("h2", { id: `mc-${c.category_id}`, class: "grow" }, c.name),
        h("button", { type: "button", class: "link", onclick: () => rename(c) }, "Rename"),
        i > 0 ? h("button", { type: "button", class: "link", "aria-label": `Move ${c.name} up`, onclick: () => reorder(cats, i, -1) }, "↑") : null,
        i < cats.length - 1 ? h("button", { type: "button", class: "link", "aria-label": `Move ${c.name} down`, onclick: () => reorder(cats, i, 1) }, "↓") : null,
        h("button", { type: "button", class: "link danger", onclick: () => remove(c) }, "Delete")),
      h("ul", { class: "list" }, c.items.map((/** @type {any} */ it) => itemRow(it))),
      h("button", { type: "button", class: "secondary", onclick: () => newItem(c) }, `Add a dish to ${c.name}`))));
  };
  /** @param {any} it */
  const itemRow = (it) => {
    const stock = h("input", { type: "number", min: 0, max: 100000, value: it.stock ?? "", "aria-label": `Stock of ${it.name} (empty: not counted)`, class: "short" });
    const price = h("input", { type: "number", min: 0, step: "0.01", value: (it.price / 100).toFixed(2), "aria-label": `Price of ${it.name} in rupees`, class: "short" });
    const save = (/** @type {any} */ patch) => api("PATCH", `/restaurants/${id}/items/${it.item_id}`, patch).then(() => { toast(`${it.name} saved`); return draw(); }, (err) => toast(`${it.name}: ${err.message}`, "error"));
    stock.addEventListener("change", () => save({ stock: stock.value === "" ? null : Number(stock.value) }));
    price.addEventListener("change", () => save({ price: Math.round(Number(price.value) * 100) }));
    return h("li", { class: "row menu-item", "data-item": it.item_id },
      vegMark(it.is_veg), h("span", { class: "grow" }, it.name, it.customizations.length ? h("span", { class: "muted small" }, ` · ${it.customizations.length} choice group(s)`) : null),
      h("label", { class: "inline small" }, "₹", price),
      h("label", { class: "inline small" }, "Stock ", stock),
      h("label", { class: "inline small switch" }, h("input", { type: "checkbox", checked: it.is_available, onchange: (/** @type {any} */ e) => save({ is_available: e.target.checked }) }), " Available"));
  };
  /** @param {any} c */
  const rename = async (c) => {
    const name = await dialog(`Rename ${c.name}`, (close) => {
      const f = h("form");
      const errors = errorsOf(f);
      fill(f, h("label", null, "Name", h("input", { name: "name", value: c.name, required: true, maxlength: 100 })), errors.area, h("button", { type: "submit" }, "Save"));
      f.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await api("PATCH", `/restaurants/${id}/categories/${c.category_id}`, { name: f.elements.name.value.trim() });
          close(true);
        } catch (err) {
          errors.show(err);
        }
      });
      return f;
    });
    if (name) await draw();
  };
  /** @param {any[]} cats @param {number} i @param {number} d */
  const reorder = async (cats, i, d) => {
    const ids = cats.map((c) => c.category_id);
    [ids[i], ids[i + d]] = [ids[i + d], ids[i]];
    try {
      await api("PUT", `/restaurants/${id}/categories/order`, { category_ids: ids });
      await draw();
    } catch (err) {
      toast(/** @type {any} */ (err).message, "error");
    }
  };
  /** @param {any} c */
  const remove = async (c) => {
    try {
      await api("DELETE", `/restaurants/${id}/categories/${c.category_id}`);
      await draw();
    } catch (err) {
      toast(/** @type {any} */ (err).message, "error");
    }
  };
  /** @param {any} c */
  const newItem = async (c) => {
    const made = await dialog(`New dish in ${c.name}`, (close) => {
      const f = h("form", { class: "new-item" });
      const errors = errorsOf(f);
      const options = h("div", { class: "options-editor" });
      const addOption = () => options.append(h("div", { class: "row" },
        h("label", { class: "grow" }, "Option", h("input", { name: "option_label", maxlength: 100 })),
        h("label", null, "+₹", h("input", { name: "option_price", type: "number", min: 0, step: "0.01", value: 0, class: "short" }))));
      addOption();
      addOption();
      const submit = h("button", { type: "submit" }, "Add dish");
      fill(f, h("label", null, "Name", h("input", { name: "name", required: true, maxlength: 100 })),
        h("label", null, "Description", h("input", { name: "description", maxlength: 500 })),
        h("div", { class: "row" }, h("label", null, "Price (₹)", h("input", { name: "price", type: "number", min: 0, step: "0.01", required: true })),
          h("label", null, "Stock (optional)", h("input", { name: "stock", type: "number", min: 0 }))),
        h("label", { class: "inline" }, h("input", { type: "checkbox", name: "is_veg", checked: true }), " Vegetarian"),
        h("fieldset", null, h("legend", null, "A choice group (optional)"),
          h("label", null, "Group name", h("input", { name: "group_name", maxlength: 100, placeholder: "Size, Spice level…" })),
          h("label", { class: "inline" }, h("input", { type: "checkbox", name: "group_required" }), " Required (choose exactly one)"),
          options, h("button", { type: "button", class: "link", onclick: addOption }, "Another option")),
        errors.area, submit);
      f.addEventListener("submit", (e) => {
        e.preventDefault();
        busy(submit, async () => {
          errors.clear();
          const el = f.elements;
          const opts = [...f.querySelectorAll("input[name=option_label]")].map((/** @type {any} */ inp, /** @type {number} */ i) => ({
            label: inp.value.trim(), price: Math.round(Number(/** @type {any} */ (f.querySelectorAll("input[name=option_price]")[i]).value || 0) * 100) })).filter((o) => o.label);
          const group = el.group_name.value.trim();
          const required = el.group_required.checked;
          const body = { category_id: c.category_id, name: el.name.value.trim(), price: Math.round(Number(el.price.value) * 100), is_veg: el.is_veg.checked,
            ...(el.description.value.trim() ? { description: el.description.value.trim() } : {}),
            ...(el.stock.value !== "" ? { stock: Number(el.stock.value) } : {}),
            ...(group ? { customizations: [{ name: group, required, min_selections: required ? 1 : 0, max_selections: required ? 1 : Math.max(1, opts.length), options: opts }] } : {}) };
          try {
            close(await api("POST", `/restaurants/${id}/items`, body));
          } catch (err) {
            errors.show(err);
          }
        });
      });
      return f;
    });
    if (made) {
      toast(`${made.name} added at ${money(made.price)}`);
      await draw();
    }
  };
  draw().catch((err) => fill(body, h("p", { class: "form-error" }, err.message)));
}
