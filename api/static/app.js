// Underlag's web page: plain DOM code, no framework. Text from the server is
// always inserted as text (textContent), never as HTML.
"use strict";

const MESSAGES = {
  bad_query: "Sökfrågan saknar ord att söka på.",
  unknown_document: "Dokumentet finns inte i indexet.",
  unknown_question: "Mallen har ingen sådan fråga.",
  not_found: "Finns inte.",
  too_large: "Filen är för stor.",
  unsupported_format: "Filtypen stöds inte. Använd PDF, Word (.docx) eller text.",
  empty: "Filen är tom eller saknar text.",
  corrupt: "Filen är skadad och kunde inte läsas.",
  encrypted: "Filen är lösenordsskyddad.",
  no_text_layer: "PDF-filen saknar text (inskannad utan textigenkänning).",
  encoding: "Textfilens teckenkodning gick inte att avgöra.",
  invalid: "Uppgifterna är ofullständiga eller felaktiga.",
  unauthorized: "Servern kräver en nyckel för detta.",
  internal: "Något gick fel i servern. Försök igen.",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || "internal";
  }
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
  } catch (e) {
    throw new ApiError(0, { detail: "Servern svarar inte.", code: "internal" });
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function showError(target, error) {
  target.replaceChildren(el("div", { class: "error", role: "alert" },
    el("p", { text: MESSAGES[error.code] || "Det gick inte." }),
    el("p", { class: "muted small", text: error.message })));
}

function busy(target, text) {
  target.replaceChildren(el("p", { class: "muted", text }));
}

function setOptions(select, items, keepFirst = true) {
  const first = keepFirst ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(...first, ...items.map(([value, label]) => el("option", { value, text: label })));
}

// Highlight character spans (Python code-point offsets) of `text` with <mark>.
function highlighted(text, spans) {
  const chars = Array.from(text);
  const parts = [];
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    parts.push(chars.slice(at, start).join(""));
    parts.push(el("mark", { text: chars.slice(start, end).join("") }));
    at = end;
  }
  parts.push(chars.slice(at).join(""));
  return parts;
}

// -- search ----------------------------------------------------------------------

function hitHeading(h) {
  return [h.document, h.section ? `avsnitt ${h.section}` : null, h.year, h.page ? `s. ${h.page}` : null]
    .filter(Boolean).join(" · ");
}

function renderHits(target, result) {
  if (!result.hits.length) {
    target.replaceChildren(el("p", { text: `Inga träffar för ”${result.query}”.` }));
    return;
  }
  const list = el("ol", { class: "hits" });
  for (const h of result.hits) {
    list.append(el("li", { class: "hit" },
      el("h3", {}, el("a", { href: h.url, text: hitHeading(h) })),
      h.heading_path.length ? el("p", { class: "muted small", text: h.heading_path.join(" › ") }) : null,
      el("p", { class: "hit-text" }, highlighted(h.text, h.highlights))));
  }
  target.replaceChildren(el("p", { class: "muted", text: `${result.hits.length} träffar för ”${result.query}”` }), list);
}

async function onSearch(event) {
  event.preventDefault();
  const form = event.target;
  const target = document.getElementById("sok-resultat");
  const params = new URLSearchParams({ k: "20" });
  for (const [key, value] of new FormData(form)) if (String(value).trim()) params.set(key, String(value).trim());
  busy(target, "Söker …");
  // the search goes into the address, so Back from a document shows the hits again
  const shown = new URLSearchParams(params);
  shown.delete("k");
  history.replaceState(null, "", `?${shown}`);
  try {
    renderHits(target, await api(`/api/search?${params}`));
  } catch (e) {
    showError(target, e);
  }
}

async function loadDocuments() {
  const docs = await api("/api/documents");
  setOptions(document.getElementById("f-doc"), docs.map((d) => [d.id, d.title ? `${d.title} (${d.filename})` : d.filename]));
  const types = [...new Set(docs.map((d) => d.doc_type).filter(Boolean))].sort();
  setOptions(document.getElementById("f-type"), types.map((t) => [t, t]));
  document.getElementById("status").textContent = `${docs.length} dokument i indexet.`;
}

