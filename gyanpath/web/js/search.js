// Search tab: hybrid search over courses and case studies; a result opens at its passage.

import { getJson, query } from "./api.js";
import { $, h, kindLabel, loading, onSubmit, show } from "./dom.js";
import { bdi, languagesReady, textAttrs, uiAttrs } from "./languages.js";
import { sourceButton } from "./passage.js";

const SNIPPET = 320;

export function initSearch() {
  const output = $("search-results");
  onSubmit($("search-form"), output, async (form) => {
    show(output, loading("Searching…"));
    const params = { q: form.get("q"), kind: form.get("kind"), lang: form.get("lang"), k: 10 };
    const [body] = await Promise.all([getJson(`/search${query(params)}`), languagesReady()]);
    show(
      output,
      body.degraded ? h("p", { class: "warn" }, "The index is being rebuilt: these are keyword matches only.") : null,
      body.results.length ? h("ul", { class: "plain" }, body.results.map(hit)) : h("p", {}, "Nothing found."),
    );
  });
}

/** A hit laid out in its language's direction; the line about it stays in the page's language. */
function hit(result) {
  const kind = kindLabel(result.kind);
  const text = result.text.length > SNIPPET ? `${result.text.slice(0, SNIPPET)}…` : result.text;
  const source = { docId: result.doc_id, title: result.title, start: result.start, end: result.end, language: result.language };
  return h(
    "li",
    { class: "hit", ...textAttrs(result.language) },
    sourceButton(result.title, source),
    h("div", { class: "meta", ...uiAttrs() }, [kind, result.language].join(" · "),
      result.section ? [" · ", bdi(result.language, result.section)] : null, ` · ${result.doc_id}`),
    h("div", { class: "snippet", ...textAttrs(result.language) }, text),
  );
}
