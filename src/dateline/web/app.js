// The dateline page: search box, attention chart, timeline, article view and side panel,
// all drawn from the JSON API (docs/api.md). Scraped text is hostile, so every piece of
// data goes into the page through textContent / createElement — never as HTML.
/* global vis */
import { badge, el, getJSON, outletName, queryString } from "./common.js";
import { loadNetwork } from "./network.js";

const $ = (id) => document.getElementById(id);

const PROVENANCE = {
  dateline: "from the dateline",
  header: "from the page header",
  url: "from the URL",
  path: "from the file path",
  meta: "from the page metadata",
  text: "from the article text",
  inferred: "inferred from a copy or its story",
};
const OUTLET_COLOURS = 8; // the chart shows the busiest outlets; the rest share one colour
const DAY = 24 * 60 * 60 * 1000;

// --- small DOM and URL helpers -------------------------------------------------------------

/** Only http(s) links: a scraped `javascript:` or `data:` URL must never become a link. */
function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// --- talking to the API ----------------------------------------------------------------------

/** A paged list's next page; `next` comes from the server, but only our own API is followed. */
function getNext(next) {
  if (typeof next !== "string" || !next.startsWith("/api/")) return Promise.resolve(null);
  return getJSON(next);
}

// --- messages --------------------------------------------------------------------------------

function showError(text) {
  const box = $("message");
  box.textContent = text;
  box.hidden = false;
}

function clearMessage() {
  $("message").hidden = true;
  $("message").textContent = "";
}

// --- search state ----------------------------------------------------------------------------

// Every search bumps the generation; answers to an older search are dropped, so a slow
// request cannot overwrite the results of a newer one.
let generation = 0;
let current = { q: "", from: "", to: "" };

function readForm() {
  return { q: $("q").value.trim(), from: $("from").value, to: $("to").value };
}

function fillForm(params) {
  $("q").value = params.q;
  $("from").value = params.from;
  $("to").value = params.to;
}

function paramsFromUrl() {
  const search = new URLSearchParams(window.location.search);
  return { q: search.get("q") || "", from: search.get("from") || "", to: search.get("to") || "" };
}

/** Run one loader; its failure is shown unless a newer search has started since. */
async function guarded(gen, loader) {
  try {
    await loader(() => gen === generation);
  } catch (error) {
    if (gen === generation) showError(error.message);
  }
}

function search(params, { remember = true } = {}) {
  current = params;
  generation += 1;
  const gen = generation;
  shown = null;
  clearMessage();
  if (remember) history.pushState(params, "", window.location.pathname + queryString(params));
  updateExports(params);
  guarded(gen, (fresh) => loadTimeline(params, fresh));
  guarded(gen, (fresh) => loadAttention(params, fresh));
  guarded(gen, (fresh) => loadQuotes(params, fresh));
  guarded(gen, (fresh) => loadArticles(params, fresh));
  guarded(gen, (fresh) => loadNetwork(params, fresh, { onEntity: entityTimeline, onArticle: openArticle }));
}

/** An entity chosen in the network: its timeline, over the same days. */
function entityTimeline(name) {
  fillForm({ ...current, q: name });
  search(readForm());
}

function updateExports(params) {
  for (const link of document.querySelectorAll(".exports a")) {
    // the corpus's tables (a zip) have their own address; the rest are the timeline's formats
    link.href = `${link.dataset.path || "/api/timeline/export"}${queryString({ format: link.dataset.format, ...params })}`;
  }
}

// --- autocomplete ----------------------------------------------------------------------------

