/* The editor page: state, server calls, filters, sidebar, selection, batch edits, undo/redo, live refresh. */
import { api } from "./api.js";
import { esc, fail, frame, option, q, toast } from "./dom.js";
import { Grid } from "./grid.js";
import { loadBoxes } from "./crops.js";
import { closePanel, describeBatch, loadHistory, openImage, showImage, wirePanels } from "./panels.js";
import { S } from "./state.js";

// How long the page waits before it asks again: the tests and the benchmark may change these.
const delays = { fill: 1500 };

const grid = new Grid(q("#grid"), q("#grid-space"), {
  open: (id) => openImage(id), isSelected: (id) => S.selected.has(id), current: () => S.current,
  toggle: (id, on) => { if (id == null) return; if (on || !S.selected.has(id)) S.selected.add(id); else S.selected.delete(id); selectionChanged(); },
  selectRange: (a, b) => { for (let p = a; p <= b; p++) S.selected.add(S.rows.id[S.view[p]]); selectionChanged(); },
  scrolled: () => { if (S.fresh) fetchVisibleLater(); },
});
wirePanels({ grid, edit, refreshAll, targets, resetPreview });

/* ---- loading ---------------------------------------------------------------------------------------- */
async function loadSession() {
  S.session = await api("GET", "api/session");
  q("#dataset").textContent = S.session.dataset; document.title = S.session.dataset + " · loraprep";
  fillSelect(q("#concept"), S.session.concepts, "all concepts", (c) => c || "(root)");
  fillSelect(q("#status"), S.session.statuses, "any status", (s) => s);
  if (!S.session.features.select) q("#where").placeholder = "filter expressions need Workspace.select";
}
function fillSelect(sel, values, first, label) {
  const keep = sel.value;
  sel.innerHTML = `<option value="">${first}</option>` + values.map((v) => `<option value="${esc(v)}">${esc(label(v))}</option>`).join("");
  sel.value = values.includes(keep) ? keep : "";
}
async function loadGallery() {
  const data = await api("GET", "api/images");
  S.rows = data.columns; S.version = data.version; S.byId = new Map(S.rows.id.map((id, i) => [id, i]));
  for (const id of [...S.selected]) if (!S.byId.has(id)) S.selected.delete(id);
}
async function refreshAll() {
  await loadGallery();
  S.fresh = null;
  await applyFilter(false);
  if (S.current != null && S.byId.has(S.current)) await openImage(S.current, true);
}

/* ---- filtering and sorting ------------------------------------------------------------------------- */
function query() {
  return { where: q("#where").value.trim() || null, concept: q("#concept").value || null,
    status: q("#status").value || null, text: q("#text").value.trim() || null };
}
function filterActive() { const f = query(); return !!(f.where || f.concept || f.status || f.text); }
async function applyFilter(counts = true) {
  const f = query(); let ids = null;
  q("#filter-error").hidden = true;
  if (f.where) {
    try { ids = (await api("POST", "api/select", f)).ids; }
    catch (e) { q("#filter-error").textContent = e.message + (e.hint ? " — " + e.hint : ""); q("#filter-error").hidden = false; return; }
  } else if (filterActive()) ids = localFilter(f);
  S.filtered = ids;
  sortView();
  if (counts !== null) loadCounts();
}
function localFilter(f) {
  // Concept, status and file name are columns the page already holds: no round trip (the server's select
  // answers the same; tag expressions need the server's rules).
  const R = S.rows, needle = (f.text || "").toLowerCase(), out = [];
  if (needle && (!S.lowerPaths || S.lowerPaths.source !== R.path)) {
    S.lowerPaths = R.path.map((p) => p.toLowerCase()); S.lowerPaths.source = R.path;
  }
  for (let i = 0; i < R.id.length; i++) {
    if (f.concept !== null && R.concept[i] !== f.concept) continue;
    if (f.status !== null && R.status[i] !== f.status) continue;
    if (needle && !S.lowerPaths[i].includes(needle)) continue;
    out.push(R.id[i]);
  }
  return out;
}
function sortView() {
  const R = S.rows; let view = S.filtered ? S.filtered.map((id) => S.byId.get(id)).filter((i) => i !== undefined) : R.id.map((_, i) => i);
  const mode = q("#sort").value;
  const by = { tags: (a, b) => R.tags[b] - R.tags[a], conf: (a, b) => R.conf[b] - R.conf[a], conf_asc: (a, b) => R.conf[a] - R.conf[b],
    res: (a, b) => R.w[b] * R.h[b] - R.w[a] * R.h[a] }[mode];
  if (by) view = view.slice().sort((a, b) => by(a, b) || a - b); else if (S.filtered) view.sort((a, b) => a - b);
  S.view = view; grid.setView(view, R); updateCounts();
}
function updateCounts() {
  q("#counts").textContent = `${S.rows.id.length.toLocaleString()} images · ${S.view.length.toLocaleString()} shown · ${S.selected.size.toLocaleString()} selected`;
  const t = targets();
  q("#target-info").textContent = t.ids ? `on ${t.ids.length} selected` : (filterActive() ? `on the filter (${S.view.length})` : `on all ${S.view.length}`);
}
function targets() {
  // Large selections travel as filters: "select all" is the filter that showed them, while nothing was written
  // since (an edit can change what a filter selects); a hand-made selection travels as its ids.
  const all = S.selectedAll;
  if (all && all.version === S.version && all.count === S.selected.size) return { filter: all.query };
  if (S.selected.size) return { ids: [...S.selected] };
  if (filterActive()) return { filter: query() };
  return { filter: { where: null, concept: null, status: null, text: null } };
}
function selectionChanged(all) { S.selectedAll = all || null; grid.paint(); updateCounts(); resetPreview(); loadCounts(); }
function selectAll() {
  for (const i of S.view) S.selected.add(S.rows.id[i]);
  // Only a selection that is exactly the view equals its filter (one kept from before may hold others).
  const exact = S.selected.size === S.view.length;
  selectionChanged(exact ? { query: query(), version: S.version, count: S.selected.size } : null);
}

