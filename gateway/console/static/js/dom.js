// Building the page: elements from plain data, never from HTML strings, so that a name
// typed by a student can never become markup (no HTML parsing anywhere in the console).

/** h("p", {class: "x", onclick: fn}, "text", child, [more children]) -> an Element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** A bilingual label: the Chinese, then the English in a quieter span ("学生 Students"). */
export function bi(zh, en) {
  return [zh, " ", h("span", { class: "en", lang: "en" }, en)];
}

/** The plain text of a bilingual label, for attributes (titles, aria-labels). */
export function biText(zh, en) {
  return `${zh} ${en}`;
}

/** Replace everything inside ``element`` with ``children``. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A labelled form field: <label for=id> + the control (given, or an <input>). */
export function field(id, zh, en, control) {
  control.id = id;
  if (!control.name) control.name = id;
  return h("div", { class: "field" }, h("label", { for: id }, bi(zh, en)), control);
}

/** A table from column definitions [{zh, en, cell(row) -> node|text}] and rows. */
export function table(columns, rows, caption) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", { class: "muted" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, bi(c.zh, c.en))))),
      h(
        "tbody",
        {},
        rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.class }, c.cell(row))))),
      ),
    ),
  );
}

/** A status as a coloured pill with its bilingual name. */
export function statusPill(status, names) {
  const [zh, en] = names[status] || [status, status];
  return h("span", { class: `status status-${status}` }, `${zh} ${en}`);
}
