// The client of the public API: the same /api/v1 a phone app uses. Keeps the session and the
// chosen delivery place in localStorage, and turns error bodies into ApiError.

export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    super(body?.message || (status === 0 ? "You seem to be offline: check the connection and try again." : `The server answered ${status}.`));
    this.status = status;
    this.code = body?.error_code || (status === 0 ? "OFFLINE" : "ERROR");
    this.details = body?.details;
  }
}

/** @returns {{token: string, user: any} | null} */
export function session() {
  try {
    return JSON.parse(localStorage.getItem("dabba.session") || "null");
  } catch {
    return null;
  }
}

/** @param {{token: string, user: any} | null} s */
export function setSession(s) {
  if (s) localStorage.setItem("dabba.session", JSON.stringify(s));
  else localStorage.removeItem("dabba.session");
  window.dispatchEvent(new Event("dabba:session"));
}

/**
 * Calls the API. `key` sends an Idempotency-Key (a retry of the same action reuses it).
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {any} [body]
 * @param {{key?: string}} [opts]
 * @returns {Promise<any>}
 */
export async function api(method, path, body, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  const s = session();
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (opts.key) headers["idempotency-key"] = opts.key;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && s) {
      // Signed out by the server: nothing of this person stays for the next one.
      localStorage.removeItem("dabba.place");
      setSession(null);
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (/** @type {string} */ p) => api("GET", p);

/** A query string from the defined values. @param {Record<string, any>} q */
export function qs(q) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "" && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** A fresh Idempotency-Key. */
export function newKey() {
  return crypto.randomUUID();
}

/** @returns {{lat: number, lng: number, label: string, address_id?: string} | null} */
export function place() {
  try {
    return JSON.parse(localStorage.getItem("dabba.place") || "null");
  } catch {
    return null;
  }
}

/** @param {{lat: number, lng: number, label: string, address_id?: string}} p */
export function setPlace(p) {
  localStorage.setItem("dabba.place", JSON.stringify(p));
}

/** The WebSocket URL of a path on this server. @param {string} path */
export function wsUrl(path) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}