/* ---- tag sidebar ------------------------------------------------------------------------------------- */
let countsSeq = 0, countsTimer = null, countsWaiters = [];
function loadCounts() {
  // Debounced: a burst of edits or clicks asks for the sidebar's counts once, after it settles; every caller's
  // promise settles with that one fetch.
  clearTimeout(countsTimer);
  return new Promise((done) => {
    countsWaiters.push(done);
    countsTimer = setTimeout(() => { countsTimer = null; const waiters = countsWaiters; countsWaiters = []; fetchCounts().finally(() => waiters.forEach((w) => w())); }, 120);
  });
}
function cancelCounts() {
  // Dropped, not lost: the caller asks again; a promise waiting on the dropped fetch settles now.
  const waiting = countsTimer !== null; clearTimeout(countsTimer); countsTimer = null;
  const waiters = countsWaiters; countsWaiters = []; waiters.forEach((w) => w());
  return waiting;
}
async function fetchCounts() {
  const seq = ++countsSeq;
  const body = S.selected.size ? targets() : (S.filtered ? { filter: query() } : {});
  q("#side-title").textContent = S.selected.size ? "Tags of the selection" : (S.filtered ? "Tags of the filter" : "Tags");
  try {
    const data = await api("POST", "api/tags/counts", body);
    if (seq === countsSeq) { S.counts = data.tags; renderCounts(); }
  } catch (e) { fail(e); }
}
function renderCounts() {
  const find = q("#tag-find").value.trim().toLowerCase();
  const rows = (S.counts || []).filter((t) => !find || t.tag.includes(find)).slice(0, 600);
  q("#tag-list").innerHTML = rows.map((t) => `<li data-tag="${esc(t.tag)}" title="${esc(t.category)}${t.core ? " · core tag" : ""} — click to filter, shift-click to exclude"><span class="cat-${esc(t.category)}${t.core ? " core" : ""}">${esc(t.tag)}</span><span class="n">${t.count}</span></li>`).join("");
}
q("#tag-list").addEventListener("click", (ev) => {
  const li = ev.target.closest("li"); if (!li) return;
  const term = (ev.shiftKey ? "NOT " : "") + JSON.stringify(li.dataset.tag);
  const w = q("#where"); w.value = w.value.trim() ? w.value.trim() + " AND " + term : term; applyFilter();
});
q("#tag-find").addEventListener("input", renderCounts);

