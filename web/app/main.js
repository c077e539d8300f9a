// The shell: a router over the URL's fragment (#/r/ID, #/order/ID…), the top bar, and the
// screen of each route. Screens are functions of (main element, route params) that may return a
// cleanup (to close sockets and timers when the person leaves the screen).

import { h, fill } from "./ui.js";
import { session, setSession, place } from "./api.js";
import { loginScreen, signupScreen } from "./customer/auth.js";
import { placeScreen } from "./customer/place.js";
import { homeScreen, searchScreen } from "./customer/home.js";
import { restaurantScreen } from "./customer/restaurant.js";
import { cartScreen, cartCount } from "./customer/cart.js";
import { orderScreen } from "./customer/order.js";
import { ordersScreen } from "./customer/orders.js";
import { accountScreen } from "./customer/account.js";
import { kitchenList, boardScreen } from "./owner/board.js";
import { menuScreen } from "./owner/menu.js";
import { payoutsScreen } from "./owner/payouts.js";
import { riderScreen } from "./rider/app.js";
import { consoleScreen } from "./admin/console.js";
import { findScreen } from "./admin/find.js";
import { dashboardScreen } from "./admin/dashboard.js";

/** @type {Array<[RegExp, string, (main: any, p: any) => any, string?]>} */
const ROUTES = [
  [/^\/login$/, "Sign in", loginScreen, "any"],
  [/^\/signup$/, "Create an account", signupScreen, "any"],
  [/^\/place$/, "Where to deliver", placeScreen],
  [/^\/search$/, "Search", searchScreen],
  [/^\/r\/([0-9a-f-]{36})$/, "Restaurant", restaurantScreen],
  [/^\/cart$/, "Your cart", cartScreen],
  [/^\/order\/([0-9a-f-]{36})$/, "Your order", orderScreen],
  [/^\/orders$/, "Your orders", ordersScreen],
  [/^\/account$/, "Account", accountScreen],
  [/^\/kitchen$/, "Your restaurants", kitchenList, "RESTAURANT"],
  [/^\/kitchen\/([0-9a-f-]{36})$/, "Orders", boardScreen, "RESTAURANT"],
  [/^\/kitchen\/([0-9a-f-]{36})\/menu$/, "Menu", menuScreen, "RESTAURANT"],
  [/^\/kitchen\/([0-9a-f-]{36})\/payouts$/, "Payouts", payoutsScreen, "RESTAURANT"],
  [/^\/ride$/, "Deliveries", riderScreen, "DELIVERY"],
  [/^\/ops$/, "Operations", consoleScreen, "ADMIN"],
  [/^\/ops\/order\/([0-9a-f-]{36})$/, "Operations", consoleScreen, "ADMIN"],
  [/^\/ops\/find$/, "Find", findScreen, "ADMIN"],
  [/^\/ops\/dashboard$/, "Dashboard", dashboardScreen, "ADMIN"],
  [/^\/$/, "Restaurants near you", homeScreen],
];

let cleanup = /** @type {any} */ (null);

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  return { path, query: new URLSearchParams(query || "") };
}

/** Sends people where their role works. @param {any} user */
function home(user) {
  if (user.role === "RESTAURANT") return "#/kitchen";
  if (user.role === "CUSTOMER") return place() ? "#/" : "#/place";
  if (user.role === "DELIVERY") return "#/ride";
  return "#/ops";
}

function route() {
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const main = document.getElementById("main");
  const { path, query } = parse();
  const s = session();
  // A card or UPI payment comes back to `/` from the pay page: resume the order it was for.
  const paying = sessionStorage.getItem("dabba.paying");
  const back = sessionStorage.getItem("dabba.return");
  if ((paying || back) && s && path === "/") {
    sessionStorage.removeItem("dabba.paying");
    sessionStorage.removeItem("dabba.return");
    location.hash = paying ? `#/order/${paying}` : String(back);
    return;
  }
  for (const [rx, title, screen, who] of ROUTES) {
    const m = path.match(rx);
    if (!m) continue;
    if (who !== "any" && !s) {
      location.hash = "#/login";
      return;
    }
    if (s && who === undefined && s.user.role !== "CUSTOMER") {
      location.hash = home(s.user);
      return;
    }
    if (s && (who === "RESTAURANT" || who === "DELIVERY" || who === "ADMIN") && s.user.role !== who) {
      location.hash = home(s.user);
      return;
    }
    if (s && path === "/" && !place()) {
      location.hash = "#/place";
      return;
    }
    document.title = `${title} · Dabba`;
    bar(s);
    fill(main);
    main.dataset.screen = String(Number(main.dataset.screen || "0") + 1);
    cleanup = screen(main, { id: m[1], query, title });
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return;
  }
  location.hash = s ? home(s.user) : "#/login";
}

/** The top bar: brand, delivery place, cart and account for customers; sign out. @param {any} s */
export function bar(s) {
  const el = document.getElementById("bar");
  const p = place();
  const customer = s?.user.role === "CUSTOMER";
  fill(el, h("nav", { "aria-label": "Main" },
    h("a", { class: "brand", href: s ? home(s.user) : "#/login" }, "dabba"),
    customer ? h("a", { class: "place-chip", href: "#/place", "aria-label": `Delivering to ${p ? p.label : "nowhere yet"}: change` },
      h("span", { class: "muted" }, "Deliver to "), p ? p.label : "choose a place") : null,
    h("span", { class: "grow" }),
    customer ? h("a", { href: "#/orders" }, "Orders") : null,
    customer ? h("a", { href: "#/account" }, "Account") : null,
    customer ? h("a", { href: "#/cart", class: "cart-link", "data-count": "" }, "Cart ", h("span", { class: "count", "aria-label": "items in the cart" })) : null,
    s?.user.role === "RESTAURANT" ? h("a", { href: "#/kitchen" }, "Restaurants") : null,
    s?.user.role === "ADMIN" ? h("a", { href: "#/ops" }, "Live") : null,
    s?.user.role === "ADMIN" ? h("a", { href: "#/ops/find" }, "Find") : null,
    s?.user.role === "ADMIN" ? h("a", { href: "#/ops/dashboard" }, "Dashboard") : null,
    s ? h("button", { type: "button", class: "link", onclick: logout }, "Sign out") : h("a", { href: "#/login" }, "Sign in")));
  if (customer) cartCount().catch(() => {});
}

async function logout() {
  const { api } = await import("./api.js");
  try {
    await api("POST", "/auth/logout");
  } catch {
    // The session ends here whatever the server said.
  }
  setSession(null);
  localStorage.removeItem("dabba.place");
  location.hash = "#/login";
}

window.addEventListener("hashchange", route);
// The skip link moves focus; it is not a route.
document.querySelector(".skip")?.addEventListener("click", (e) => {
  e.preventDefault();
  document.getElementById("main")?.focus();
});
window.addEventListener("dabba:session", () => {
  if (!session()) location.hash = "#/login";
});
route();