const FEATURE_SETUP = {};

// -- templates and coverage ----------------------------------------------------------

const STATUS_SV = { answered: "Besvarad", missing: "Saknas", covered: "Täckt", weak: "Svag" };
let templates = null;

async function loadTemplates() {
  if (!templates) templates = await api("/api/templates");
  const items = templates.map((t) => [t.id, t.title]);
  for (const id of ["granska-mall", "forslag-mall"]) setOptions(document.getElementById(id), items, false);
}

function statusCell(status) {
  return el("td", { class: `status-${status}`, text: STATUS_SV[status] || status });
}

function charsText(q) {
  if (!q.limit) return `${q.chars} tecken`;
  const shared = q.limit.questions.length > 1 ? ` (gemensamt för ${q.limit.questions.join(", ")})` : "";
  return `${q.chars} tecken; ${q.limit.used} av ${q.limit.max_chars}${shared}`;
}

function elementList(elements) {
  if (!elements.length) return el("span", { class: "muted", text: "–" });
  return el("ul", { class: "labels" }, elements.map((e) => el("li", {},
    el("span", { class: `status-${e.status}`, text: `${STATUS_SV[e.status] || e.status}: ` }), e.label,
    e.reason ? el("p", { class: "reason", text: e.reason }) : null,
    e.sentence ? el("p", { class: "evidence muted", text: `”${e.sentence}”` }) : null)));
}