/* ---- edits ------------------------------------------------------------------------------------------- */
function onScreen() {
  // What a write's answer should bring back first: the rows on screen and the open image.
  const visible = grid.visibleIds(), current = S.current ?? null; if (current != null) visible.push(current);
  return { visible, current };
}
async function write(path, body, announce) {
  // An edit, undo or redo. A sidebar refresh still waiting would count every image while this write waits
  // behind it: the write asks for fresh counts itself once it is done (and again when nothing was written).
  const countsWaiting = cancelCounts();
  let res;
  try { res = await api("POST", path, { ...body, ...onScreen() }); }
  catch (e) { if (countsWaiting) loadCounts(); throw e; }
  S.version = res.version;
  if (announce) toast(announce(res));
  if (res.batch_id) await afterWrite(res); else if (countsWaiting) loadCounts();
  return res;
}
async function edit(editSpec, target, quiet) {
  return write("api/edits/apply", { edit: editSpec, ...target }, quiet ? null
    : (res) => res.batch_id ? `${res.edit}: ${res.changed} image(s) changed (batch ${res.batch_id})` : "nothing to change");
}
function patchRows(rows) {
  // Fresh rows from the server over the page's copy; true when a column the filters read changed.
  const R = S.rows, filtered = new Set(["concept", "status", "path"]);
  let refilter = false;
  rows.id.forEach((id, k) => {
    const i = S.byId.get(id); if (i === undefined) return;
    for (const c in rows) { if (filtered.has(c) && R[c][i] !== rows[c][k]) refilter = true; R[c][i] = rows[c][k]; }
    if ("path" in rows) S.lowerPaths = null;
  });
  return refilter;
}
async function afterWrite(res) {
  // The server sends the fresh rows of the images the write may have changed: repaint those, keep the rest.
  if (!res.rows) { await refreshAll(); loadHistory(); return; }
  const rows = res.rows, refilter = patchRows(rows);
  // After a large edit only the rows on screen came back: rows scrolled to before the page refreshes are
  // fetched as they appear (S.fresh: the ids already current).
  if (res.pending) S.fresh = new Set(rows.id); else if (S.fresh) rows.id.forEach((id) => S.fresh.add(id));
  if (res.detail && res.detail.file.id === S.current) showImage(res.detail, true);
  else if (S.current != null && S.byId.has(S.current) && rows.id.includes(S.current)) await openImage(S.current, true);
  if (refilter || (query().where && filterActive())) await applyFilter(false); else grid.paint();
  // The rows off screen (and the sidebar's counts, which need every row's rules) follow once the user pauses:
  // a burst of large edits then waits for them once, not after each edit.
  if (res.pending) fillLater(); else loadCounts();
  loadHistory();
}
let visibleTimer;
function fetchVisibleLater() {
  clearTimeout(visibleTimer);
  visibleTimer = setTimeout(async () => {
    if (!S.fresh) return;
    const ids = grid.visibleIds().filter((id) => !S.fresh.has(id));
    if (!ids.length) return;
    ids.forEach((id) => S.fresh.add(id));
    const askAgain = () => ids.forEach((id) => S.fresh && S.fresh.delete(id));
    try {
      const r = await api("POST", "api/rows", { ids });
      // A write answered meanwhile is newer than these rows: leave them to be asked for again.
      if (r.version !== S.version) { askAgain(); return; }
      if (patchRows(r.rows) && filterActive()) await applyFilter(false); else grid.paint();
    } catch (e) { askAgain(); fail(e); }
  }, 60);
}
let fillTimer;
function fillLater() { clearTimeout(fillTimer); fillTimer = setTimeout(() => refreshAll().catch(fail), delays.fill); }
async function step(dir) {
  // Says whose batch it is before acting on one the editor did not write (a CLI command's), and sends the
  // batch it showed: the server refuses (409) when another has become the next one meanwhile.
  try {
    const batch = (await api("GET", "api/history?limit=1"))[dir];
    if (!batch) { toast(`nothing to ${dir}`, true); return; }
    if (batch.via !== "web" && !confirm(`${dir === "undo" ? "Undo" : "Redo"} ${describeBatch(batch)}?`)) return;
    await write("api/" + dir, { expected: batch.id }, (r) => `${dir}: ${r.label}`);
    if (S.current != null) loadBoxes(S.current);  // a crop batch changes the open picture's boxes, not its row
  } catch (e) { fail(e); if (e.status === 409) loadHistory(); }
}
q("#undo").onclick = () => step("undo"); q("#redo").onclick = () => step("redo");

