// A horizontal bar chart drawn as SVG by hand (no chart library, nothing from a CDN). Each
// bar carries its figure as text, and the chart is labelled for screen readers, so the same
// numbers are read by eye, by ear and by the browser tests (data-figure="<key>").

const SVG = "http://www.w3.org/2000/svg";
const ROW = 26;
const WIDTH = 560;
const LABEL = 230;
const VALUE = 52;

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function shorten(text, length = 22) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

let charts = 0;

/**
 * bars([{label, value, figure}], title): ``label`` the bar's text, ``value`` a number,
 * ``figure`` the key the value has in the API's answer (for data-figure).
 */
export function bars(items, title) {
  charts += 1;
  const id = `chart-${charts}`;
  const height = Math.max(1, items.length) * ROW + 8;
  const top = Math.max(1, ...items.map((item) => item.value));
  const room = WIDTH - LABEL - VALUE;
  const chart = svg("svg", {
    class: "chart",
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: "img",
    "aria-labelledby": id,
    preserveAspectRatio: "xMinYMin meet",
  });
  const summary = items.map((item) => `${item.label}: ${item.value}`).join("; ");
  chart.append(svg("title", { id }, `${title}. ${summary}`));
  items.forEach((item, row) => {
    const y = row * ROW + 4;
    const group = svg("g", {});
    group.append(svg("title", {}, `${item.label}: ${item.value}`));
    group.append(svg("text", { x: LABEL - 8, y: y + 16, "text-anchor": "end" }, shorten(item.label)));
    const length = item.value > 0 ? Math.max(2, (item.value / top) * room) : 0;
    group.append(svg("rect", { class: "bar", x: LABEL, y: y + 3, width: length, height: ROW - 8, rx: 2 }));
    const figure = { class: "value", x: LABEL + length + 6, y: y + 16 };
    if (item.figure) figure["data-figure"] = item.figure;
    group.append(svg("text", figure, String(item.value)));
    chart.append(group);
  });
  return chart;
}
