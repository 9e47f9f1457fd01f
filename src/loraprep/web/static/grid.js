/* Virtualised gallery grid: only the visible rows exist in the DOM, so 10,000 images scroll like 100. */
const CELL_W = 172, CELL_H = 210, OVERSCAN = 2;
const BADGE_TEXT = { f: "failed", s: "small", d: "duplicate", x: "excluded" };

export class Grid {
  constructor(scroller, space, handlers) {
    this.el = scroller; this.space = space; this.h = handlers;
    this.view = []; this.cols = 1; this.pool = []; this.focus = 0;
    this.el.addEventListener("scroll", () => { this.paint(); if (this.h.scrolled) this.h.scrolled(); }, { passive: true });
    new ResizeObserver(() => this.layout()).observe(this.el);
    this.el.addEventListener("click", (ev) => this.click(ev));
    this.el.addEventListener("dblclick", (ev) => { const c = ev.target.closest(".cell"); if (c) this.h.open(+c.dataset.id); });
  }
  setView(view, rows) { this.view = view; this.rows = rows; this.focus = Math.min(this.focus, Math.max(view.length - 1, 0)); this.layout(); }
  layout() {
    this.cols = Math.max(1, Math.floor(this.el.clientWidth / CELL_W));
    this.space.style.height = Math.ceil(this.view.length / this.cols) * CELL_H + "px";
    this.paint();
  }
  paint() {
    const top = this.el.scrollTop, height = this.el.clientHeight || 800;
    const first = Math.max(0, Math.floor(top / CELL_H) - OVERSCAN);
    const last = Math.min(Math.ceil(this.view.length / this.cols), Math.ceil((top + height) / CELL_H) + OVERSCAN);
    const need = (last - first) * this.cols;
    while (this.pool.length < need) { const d = this.cell(); this.space.appendChild(d); this.pool.push(d); }
    let used = 0;
    for (let r = first; r < last; r++) {
      for (let c = 0; c < this.cols; c++) {
        const pos = r * this.cols + c;
        if (pos >= this.view.length) break;
        this.fill(this.pool[used++], pos, r, c);
      }
    }
    for (let i = used; i < this.pool.length; i++) this.pool[i].style.display = "none";
  }
  visibleIds() {
    // The ids of the rows on screen (and the overscan): what an edit must repaint before anything else.
    const top = this.el.scrollTop, height = this.el.clientHeight || 800;
    const first = Math.max(0, Math.floor(top / CELL_H) - OVERSCAN) * this.cols;
    const last = Math.min(this.view.length, (Math.ceil((top + height) / CELL_H) + OVERSCAN) * this.cols);
    const ids = [];
    for (let pos = first; pos < last; pos++) ids.push(this.rows.id[this.view[pos]]);
    return ids;
  }
  cell() {
    const d = document.createElement("div");
    d.className = "cell";
    d.innerHTML = '<div class="thumb"><img loading="eager" decoding="async" alt=""></div><div class="badges"></div><div class="name"></div><div class="sub"></div>';
    d._img = d.querySelector("img"); d._badges = d.querySelector(".badges");
    d._name = d.querySelector(".name"); d._sub = d.querySelector(".sub");
    return d;
  }
  fill(d, pos, r, c) {
    const i = this.view[pos], R = this.rows, id = R.id[i];
    d.style.display = "";
    d.style.transform = `translate(${c * CELL_W}px, ${r * CELL_H}px)`;
    const key = id + ":" + R.badges[i] + ":" + R.tags[i] + ":" + R.concept[i] + ":" + R.tier[i] + ":" + R.status[i] + ":" + R.v[i];
    if (d._key !== key) {
      d._key = key; d.dataset.id = id; d.dataset.pos = pos;
      // ?v= names the content: a file whose bytes changed on a rescan gets a new URL, not the cached thumbnail
      const src = R.status[i] === "failed" ? "" : "api/images/" + id + "/thumb?v=" + R.v[i];
      if (d._src !== src) { d._src = src; if (src) d._img.src = src; else d._img.removeAttribute("src"); }
      d._name.textContent = R.name[i]; d._name.title = R.path[i];
      d._sub.textContent = (R.concept[i] || "(root)") + (R.tier[i] ? " · " + R.tier[i] : "") + " · " + R.tags[i] + " tags";
      d._badges.innerHTML = [...R.badges[i]].map((b) => `<span class="badge b-${b}" title="${BADGE_TEXT[b]}">${BADGE_TEXT[b]}</span>`).join("");
      d.className = "cell st-" + R.status[i];
    }
    d.dataset.pos = pos;
    d.classList.toggle("focus", pos === this.focus);
    d.classList.toggle("sel", this.h.isSelected(id));
    d.classList.toggle("current", this.h.current() === id);
    if (R.reason[i]) d.title = R.reason[i]; else d.removeAttribute("title");
  }
  click(ev) {
    const c = ev.target.closest(".cell"); if (!c) return;
    const pos = +c.dataset.pos, id = +c.dataset.id;
    if (ev.shiftKey) this.h.selectRange(Math.min(this.focus, pos), Math.max(this.focus, pos));
    else if (ev.ctrlKey || ev.metaKey) this.h.toggle(id);
    else this.h.open(id);
    this.focus = pos; this.paint(); this.el.focus({ preventScroll: true });
  }
  move(delta) {
    if (!this.view.length) return;
    this.focus = Math.max(0, Math.min(this.view.length - 1, this.focus + delta));
    const row = Math.floor(this.focus / this.cols), top = row * CELL_H;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + CELL_H > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + CELL_H - this.el.clientHeight;
    this.paint();
  }
  focusedId() { return this.view.length ? this.rows.id[this.view[this.focus]] : null; }
  key(ev) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -this.cols, ArrowDown: this.cols,
      PageUp: -this.cols * 4, PageDown: this.cols * 4, Home: -1e9, End: 1e9 };
    if (ev.key in moves) { this.move(moves[ev.key]); if (ev.shiftKey) this.h.toggle(this.focusedId(), true); return true; }
    if (ev.key === "Enter") { const id = this.focusedId(); if (id != null) this.h.open(id); return true; }
    if (ev.key === " ") { const id = this.focusedId(); if (id != null) this.h.toggle(id); return true; }
    return false;
  }
}
