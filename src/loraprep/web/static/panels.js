/* The image panel (tags, autocomplete, caption) and the dialogs: history, thresholds, duplicates, curation, plan. */
import { api } from "./api.js";
import { loadBoxes, paintBoxes, wireCrops } from "./crops.js";
import { esc, fail, option, q, toast } from "./dom.js";
import { S } from "./state.js";

// What the panels ask of the page (the grid, edits, refreshes, the batch bar), handed over once by app.js:
// the page imports the panels, never the other way round.
let page = null;
export function wirePanels(pageApi) { page = pageApi; wireCrops(() => page.refreshAll()); }

const SRC_LABEL = { tagger: "tagger", import: "imported", user: "you", rule: "rule" };
const WRITERS = { web: "written in the editor", cli: "written by a loraprep command" };
export function describeBatch(b) { return `batch #${b.id} "${b.label}" (${WRITERS[b.via] || "writer unknown"})`; }

/* ---- image panel ------------------------------------------------------------------------------------- */
let openSeq = 0;
export async function openImage(id, keepFocus) {
  const seq = ++openSeq;
  S.current = id; page.grid.paint();
  const d = await api("GET", "api/images/" + id);
  if (seq !== openSeq) return;
  showImage(d, keepFocus);
}
export function showImage(d, keepFocus) {
  // The panel from an image's detail: fetched by openImage, or carried by an edit's answer.
  const f = d.file;
  q("#panel").hidden = false;
  q("#panel-title").textContent = f.name;
  q("#panel-meta").innerHTML = `${esc(f.path)}<br>${f.width || "?"}×${f.height || "?"} ${esc(f.format || "")} · concept <b>${esc(f.concept || "(root)")}</b>` +
    (f.tier ? ` · tier <b>${esc(f.tier)}</b>` : "") + ` · <b>${esc(f.status)}</b>${f.reason ? " (" + esc(f.reason) + ")" : ""}` +
    sourceLine(d.source);
  const img = q("#panel-image"), src = f.status === "failed" ? "" : "api/images/" + f.id + "/file";
  if (img.dataset.src !== src) { img.dataset.src = src; if (src) img.src = src; else img.removeAttribute("src"); }
  q("#chips").innerHTML = d.tags.map((t) => chip(t)).join("") || '<span class="hint">no tags</span>';
  q("#dropped").innerHTML = d.dropped.map((t) => chip(t)).join("");
  q("#caption").value = d.caption;
  showFields(d.fields || {});
  S.detail = d;
  if (!keepFocus) q("#add-tag").value = "";
  if (src) loadBoxes(f.id);
}
function sourceLine(src) {
  // Where a downloaded image came from (the post's page, linked only when it is an http(s) address).
  if (!src) return "";
  const name = `${esc(src.site || src.kind)} post ${esc(src.post_id ?? "")}`;
  const link = /^https?:\/\//.test(src.url || "") ? `<a href="${esc(src.url)}" target="_blank" rel="noopener noreferrer">${name}</a>` : name;
  return `<br>from ${link}` + (src.score != null ? ` · score ${esc(src.score)}` : "") + (src.rating ? ` · ${esc(src.rating)}` : "");
}
function chip(t) {
  const score = t.score == null ? "" : `<span class="score">${t.score.toFixed(2)}</span>`;
  const src = `<span class="src src-${esc(t.source)}" title="${esc(t.origin || t.source)}">${esc(SRC_LABEL[t.source] || t.source)}</span>`;
  if (t.dropped_by) return `<span class="chip dropped cat-${esc(t.category)}" data-tag="${esc(t.name)}" title="removed by rule ${esc(t.dropped_by)}"><span class="tname">${esc(t.name)}</span>${score}<span class="rule">${esc(t.dropped_by)}</span><button data-act="pin" title="keep it anyway (pin)">◇</button></span>`;
  return `<span class="chip cat-${esc(t.category)}${t.pinned ? " pinned" : ""}" data-tag="${esc(t.name)}"><span class="tname">${esc(t.name)}</span>${score}${src}` +
    `<button data-act="${t.pinned ? "unpin" : "pin"}" title="${t.pinned ? "unpin" : "pin: rules never remove it"}">${t.pinned ? "◆" : "◇"}</button><button data-act="remove" title="remove">✕</button></span>`;
}
async function tagAction(kind, tag) {
  if (S.current == null) return;
  try { await page.edit({ kind, tags: [tag] }, { ids: [S.current] }); } catch (e) { fail(e); }
}
for (const box of ["#chips", "#dropped"]) q(box).addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-act]"); if (!b) return;
  tagAction(b.dataset.act, b.closest(".chip").dataset.tag);
});
/* ---- caption fields (character, copyright, ...): each set by the user is one journal batch ------------- */
function showFields(fields) {
  q("#fields").innerHTML = Object.entries(fields).map(([name, f]) =>
    `<label class="field-row" data-field="${esc(name)}"><span class="fname">${esc(name)}</span>` +
    `<input value="${esc(f.value)}" placeholder="—" aria-label="${esc(name)}" spellcheck="false">` +
    `<span class="src" title="where the value comes from">${esc(f.from)}</span>` +
    (name === "character" && f.value ? `<button data-act="rename" title="rename this character on every image">rename all</button>` : "") +
    `</label>`).join("");
}
async function setField(body) {
  try {
    const res = await api("POST", "api/fields", { ...body, current: S.current });
    if (res.detail) showImage(res.detail, true);
    toast(res.batch_id ? `${body.field}: saved (batch ${res.batch_id})` : "nothing to change");
    loadHistory();
  } catch (e) { fail(e); }
}
q("#fields").addEventListener("change", (ev) => {
  const row = ev.target.closest(".field-row"); if (!row || S.current == null) return;
  setField({ field: row.dataset.field, value: ev.target.value, ids: [S.current] });
});
q("#fields").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-act=rename]"); if (!b) return;
  ev.preventDefault();
  const row = b.closest(".field-row"), old = S.detail.fields[row.dataset.field].value;
  const name = prompt(`Rename "${old}" on every image to:`, old);
  if (name && name !== old) setField({ field: row.dataset.field, value: name, rename_from: old });
});
export function closePanel() { q("#panel").hidden = true; S.current = null; page.grid.paint(); }
q("#panel-close").onclick = closePanel;
q("#panel-image").addEventListener("load", paintBoxes);

