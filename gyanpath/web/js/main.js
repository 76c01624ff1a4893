// Start-up: ask for a key once, learn its role from GET /me, show the tabs that role may use.

import { apiKey, getJson, onUnauthorized } from "./api.js";
import { initAuthoring } from "./authoring.js";
import { $ } from "./dom.js";
import { fillLanguageSelect } from "./languages.js";
import { forgetDocuments, installSourceViewer } from "./passage.js";
import { initPaths, showPaths } from "./paths.js";
import { initReport } from "./report.js";
import { initSearch } from "./search.js";
import { initTutor, resetConversation } from "./tutor.js";

const RANK = { learner: 0, author: 1, admin: 2 };
const TABS = {
  search: { init: initSearch },
  tutor: { init: initTutor },
  paths: { init: initPaths, show: showPaths },
  authoring: { init: initAuthoring },
  report: { init: initReport },
};
let me = null;
const started = new Set();

function askForKey(message = "") {
  me = null;
  $("app").hidden = true;
  $("whoami").hidden = true;
  $("key-prompt").hidden = false;
  $("key-error").textContent = message;
  $("key-input").value = "";
  $("key-input").focus();
}

async function useStoredKey() {
  if (!apiKey.get()) return askForKey();
  try {
    me = await getJson("/me");
  } catch (error) {
    if (error.status !== 401) askForKey(`The key could not be checked: ${error.message}`);
    return; // a 401 has already asked again
  }
  $("key-prompt").hidden = true;
  $("identity").textContent = [me.name, `${me.role} · ${me.department}`].filter(Boolean).join(" — ");
  $("whoami").hidden = false;
  $("app").hidden = false;
  for (const id of ["search-lang", "tutor-language", "path-language"]) fillLanguageSelect($(id));
  const allowed = allowedTabs();
  for (const tab of tabButtons()) tab.hidden = !allowed.includes(tab.dataset.name);
  const wanted = location.hash.slice(1);
  select(allowed.includes(wanted) ? wanted : allowed[0], false);
}

const tabButtons = () => [...document.querySelectorAll("[role=tab]")];
const allowedTabs = () => tabButtons().filter((t) => RANK[me.role] >= RANK[t.dataset.role]).map((t) => t.dataset.name);

function select(name, focus = true) {
  for (const tab of tabButtons()) {
    const chosen = tab.dataset.name === name;
    tab.setAttribute("aria-selected", String(chosen));
    tab.tabIndex = chosen ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !chosen;
    if (chosen && focus) tab.focus();
  }
  history.replaceState(null, "", `#${name}`);
  if (!started.has(name)) {
    started.add(name);
    TABS[name].init(me);
  }
  if (TABS[name].show) TABS[name].show(me);
}

function installTabs() {
  for (const tab of tabButtons()) {
    tab.dataset.name = tab.id.replace(/^tab-/, "");
    tab.addEventListener("click", () => select(tab.dataset.name));
  }
  $("tabs").addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step || !me) return;
    const allowed = allowedTabs();
    const current = allowed.indexOf(document.activeElement.dataset.name);
    select(allowed[(current + step + allowed.length) % allowed.length]);
  });
}

function installKeyPrompt() {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey.set($("key-input").value);
    useStoredKey();
  });
  $("change-key").addEventListener("click", () => {
    apiKey.clear();
    forgetKeyState();
    askForKey();
  });
  onUnauthorized((error) => {
    const had = apiKey.get();
    apiKey.clear();
    forgetKeyState();
    askForKey(had ? `The key was refused: ${error.message}. Enter another key.` : "");
  });
}

const RESULTS = ["search-results", "path-result", "draft-result", "coverage-result", "report-result"];

/** What one key saw is not shown to the next: results, the conversation, cached sources. */
function forgetKeyState() {
  forgetDocuments();
  resetConversation();
  for (const id of RESULTS) $(id).replaceChildren();
}

async function showHealth() {
  const status = $("status");
  try {
    const health = await (await fetch("/health")).json();
    const counts = health.counts || {};
    status.textContent = `${health.status} · ${counts.courses ?? "?"} courses · ${counts.case_studies ?? "?"} case studies`;
    status.classList.toggle("degraded", health.status !== "ok");
  } catch {
    status.textContent = "service unreachable";
    status.classList.add("degraded");
  }
}

installSourceViewer();
installTabs();
installKeyPrompt();
showHealth();
useStoredKey();
