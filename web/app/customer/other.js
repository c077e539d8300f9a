// Riders and admins: their screens come with the next part of the web app; until then the page
// says so instead of showing a customer's home.

import { h, fill } from "../ui.js";

/** @param {any} main @param {any} user */
export function otherRoleScreen(main, user) {
  const what = "The operations console";
  fill(main, h("section", { class: "card narrow" }, h("h1", null, `Hello, ${user.name}`),
    h("p", null, `${what} is not in the web app yet; the API serves it (see /api/docs).`)));
}
