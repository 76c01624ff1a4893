// Tutor tab: questions streamed to POST /tutor/ask; the answer appears as it is produced, then its sources.

import { postJson, streamEvents } from "./api.js";
import { $, errorMessage, h, show } from "./dom.js";
import { bdi, languagesReady, setTextAttrs, textAttrs, uiAttrs } from "./languages.js";
import { openSource, sourceButton } from "./passage.js";

let conversationId = null;
let turnsSoFar = 0; // answers in the current conversation, to rate the right one

export function initTutor() {
  const form = $("tutor-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.elements.question.value.trim();
    if (!question) return;
    const button = $("tutor-ask");
    button.disabled = true;
    try {
      await ask(question, form.elements.language.value || null);
      form.elements.question.value = "";
    } finally {
      button.disabled = false;
      form.elements.question.focus();
    }
  });
  form.elements.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("tutor-new").addEventListener("click", resetConversation);
}

export function resetConversation() {
  conversationId = null;
  turnsSoFar = 0;
  $("conversation").replaceChildren();
}

async function ask(question, language) {
  // The question and the streamed text run in the direction of their first strong letter until the answer says
  // which language they are in.
  const answer = h("div", { class: "answer", dir: "auto", "aria-live": "polite", "aria-busy": "true" });
  const extra = h("div");
  const asked = h("p", { class: "q", dir: "auto" }, question);
  const turn = h("article", { class: "turn" }, asked, answer, extra);
  $("conversation").append(turn);
  const body = { question, stream: true, ...(language && { language }), ...(conversationId && { conversation_id: conversationId }) };
  let final = null;
  try {
    for await (const { event, data } of streamEvents("/tutor/ask", body)) {
      if (event === "token") answer.append(data.text);
      else if (event === "answer") final = data;
    }
    if (!final) throw new Error("the answer was cut off; please ask again");
    await languagesReady();
  } catch (error) {
    answer.setAttribute("aria-busy", "false");
    show(extra, errorMessage(error));
    return;
  }
  const turnIndex = final.conversation_id === conversationId ? turnsSoFar : 0;
  conversationId = final.conversation_id;
  turnsSoFar = turnIndex + 1;
  setTextAttrs(answer, final.language);
  if (final.language) asked.setAttribute("lang", final.language);
  show(answer, answerText(final));
  answer.setAttribute("aria-busy", "false");
  show(extra, final.answered ? sources(final.citations) : abstention(final), feedback(final, turnIndex));
}

/** The answer text (in the question's language) with each [n] turned into a button that opens source n at the quoted
 * span; a source's sentence quoted word for word before its [n] (the extractive answerer's way) is in its language. */
function answerText(final) {
  const byMarker = new Map(final.citations.map((c) => [c.marker, c]));
  const parts = [];
  let last = 0;
  for (const match of final.text.matchAll(/\[(\d+)\]/g)) {
    const citation = byMarker.get(Number(match[1]));
    if (!citation) continue;
    parts.push(quoted(final.text.slice(last, match.index), citation));
    parts.push(
      h("button", { type: "button", class: "cite", dir: "ltr", "aria-label": `Source ${citation.marker}: ${citation.title}`,
        onclick: () => openSource(citationSource(citation)) }, `[${citation.marker}]`),
    );
    last = match.index + match[0].length;
  }
  parts.push(final.text.slice(last));
  return parts;
}

/** `text`, its end isolated in the source's language and direction where it is the citation's quote. */
function quoted(text, citation) {
  const quote = citation.quote.trim();
  const end = text.trimEnd().length;
  if (!quote || !text.slice(0, end).endsWith(quote)) return text;
  return [text.slice(0, end - quote.length), bdi(citation.language, quote), text.slice(end)];
}

const citationSource = (c) => ({ docId: c.doc_id, title: c.title, start: c.start, end: c.end, language: c.language });

/** Each source in its language's direction: title, section and quote; the page number in the page's language. */
function sources(citations) {
  const items = citations.map((c) =>
    h("li", { value: c.marker, ...textAttrs(c.language) },
      sourceButton(c.title, citationSource(c)),
      [c.section, c.page ? h("bdi", uiAttrs(), `page ${c.page}`) : null].filter(Boolean)
        .map((part) => h("span", { class: "meta" }, " · ", part)),
      h("div", { class: "quote", ...textAttrs(c.language) }, `“${c.quote}”`)),
  );
  return h("div", {}, h("h3", {}, "Sources"), h("ol", { class: "sources" }, items));
}

function abstention(final) {
  const related = final.related.map((r) =>
    h("li", textAttrs(r.language), sourceButton(r.title, { docId: r.doc_id, title: r.title, language: r.language }),
      h("bdi", { class: "meta", ...uiAttrs() }, ` · ${r.language}`)),
  );
  return h("div", {},
    final.reason ? h("p", { class: "meta" }, `Why: ${final.reason}.`) : null,
    related.length ? [h("h3", {}, "You may find these useful"), h("ul", {}, related)] : null);
}

function feedback(final, turn) {
  if (!final.conversation_id) return null;
  const note = h("span", { class: "meta", role: "status" });
  const send = async (helpful) => {
    for (const b of row.querySelectorAll("button")) b.disabled = true;
    try {
      await postJson("/tutor/feedback", { conversation_id: final.conversation_id, turn, helpful });
      note.textContent = "Thank you: noted.";
    } catch (error) {
      note.textContent = error.message;
    }
  };
  const row = h("div", { class: "row" }, h("span", { class: "meta" }, "Did this help?"),
    h("button", { type: "button", class: "secondary", onclick: () => send(true) }, "Yes"),
    h("button", { type: "button", class: "secondary", onclick: () => send(false) }, "No"), note);
  return row;
}
