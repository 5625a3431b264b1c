// Report exports: the file is fetched with the bearer token (a plain link could not send it), then saved under
// the name the server gave it (Content-Disposition) or, failing that, a name built from the report and period.
import { session } from "./session.js";
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

/** The file name of a Content-Disposition header: filename*=UTF-8''… first (it can carry Chinese), then filename=. */
export function dispositionName(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch (e) { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1].trim() : null;
}

/** A file name safe on every system: no path separators or characters Windows refuses. */
function safeName(name) {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");
}

/** Downloads ``path`` (with the bearer token) and saves it; ``fallback`` names it if the server did not. */
export async function download(path, fallback) {
  const res = await fetch(path, { headers: session.token ? { Authorization: "Bearer " + session.token } : {} });
  if (!res.ok) {
    let message = t("error.http", { status: res.status });
    try { const data = await res.json(); if (data && data.message) message = data.message; } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, null, message);
  }
  const name = safeName(dispositionName(res.headers.get("Content-Disposition")) || fallback);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
