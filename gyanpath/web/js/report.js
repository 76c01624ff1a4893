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
  const why = (field) => (withheld.has(field) ? "withheld: fewer than five people" : "not available");
  const number = (value, field) =>
    value !== null && value !== undefined ? Number(value).toLocaleString() : withheld.has(field) ? "withheld" : "—";
  const registered = report.employees_registered;
  const shareOf = (count) => (registered && count !== null && count !== undefined ? count / registered : null);
  const completed = (label, count) => (count === null || count === undefined ? label : `${label} (${count} completed)`);
  const top = report.top_courses || [];
  const most = Math.max(1, ...top.map((c) => c.completions));
  return [
    h("h2", {}, `${report.department}, ${report.year}`),
    h("div", { class: "figures" },
      figure("employees registered", number(registered, "employees_registered")),
      figure("completed a course", number(report.completed_one_or_more, "completed_one_or_more")),
      figure("completed three or more", number(report.completed_three_or_more, "completed_three_or_more")),
      figure("in progress", number(report.in_progress, "in_progress")),
      figure("learning hours",
        report.learning_hours === null ? number(null, "learning_hours") : hours(report.learning_hours))),
    h("h3", {}, "Of the employees registered"),
    h("div", { class: "chart" },
      bar("completed at least one course", shareOf(report.completed_one_or_more), why("completed_one_or_more")),
      bar("completed three or more", shareOf(report.completed_three_or_more), why("completed_three_or_more")),
      bar("in progress", shareOf(report.in_progress), why("in_progress"))),
    h("h3", {}, `Programme (${hours(report.programme.mandated_hours)} mandated)`),
    h("div", { class: "chart" },
      bar(completed("whole programme", report.programme.completed), report.programme.share, why("programme"))),
    h("h3", {}, "Mandatory modules"),
    h("div", { class: "chart" }, Object.entries(report.mandatory_modules || {}).map(([tag, m]) =>
      bar(completed(tag, m.completed), m.share, why(`mandatory_modules.${tag}`)))),
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