function renderCoverage(target, report) {
  const s = report.summary;
  const summary = el("p", { class: "coverage-summary" },
    `${s.answered} av ${s.questions} frågor besvarade, ${s.missing} saknas. Element: ${s.elements_covered} täckta, ` +
    `${s.elements_weak} svaga, ${s.elements_missing} saknas. Teckengränser överskridna: ${s.limits_exceeded}.`);
  const rows = report.questions.map((q) => el("tr", {},
    el("th", { scope: "row", text: q.id }),
    el("td", { text: q.title }),
    statusCell(q.status),
    el("td", { class: q.limit && q.limit.over ? "over" : null, text: charsText(q) }),
    el("td", {}, elementList(q.elements))));
  const table = el("table", { class: "coverage" },
    el("caption", { text: `Täckning av ${report.draft} mot mallen ${report.template}` }),
    el("thead", {}, el("tr", {}, ["Fråga", "Rubrik", "Status", "Tecken mot gräns", "Krav i svaret"].map(
      (h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows));
  const shared = (report.shared || []).filter((g) => g.elements.length).map((g) => el("div", {},
    el("h3", { text: `Genomgående i frågorna ${g.questions.join(", ")}` }), elementList(g.elements)));
  target.replaceChildren(summary, el("div", { class: "table-wrap" }, table), ...shared);
}

async function onCoverage(event) {
  event.preventDefault();
  const target = document.getElementById("granska-resultat");
  busy(target, "Granskar utkastet …");
  try {
    renderCoverage(target, await api("/api/coverage", { method: "POST", body: new FormData(event.target) }));
  } catch (e) {
    showError(target, e);
  }
}

FEATURE_SETUP.coverage = async () => {
  await loadTemplates();
  document.getElementById("granska-form").addEventListener("submit", onCoverage);
};

// -- suggestions ------------------------------------------------------------------------

function sectionLink(c) {
  const sectionIndex = c.passage_id.split(":")[1];
  return `/dokument/${c.document_id}#avsnitt-${sectionIndex}`;
}

async function loadQuestions() {
  const id = document.getElementById("forslag-mall").value;
  if (!id) return;
  const t = await api(`/api/templates/${encodeURIComponent(id)}`);
  setOptions(document.getElementById("forslag-fraga"),
    t.questions.map((q) => [q.id, `${q.id} ${q.title.length > 90 ? q.title.slice(0, 89) + "…" : q.title}`]), false);
}

function renderSuggestion(target, s, query) {
  const draft = el("div", { class: "draft" }, s.parts.map((p) => el("p", {}, p.text, " ",
    el("a", { href: `#kalla-${p.citation}`, "aria-label": `källa ${p.citation}`, text: `[${p.citation}]` }))));
  const sources = el("ol", { class: "sources" }, s.citations.map((c) => el("li", { id: `kalla-${c.n}`, value: c.n },
    el("a", { href: sectionLink(c), text: [c.document, c.section ? `avsnitt ${c.section}` : c.section_title, c.year]
      .filter(Boolean).join(" · ") }))));
  const uncovered = s.uncovered.length ? el("p", { class: "status-missing" },
    `Krav som inget tidigare avsnitt täcker: ${s.elements.filter((e) => s.uncovered.includes(e.id)).map((e) => e.label).join(", ") || s.uncovered.join(", ")}.`) : null;
  target.replaceChildren(
    el("h3", { text: `${s.question} ${s.title}` }),
    el("p", { class: "muted", text: `${s.chars} av ${s.budget} tecken, ur ${s.citations.length} tidigare avsnitt.` }),
    draft, uncovered,
    el("h4", { text: "Källor" }), sources,
    el("p", {}, el("a", { class: "download", href: `/api/suggest.docx?${query}`, download: "",
      text: "Ladda ner förslaget som Word-dokument (.docx)" })));
}

async function onSuggest(event) {
  event.preventDefault();
  const target = document.getElementById("forslag-resultat");
  const query = new URLSearchParams(new FormData(event.target)).toString();
  busy(target, "Sätter ihop ett förslag ur tidigare rapporter …");
  try {
    renderSuggestion(target, await api(`/api/suggest?${query}`), query);
  } catch (e) {
    showError(target, e);
  }
}

FEATURE_SETUP.suggest = async () => {
  await loadTemplates();
  await loadQuestions();
  document.getElementById("forslag-mall").addEventListener("change", () => loadQuestions().catch(
    (e) => showError(document.getElementById("forslag-resultat"), e)));
  document.getElementById("forslag-form").addEventListener("submit", onSuggest);
};

// -- tagging ------------------------------------------------------------------------------

let frameworkNames = {};

function evidenceText(e) {
  // evidence highlights index the whole input; shift them into the sentence
  const spans = e.highlights.map(([s, t]) => [s - e.start, t - e.start]).filter(([s, t]) => s >= 0 && t <= e.end - e.start);
  return el("p", { class: "evidence" }, "”", highlighted(e.text, spans), "”");
}

function percent(x) {
  return `${Math.round(x * 100)} %`;
}

function renderTags(target, result) {
  const labels = result.labels;
  if (!labels.length) {
    target.replaceChildren(el("p", { text: "Texten kunde inte kopplas till något mål." }));
    return;
  }
  const nodes = [];
  if (result.title || result.file) nodes.push(el("p", { class: "muted", text: `${result.title || result.file}: ${result.passages} stycken` }));
  for (const fw of [...new Set(labels.map((l) => l.framework))]) {
    const items = labels.filter((l) => l.framework === fw).map((l) => el("li", {},
      el("strong", { text: `${l.level === "target" ? "Delmål" : "Mål"} ${l.id} ${l.title}` }),
      el("span", { class: "muted", text: ` – säkerhet ${percent(l.score)}` + (l.share !== undefined ? `, ${percent(l.share)} av texten` : "") }),
      ...(l.evidence || []).map(evidenceText)));
    nodes.push(el("h3", { text: frameworkNames[fw] || fw }), el("ul", { class: "labels" }, items));
  }
  target.replaceChildren(...nodes);
}

async function onTag(event) {
  event.preventDefault();
  const form = event.target;
  const target = document.getElementById("tagga-resultat");
  const file = form.querySelector("#tagga-fil").files[0];
  const text = form.querySelector("#tagga-text").value;
  if (!file && !text.trim()) {
    showError(target, new ApiError(422, { detail: "Klistra in text eller välj en fil.", code: "invalid" }));
    return;
  }
  busy(target, "Taggar …");
  try {
    const result = file
      ? await api("/api/tag/file", { method: "POST", body: (() => { const d = new FormData(); d.append("file", file); return d; })() })
      : await api("/api/tag", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
                                body: JSON.stringify({ text }) });
    renderTags(target, result);
  } catch (e) {
    showError(target, e);
  }
}

async function loadFrameworks() {
  const frameworks = await api("/api/taxonomies");
  frameworkNames = Object.fromEntries(frameworks.map((f) => [f.id, f.name]));
  setOptions(document.getElementById("portfolj-ram"), frameworks.map((f) => [f.id, f.name]), false);
}

FEATURE_SETUP.tagging = async () => {
  await loadFrameworks();
  document.getElementById("tagga-form").addEventListener("submit", onTag);
};

// -- portfolio heatmap ----------------------------------------------------------------------

function heatColour(share, max) {
  const t = max > 0 ? share / max : 0;
  // from white to the accent blue; text turns white on dark cells
  const light = Math.round(100 - 70 * t);
  return [`hsl(200, 100%, ${light}%)`, light < 55 ? "#fff" : "#1a1a1a"];
}

function renderPortfolio(target, m) {
  const max = Math.max(0, ...m.documents.flatMap((d) => Object.values(d.share)));
  const head = el("tr", {}, el("th", { scope: "col", text: "Dokument" }),
    m.labels.map((l) => el("th", { scope: "col", class: "goal", title: l.title, text: l.id })));
  const rows = m.documents.map((d) => el("tr", {},
    el("th", { scope: "row" }, el("a", { href: `/dokument/${d.id}`, text: d.title || d.filename })),
    m.labels.map((l) => {
      const share = d.share[l.id] || 0;
      const [bg, fg] = heatColour(share, max);
      const cell = el("td", { class: "cell", title: `${l.id} ${l.title}: ${percent(share)} av texten, ${d.passages[l.id]} stycken`,
        text: share > 0 ? Math.round(share * 100) : "" });
      cell.style.background = bg;
      cell.style.color = fg;
      return cell;
    })));
  target.replaceChildren(
    el("p", { class: "muted", text: "Andel (%) av varje dokuments text som handlar om målet. Håll muspekaren över en ruta för målets namn." }),
    el("div", { class: "table-wrap" }, el("table", { class: "heatmap" },
      el("caption", { text: `${frameworkNames[m.framework] || m.framework}: dokument × mål` }),
      el("thead", {}, head), el("tbody", {}, rows))),
    el("details", {}, el("summary", { text: "Målens namn" }),
      el("dl", { class: "facts" }, m.labels.flatMap((l) => [el("dt", { text: l.id }), el("dd", { text: l.title })]))));
}

async function onPortfolio(event) {
  event.preventDefault();
  const target = document.getElementById("portfolj-resultat");
  busy(target, "Räknar …");
  try {
    const params = new URLSearchParams(new FormData(event.target));
    renderPortfolio(target, await api(`/api/portfolio?${params}`));
  } catch (e) {
    showError(target, e);
  }
}

FEATURE_SETUP.portfolio = async () => {
  if (!Object.keys(frameworkNames).length) await loadFrameworks();
  document.getElementById("portfolj-form").addEventListener("submit", onPortfolio);
};

// -- features that the server may or may not offer ---------------------------------

const FEATURE_PATHS = { tagging: "/api/tag", coverage: "/api/coverage", suggest: "/api/suggest", portfolio: "/api/portfolio" };

async function enableFeatures() {
  const schema = await api("/openapi.json");
  for (const [feature, path] of Object.entries(FEATURE_PATHS)) {
    if (!(path in schema.paths)) continue;
    for (const node of document.querySelectorAll(`[data-feature="${feature}"]`)) node.hidden = false;
    if (FEATURE_SETUP[feature]) await FEATURE_SETUP[feature]();
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("sok-form");
  form.addEventListener("submit", onSearch);
  try {
    await loadDocuments();
    const asked = new URLSearchParams(location.search);
    if (asked.get("q")) {
      for (const [key, value] of asked) if (form.elements[key]) form.elements[key].value = value;
      form.requestSubmit();
    }
    await enableFeatures();
  } catch (e) {
    showError(document.getElementById("status"), e);
  }
});
