// Where to deliver: a saved address, or a new one placed on the map (drag the pin) or typed as
// coordinates. The choice is kept in this browser until changed.

import { h, fill, errorsOf, busy, toast } from "../ui.js";
import { api, get, place, setPlace } from "../api.js";
import { pinMap } from "../map.js";

const BENGALURU = { lat: 12.9716, lng: 77.5946 };

/** @param {any} a */
function labelOf(a) {
  return `${a.address_type === "HOME" ? "Home" : a.address_type === "WORK" ? "Work" : "Other"} · ${a.address_line1}`;
}

/** @param {any} main */
export function placeScreen(main) {
  const saved = h("ul", { class: "list", "aria-label": "Saved addresses" });
  // Labelled once its heading is in it (it is drawn after the saved addresses arrive).
  const form = h("form", { class: "card" });
  fill(main, h("section", { class: "card" }, h("h1", null, "Where should we deliver?"), saved), form);
  get("/users/addresses").then((list) => {
    if (!list.length) fill(saved, h("li", { class: "muted" }, "No saved addresses yet: add one below."));
    else fill(saved, list.map((/** @type {any} */ a) => h("li", null, h("button", { type: "button", class: "row-button",
      onclick: () => { setPlace({ lat: a.latitude, lng: a.longitude, label: labelOf(a), address_id: a.address_id }); location.hash = "#/"; } },
      h("strong", null, labelOf(a)), h("span", { class: "muted" }, `${a.city}${a.landmark ? ` · near ${a.landmark}` : ""}`)))));
    buildForm(form, list.length === 0);
  }, (err) => toast(err.message, "error"));
}

/** @param {any} form @param {boolean} first */
async function buildForm(form, first) {
  const current = place();
  let start = current ? { lat: current.lat, lng: current.lng } : BENGALURU;
  if (!current) {
    try {
      const d = await get("/demo");
      start = { lat: d.centre[0], lng: d.centre[1] };
    } catch {
      // Not a demo server: start from the city the app was made in.
    }
  }
  const errors = errorsOf(form);
  const lat = h("input", { name: "latitude", type: "number", step: "0.000001", min: -85, max: 85, required: true, value: start.lat.toFixed(6) });
  const lng = h("input", { name: "longitude", type: "number", step: "0.000001", min: -180, max: 180, required: true, value: start.lng.toFixed(6) });
  const map = pinMap(start, (p) => { lat.value = p.lat.toFixed(6); lng.value = p.lng.toFixed(6); });
  const typed = () => {
    const p = { lat: Number(lat.value), lng: Number(lng.value) };
    if (Number.isFinite(p.lat) && Number.isFinite(p.lng)) map.set(p);
  };
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);
  const submit = h("button", { type: "submit" }, "Save and deliver here");
  fill(form,
    h("h2", { id: "new-address" }, "A new address"),
    h("p", { class: "muted" }, "Drag the pin to your door, or type its coordinates."),
    map.el,
    h("div", { class: "row" }, h("label", null, "Latitude", lat), h("label", null, "Longitude", lng)),
    h("label", null, "House, street", h("input", { name: "address_line1", required: true, maxlength: 200, autocomplete: "address-line1" })),
    h("label", null, "Landmark (optional)", h("input", { name: "landmark", maxlength: 200 })),
    h("label", null, "City", h("input", { name: "city", required: true, maxlength: 100, autocomplete: "address-level2", value: "Bengaluru" })),
    h("label", null, "Save as", h("select", { name: "address_type" },
      h("option", { value: "HOME" }, "Home"), h("option", { value: "WORK" }, "Work"), h("option", { value: "OTHER" }, "Other"))),
    errors.area, submit);
  form.setAttribute("aria-labelledby", "new-address");
  form.addEventListener("submit", (/** @type {Event} */ e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      const f = form.elements;
      const body = { address_line1: f.address_line1.value.trim(), city: f.city.value.trim(), address_type: f.address_type.value,
        latitude: Number(f.latitude.value), longitude: Number(f.longitude.value), is_default: first,
        ...(f.landmark.value.trim() ? { landmark: f.landmark.value.trim() } : {}) };
      try {
        const a = await api("POST", "/users/addresses", body);
        setPlace({ lat: a.latitude, lng: a.longitude, label: labelOf(a), address_id: a.address_id });
        location.hash = "#/";
      } catch (err) {
        errors.show(err);
      }
    });
  });
}
