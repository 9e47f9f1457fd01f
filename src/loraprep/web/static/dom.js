/* The one DOM helper of the page's modules: find an element, escape text for markup, wait a frame, say a message. */
export const q = (selector) => document.querySelector(selector);

export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

// Two frames: the browser has laid out and painted what the caller changed.
export const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

export function option(value, label) {
  const o = document.createElement("option");
  o.value = value; o.textContent = label;
  return o;
}

let toastTimer;
export function toast(msg, err) {
  const t = q("#toast"); t.textContent = msg; t.className = err ? "err" : "";
  clearTimeout(toastTimer); toastTimer = setTimeout(() => (t.textContent = ""), 6000);
}
export function fail(e) { toast((e.message || String(e)) + (e.hint ? " — " + e.hint : ""), true); }
