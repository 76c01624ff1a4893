// Learning-path tab: a role (or a description of the job) and a time budget in, an explained plan out.

import { getJson, postJson } from "./api.js";
import { $, bar, h, hours, loading, onSubmit, show } from "./dom.js";
import { bdi, languagesReady, textAttrs } from "./languages.js";
import { sourceButton } from "./passage.js";

let roles = null; // GET /roles, loaded the first time the tab opens

export async function loadRoles() {
  if (!roles) roles = getJson("/roles").catch((error) => { roles = null; throw error; });
  return roles;
}

export async function showPaths() {
  const select = $("path-role");
  if (select.options.length > 1) return;
  try {
    const list = await loadRoles();
    const byDepartment = new Map();
    for (const role of list) byDepartment.set(role.department, [...(byDepartment.get(role.department) || []), role]);
    for (const [department, members] of byDepartment) {
      select.append(h("optgroup", { label: department },
        members.map((role) => h("option", { value: role.id }, role.title))));
    }
  } catch (error) {
    show($("path-result"), h("p", { class: "error", role: "alert" }, `Roles could not be loaded: ${error.message}`));
  }
}

export function initPaths() {
  const form = $("path-form");
  const output = $("path-result");
  for (const radio of form.elements.budget) radio.addEventListener("change", () => syncBudget(form));
  onSubmit(form, output, async (data) => {
    const body = pathRequest(data);
    if (!body) {
      show(output, h("p", { class: "error", role: "alert" }, "Choose a role or describe the job."));
      return;
    }
    show(output, loading("Planning…"));
    const [path] = await Promise.all([postJson("/paths", body), languagesReady()]);
    show(output, renderPath(path));
  });
  syncBudget(form);
}

function syncBudget(form) {
  const programme = form.elements.budget.value === "programme";
  form.elements.days.disabled = form.elements.hours_per_day.disabled = !programme;
  form.elements.hours.disabled = programme;
}

function pathRequest(data) {
  const role = data.get("role");
  const description = (data.get("role_description") || "").trim();
  if (!role && !description) return null;
  const body = role ? { role } : { role_description: description };
  const completed = (data.get("completed") || "").split(/[\s,]+/).filter(Boolean);
  if (completed.length) body.completed = completed;
  if (data.get("language")) body.language = data.get("language");
  if (data.get("budget") === "hours") {
    if (data.get("hours")) body.hours = Number(data.get("hours"));
  } else {
    // "N-day" names the programme; its days follow from it (sending "7-day" with other days is refused).
    body.programme = data.get("days") ? `${Number(data.get("days"))}-day` : "7-day";
    if (data.get("hours_per_day")) body.hours_per_day = Number(data.get("hours_per_day"));
  }
  return body;
}

function renderPath(path) {
  return [
    h("h2", {}, `Path for ${path.role_title}`),
    path.matched_roles.length
      ? h("p", { class: "meta" }, "Matched your description to: ",
          path.matched_roles.map((m) => `${m.title} (${Math.round(m.similarity * 100)}%)`).join(", "))
      : null,
    h("div", { class: "figures" },
      figure("Courses", path.steps.length),
      figure("Hours", `${hours(path.total_hours)} of ${hours(path.budget_hours)}`),
      figure("Gaps closed", `${Math.round(path.gap_coverage * 100)}%`)),
    h("div", { class: "chart" }, bar("Share of the competency gaps this path closes", path.gap_coverage)),
    mandatory(path.mandatory),
    h("h3", {}, "Courses, in order"),
    path.steps.length ? h("ol", { class: "plain" }, path.steps.map(step)) : h("p", {}, "No course is needed."),
    path.schedule ? schedule(path.schedule, new Map(path.steps.map((s) => [s.course_id, s.language]))) : null,
    openGaps(path.open_gaps),
    path.peer_basis ? h("p", { class: "meta" }, `Peer signals: ${path.peer_basis}`) : null,
  ];
}

const figure = (label, value) => h("div", { class: "figure" }, h("strong", {}, String(value)), label);

function step(s) {
  const closes = s.closes.map((c) => `${c.name}: ${c.before || "none"} → ${c.after}`);
  return h("li", { class: "step" },
    h("div", {}, `${s.position}. `,
      sourceButton(s.title, { docId: s.course_id, title: s.title, language: s.language }, textAttrs(s.language)), " ",
      s.mandatory ? h("span", { class: "badge mandatory" }, `mandatory: ${s.mandatory}`) : null),
    h("div", { class: "meta" }, [hours(s.hours), s.level, s.language, s.course_id].join(" · ")),
    closes.length ? h("div", {}, "Closes: ", closes.join("; ")) : null,
    s.reasons.length ? h("ul", {}, s.reasons.map((r) => h("li", {}, r))) : null,
    s.after.length ? h("div", { class: "meta" }, `After: ${s.after.join(", ")}`) : null);
}

function schedule(plan, languages) {
  return h("section", { "aria-label": "Day-by-day programme" },
    h("h3", {}, `Day by day (${hours(plan.total_hours)} of ${hours(plan.capacity_hours)})`),
    h("div", { class: "days" }, plan.days.map((day) =>
      h("div", { class: "day" },
        h("h4", {}, `Day ${day.day}`),
        h("div", { class: "meta" }, `${hours(day.hours)} of ${hours(day.capacity_hours)}`),
        h("div", { class: "bar", role: "img", "aria-label": `${hours(day.hours)} planned` },
          h("span", { style: { width: `${Math.min(100, Math.round((day.hours / (day.capacity_hours || 1)) * 100))}%` } })),
        day.sessions.length
          ? h("ul", {}, day.sessions.map((s) =>
              h("li", {}, bdi(languages.get(s.course_id), s.title), ` — ${s.minutes} min`, s.parts > 1 ? ` (part ${s.part} of ${s.parts})` : "")))
          : h("p", { class: "meta" }, "Free for revision.")))));
}

function mandatory(modules) {
  if (!modules.length) return null;
  return h("section", {}, h("h3", {}, "Mandatory modules"),
    h("ul", {}, modules.map((m) => h("li", {}, h("strong", {}, `${m.tag} (${m.level}): ${m.status}`), ` — ${m.detail}`))));
}

function openGaps(gaps) {
  if (!gaps.length) return null;
  return h("section", {}, h("h3", {}, "Gaps left open"),
    h("ul", {}, gaps.map((g) => h("li", {}, h("strong", {}, `${g.name} (${g.required})`),
      ` — ${g.reason === "no_time" ? "no time left" : "no course teaches it"}: ${g.detail}`))));
}