/* ---- autocomplete over the dataset's tags and the model's vocabulary --------------------------------- */
function autocomplete(input, onPick, multi) {
  const box = q("#suggest"); let items = [], active = -1, seq = 0, timer;
  const term = () => multi ? input.value.split(",").pop().trim() : input.value.trim();
  const show = () => {
    box.innerHTML = items.map((t, i) => `<li role="option" class="${i === active ? "active" : ""}" data-i="${i}"><span class="cat-${esc(t.category)}">${esc(t.tag)}</span><span class="n">${t.count || ""}</span></li>`).join("");
    box.hidden = !items.length || document.activeElement !== input;
    if (!box.hidden && input.parentElement !== box.parentElement) input.insertAdjacentElement("afterend", box);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq, t = term();
      if (!t) { items = []; show(); return; }
      try { const r = await api("GET", "api/vocabulary?limit=12&prefix=" + encodeURIComponent(t)); if (mine === seq) { items = r.tags; active = items.length ? 0 : -1; show(); } } catch (e) { fail(e); }
    }, 60);
  });
  const pick = (tag) => {
    if (multi) { const parts = input.value.split(","); parts[parts.length - 1] = " " + tag; input.value = parts.join(",").replace(/^ /, "") + ", "; }
    items = []; show(); onPick(tag);
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") { if (!items.length) return; ev.preventDefault(); active = (active + (ev.key === "ArrowDown" ? 1 : -1) + items.length) % items.length; show(); }
    else if (ev.key === "Enter") { ev.preventDefault(); const tag = active >= 0 && items[active] ? items[active].tag : term(); if (tag) pick(tag); }
    else if (ev.key === "Escape") { items = []; show(); }
  });
  input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) box.hidden = true; }, 150));
  box.addEventListener("mousedown", (ev) => { const li = ev.target.closest("li"); if (li && box.previousElementSibling === input) { ev.preventDefault(); pick(items[+li.dataset.i].tag); } });
}
autocomplete(q("#add-tag"), async (tag) => { q("#add-tag").value = ""; await tagAction("add", tag); q("#add-tag").focus(); });
autocomplete(q("#batch-tags"), () => page.resetPreview(), true);

/* ---- history ----------------------------------------------------------------------------------------- */
let historyTimer;
export function loadHistory() {
  // Debounced: a burst of edits asks for the history once; opening the dialog asks at once.
  clearTimeout(historyTimer);
  historyTimer = setTimeout(fetchHistory, 250);
}
async function fetchHistory() {
  try {
    const h = await api("GET", "api/history?limit=100");
    q("#history-list").innerHTML = h.batches.map((b) => `<li class="${esc(b.state)}">#${b.id} ${esc(b.label)} <span class="hint">${esc(b.source)} · ${esc(WRITERS[b.via] || "writer unknown")} · ${esc(b.state)} · ${esc((b.at || "").slice(0, 19).replace("T", " "))}</span></li>`).join("") || "<li>no edits yet</li>";
    for (const [dir, key] of [["undo", "Ctrl+Z"], ["redo", "Ctrl+Shift+Z"]]) {
      const b = h[dir], button = q("#" + dir);
      button.title = b ? `${dir === "undo" ? "Undo" : "Redo"} ${describeBatch(b)} (${key})` : `nothing to ${dir}`;
      button.dataset.via = b ? (b.via || "unknown") : "";  // the page marks a batch the editor did not write
    }
  } catch (e) { /* shown on the next action */ }
}
q("#open-history").onclick = () => { clearTimeout(historyTimer); fetchHistory(); q("#dlg-history").showModal(); };