/** The search box's entity suggestions (GET /api/entities?q=), an ARIA combobox. */
function setupAutocomplete(input, list, onPick) {
  let timer = null;
  let asked = 0; // only the answer to the latest keystroke is shown
  let active = -1;

  const options = () => [...list.children];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    options().forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options()[index].id);
  };
  const show = (entities) => {
    list.replaceChildren(...entities.map((entity, i) => {
      const option = el("li", { id: `suggestion-${i}`, role: "option", "aria-selected": "false" },
        el("span", { class: "name" }, entity.name),
        el("span", { class: "hint" }, `${entity.type} · ${entity.article_count} articles`));
      // mousedown, not click: it fires before the input loses focus and closes the list
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        onPick(entity.name);
      });
      return option;
    }));
    list.hidden = entities.length === 0;
    input.setAttribute("aria-expanded", String(entities.length > 0));
    active = -1;
  };
  const ask = async () => {
    const text = input.value.trim();
    const ticket = ++asked;
    if (!text) return close();
    try {
      const answer = await getJSON("/api/entities", { q: text, limit: 8 });
      if (ticket === asked && document.activeElement === input) show(answer.items);
    } catch (error) {
      if (ticket === asked) showError(error.message);
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", (event) => {
    const count = options().length;
    if (list.hidden || count === 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + count) % count);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      onPick(options()[active].querySelector(".name").textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
  return close;
}

// --- the timeline ----------------------------------------------------------------------------

let timeline = null;
let timelineGroups = null;
let shown = null; // the window of the current timeline, for "Fit" and for the chart

/** vis-timeline rows: one item per (date, story), grouped by story in order of first appearance. */
function timelineRows(entries) {
  const items = [];
  const groups = new Map();
  for (const entry of entries) {
    const byStory = new Map();
    for (const sentence of entry.sentences) {
      const story = sentence.story || "none";
      if (!byStory.has(story)) byStory.set(story, []);
      byStory.get(story).push(sentence);
      if (!groups.has(story)) {
        // until /api/stories answers, a story is labelled with its first article's title
        groups.set(story, { id: story, fallback: story === "none" ? "Not in a story" : sentence.title || opening(sentence.text) });
      }
    }
    for (const [story, sentences] of byStory) {
      items.push({ id: `${entry.date}|${story}`, group: story, start: entry.date,
        content: entryElement(entry.date, sentences) });
    }
  }
  // groups are ordered by their earliest entry, so the timeline reads from top-left down
  const ordered = [...groups.values()].map((group, order) => ({
    id: group.id, order, content: groupLabel(group.fallback) }));
  return { items, groups: ordered };
}

/** The first words of a sentence: a label for a story whose articles have no title. */
function opening(text) {
  const words = text.split(/\s+/);
  return words.length > 8 ? `${words.slice(0, 8).join(" ")}…` : text;
}

function groupLabel(text) {
  return el("span", { class: "group-label", title: text }, text);
}

/** One timeline item: the date, then each sentence with its outlet badges; a sentence opens its article. */
function entryElement(date, sentences) {
  const buttons = sentences.map((sentence) => {
    // Each outlet once: a wire story often runs twice at the same outlet.
    const also = new Set(sentence.carried_by.map((copy) => outletName(copy.source)));
    also.delete(outletName(sentence.source));
    const outlets = [badge(outletName(sentence.source)), ...[...also].map((name) => badge(name, "also"))];
    // Why the sentence sits on this date, in the words of the table, Markdown and HTML report.
    const reported = sentence.date_source === "reported"
      ? el("span", { class: "reported" }, `reported ${sentence.published}`)
      : sentence.date_source === "referenced" ? el("span", { class: "reported" }, "refers to this day") : null;
    const button = el("button", { type: "button", class: "sentence",
      title: `${outletName(sentence.source)}: ${sentence.title || "untitled"}` },
      el("span", { class: "badges" }, ...outlets, reported),
      el("span", { class: "text" }, sentence.text));
    button.addEventListener("click", () => openArticle(sentence.article, sentence.text));
    return button;
  });
  return el("div", { class: "entry" }, el("time", { datetime: date }, date), ...buttons);
}

function timelineNote(text) {
  const note = $("timeline-note");
  note.textContent = text;
  note.hidden = !text;
}

function ensureTimeline() {
  if (timeline) return timeline;
  timelineGroups = new vis.DataSet();
  timeline = new vis.Timeline($("timeline"), new vis.DataSet(), timelineGroups, {
    height: "100%", // the container's height is fixed in CSS: no layout shift when data arrives
    orientation: { axis: "top", item: "top" },
    stack: true,
    align: "left", // a box starts at its date, so the first one is not cut off by the labels
    showCurrentTime: false,
    verticalScroll: true,
    zoomKey: "ctrlKey", // a plain wheel scrolls the rows; Ctrl + wheel (or pinch, or the buttons) zooms
    zoomMin: 2 * DAY,
    groupOrder: "order",
    selectable: true,
    margin: { item: { horizontal: 6, vertical: 6 } },
  });
  timeline.on("rangechange", (props) => { if (props.byUser && chart) chart.setWindow(props.start, props.end, { animation: false }); });
  timeline.on("changed", alignChart);
  return timeline;
}

async function loadTimeline(params, fresh) {
  $("timeline").setAttribute("aria-busy", "true");
  timelineNote("Loading the timeline…");
  let data;
  try {
    data = await getJSON("/api/timeline", { ...params, sentences_per_date: 2 });
  } catch (error) {
    if (fresh()) timelineNote("No timeline: see the message above.");
    throw error;
  }
  if (!fresh()) return;
  const { items, groups } = timelineRows(data.entries);
  const view = ensureTimeline();
  timelineGroups.clear();
  timelineGroups.add(groups);
  view.setItems(new vis.DataSet(items));
  shown = windowFor(data.entries);
  if (shown) showWindow(shown);
  else if (chart) chart.fit({ animation: false });
  $("timeline").setAttribute("aria-busy", "false");
  timelineNote(items.length ? "" : "No dates found for this search.");
  $("summary").textContent = summary(params, data.entries);
  await loadStories(params, data.entries, fresh);
}

function summary(params, entries) {
  const sentences = entries.reduce((count, entry) => count + entry.sentences.length, 0);
  const what = params.q ? `for “${params.q}”` : "for the whole database";
  return `${what}: ${entries.length} dates, ${sentences} sentences`;
}

/**
 * The window that shows every entry. Not vis' fit(): that makes room for the boxes' full widths,
 * which on a phone zooms out to centuries. Boxes start at their date, so the right edge leaves
 * room for the last box (as far as the width allows; the rest is a pan away).
 */
function windowFor(entries) {
  if (!entries.length) return null;
  const dates = entries.map((entry) => Date.parse(entry.date)).sort((a, b) => a - b);
  const first = dates[0];
  const last = dates[dates.length - 1];
  const start = first - Math.max(15 * DAY, (last - first) * 0.04);
  const end = Math.max(last + 15 * DAY, start + (last - start) / (1 - boxShare()));
  return { start: new Date(start), end: new Date(end) };
}

/** The share of the timeline's width one box takes (the box width is --entry-width in CSS). */
function boxShare() {
  const panel = document.querySelector("#timeline .vis-panel.vis-center");
  const root = getComputedStyle(document.documentElement);
  const box = parseFloat(root.getPropertyValue("--entry-width")) * parseFloat(root.fontSize) + 20;
  if (!panel || !panel.clientWidth || !box) return 0.3;
  return Math.min(0.6, box / panel.clientWidth);
}

/** Both the timeline and the chart show the same days. */
function showWindow(range) {
  for (const view of [timeline, chart]) if (view) setWindow(view, range);
}

/**
 * Show [start, end]. On its first draw with data vis fits the window to the items, replacing one
 * set before, so the window is set again after the next draw.
 */
function setWindow(view, { start, end }) {
  view.setWindow(start, end, { animation: false });
  view.once("changed", () => view.setWindow(start, end, { animation: false }));
}

/** Indent the chart so its days sit right above the timeline's (the timeline has a label column). */
function alignChart() {
  const labels = document.querySelector("#timeline .vis-panel.vis-left");
  const axis = document.querySelector("#attention .vis-panel.vis-left");
  if (!labels || !axis) return;
  const indent = `${Math.max(0, labels.offsetWidth - axis.offsetWidth)}px`;
  if ($("attention").style.marginLeft !== indent) $("attention").style.marginLeft = indent;
}

function zoom(factor) {
  if (!timeline) return;
  const { start, end } = timeline.getWindow();
  const middle = (start.valueOf() + end.valueOf()) / 2;
  const half = ((end - start) * factor) / 2;
  showWindow({ start: new Date(middle - half), end: new Date(middle + half) });
}

// --- stories in range ------------------------------------------------------------------------

/** The days a timeline covers: its entries and the articles its sentences come from. */
function span(entries) {
  const days = [];
  for (const entry of entries) {
    days.push(entry.date);
    for (const sentence of entry.sentences) if (sentence.published) days.push(sentence.published);
  }
  days.sort();
  return days.length ? { from: days[0], to: days[days.length - 1] } : { from: "", to: "" };
}

async function loadStories(params, entries, fresh) {
  const range = { ...span(entries) };
  if (params.from) range.from = params.from;
  if (params.to) range.to = params.to;
  const page = await getJSON("/api/stories", { ...range, size: 200 });
  if (!fresh()) return;
  const onTimeline = new Set(timelineGroups.getIds());
  // the stories' own labels replace the titles the groups started with
  timelineGroups.update(page.items.filter((story) => story.label && onTimeline.has(story.id))
    .map((story) => ({ id: story.id, content: groupLabel(story.label) })));
  renderStories(page, onTimeline);
}

function renderStories(page, onTimeline) {
  const list = $("stories");
  const rows = page.items.map((story) => {
    const button = el("button", { type: "button", class: "row" },
      el("span", { class: "when" }, story.first === story.last ? story.first : `${story.first} – ${story.last}`),
      el("span", { class: "title" }, story.label || "Untitled story"),
      el("span", { class: "hint" },
        `${story.articles.length} article${story.articles.length === 1 ? "" : "s"} · ${story.outlets.map(outletName).join(", ") || "unknown outlet"}`,
        onTimeline.has(story.id) ? badge("on the timeline", "mark") : null));
    button.addEventListener("click", () => openArticle(story.articles[0], null));
    return el("li", {}, button);
  });
  if (page.total > page.items.length) rows.push(el("li", { class: "hint" }, `… and ${page.total - page.items.length} more`));
  if (!rows.length) rows.push(el("li", { class: "hint" }, "No stories in this range."));
  list.replaceChildren(...rows);
}

// --- attention chart -------------------------------------------------------------------------

let chart = null;

/** Articles per day stacked by outlet; the busiest outlets get a colour each, the rest one more. */
function attentionSeries(days) {
  const totals = new Map();
  for (const day of days) totals.set(outletName(day.source), (totals.get(outletName(day.source)) || 0) + day.articles);
  const ranked = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const names = ranked.slice(0, OUTLET_COLOURS);
  if (ranked.length > names.length) names.push("other outlets");
  // group ids are strings: vis treats a falsy group id (0) as "no group"
  const groupOf = (source) => `outlet-${Math.min(ranked.indexOf(outletName(source)), OUTLET_COLOURS)}`;
  const counts = new Map();
  for (const day of days) {
    const key = `${day.date}|${groupOf(day.source)}`;
    counts.set(key, (counts.get(key) || 0) + day.articles);
  }
  const items = [...counts].map(([key, y]) => {
    const [x, group] = key.split("|");
    return { x, y, group };
  });
  // a group's content is only its id: vis writes it as HTML into its own legend, which we do not use
  const groups = names.map((name, i) => ({ id: `outlet-${i}`, content: `outlet-${i}`, className: `outlet-${i}` }));
  return { items, groups, names };
}

function renderLegend(names) {
  $("legend").replaceChildren(...names.map((name, i) => el("span", { class: "legend-item" },
    el("span", { class: `swatch outlet-${i}` }), name)));
}

async function loadAttention(params, fresh) {
  const data = await getJSON("/api/attention", params);
  if (!fresh()) return;
  const { items, groups, names } = attentionSeries(data.days);
  renderLegend(names);
  if (!chart) {
    chart = new vis.Graph2d($("attention"), new vis.DataSet(), new vis.DataSet(), {
      height: "100%",
      style: "bar",
      stack: true,
      barChart: { width: 10, align: "center" },
      drawPoints: false,
      showCurrentTime: false,
      zoomKey: "ctrlKey",
      zoomMin: 2 * DAY,
      dataAxis: { icons: false, left: { range: { min: 0 }, format: (value) => (Number.isInteger(value) ? String(value) : "") } },
    });
    chart.on("rangechange", (props) => { if (props.byUser && timeline) timeline.setWindow(props.start, props.end, { animation: false }); });
  }
  chart.setGroups(new vis.DataSet(groups));
  chart.setItems(new vis.DataSet(items));
  alignChart();
  // the timeline decides the window: both show the same days
  if (shown) setWindow(chart, shown);
  else if (items.length) chart.fit({ animation: false });
}

// --- side panel: quotes and articles ---------------------------------------------------------

async function loadQuotes(params, fresh) {
  const list = $("quotes");
  const more = $("quotes-more");
  more.hidden = true;
  if (!params.q) {
    $("quotes-title").textContent = "Quotes";
    list.replaceChildren(el("li", { class: "hint" }, "Search for a person to see what they said, by date."));
    return;
  }
  const range = { from: params.from, to: params.to, size: 50 };
  let page = await getJSON("/api/quotes", { speaker: params.q, ...range });
  let heading = `What ${params.q} said`;
  if (!page.total) {  // not a person: who is quoted in the articles about the topic
    page = await getJSON("/api/quotes", { q: params.q, ...range });
    heading = "Quotes in these articles";
  }
  if (!fresh()) return;
  $("quotes-title").textContent = heading;
  list.replaceChildren(...page.items.map(quoteRow));
  if (!page.items.length) list.append(el("li", { class: "hint" }, `No quotes by or about “${params.q}”.`));
  pager(more, list, page, quoteRow, fresh);
}

function quoteRow(quote) {
  const who = quote.speaker_as_written && quote.speaker_as_written !== quote.speaker
    ? `${quote.speaker} (as “${quote.speaker_as_written}”)` : quote.speaker;
  const button = el("button", { type: "button", class: "row" },
    el("span", { class: "when" }, quote.published || "undated", " ", badge(outletName(quote.source)),
      quote.kind === "reported" ? badge("reported speech", "also") : null),
    el("q", { class: "quote" }, quote.text),
    el("span", { class: "hint" }, `— ${who}`));
  button.addEventListener("click", () => openArticle(quote.article, quote.sentence));
  return el("li", {}, button);
}

async function loadArticles(params, fresh) {
  const page = await getJSON("/api/articles", { ...params, size: 50 });
  if (!fresh()) return;
  const list = $("articles");
  list.replaceChildren(...page.items.map(articleRow));
  if (!page.items.length) list.append(el("li", { class: "hint" }, "No articles."));
  pager($("articles-more"), list, page, articleRow, fresh);
  $("articles-title").textContent = `Articles (${page.total})`;
}

function articleRow(article) {
  const button = el("button", { type: "button", class: "row" },
    el("span", { class: "when" }, article.published || "undated", " ", badge(outletName(article.source)),
      article.duplicate_of ? badge("copy", "also") : null),
    el("span", { class: "title" }, article.title || "Untitled"));
  button.addEventListener("click", () => openArticle(article.id, null));
  return el("li", {}, button);
}

/** A "more" button that appends the next pages of a paged list. */
function pager(button, list, page, row, fresh) {
  let next = page.next;
  button.hidden = !next;
  button.onclick = async () => {
    try {
      const more = await getNext(next);
      if (!more || !fresh()) return;
      list.append(...more.items.map(row));
      next = more.next;
      button.hidden = !next;
    } catch (error) {
      showError(error.message);
    }
  };
}

// --- article view ----------------------------------------------------------------------------

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where `needle` is in `text`: exactly, else with any run of whitespace matching any other. */
function findRange(text, needle) {
  const wanted = (needle || "").trim();
  if (wanted.length < 3) return null;
  const at = text.indexOf(wanted);
  if (at >= 0) return { start: at, end: at + wanted.length };
  const words = wanted.split(/\s+/).slice(0, 300).map(escapeRegExp);
  const match = new RegExp(words.join("\\s+")).exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : null;
}

/** Highlight ranges: the chosen sentence, and each quote (its "…" elisions are separate parts). */
function highlights(article, sentence) {
  const marks = [];
  const found = findRange(article.text, sentence);
  if (found) marks.push({ ...found, kind: "chosen" });
  for (const quote of article.quotes) {
    for (const part of quote.text.split(/\s*…\s*/)) {
      const range = findRange(article.text, part);
      if (range) marks.push({ ...range, kind: "quote", speaker: quote.speaker });
    }
  }
  return marks;
}

/** The article text as paragraphs, with <mark>s where highlights cover it (text nodes only). */
function articleBody(text, marks) {
  const body = el("div", { class: "body" });
  const breaks = /\n\s*\n/g;
  let start = 0;
  const paragraphs = [];
  for (let found; (found = breaks.exec(text)); start = found.index + found[0].length) paragraphs.push([start, found.index]);
  paragraphs.push([start, text.length]);
  for (const [from, to] of paragraphs) {
    if (from >= to) continue;
    const cuts = new Set([from, to]);
    for (const mark of marks) {
      if (mark.start > from && mark.start < to) cuts.add(mark.start);
      if (mark.end > from && mark.end < to) cuts.add(mark.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const paragraph = el("p");
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [a, b] = [points[i], points[i + 1]];
      const covering = marks.filter((mark) => mark.start <= a && mark.end >= b);
      const piece = text.slice(a, b);
      if (!covering.length) {
        paragraph.append(piece);
        continue;
      }
      const kinds = [...new Set(covering.map((mark) => mark.kind))];
      const speaker = covering.find((mark) => mark.speaker);
      paragraph.append(el("mark", { class: kinds.join(" "), title: speaker ? `quote: ${speaker.speaker}` : null }, piece));
    }
    body.append(paragraph);
  }
  return body;
}

function published(article) {
  if (!article.published) return el("p", { class: "meta" }, "No publication date: the article does not say, and no copy or story tells.");
  const source = PROVENANCE[article.published_source] || `from ${article.published_source}`;
  return el("p", { class: "meta" }, "Published ", el("time", { datetime: article.published }, article.published),
    " ", el("span", { class: "provenance" }, source),
    article.modified ? `; modified ${article.modified}` : null);
}

/** Every outlet that carried the text: this article and its copies (or its canonical and siblings). */
function carriers(article) {
  const rows = [el("li", {}, badge(outletName(article.source)), " this article", originalLink(article.url))];
  for (const copy of article.duplicates) {
    const kind = copy.kind === "canonical" ? "the original" : `${copy.kind} copy${copy.score === null ? "" : ` (${Math.round(copy.score * 100)}%)`}`;
    const open = el("button", { type: "button", class: "link" }, kind);
    open.addEventListener("click", () => openArticle(copy.id, null));
    rows.push(el("li", {}, badge(outletName(copy.source)), " ", open, originalLink(copy.url)));
  }
  return el("div", { class: "carriers" }, el("h3", {}, "Carried by"), el("ul", {}, ...rows));
}

function originalLink(url) {
  const href = safeUrl(url);
  if (!href) return null;
  return el("a", { href, rel: "noopener noreferrer", target: "_blank", class: "original" }, "original ↗");
}

/** The original's address: a link when it is a web address, else shown as text. */
function originalAt(url) {
  const href = safeUrl(url);
  if (href) {
    return el("p", { class: "meta" }, el("a", { href, rel: "noopener noreferrer", target: "_blank" }, "Read the original ↗"),
      " ", el("span", { class: "url" }, href));
  }
  return el("p", { class: "meta" }, url ? "Original address (not a web link): " : "No original URL recorded.",
    url ? el("span", { class: "url" }, url) : null);
}

function renderArticle(article, sentence) {
  const view = $("article");
  const marks = highlights(article, sentence);
  const entities = article.entities.slice(0, 30).map((name) => {
    const chip = el("button", { type: "button", class: "chip" }, name);
    chip.addEventListener("click", () => {
      fillForm({ q: name, from: "", to: "" });
      search(readForm());
    });
    return chip;
  });
  view.replaceChildren(
    el("header", {},
      el("p", { class: "kicker" }, badge(outletName(article.source)),
        article.story ? el("span", { class: "story" }, ` Story: ${article.story.label}`) : null),
      el("h2", { class: "headline" }, article.title || "Untitled"),
      published(article),
      originalAt(article.url)),
    el("p", { class: "key" }, el("mark", { class: "chosen" }, "timeline sentence"), " ", el("mark", { class: "quote" }, "quote")),
    articleBody(article.text, marks),
    carriers(article),
    entities.length ? el("div", { class: "entities" }, el("h3", {}, "Named in the article"), ...entities) : null,
  );
  view.scrollIntoView({ behavior: "smooth", block: "start" });
}

async function openArticle(id, sentence) {
  const gen = generation;
  try {
    renderArticle(await getJSON(`/api/articles/${encodeURIComponent(id)}`), sentence);
  } catch (error) {
    if (gen === generation) showError(error.message);
  }
}

// --- start -----------------------------------------------------------------------------------

function start() {
  if (typeof vis === "undefined") {
    showError("The timeline library did not load (/static/vendor/vis-timeline-graph2d.min.js).");
    return;
  }
  if (typeof vis.Network === "undefined") {
    showError("The network library did not load (/static/vendor/vis-network.min.js).");
    return;
  }
  const form = $("search");
  const closeSuggestions = setupAutocomplete($("q"), $("suggestions"), (name) => {
    $("q").value = name;
    form.requestSubmit();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    closeSuggestions();
    search(readForm());
  });
  $("zoom-in").addEventListener("click", () => zoom(0.5));
  $("zoom-out").addEventListener("click", () => zoom(2));
  $("zoom-fit").addEventListener("click", () => { if (shown) showWindow(shown); });
  window.addEventListener("popstate", () => {
    fillForm(paramsFromUrl());
    search(paramsFromUrl(), { remember: false });
  });
  // an empty query is the whole database: the page shows something as soon as it opens
  fillForm(paramsFromUrl());
  search(paramsFromUrl(), { remember: false });
}

start();
