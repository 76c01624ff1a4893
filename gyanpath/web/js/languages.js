// Content languages from GET /languages: selectors name each in its own script; content elements get lang and dir.

import { getJson } from "./api.js";
import { h } from "./dom.js";

let loaded = null; // promise of Map code -> {code, name, autonym, script, direction}
let known = new Map();

/** The registry, fetched once per page (again after a failure). */
export function loadLanguages() {
  if (!loaded) {
    loaded = getJson("/languages").then(
      (list) => (known = new Map(list.map((language) => [language.code, language]))),
      (error) => { loaded = null; throw error; },
    );
  }
  return loaded;
}

/** Waits for the registry, so that what renders next gets its direction right; never fails. */
export const languagesReady = () => loadLanguages().catch(() => known);

/** lang and dir attributes for text in `code`; dir "auto" (and no lang) when the language is unknown. */
export function textAttrs(code) {
  const language = known.get(code);
  return language ? { lang: language.code, dir: language.direction } : { dir: "auto" };
}

/** Sets (or clears) lang and dir on an element already in the page. */
export function setTextAttrs(element, code) {
  const { lang, dir } = textAttrs(code);
  if (lang) element.setAttribute("lang", lang);
  else element.removeAttribute("lang");
  element.setAttribute("dir", dir);
}

/** Interface text (labels, figures) inside content of another language: the page's language, left to right. */
export const uiAttrs = () => ({ lang: document.documentElement.lang || "en", dir: "ltr" });

/** Content text in its language, isolated from the text around it (a title in an English sentence, a section). */
export const bdi = (code, text) => h("bdi", textAttrs(code), text);

/** One option per language, named in its own script, after the select's first ("any language") option. */
export async function fillLanguageSelect(select) {
  if (select.options.length > 1) return;
  try {
    const languages = await loadLanguages();
    if (select.options.length > 1) return;
    select.append(...[...languages.values()].map((language) =>
      h("option", { value: language.code, lang: language.code, dir: language.direction, title: language.name },
        language.autonym)));
  } catch {
    // the select still offers "any language"; the next sign-in tries again
  }
}
