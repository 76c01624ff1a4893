// The source viewer: a document's passages, the cited span highlighted and scrolled into view.

import { getJson } from "./api.js";
import { $, errorMessage, h, kindLabel, loading, show } from "./dom.js";
import { languagesReady, setTextAttrs, uiAttrs } from "./languages.js";

const documents = new Map(); // doc id -> promise of the document, so a source opened twice is fetched once

export function forgetDocuments() {
  documents.clear(); // another key may see other private case studies
}

function fetchDocument(docId) {
  if (!documents.has(docId)) {
    const pending = getJson(`/documents/${encodeURIComponent(docId)}`);
    pending.catch(() => documents.delete(docId));
    documents.set(docId, pending);
  }
  return documents.get(docId);
}

/** Open `docId` with the characters [start, end) of its body highlighted (a citation's quote or a search hit);
 * title and passages are shown in the document's language and direction. */
export async function openSource({ docId, title, start = null, end = null, language = null }) {
  const dialog = $("passage");
  $("passage-title").textContent = title || docId;
  setTextAttrs($("passage-title"), language);
  setTextAttrs($("passage-body"), null); // English messages until the document is here
  $("passage-meta").textContent = "";
  show($("passage-body"), loading("Opening the source…"));
  if (!dialog.open) dialog.showModal();
  $("passage-close").focus();
  try {
    const [doc] = await Promise.all([fetchDocument(docId), languagesReady()]);
    $("passage-title").textContent = doc.title;
    setTextAttrs($("passage-title"), doc.language);
    setTextAttrs($("passage-body"), doc.language);
    const kind = kindLabel(doc.kind);
    $("passage-meta").textContent = [kind, doc.language, doc.source, doc.department, doc.doc_id]
      .filter(Boolean)
      .join(" · ");
    const passages = renderPassages(doc.passages, start, end);
    show($("passage-body"), passages);
    const cited = $("passage-body").querySelector("mark, .cited");
    if (cited) cited.scrollIntoView({ block: "center" });
  } catch (error) {
    show($("passage-body"), errorMessage(error));
  }
}

function renderPassages(passages, start, end) {
  const nodes = [];
  let section = null;
  for (const passage of passages) {
    if (passage.section && passage.section !== section) {
      section = passage.section;
      nodes.push(h("h3", {}, section));
    }
    const overlaps = start !== null && passage.start < end && start < passage.end;
    const page = passage.page ? h("bdi", { class: "meta", ...uiAttrs() }, `page ${passage.page} · `) : null;
    nodes.push(h("p", { class: overlaps ? "passage cited" : "passage" }, page, highlighted(passage, start, end)));
  }
  return nodes.length ? nodes : h("p", uiAttrs(), "This document has no passages.");
}

function highlighted(passage, start, end) {
  if (start === null || !(passage.start < end && start < passage.end)) return passage.text;
  const from = Math.max(0, start - passage.start);
  const to = Math.min(passage.text.length, end - passage.start);
  return [passage.text.slice(0, from), h("mark", {}, passage.text.slice(from, to)), passage.text.slice(to)];
}

export function installSourceViewer() {
  const dialog = $("passage");
  $("passage-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
}

/** A button that opens a source, for lists of hits, related items and citations. */
export function sourceButton(label, source, attributes = {}) {
  return h("button", { type: "button", class: "title", ...attributes, onclick: () => openSource(source) }, label);
}
