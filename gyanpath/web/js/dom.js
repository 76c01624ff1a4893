// Building the page from data without innerHTML: text always goes in as text, never as markup.

/** h("p", {class: "meta", onclick: fn, "aria-label": "x"}, "text", node, [more], null) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "style") Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function show(target, ...children) {
  target.replaceChildren();
  append(target, children);
}

export const $ = (id) => document.getElementById(id);

export function errorMessage(error) {
  return h("p", { class: "error", role: "alert" }, error.message || String(error));
}

export function loading(text = "Working…") {
  return h("p", { class: "meta" }, text);
}

/** Runs an async form handler: prevents the page load, disables the submit button meanwhile, shows errors. */
export function onSubmit(form, output, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button:not([type=button])");
    if (button) button.disabled = true;
    try {
      await handler(new FormData(form));
    } catch (error) {
      if (error.name !== "AbortError") show(output, errorMessage(error));
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** A share (0..1) as a labelled bar; `null` shows why no figure is given. */
export function bar(label, share, note = "") {
  const known = typeof share === "number" && Number.isFinite(share);
  const percent = known ? Math.round(Math.max(0, Math.min(1, share)) * 100) : 0;
  const value = known ? `${percent}%` : note || "not available";
  return h(
    "div",
    {},
    h("div", { class: "label" }, label, " — ", value),
    h("div", { class: "bar", role: "img", "aria-label": `${label}: ${value}` },
      h("span", { style: { width: `${percent}%` } })),
  );
}

export const hours = (value) => `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;

const KIND_LABELS = { course: "Course", case_study: "Case study", help: "Help" };

/** What a document kind is called on screen. */
export function kindLabel(kind) {
  return KIND_LABELS[kind] || kind;
}
