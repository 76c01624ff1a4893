// Admin report tab: the department's training figures for a year, as simple bar charts, and a CSV download.

import { getJson, query, request } from "./api.js";
import { $, bar, errorMessage, h, hours, loading, onSubmit, show } from "./dom.js";

export function initReport() {
  const form = $("report-form");
  const output = $("report-result");
  form.elements.year.value = new Date().getFullYear();
  const csv = $("report-csv");
  const syncLink = () => {
    csv.href = `/reports/department.csv${query({ year: form.elements.year.value })}`;
    csv.download = `department-report-${form.elements.year.value}.csv`;
  };
  form.elements.year.addEventListener("input", syncLink);
  syncLink();
  csv.addEventListener("click", async (event) => {
    event.preventDefault(); // a plain link would not send the API key
    try {
      const blob = await (await request(csv.getAttribute("href"), { accept: "text/csv" })).blob();
      const url = URL.createObjectURL(blob);
      h("a", { href: url, download: csv.download }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      show(output, errorMessage(error));
    }
  });
  onSubmit(form, output, async (data) => {
    show(output, loading("Counting…"));
    show(output, renderReport(await getJson(`/reports/department${query({ year: data.get("year") })}`)));
  });
}

function renderReport(report) {
  const withheld = new Set(report.suppressed || []);
  const number = (value, field) => {
    if (value !== null && value !== undefined) return Number(value).toLocaleString();
    return withheld.has(field) ? "withheld" : "—";
  };
  const registered = report.employees_registered;
  const shareOf = (count) => (registered && count !== null ? count / registered : null);
  const note = withheld.size ? "withheld: fewer than five people" : "not available";
  const modules = Object.entries(report.mandatory_modules || {});
  const top = report.top_courses || [];
  const most = Math.max(1, ...top.map((c) => c.completions));
  return [
    h("h2", {}, `${report.department}, ${report.year}`),
    h("div", { class: "figures" },
      figure("employees registered", number(registered, "employees_registered")),
      figure("completed a course", number(report.completed_one_or_more, "completed_one_or_more")),
      figure("completed three or more", number(report.completed_three_or_more, "completed_three_or_more")),
      figure("in progress", number(report.in_progress, "in_progress")),
      figure("learning hours", report.learning_hours === null ? number(null, "learning_hours") : hours(report.learning_hours))),
    h("h3", {}, "Of the employees registered"),
    h("div", { class: "chart" },
      bar("completed at least one course", shareOf(report.completed_one_or_more), note),
      bar("completed three or more", shareOf(report.completed_three_or_more), note),
      bar("in progress", shareOf(report.in_progress), note)),
    h("h3", {}, `Programme (${hours(report.programme.mandated_hours)} mandated)`),
    h("div", { class: "chart" },
      bar(`completed the programme (${number(report.programme.completed, "programme")})`, report.programme.share, note)),
    h("h3", {}, "Mandatory modules"),
    h("div", { class: "chart" },
      modules.map(([tag, m]) => bar(`${tag} (${number(m.completed, `mandatory_modules.${tag}`)} completed)`, m.share, note))),
    h("h3", {}, "Most completed courses"),
    top.length
      ? h("div", { class: "chart" }, top.map((c) =>
          h("div", {}, h("div", { class: "label" }, `${c.title} — ${c.completions}`),
            h("div", { class: "bar", role: "img", "aria-label": `${c.title}: ${c.completions} completions` },
              h("span", { style: { width: `${Math.round((c.completions / most) * 100)}%` } })))))
      : h("p", {}, "No completions yet."),
    withheld.size ? h("p", { class: "meta" }, `Withheld for groups under five: ${[...withheld].join(", ")}.`) : null,
  ];
}

const figure = (label, value) => h("div", { class: "figure" }, h("strong", {}, String(value)), label);
