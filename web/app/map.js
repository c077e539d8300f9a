// Maps drawn in SVG from what the app knows (no tile server): a street grid, the restaurant,
// the home, the rider and the trail of their route. Also a map to place a delivery pin.

const NS = "http://www.w3.org/2000/svg";
/** @param {string} tag @param {Record<string, any>} attrs */
function s(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Metres per degree of latitude. */
const M_PER_DEG = 111320;

/**
 * A projection of a box around `points` onto a W×H viewport (north up, same scale both ways).
 * @param {{lat: number, lng: number}[]} points
 * @param {number} W @param {number} H @param {number} minSpanM
 */
function project(points, W, H, minSpanM) {
  const lat0 = points.reduce((a, p) => a + p.lat, 0) / points.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    const x = p.lng * kx * M_PER_DEG, y = p.lat * M_PER_DEG;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const span = Math.max(maxX - minX, ((maxY - minY) * W) / H, minSpanM) * 1.25;
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const scale = W / span;
  return {
    /** @param {{lat: number, lng: number}} p */
    xy: (p) => [W / 2 + (p.lng * kx * M_PER_DEG - cx) * scale, H / 2 - (p.lat * M_PER_DEG - cy) * scale],
    /** @param {number} x @param {number} y */
    latlng: (x, y) => ({ lat: (cy - (y - H / 2) / scale) / M_PER_DEG, lng: (cx + (x - W / 2) / scale) / (kx * M_PER_DEG) }),
    metresPerPx: 1 / scale,
    grid: { cx, cy, scale, kx },
  };
}

/** Streets every 250 m, main roads every 1 km, in the projection's frame. */
function streets(/** @type {any} */ svg, /** @type {any} */ pr, /** @type {number} */ W, /** @type {number} */ H) {
  const g = s("g", { class: "streets", "aria-hidden": "true" });
  const { cx, cy, scale } = pr.grid;
  for (const step of [250, 1000]) {
    const cls = step === 1000 ? "road" : "street";
    const x0 = Math.floor((cx - W / 2 / scale) / step) * step;
    for (let x = x0; x < cx + W / 2 / scale; x += step) {
      const px = W / 2 + (x - cx) * scale;
      g.append(s("line", { x1: px, y1: 0, x2: px, y2: H, class: cls }));
    }
    const y0 = Math.floor((cy - H / 2 / scale) / step) * step;
    for (let y = y0; y < cy + H / 2 / scale; y += step) {
      const py = H / 2 - (y - cy) * scale;
      g.append(s("line", { x1: 0, y1: py, x2: W, y2: py, class: cls }));
    }
  }
  svg.append(g);
}

/** @param {any} svg @param {number[]} xy @param {string} cls @param {string} label @param {string} glyph */
function marker(svg, xy, cls, label, glyph) {
  const g = s("g", { class: `marker ${cls}`, transform: `translate(${xy[0].toFixed(1)},${xy[1].toFixed(1)})`, role: "img", "aria-label": label });
  g.append(s("circle", { r: 13 }));
  const t = s("text", { "text-anchor": "middle", "dominant-baseline": "central" });
  t.textContent = glyph;
  g.append(t);
  const title = s("title", {});
  title.textContent = label;
  g.append(title);
  svg.append(g);
  return g;
}

/**
 * The order's map. `update` redraws with the latest positions.
 * @param {string} label
 */
export function orderMap(label) {
  const W = 360, H = 260;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "map", role: "img", "aria-label": label });
  return {
    el: svg,
    /**
     * @param {{restaurant: {lat: number, lng: number}, home: {lat: number, lng: number}, rider?: {lat: number, lng: number} | null, trail?: {lat: number, lng: number}[]}} at
     */
    update(at) {
      svg.replaceChildren();
      const pts = [at.restaurant, at.home, ...(at.rider ? [at.rider] : [])];
      const pr = project(pts, W, H, 1500);
      svg.append(s("rect", { x: 0, y: 0, width: W, height: H, class: "land" }));
      streets(svg, pr, W, H);
      const [rx, ry] = pr.xy(at.restaurant), [hx, hy] = pr.xy(at.home);
      svg.append(s("line", { x1: rx, y1: ry, x2: hx, y2: hy, class: "planned" }));
      const trail = at.trail || [];
      if (trail.length > 1) {
        svg.append(s("polyline", { points: trail.map((p) => pr.xy(p).map((v) => v.toFixed(1)).join(",")).join(" "), class: "trail",
          "data-points": trail.map((p) => `${p.lat.toFixed(6)},${p.lng.toFixed(6)}`).join(" ") }));
      }
      marker(svg, [rx, ry], "restaurant", "Restaurant", "R");
      marker(svg, [hx, hy], "home", "Delivery address", "H");
      if (at.rider) {
        const m = marker(svg, pr.xy(at.rider), "rider", "Rider", "");
        m.append(s("circle", { r: 4, class: "rider-dot" }));
        m.setAttribute("data-lat", at.rider.lat.toFixed(6));
        m.setAttribute("data-lng", at.rider.lng.toFixed(6));
      }
    },
  };
}

