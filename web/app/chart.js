// A bar chart per day in SVG (no chart library): one bar per measure, grouped by day.

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
 * @param {Array<Record<string, any>>} days each with `day` (YYYY-MM-DD) and a paise figure per key
 * @param {string[]} keys the measures, drawn in this order (class `bar-<key>`)
 * @param {string} label what the chart shows, for screen readers
 */
export function barChart(days, keys, label) {
  const W = 640, H = 220, pad = 36;
  const max = Math.max(1, ...days.flatMap((d) => keys.map((k) => Math.abs(d[k]))));
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
  const slot = (W - pad) / Math.max(1, days.length);
  const bw = Math.max(2, Math.min(18, slot / (keys.length + 1)));
  svg.append(s("line", { x1: pad, y1: H - 24, x2: W, y2: H - 24, class: "axis" }));
  svg.append(s("text", { x: 2, y: 12, class: "tick" }, money(max).replace(".00", "")));
  days.forEach((d, i) => {
    const x0 = pad + i * slot + slot / 2 - (bw * keys.length) / 2;
    keys.forEach((k, j) => {
      const hgt = ((H - 40) * Math.max(0, d[k])) / max;
      const r = s("rect", { x: x0 + j * bw, y: H - 24 - hgt, width: bw - 1, height: hgt, class: `bar-${k}` });
      r.append(s("title", {}, `${d.day} ${k}: ${money(d[k])}`));
      svg.append(r);
    });
    if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0) {
      svg.append(s("text", { x: pad + i * slot + slot / 2, y: H - 8, "text-anchor": "middle", class: "tick" }, d.day.slice(5)));
    }
  });
  return svg;
}
