// A bar chart in SVG (no chart library): one bar per measure, grouped by day or hour.

import { money } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";
/** @param {string} tag @param {Record<string, any>} attrs @param {string} [text] */
function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @param {Array<Record<string, any>>} days each with `day` (YYYY-MM-DD) and a figure per key
 * @param {string[]} keys the measures, drawn in this order (class `bar-<key>`)
 * @param {string} label what the chart shows, for screen readers
 * @param {{format?: (v: number) => string, tick?: (d: Record<string, any>) => string, name?: (d: Record<string, any>) => string, ticks?: number}} [opts]
 *   how a figure is written (default rupees from paise), a bar group's axis label, its name in
 *   tooltips, and how many axis labels at most (default 14)
 */
export function barChart(days, keys, label, opts = {}) {
  const format = opts.format || ((/** @type {number} */ v) => money(v).replace(".00", ""));
  const tick = opts.tick || ((/** @type {any} */ d) => d.day.slice(5));
  const name = opts.name || ((/** @type {any} */ d) => d.day);
  const W = 640, H = 220, pad = 36;
  const max = Math.max(1, ...days.flatMap((d) => keys.map((k) => Math.abs(d[k]))));
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
  const slot = (W - pad) / Math.max(1, days.length);
  const bw = Math.max(2, Math.min(18, slot / (keys.length + 1)));
  svg.append(s("line", { x1: pad, y1: H - 24, x2: W, y2: H - 24, class: "axis" }));
  svg.append(s("text", { x: 2, y: 12, class: "tick" }, format(max)));
  days.forEach((d, i) => {
    const x0 = pad + i * slot + slot / 2 - (bw * keys.length) / 2;
    keys.forEach((k, j) => {
      const hgt = ((H - 40) * Math.max(0, d[k])) / max;
      const r = s("rect", { x: x0 + j * bw, y: H - 24 - hgt, width: bw - 1, height: hgt, class: `bar-${k}` });
      r.append(s("title", {}, `${name(d)} ${k.replaceAll("_", " ")}: ${format(d[k])}`));
      svg.append(r);
    });
    const ticks = opts.ticks || 14;
    if (days.length <= ticks || i % Math.ceil(days.length / ticks) === 0) {
      svg.append(s("text", { x: pad + i * slot + slot / 2, y: H - 8, "text-anchor": "middle", class: "tick" }, tick(d)));
    }
  });
  return svg;
}