/**
 * A map to place a pin: drag it, click where it goes, or move it with the arrow keys.
 * @param {{lat: number, lng: number}} start
 * @param {(p: {lat: number, lng: number}) => void} onMove
 */
export function pinMap(start, onMove) {
  const W = 360, H = 240;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "map pick", role: "application", tabindex: 0,
    "aria-label": "Delivery pin: drag it, click the map, or use the arrow keys to move it" });
  let at = { ...start };
  const pr = project([start], W, H, 3000);
  svg.append(s("rect", { x: 0, y: 0, width: W, height: H, class: "land" }));
  streets(svg, pr, W, H);
  const pin = s("g", { class: "pin" });
  const shape = s("path", { d: "M0,0 C-9,-14 -12,-20 -12,-26 A12,12 0 1 1 12,-26 C12,-20 9,-14 0,0 Z" });
  pin.append(shape, s("circle", { cx: 0, cy: -26, r: 4, class: "pin-dot" }));
  svg.append(pin);
  const place = () => {
    const [x, y] = pr.xy(at);
    pin.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
  };
  place();
  /** @param {PointerEvent | MouseEvent} e */
  const toMap = (e) => {
    const r = svg.getBoundingClientRect();
    return pr.latlng(((e.clientX - r.left) / r.width) * W, ((e.clientY - r.top) / r.height) * H);
  };
  let dragging = false;
  svg.addEventListener("pointerdown", (e) => { dragging = true; svg.setPointerCapture(e.pointerId); at = toMap(e); place(); });
  svg.addEventListener("pointermove", (e) => { if (dragging) { at = toMap(e); place(); } });
  svg.addEventListener("pointerup", () => { if (dragging) { dragging = false; onMove(at); } });
  svg.addEventListener("keydown", (e) => {
    const step = (50 / M_PER_DEG);
    const d = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] }[e.key];
    if (!d) return;
    e.preventDefault();
    at = { lat: at.lat + d[0], lng: at.lng + d[1] / Math.cos((at.lat * Math.PI) / 180) };
    place();
    onMove(at);
  });
  return {
    el: svg,
    /** @param {{lat: number, lng: number}} p */
    set(p) { at = { ...p }; place(); },
  };
}

/**
 * The operations map of a whole city: every rider (coloured by state) and every active order
 * (a line from its restaurant to its door, coloured by status; waiting and late ones stand out).
 * @param {string} label
 */
export function cityMap(label) {
  const W = 720, H = 460;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "map city", role: "img", "aria-label": label });
  return {
    el: svg,
    /** @param {{riders: any[], orders: any[]}} city */
    update(city) {
      svg.replaceChildren();
      const pts = [...city.riders.filter((r) => r.location).map((r) => r.location), ...city.orders.flatMap((o) => [o.restaurant, o.drop])];
      svg.append(s("rect", { x: 0, y: 0, width: W, height: H, class: "land" }));
      if (!pts.length) return;
      const pr = project(pts, W, H, 3000);
      streets(svg, pr, W, H);
      for (const o of city.orders) {
        const [x1, y1] = pr.xy(o.restaurant), [x2, y2] = pr.xy(o.drop);
        const g = s("g", { class: `order st-${o.status.toLowerCase()}${o.searching || (!o.rider_id) ? " waiting" : ""}${o.late ? " late" : ""}`,
          "data-order": o.order_id, "data-status": o.status });
        g.append(s("line", { x1, y1, x2, y2 }), s("circle", { cx: x1, cy: y1, r: 5 }), s("rect", { x: x2 - 4, y: y2 - 4, width: 8, height: 8 }));
        const t = s("title", {});
        t.textContent = `${o.restaurant_name}: ${o.status}${o.late ? ", late" : ""}${o.rider_id ? "" : ", no rider"}`;
        g.append(t);
        svg.append(g);
      }
      for (const r of city.riders) {
        if (!r.location) continue;
        const [x, y] = pr.xy(r.location);
        const c = s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 6, class: `rider-dot-${r.state.toLowerCase()}`,
          "data-rider": r.rider_id, "data-state": r.state, "data-lat": r.location.lat.toFixed(6), "data-lng": r.location.lng.toFixed(6) });
        const t = s("title", {});
        t.textContent = `Rider ${r.rider_id.slice(-6)}: ${r.state.toLowerCase().replace("_", " ")}`;
        c.append(t);
        svg.append(c);
      }
    },
  };
}