/* ---- batch bar --------------------------------------------------------------------------------------- */
// The edit kinds come from the server; the page adds its words for them and the front-of-caption add.
const KIND_LABELS = { consolidate: "consolidate into", concept: "move to concept", tier: "move to tier" };
const TARGET_KINDS = ["replace", "consolidate", "concept", "tier"];
async function loadEditKinds() {
  const kinds = await api("GET", "api/edits/kinds"), select = q("#batch-kind");
  for (const kind of [...kinds.tag_kinds, ...kinds.file_kinds]) {
    select.append(option(kind, KIND_LABELS[kind] || kind));
    if (kind === "add") select.append(option("add-front", "add at the front"));
  }
  S.fileKinds = kinds.file_kinds;  // they change files, not tags: no tags to type
}
function batchSpec() {
  let kind = q("#batch-kind").value, position;
  if (kind === "add-front") { kind = "add"; position = "front"; }
  const tags = q("#batch-tags").value.split(",").map((t) => t.trim()).filter(Boolean);
  const spec = { kind, tags, target: q("#batch-target").value.trim() };
  if (position) spec.position = position;
  return spec;
}
function resetPreview() { S.preview = null; q("#batch-apply").disabled = true; q("#batch-diff").hidden = true; }
function batchFields() {
  const k = q("#batch-kind").value;
  q("#batch-tags").hidden = S.fileKinds.includes(k);
  q("#batch-target").hidden = !TARGET_KINDS.includes(k);
  q("#batch-target").placeholder = k === "concept" ? "concept name" : k === "tier" ? "tier name" : "new tag";
  resetPreview();
}
q("#batch-kind").onchange = batchFields;
for (const s of ["#batch-tags", "#batch-target"]) q(s).addEventListener("input", resetPreview);
q("#batch-preview").onclick = async () => {
  try {
    const spec = batchSpec(), t = targets();
    const p = await api("POST", "api/edits/preview", { edit: spec, ...t });
    S.preview = { spec, t }; q("#batch-apply").disabled = p.changed === 0;
    const lines = p.examples.map((x) => `<div>${esc(x.path)}: ${x.ops.map((o) => `<span class="${o.startsWith("add") ? "add" : o.startsWith("remove") ? "rm" : ""}">${esc(o)}</span>`).join(", ")}</div>`);
    q("#batch-diff").innerHTML = `<b>${esc(p.edit)}</b>: ${p.changed} of ${p.selected} image(s) would change${p.changed > p.examples.length ? " — examples:" : ""}` + lines.join("");
    q("#batch-diff").hidden = false;
  } catch (e) { fail(e); }
};
q("#batch-apply").onclick = async () => {
  if (!S.preview) return;
  try { await edit(S.preview.spec, S.preview.t); resetPreview(); } catch (e) { fail(e); }
};

/* ---- header controls and keyboard -------------------------------------------------------------------- */
let filterTimer;
q("#where").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { clearTimeout(filterTimer); applyFilter(); } });
q("#where").addEventListener("input", () => { clearTimeout(filterTimer); filterTimer = setTimeout(applyFilter, 400); });
q("#text").addEventListener("input", () => { clearTimeout(filterTimer); filterTimer = setTimeout(applyFilter, 150); });
for (const s of ["#concept", "#status"]) q(s).onchange = () => applyFilter();
q("#sort").onchange = () => sortView();
document.addEventListener("keydown", (ev) => {
  const inField = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  const mod = ev.ctrlKey || ev.metaKey;
  if (mod && !inField && (ev.key === "z" || ev.key === "Z")) { ev.preventDefault(); step(ev.shiftKey ? "redo" : "undo"); return; }
  if (mod && !inField && ev.key === "y") { ev.preventDefault(); step("redo"); return; }
  if (ev.key === "Escape") { if (document.querySelector("dialog[open]")) return; if (inField) { document.activeElement.blur(); return; }
    if (S.selected.size) { S.selected.clear(); selectionChanged(); } else closePanel(); return; }
  if (inField) return;
  if (mod && ev.key === "a") { ev.preventDefault(); selectAll(); return; }
  if (ev.key === "/") { ev.preventDefault(); q("#where").focus(); return; }
  if (ev.key === "t" && S.current != null) { ev.preventDefault(); q("#add-tag").focus(); return; }
  if (grid.key(ev)) ev.preventDefault();
});

/* ---- live refresh: another tab or a CLI command may write ------------------------------------------- */
async function poll() {
  try { const v = (await api("GET", "api/version")).version; if (v !== S.version && !S.busy) { S.version = v; await refreshAll(); loadHistory(); toast("updated: the dataset changed"); } }
  catch (e) { /* the server may be restarting */ }
}

/* ---- hooks for tests and the benchmark ---------------------------------------------------------------- */
// The page's one global, deliberately: benchmarks/editor.py and tests/web/test_browser.py drive the page through it.
window.LP = { S, api, edit, applyFilter, localFilter, openImage: (id) => openImage(id), refreshAll, frame, step, targets, selectAll,
  loadCounts, cancelCounts, delays,
  async timed(fn) { const t0 = performance.now(); await fn(); await frame(); return performance.now() - t0; } };

(async function boot() {
  try {
    const t0 = performance.now();
    await loadSession(); await Promise.all([loadGallery(), loadEditKinds()]); batchFields(); sortView(); await frame();
    window.LP.firstPaintMs = performance.now() - t0; document.body.dataset.ready = "1";
    loadCounts(); loadHistory(); setInterval(poll, 2000);
    grid.el.focus();
  } catch (e) { fail(e); document.body.dataset.ready = "error"; }
})();
