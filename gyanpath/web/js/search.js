// Search tab: hybrid search over courses and case studies; a result opens at its passage.

import { getJson, query } from "./api.js";
import { $, h, loading, onSubmit, show } from "./dom.js";
import { sourceButton } from "./passage.js";

const SNIPPET = 320;

export function initSearch() {
  const output = $("search-results");
  onSubmit($("search-form"), output, async (form) => {
    show(output, loading("Searching…"));
    const params = { q: form.get("q"), kind: form.get("kind"), lang: form.get("lang"), k: 10 };
    const body = await getJson(`/search${query(params)}`);
    show(
      output,
      body.degraded ? h("p", { class: "warn" }, "The index is being rebuilt: these are keyword matches only.") : null,
      body.results.length ? h("ul", { class: "plain" }, body.results.map(hit)) : h("p", {}, "Nothing found."),
    );
  });
}

function hit(result) {
  const kind = result.kind === "course" ? "Course" : "Case study";
  const text = result.text.length > SNIPPET ? `${result.text.slice(0, SNIPPET)}…` : result.text;
  return h(
    "li",
    { class: "hit" },
    sourceButton(result.title, { docId: result.doc_id, title: result.title, start: result.start, end: result.end }),
    h("div", { class: "meta" }, [kind, result.language, result.section, result.doc_id].filter(Boolean).join(" · ")),
    h("div", {}, text),
  );
}
