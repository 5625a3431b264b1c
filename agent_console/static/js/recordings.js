// A call's recordings, played in the page's <audio> element. The audio is fetched with the bearer token and
// handed to the player as a blob URL (a media element cannot send the token itself).
import { $, el, fmtDuration, fmtTime, toast } from "./dom.js";
import { api, fetchBlobUrl, has } from "./api.js";
import { t } from "./i18n.js";
import { nameOf } from "./people.js";

let playing = null;   // the blob URL in the player

export function recordingsAvailable() { return has("GET /api/recordings"); }

export function initRecordings() {
  const available = recordingsAvailable();
  document.querySelector('[data-testid="recordings-unavailable"]').hidden = available;
  $("rec-for").hidden = !available;
  $("rec-audio").hidden = !available;
}

export function resetPlayer() {
  $("rec-audio").removeAttribute("src");
  if (playing) URL.revokeObjectURL(playing);
  playing = null;
  $("rec-list").replaceChildren();
  $("rec-for").textContent = t("rec.pick");
}

export async function showRecordings(linkedid) {
  $("rec-for").textContent = t("rec.for_call", { linkedid });
  $("rec-list").replaceChildren();
  let items;
  try { items = await api("GET", "/api/recordings?linkedid=" + encodeURIComponent(linkedid)); }
  catch (e) { if (e.status !== 401) $("rec-list").appendChild(el("li", { class: "muted", text: e.missing ? t("common.unavailable") : e.message })); return; }
  if (!items.length) { $("rec-list").appendChild(el("li", { class: "muted", text: t("rec.none") })); return; }
  $("rec-list").replaceChildren(...items.map((r) => el("li", { "data-recording-id": String(r.id) }, [
    el("span", { text: fmtTime(r.started_at, true) + " " }),
    el("span", { class: "muted", text: fmtDuration(r.duration_seconds || 0) + " " + (r.agent_id != null ? nameOf(r.agent_id) : "") + " " }),
    el("button", { type: "button", class: "small primary", "data-testid": "rec-play", text: t("rec.play"), onclick: () => play(r.id) }),
  ])));
  $("player-card").scrollIntoView({ block: "nearest" });
}

async function play(id) {
  try {
    const url = await fetchBlobUrl(`/api/recordings/${id}/audio`);
    if (playing) URL.revokeObjectURL(playing);
    playing = url;
    const audio = $("rec-audio");
    audio.src = url;
    audio.dataset.recordingId = String(id);
    audio.play().catch(() => { /* the controls let the user start it */ });
  } catch (e) { if (e.status !== 401) toast(e.status === 404 ? t("rec.not_found") : e.message, true); }
}
