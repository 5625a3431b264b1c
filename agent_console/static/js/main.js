// The console's entry point: sign-in, tabs, the language switch, the one-second tick, and the resync after the
// live feed reconnects.
import { $, fillSelect, toast } from "./dom.js";
import { api, hideMissing, loadFeatures, whenUnauthorized } from "./api.js";
import { LANGUAGES, applyI18n, getLang, label, onLangChange, options, setLang, t } from "./i18n.js";
import * as live from "./live.js";
import * as agentPanel from "./agent.js";
import * as pop from "./pop.js";
import { initOrders, loadOrders, tickDue } from "./orders.js";
import { initCallbacks, loadCallbacks } from "./callbacks.js";
import { initRecordings, resetPlayer } from "./recordings.js";
import { initCalls, loadCalls } from "./calllog.js";
import { initWallboard, loadWallboard, tickWallboard } from "./wallboard.js";
import { initReports, loadReport } from "./reports.js";
import { loadPeople } from "./people.js";
import { isSupervisor, restoreDrafts, session, signIn, signOut, forgetToken, watchDrafts } from "./session.js";

/** Every <select data-options="group"> filled with the group's labels in the current language. */
function fillOptionSelects() {
  for (const select of document.querySelectorAll("select[data-options]")) {
    const before = select.value;
    const blank = select.dataset.blank ? [["", t(select.dataset.blank)]] : [];
    fillSelect(select, [...blank, ...options(select.dataset.options)]);
    if (!before && !blank.length && select.dataset.default) select.value = select.dataset.default;
  }
}

function fillLanguageSelects() {
  for (const select of document.querySelectorAll(".lang-select")) {
    fillSelect(select, LANGUAGES.map(([code, name]) => [code, name]));
    select.value = getLang();
  }
}

function showTab(name) {
  for (const button of document.querySelectorAll("#tabs [data-tab]")) button.setAttribute("aria-selected", String(button.dataset.tab === name));
  for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = panel.dataset.panel !== name;
  if (name === "wallboard") loadWallboard();
  if (name === "reports") loadReport();
}

function showLogin(message) {
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = message || "";
  if (session.user) $("login-username").value = session.user.username;
}

function expireSession() {  // the token was refused: back to sign-in; the drafts stay for this user
  if (!session.token) return;
  forgetToken();
  live.stop();
  showLogin(t("login.expired"));
}

async function startApp() {
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  const user = session.user;
  $("user-name").textContent = (user.display_name || user.username) + " (" + label("role", user.role) + ")";
  for (const node of document.querySelectorAll("[data-role=supervisor]")) node.hidden = !isSupervisor();
  $("wo-msg").textContent = "";
  $("toast").hidden = true;
  showTab("console");
  await loadFeatures();
  hideMissing();
  fillOptionSelects();
  restoreDrafts();
  agentPanel.reset();
  pop.restorePop();
  resetPlayer();
  initRecordings();
  await loadPeople();
  agentPanel.syncAgent();
  agentPanel.loadSeats();
  agentPanel.loadReasons();
  loadOrders();
  loadCallbacks();
  loadCalls();
  live.start();
}

function resync(afterDrop) {
  agentPanel.syncAgent();
  if (!afterDrop) return;
  agentPanel.loadSeats();
  loadOrders();
  loadCallbacks();
  loadCalls();
  if (isSupervisor()) loadWallboard();
}

function rerender() {
  fillLanguageSelects();
  fillOptionSelects();
  if (!session.token) return;
  $("user-name").textContent = (session.user.display_name || session.user.username) + " (" + label("role", session.user.role) + ")";
  agentPanel.renderReasons();
  agentPanel.setAgent(agentPanel.agent);
  loadOrders();
  loadCallbacks();
  loadCalls();
  if (isSupervisor() && !$("tab-wallboard").hidden) loadWallboard();
  if (isSupervisor() && !$("tab-reports").hidden) loadReport();
}

function boot() {
  applyI18n();
  fillLanguageSelects();
  fillOptionSelects();
  watchDrafts();
  whenUnauthorized(expireSession);
  live.whenRejected(expireSession);
  live.onResync(resync);
  agentPanel.initAgent();
  pop.initPop();
  initOrders();
  initCallbacks();
  initCalls();
  initWallboard();
  initReports();
  onLangChange(rerender);
  for (const select of document.querySelectorAll(".lang-select")) select.addEventListener("change", () => setLang(select.value));
  for (const button of document.querySelectorAll("#tabs [data-tab]")) button.addEventListener("click", () => showTab(button.dataset.tab));

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    const username = $("login-username").value.trim(), password = $("login-password").value;
    if (!username || !password) { $("login-error").textContent = t("login.missing"); return; }
    $("login-submit").disabled = true;
    try {
      const data = await api("POST", "/api/auth/login", { username, password });
      signIn(data.access_token, data.user);
      $("login-password").value = "";
      await startApp();
    } catch (e) {
      $("login-error").textContent = e.status === 401 ? t("login.wrong") : e.message;
    } finally { $("login-submit").disabled = false; }
  });

  $("btn-signout").addEventListener("click", async () => {
    if (["ready", "not_ready", "wrap_up"].includes(agentPanel.agent.state)) {
      try { await api("PUT", "/api/agent/state", { state: "logged_out", reason: "" }); } catch (e) { /* leaving anyway */ }
    }
    live.stop();
    signOut();
    pop.clearPop();
    showLogin("");
  });

  setInterval(() => {
    if (!session.token) return;
    agentPanel.tick();
    tickDue();
    tickWallboard();
  }, 1000);

  if (session.token && session.user) startApp().catch((e) => toast(e.message, true));
  else showLogin("");
}

boot();
