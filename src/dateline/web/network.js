// The entity network beside the timeline: who appears with whom in the articles the search selects
// (GET /api/network). Entities are sized by mentions and coloured by type; clicking one runs its
// timeline; hovering a tie (or choosing it in the list) shows the sentences that name both, with
// their articles. Names and sentences are scraped text: vis-network draws labels on a canvas (text,
// never HTML), its tooltips get elements built by el(), and the rest of the panel is el() too.
/* global vis */
import { badge, el, getJSON, outletName } from "./common.js";

const $ = (id) => document.getElementById(id);

// the same colours as Gephi's (network.py COLOURS)
export const TYPE_COLOURS = { person: "#1f77b4", organisation: "#ff7f0e", place: "#2ca02c", group: "#9467bd" };
const OTHER_COLOUR = "#7f7f7f";
const TIES_LISTED = 12;
const HINT = "Hover over a line to read the sentences that name both; click an entity to see its timeline.";

let view = null;
let ties = new Map(); // edge id -> the link from the API, with its names

/** Load and draw the network for a search; `onEntity(name)` runs a timeline, `onArticle(id, sentence)` opens one. */
export async function loadNetwork(params, fresh, { onEntity, onArticle }) {
  note("Loading the network…");
  let data;
  try {
    data = await getJSON("/api/network", params);
  } catch (error) {
    if (fresh()) note("No network: see the message above.");
    throw error;
  }
  if (!fresh()) return;
  const names = new Map(data.nodes.map((node) => [node.id, node.name]));
  ties = new Map(data.links.map((link, i) => [`tie-${i}`, { ...link, sourceName: names.get(link.source), targetName: names.get(link.target) }]));
  renderLegend(data.nodes);
  $("network-summary").textContent = `${data.nodes.length} entities, ${data.links.length} ties`;
  note(data.nodes.length ? "" : "No two entities are named in one sentence here.");
  draw(data.nodes, onEntity, onArticle);
  renderTies(onArticle);
  showTie(null, onArticle);
}

function note(text) {
  const box = $("network-note");
  box.textContent = text;
  box.hidden = !text;
}

function colour(type) {
  return TYPE_COLOURS[type] || OTHER_COLOUR;
}

function draw(nodes, onEntity, onArticle) {
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  const items = nodes.map((node) => ({
    id: node.id,
    label: node.name,
    value: node.mentions,
    title: el("div", { class: "network-tip" }, el("strong", {}, node.name),
      el("span", {}, `${node.type} · ${node.mentions} mentions in ${node.articles} articles`),
      el("span", {}, node.first === node.last ? node.first || "" : `${node.first} – ${node.last}`)),
    color: { background: colour(node.type), border: colour(node.type),
      highlight: { background: colour(node.type), border: "#1b1f24" }, hover: { background: colour(node.type), border: "#1b1f24" } },
  }));
  const lines = [...ties].map(([id, tie]) => ({ id, from: tie.source, to: tie.target, value: tie.weight }));
  if (view) view.destroy();
  // plain arrays: vis.DataSet on the page is vis-timeline's (loaded last), not vis-network's
  view = new vis.Network($("network"), { nodes: items, edges: lines }, {
    nodes: { shape: "dot", scaling: { min: 8, max: 40, label: { enabled: true, min: 16, max: 28 } },
      font: { face: "system-ui, sans-serif", color: "#1b1f24", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { color: { color: "#b6c0cc", highlight: "#1d4ed8", hover: "#1d4ed8" }, scaling: { min: 1, max: 8 }, smooth: false },
    physics: { solver: "forceAtlas2Based", forceAtlas2Based: { gravitationalConstant: -60, springLength: 90 },
      stabilization: { iterations: 250, fit: true } },
    layout: { randomSeed: 7 }, // the same picture on every load
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: true, navigationButtons: false },
  });
  // still once laid out: a reader (and a screenshot) sees a steady picture
  view.once("stabilizationIterationsDone", () => view.setOptions({ physics: false }));
  view.on("click", (event) => {
    if (event.nodes.length) onEntity(names.get(event.nodes[0]));
    else if (event.edges.length) showTie(event.edges[0], onArticle);
  });
  view.on("hoverEdge", (event) => showTie(event.edge, onArticle));
  window.datelineNetwork = view; // for the browser test, which hovers ties on the canvas
}

function renderLegend(nodes) {
  const types = [...new Set(nodes.map((node) => node.type))].sort();
  $("network-legend").replaceChildren(...types.map((type) => el("span", { class: "legend-item" },
    el("span", { class: `swatch type-${type in TYPE_COLOURS ? type : "other"}` }), type)));
}

/** The strongest ties as buttons: the network's content for keyboards and screen readers too. */
function renderTies(onArticle) {
  const rows = [...ties].slice(0, TIES_LISTED).map(([id, tie]) => {
    const button = el("button", { type: "button", class: "row", "data-tie": id },
      el("span", { class: "title" }, `${tie.sourceName} — ${tie.targetName}`),
      el("span", { class: "hint" }, `${tie.weight} sentence${tie.weight === 1 ? "" : "s"} · ${span(tie)}`));
    for (const event of ["mouseenter", "focus", "click"]) button.addEventListener(event, () => showTie(id, onArticle));
    return el("li", {}, button);
  });
  if (!rows.length) rows.push(el("li", { class: "hint" }, "No ties."));
  $("ties").replaceChildren(...rows);
}

function span(tie) {
  return tie.first === tie.last ? tie.first || "undated" : `${tie.first} – ${tie.last}`;
}

/** The sentences behind one tie, each opening its article. */
function showTie(id, onArticle) {
  const box = $("tie");
  const tie = id === null ? null : ties.get(id);
  if (!tie) {
    box.replaceChildren(el("p", { class: "hint" }, HINT));
    return;
  }
  if (view) view.selectEdges([id]); // the tie read about is the one drawn in the accent colour
  const sentences = (tie.sentences || []).map((sentence) => {
    const button = el("button", { type: "button", class: "row" },
      el("span", { class: "when" }, sentence.published || "undated", " ", badge(outletName(sentence.source))),
      el("span", { class: "text" }, sentence.text),
      el("span", { class: "hint title" }, sentence.title || "Untitled"));
    button.addEventListener("click", () => onArticle(sentence.article, sentence.text));
    return el("li", {}, button);
  });
  const more = tie.weight - sentences.length;
  if (more > 0) sentences.push(el("li", { class: "hint" }, `… and ${more} more sentence${more === 1 ? "" : "s"}`));
  box.replaceChildren(
    el("h3", { class: "tie-names" }, `${tie.sourceName} — ${tie.targetName}`),
    el("p", { class: "hint" }, `named together in ${tie.weight} sentence${tie.weight === 1 ? "" : "s"} of ` +
      `${tie.article_weight} article${tie.article_weight === 1 ? "" : "s"} · ${span(tie)}`),
    el("ol", { class: "tie-sentences" }, ...sentences),
  );
}
