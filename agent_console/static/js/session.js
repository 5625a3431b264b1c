// Who is signed in (the token lives in sessionStorage: this tab only) and what they typed (drafts live in
// localStorage, per user, so a dropped connection, a reload or a crash of the tab loses nothing).

const tabStore = window.sessionStorage;
const keepStore = window.localStorage;

export const session = {
  token: tabStore.getItem("qq.token"),
  user: readJson(tabStore, "qq.user"),
};

export function signIn(token, user) {
  session.token = token;
  session.user = user;
  tabStore.setItem("qq.token", token);
  tabStore.setItem("qq.user", JSON.stringify(user));
}

export function forgetToken() {
  session.token = null;
  tabStore.removeItem("qq.token");
}

export function signOut() {
  forgetToken();
  session.user = null;
  tabStore.removeItem("qq.user");
}

export function isSupervisor() {
  return !!session.user && session.user.role !== "agent";
}

function readJson(store, key) {
  try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
}

function writeJson(store, key, value) {
  try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled */ }
}

function userKey(name) { return "qq." + name + "." + (session.user ? session.user.id : "anon"); }

/** Per-user values kept across reloads (the last screen pop, ...). */
export function remember(name, value) { writeJson(keepStore, userKey(name), value); }
export function recall(name) { return readJson(keepStore, userKey(name)); }

// Drafts: every field with data-draft="key" is saved on each keystroke and restored on sign-in.
function drafts() { return readJson(keepStore, userKey("drafts")) || {}; }

export function saveDraftField(field) {
  if (!session.user) return;
  const all = drafts();
  all[field.dataset.draft] = field.value;
  writeJson(keepStore, userKey("drafts"), all);
}

export function restoreDrafts(root = document) {
  const all = drafts();
  for (const field of root.querySelectorAll("[data-draft]")) {
    const value = all[field.dataset.draft];
    if (value != null && (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value))) {
      field.value = value;
    }
  }
}

/** Forget the drafts of these fields (after what they held was saved on the server) and empty them. */
export function clearDrafts(fields) {
  const all = drafts();
  for (const field of fields) {
    delete all[field.dataset.draft];
    field.value = field.tagName === "SELECT" && field.options.length ? field.options[0].value : "";
    field.removeAttribute("aria-invalid");
  }
  writeJson(keepStore, userKey("drafts"), all);
}

export function watchDrafts(root = document) {
  for (const field of root.querySelectorAll("[data-draft]")) {
    field.addEventListener("input", () => saveDraftField(field));
    field.addEventListener("change", () => saveDraftField(field));
  }
}
