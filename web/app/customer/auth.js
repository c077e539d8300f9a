// Sign in (with one-click demo accounts on a demo server) and sign up.

import { h, fill, errorsOf, busy } from "../ui.js";
import { api, setSession, place } from "../api.js";

const ROLE_NAMES = { CUSTOMER: "Customer", RESTAURANT: "Restaurant owner", DELIVERY: "Rider", ADMIN: "Admin" };

/** @param {any} auth */
function signedIn(auth) {
  setSession({ token: auth.token, user: auth.user });
  const r = auth.user.role;
  location.hash = r === "RESTAURANT" ? "#/kitchen" : r === "CUSTOMER" ? (place() ? "#/" : "#/place") : r === "DELIVERY" ? "#/ride" : "#/ops";
}

/** @param {any} main */
export function loginScreen(main) {
  const form = h("form", { class: "card narrow", "aria-labelledby": "login-title" });
  const errors = errorsOf(form);
  const demo = h("div", { class: "demo" });
  const submit = h("button", { type: "submit" }, "Sign in");
  fill(form,
    h("h1", { id: "login-title" }, "Sign in to Dabba"),
    demo,
    h("label", null, "Phone or email", h("input", { name: "login", autocomplete: "username", required: true, placeholder: "+91…" })),
    h("label", null, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    errors.area,
    submit,
    h("p", null, "New here? ", h("a", { href: "#/signup" }, "Create an account")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      const login = form.elements.login.value.trim();
      const body = login.includes("@") ? { email: login, password: form.elements.password.value } : { phone: login, password: form.elements.password.value };
      try {
        signedIn(await api("POST", "/auth/login", body));
      } catch (err) {
        errors.show(err);
      }
    });
  });
  fill(main, form);
  api("GET", "/demo").then((d) => {
    fill(demo, h("h2", null, "Demo accounts"), h("p", { class: "muted" }, "One click signs in as:"),
      h("div", { class: "demo-buttons" }, d.accounts.map((/** @type {any} */ a) => h("button", {
        type: "button", class: "secondary", "data-role": a.role,
        onclick: (/** @type {any} */ e) => busy(e.currentTarget, async () => {
          try {
            signedIn(await api("POST", "/auth/login", { phone: a.phone, password: d.password }));
          } catch (err) {
            errors.show(err);
          }
        }),
      }, h("strong", null, ROLE_NAMES[/** @type {keyof ROLE_NAMES} */ (a.role)] || a.role), h("span", null, a.name)))));
  }, () => demo.remove());
}

/** @param {any} main */
export function signupScreen(main) {
  const form = h("form", { class: "card narrow", "aria-labelledby": "signup-title" });
  const errors = errorsOf(form);
  const submit = h("button", { type: "submit" }, "Create account");
  fill(form,
    h("h1", { id: "signup-title" }, "Create your account"),
    h("label", null, "Name", h("input", { name: "name", autocomplete: "name", required: true, maxlength: 100 })),
    h("label", null, "Mobile number", h("input", { name: "phone", type: "tel", autocomplete: "tel", required: true, placeholder: "+919876543210" })),
    h("label", null, "Email (optional)", h("input", { name: "email", type: "email", autocomplete: "email" })),
    h("label", null, "Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
    h("fieldset", null, h("legend", null, "I am"),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "role", value: "CUSTOMER", checked: true }), " ordering food"),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "role", value: "RESTAURANT" }), " a restaurant owner"),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "role", value: "DELIVERY" }), " a delivery partner")),
    errors.area,
    submit,
    h("p", null, "Have an account? ", h("a", { href: "#/login" }, "Sign in")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(submit, async () => {
      errors.clear();
      const f = form.elements;
      const body = { name: f.name.value.trim(), phone: f.phone.value.trim(), password: f.password.value, role: f.role.value,
        ...(f.email.value.trim() ? { email: f.email.value.trim() } : {}) };
      try {
        signedIn(await api("POST", "/auth/register", body));
      } catch (err) {
        errors.show(err);
      }
    });
  });
  fill(main, form);
}