/* ---- thresholds -------------------------------------------------------------------------------------- */
let thTimer;
function thresholdsUi(t) {
  for (const k of ["general", "character"]) { q("#th-" + k).value = t[k]; q("#th-" + k + "-v").textContent = (+t[k]).toFixed(2); }
  q("#th-mcut").checked = t.mcut;
}
q("#open-thresholds").onclick = async () => { thresholdsUi((await api("GET", "api/thresholds")).thresholds); q("#dlg-thresholds").showModal(); };
for (const id of ["#th-general", "#th-character", "#th-mcut"]) q(id).addEventListener("input", () => {
  for (const k of ["general", "character"]) q("#th-" + k + "-v").textContent = (+q("#th-" + k).value).toFixed(2);
  clearTimeout(thTimer);
  thTimer = setTimeout(async () => {
    try {
      const r = await api("POST", "api/thresholds", { general: +q("#th-general").value, character: +q("#th-character").value, mcut: q("#th-mcut").checked });
      S.version = r.version; await page.refreshAll();
    } catch (e) { fail(e); }
  }, 120);
});

/* ---- duplicates -------------------------------------------------------------------------------------- */
async function loadDedup() {
  const d = await api("GET", "api/dedup");
  q("#dedup-list").innerHTML = d.groups.map((g) => `<div class="group" data-group="${esc(g.id)}"><div class="row"><b>group ${esc(g.id)}</b> · ${g.members.length} images` +
    (S.session.features.dedup_split ? ` <button data-split="${esc(g.id)}">Split group (none are duplicates)</button>` : "") + `</div><div class="members">` +
    g.members.map((m) => `<div class="member${m.keeper ? " keeper" : ""}" data-file="${m.file_id}"><img src="api/images/${m.file_id}/thumb" alt="">` +
      `<div><b>${esc(m.name)}</b> ${m.keeper ? "· keeper" : ""}</div><div class="hint">${m.w}×${m.h} · ${esc(m.format || "")} · ${Math.round((m.size || 0) / 1024)} KB · distance ${(+m.distance).toFixed(2)}</div>` +
      `<div class="hint">${esc(m.why || "")} · ${esc(m.status)}</div>` +
      `<div class="diff">${m.only_here.map((t) => `<span class="plus">+${esc(t)}</span>`).join(" ")} ${m.missing.map((t) => `<span class="minus">−${esc(t)}</span>`).join(" ")}</div>` +
      (!m.keeper && S.session.features.dedup_keep ? `<button data-keep="${m.file_id}">Keep this one</button>` : "") + `</div>`).join("") + `</div></div>`).join("") ||
    '<p class="hint">No duplicate groups. Run <code>loraprep dedup</code> to find them.</p>';
}
q("#open-dedup").onclick = async () => { try { await loadDedup(); q("#dlg-dedup").showModal(); } catch (e) { fail(e); } };
q("#dedup-list").addEventListener("click", async (ev) => {
  const keep = ev.target.closest("[data-keep]"), split = ev.target.closest("[data-split]");
  try {
    if (keep) { await api("POST", "api/dedup/keep", { file_id: +keep.dataset.keep }); toast("keeper changed"); }
    else if (split) { await api("POST", "api/dedup/split", { group_id: split.dataset.split }); toast("group split"); }
    else return;
    await loadDedup(); await page.refreshAll(); loadHistory();
  } catch (e) { fail(e); }
});

/* ---- curation preview, plan and export --------------------------------------------------------------- */
q("#open-curation").onclick = async () => {
  try {
    const c = await api("POST", "api/curation", page.targets());
    q("#curation-body").innerHTML = `<p>${c.images} image(s): ${c.tags_before} tags each before the recipe's rules, ${c.tags_after} after.</p>` +
      `<table class="small"><tr><th>tag</th><th>removed by</th><th>images</th></tr>${c.dropped.map((d) => `<tr><td>${esc(d.tag)}</td><td>${esc(d.rule)}</td><td>${d.count}</td></tr>`).join("")}</table>` +
      `<h3>Captions</h3>${c.examples.map((x) => `<p><b>${esc(x.name)}</b>: <code>${esc(x.caption)}</code></p>`).join("")}`;
    q("#dlg-curation").showModal();
  } catch (e) { fail(e); }
};
q("#open-plan").onclick = async () => {
  const select = q("#export-format");
  if (select.options.length === 1) {  // the formats come from the export registry, once
    try {
      for (const name of (await api("GET", "api/formats")).formats) {
        select.append(option(name, name));
      }
    } catch (e) { fail(e); }
  }
  q("#dlg-plan").showModal();
};
q("#run-plan").onclick = async () => {
  try { const r = await api("POST", "api/plan", { steps: +q("#plan-steps").value || null, batch: +q("#plan-batch").value || null }); q("#plan-result").textContent = JSON.stringify(r.result, null, 2); }
  catch (e) { q("#plan-result").textContent = "error: " + e.message + (e.hint ? "\nhint: " + e.hint : ""); }
};
q("#run-export").onclick = async () => {
  try { q("#plan-result").textContent = "exporting…"; const r = await api("POST", "api/export", { out: q("#export-out").value, format: q("#export-format").value || null }); q("#plan-result").textContent = JSON.stringify(r.result, null, 2); }
  catch (e) { q("#plan-result").textContent = "error: " + e.message + (e.hint ? "\nhint: " + e.hint : ""); }
};
