// Author tools: related content and near-duplicate warnings for a draft, competency tags, coverage gaps.

import { getJson, postJson, query } from "./api.js";
import { $, bar, h, loading, onSubmit, show } from "./dom.js";
import { languagesReady, textAttrs } from "./languages.js";
import { loadRoles } from "./paths.js";
import { sourceButton } from "./passage.js";

export function initAuthoring(me) {
  const draftOutput = $("draft-result");
  onSubmit($("draft-form"), draftOutput, async (data) => {
    const draft = draftRequest(data);
    if (!draft) {
      show(draftOutput, h("p", { class: "error", role: "alert" }, "Give a title or description, or a course id."));
      return;
    }
    show(draftOutput, loading("Comparing with the catalogue…"));
    const [related, tags] = await Promise.all(
      [postJson("/authoring/related", draft), postJson("/authoring/tags", draft), languagesReady()]);
    show(draftOutput, duplicates(related), tagList(tags), relatedList(related.related));
  });
  const coverageOutput = $("coverage-result");
  onSubmit($("coverage-form"), coverageOutput, async (data) => {
    show(coverageOutput, loading("Looking for gaps…"));
    const params = { department: data.get("department"), min_courses: data.get("min_courses"), limit: 50 };
    show(coverageOutput, coverage(await getJson(`/authoring/coverage${query(params)}`)));
  });
  fillDepartments(me.department);
}

/** The key's own department, chosen at once; the others as soon as the roles are loaded. */
async function fillDepartments(own) {
  const select = $("coverage-department");
  if (select.options.length > 1) return;
  select.append(h("option", { value: own }, own));
  select.value = own;
  let others = [];
  try {
    others = [...new Set((await loadRoles()).map((r) => r.department))].filter((d) => d !== own).sort();
  } catch {
    return; // the key's own department is enough to start with
  }
  for (const department of others) {
    const option = h("option", { value: department }, department);
    const after = [...select.options].slice(1).find((o) => o.value > department);
    select.insertBefore(option, after || null);
  }
}

function draftRequest(data) {
  const courseId = data.get("course_id").trim();
  if (courseId) return { course_id: courseId };
  const modules = data.get("modules").split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const cut = line.indexOf(":");
    return cut > 0 ? { title: line.slice(0, cut).trim(), summary: line.slice(cut + 1).trim() } : { title: line };
  });
  const draft = { title: data.get("title").trim(), description: data.get("description").trim(), modules };
  return draft.title || draft.description || modules.length ? draft : null;
}

function duplicates(related) {
  if (!related.duplicates.length) {
    return h("p", { class: "meta" }, `No near-duplicate course (similarity threshold ${related.duplicate_threshold.toFixed(2)}).`);
  }
  return h("div", { class: "warn", role: "status" },
    h("strong", {}, "This may duplicate an existing course:"),
    h("ul", {}, related.duplicates.map((d) => h("li", {},
      sourceButton(d.title, { docId: d.course_id, title: d.title }, { dir: "auto" }),
      ` — similarity ${d.similarity.toFixed(2)} (threshold ${related.duplicate_threshold.toFixed(2)})`))));
}

function tagList(tags) {
  return h("section", {}, h("h3", {}, "Suggested competency tags"),
    tags.tags.length
      ? h("div", { class: "chart" }, tags.tags.map((t) => bar(`${t.name} (${t.competency_id})`, t.confidence)))
      : h("p", {}, "No tag suggested."),
    tags.calibrated ? null : h("p", { class: "meta" }, "Confidences are not calibrated for this embedder."));
}

function relatedList(items) {
  return h("section", {}, h("h3", {}, "Related courses and case studies"),
    items.length
      ? h("ul", {}, items.map((r) => h("li", {},
          sourceButton(r.title, { docId: r.doc_id, title: r.title, language: r.language }, textAttrs(r.language)),
          h("span", { class: "meta" }, ` · ${r.kind === "course" ? "course" : "case study"} · ${r.language}`))))
      : h("p", {}, "Nothing related found."));
}

function coverage(result) {
  if (!result.gaps.length) return h("p", {}, `No coverage gap for ${result.scope}.`);
  return [
    h("p", {}, `${result.total} ${result.total === 1 ? "gap" : "gaps"} for ${result.scope}`,
      result.total > result.gaps.length ? ` (the first ${result.gaps.length} shown)` : "", "."),
    h("ul", { class: "plain" }, result.gaps.map((g) => h("li", { class: "step" },
      h("strong", {}, `${g.name} — ${g.level}`),
      h("div", { class: "meta" }, `${g.courses.length} ${g.courses.length === 1 ? "course" : "courses"} · ${g.people.toLocaleString()} people in roles that need it`),
      g.roles.length ? h("div", {}, "Needed by: ", g.roles.map((r) => `${r.title} (${r.required})`).join(", ")) : null))),
  ];
}
