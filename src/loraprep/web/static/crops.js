/* The crop boxes on the image panel: detected boxes (click to crop), crops (drag to move, ✕ to delete), a drawn box. */
import { api } from "./api.js";
import { esc, fail, q, toast } from "./dom.js";

// What the page does after a crop edit (reload its gallery and the panel), handed over by panels.js once.
let afterCropEdit = null;
export function wireCrops(onChanged) { afterCropEdit = onChanged; }

const cropState = { boxes: null, seq: 0, drawing: false, drag: null };

export async function loadBoxes(id) {
  const mine = ++cropState.seq;
  let d;
  try { d = await api("GET", `api/images/${id}/boxes`); } catch (e) { fail(e); return; }
  if (mine !== cropState.seq) return;
  cropState.boxes = d; paintBoxes();
}

function cropRatio() {
  const img = q("#panel-image");
  return cropState.boxes && cropState.boxes.width && img.clientWidth ? img.clientWidth / cropState.boxes.width : 0;
}

export function paintBoxes() {
  const layer = q("#box-layer"), k = cropRatio();
  q("#box-tools").hidden = !cropState.boxes || cropState.boxes.derived;
  if (!cropState.boxes || !k || cropState.boxes.derived) { layer.innerHTML = ""; return; }
  const html = cropState.boxes.detections.map((b, i) => cropRect(b.box, k, "det", `data-det="${i}" title="${esc(b.label)} ${b.score}: click to crop"`, ""));
  for (const c of cropState.boxes.crops) {
    if (c.status !== "active") continue;
    html.push(cropRect(c.box, k, "crop", `data-crop="${c.file_id}" title="crop (${esc(c.what)}): drag to move"`,
      '<button data-act="delete" title="delete this crop">✕</button>'));
  }
  layer.innerHTML = html.join("");
  q("#box-info").textContent = `${cropState.boxes.crops.filter((c) => c.status === "active").length} crops, ${cropState.boxes.detections.length} detected`;
}

function cropRect(box, k, cls, attrs, inner) {
  const [x0, y0, x1, y1] = box;
  return `<div class="box ${cls}" ${attrs} style="left:${x0 * k}px;top:${y0 * k}px;width:${(x1 - x0) * k}px;height:${(y1 - y0) * k}px">${inner}</div>`;
}

async function sendCrop(body) {
  if (!cropState.boxes) return;
  try {
    const r = await api("POST", `api/images/${cropState.boxes.file_id}/boxes`, body);
    toast(`crop ${body.action}: batch #${r.batch_id} (undo takes it back)`);
    if (afterCropEdit) await afterCropEdit();
  } catch (e) { fail(e); }
}

function boxInPicture(div) {
  const k = cropRatio();
  const x0 = div.offsetLeft / k, y0 = div.offsetTop / k;
  return [x0, y0, x0 + div.offsetWidth / k, y0 + div.offsetHeight / k].map((v) => Math.round(v));
}

q("#box-draw").addEventListener("click", () => {
  cropState.drawing = !cropState.drawing;
  q("#box-draw").classList.toggle("on", cropState.drawing);
  q("#box-layer").classList.toggle("drawing", cropState.drawing);
});

q("#box-layer").addEventListener("click", (ev) => {
  const del = ev.target.closest("button[data-act='delete']");
  if (del) { sendCrop({ action: "delete", crop: Number(del.closest(".box").dataset.crop) }); return; }
  const det = ev.target.closest(".box.det");
  if (det && !cropState.drawing) { const b = cropState.boxes.detections[Number(det.dataset.det)]; sendCrop({ action: "add", box: b.box, what: b.label }); }
});

q("#box-layer").addEventListener("pointerdown", (ev) => {
  const layer = q("#box-layer"), at = layer.getBoundingClientRect();
  const x = ev.clientX - at.left, y = ev.clientY - at.top;
  const crop = ev.target.closest(".box.crop");
  if (ev.target.closest("button")) return;
  if (crop && !cropState.drawing) {
    cropState.drag = { div: crop, mode: "move", x, y, left: crop.offsetLeft, top: crop.offsetTop, moved: false };
  } else if (cropState.drawing) {
    const div = document.createElement("div");
    div.className = "box drawn"; div.style.left = x + "px"; div.style.top = y + "px";
    layer.appendChild(div);
    cropState.drag = { div, mode: "draw", x, y, moved: false };
  } else return;
  layer.setPointerCapture(ev.pointerId);
  ev.preventDefault();
});

q("#box-layer").addEventListener("pointermove", (ev) => {
  if (!cropState.drag) return;
  const at = q("#box-layer").getBoundingClientRect();
  const x = ev.clientX - at.left, y = ev.clientY - at.top, s = cropState.drag.div.style;
  cropState.drag.moved = cropState.drag.moved || Math.abs(x - cropState.drag.x) + Math.abs(y - cropState.drag.y) > 3;
  if (cropState.drag.mode === "move") { s.left = cropState.drag.left + x - cropState.drag.x + "px"; s.top = cropState.drag.top + y - cropState.drag.y + "px"; }
  else {
    s.left = Math.min(x, cropState.drag.x) + "px"; s.top = Math.min(y, cropState.drag.y) + "px";
    s.width = Math.abs(x - cropState.drag.x) + "px"; s.height = Math.abs(y - cropState.drag.y) + "px";
  }
});

q("#box-layer").addEventListener("pointerup", () => {
  const d = cropState.drag; cropState.drag = null;
  if (!d) return;
  if (!d.moved) { if (d.mode === "draw") d.div.remove(); return; }
  const box = boxInPicture(d.div);
  if (d.mode === "move") sendCrop({ action: "move", crop: Number(d.div.dataset.crop), box });
  else sendCrop({ action: "add", box });
});
