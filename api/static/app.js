// Underlag's web page: plain DOM code, no framework. Text from the server is
// always inserted as text (textContent), never as HTML.
"use strict";

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

// The write token the user typed (kept for this browser tab only).
function tokenHeaders() {
  const token = sessionStorage.getItem("underlag-token") || "";
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { Accept: "application/json", ...(options.headers || {}) } });
  } catch (e) {
    throw new ApiError(0, { detail: String(e), code: "offline" });
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// A Swedish message by the error's code; what the server said only behind "Visa detaljer".
function errorBox(error) {
  const message = SV.errors[error.code] || SV.fallbackError;
  const details = error.message && error.message !== message
    ? el("details", { class: "small" }, el("summary", { text: SV.details }), el("p", { class: "muted", text: error.message }))
    : null;
  return el("div", { class: "error", role: "alert" }, el("p", { text: message }), details);
}

function showError(target, error) {
  target.replaceChildren(errorBox(error));
}

function showMessage(target, text) {
  target.replaceChildren(el("div", { class: "error", role: "alert" }, el("p", { text })));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A progress bar with its stage in words, for a job of api/jobs.py.
function progressView(label) {
  const bar = el("progress", { max: "1", value: "0", "aria-label": label });
  const text = el("span", { class: "muted small" });
  const view = el("div", { class: "progress" }, bar, " ", text);
  // detail: what the stage works on now, in words (a draft: the question)
  view.update = (stage, done, detail) => {
    bar.value = done;
    const name = SV.stages[stage] || stage;
    text.textContent = SV.text.progress(detail ? SV.text.stageDetail(name, detail) : name, Math.round(done * 100));
  };
  return view;
}

// Poll a job until it ends; its result, or an ApiError with the job's error code.
async function followJob(job, onProgress) {
  while (job.status === "running") {
    onProgress(job.stage, job.done, job.detail);
    await sleep(400);
    job = await api(`/api/jobs/${job.id}`);
  }
  if (job.status === "failed") throw new ApiError(422, job.error);
  onProgress("done", 1);
  return job;
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

const PAGE_SIZE = 20;
// the filter fields a facet sets, by facet name
const FACET_FIELDS = { year: "f-year", doc_type: "f-type", document: "f-doc", goal: "f-goal" };
let shownSearch = null; // { params, hits: count shown, total }

function hitHeading(h) {
  return [h.document, h.section ? SV.text.section(h.section) : null, h.year, h.page ? SV.text.page(h.page) : null]
    .filter(Boolean).join(" · ");
}

// The document page opened at the hit's passage, marked (the page's #stycke; h.url opens its section).
function hitLink(h) {
  return `${h.url.split("#")[0]}?stycke=${encodeURIComponent(h.id)}#stycke`;
}

function hitItem(h) {
  const also = h.also_in && h.also_in.length ? el("p", { class: "also muted small" }, SV.text.alsoIn,
    h.also_in.map((a, i) => [i ? ", " : "", el("a", { href: a.url, text: [a.document, a.section ? SV.text.section(a.section) : null, a.year].filter(Boolean).join(" · ") })])) : null;
  return el("li", { class: h.counted === false ? "hit nearest" : "hit" },
    el("h3", {}, el("a", { href: hitLink(h), text: hitHeading(h) })),
    h.counted === false ? el("p", { class: "muted small", text: SV.text.nearest }) : null,
    h.heading_path.length ? el("p", { class: "muted small", text: h.heading_path.join(" › ") }) : null,
    el("p", { class: "hit-text" }, highlighted(h.text, h.highlights)), also);
}

function facetList(result) {
  const form = document.getElementById("sok-form");
  const groups = [];
  for (const [name, values] of Object.entries(result.facets || {})) {
    if (!values.length) continue;
    const field = document.getElementById(FACET_FIELDS[name]);
    const buttons = values.map((f) => {
      const on = field && String(field.value) === f.value;
      const button = el("button", { type: "button", class: "facet-value", "aria-pressed": on ? "true" : "false",
        "data-facet": name, "data-value": f.value }, `${f.label} `, el("span", { class: "count", text: `(${f.count})` }));
      button.addEventListener("click", () => {
        if (!field) return;
        if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === f.value)) {
          field.append(el("option", { value: f.value, text: f.label }));
        }
        field.value = on ? "" : f.value;
        form.requestSubmit();
      });
      return el("li", {}, button);
    });
    groups.push(el("div", { class: "facet" }, el("h3", { text: SV.facets[name] || name }), el("ul", {}, buttons)));
  }
  return groups.length ? el("aside", { class: "facets", "aria-label": SV.text.narrow }, groups) : null;
}

function summaryLine(result, shown) {
  if (result.total === 0) return SV.text.nearestOnly(result.query);
  return `${SV.text.hitsTotal(result.total, result.total_capped, result.query)}${SV.text.showing(shown, result.total)}.`;
}

function renderHits(target, result, params) {
  if (!result.hits.length) {
    target.replaceChildren(el("p", { text: SV.text.noHits(result.query) }));
    shownSearch = null;
    return;
  }
  shownSearch = { params, shown: result.hits.length, total: result.total };
  const exportParams = new URLSearchParams(params);
  exportParams.delete("k");
  exportParams.delete("offset");
  const list = el("ol", { class: "hits", id: "traffar" }, result.hits.map(hitItem));
  const more = el("button", { type: "button", id: "visa-fler", class: "secondary" });
  const summary = el("p", { class: "muted", id: "sok-summering", text: summaryLine(result, result.hits.length) });
  const updateMore = () => {
    const left = shownSearch.total - shownSearch.shown;
    more.hidden = left <= 0;
    more.textContent = SV.text.more(left);
  };
  more.addEventListener("click", async () => {
    const next = new URLSearchParams(shownSearch.params);
    next.set("offset", String(shownSearch.shown));
    more.disabled = true;
    try {
      const page = await api(`/api/search?${next}`);
      const items = page.hits.map(hitItem);
      list.append(...items);
      shownSearch.shown += page.hits.length;
      if (!page.hits.length) shownSearch.total = shownSearch.shown;
      summary.textContent = summaryLine(result, shownSearch.shown);
      if (items.length) items[0].querySelector("a").focus();
    } catch (e) {
      list.after(errorBox(e));
    } finally {
      more.disabled = false;
      updateMore();
    }
  });
  updateMore();
  const exports = el("p", { class: "exports" },
    el("a", { class: "download", href: `/api/search.csv?${exportParams}`, download: "", text: SV.text.exportCsv }), " · ",
    el("a", { class: "download", href: `/api/search.xlsx?${exportParams}`, download: "", text: SV.text.exportXlsx }));
  target.replaceChildren(summary, exports,
    el("div", { class: "results" }, facetList(result), el("div", { class: "hit-list" }, list, more)));
}

async function onSearch(event) {
  event.preventDefault();
  const form = event.target;
  const target = document.getElementById("sok-resultat");
  const params = new URLSearchParams({ k: String(PAGE_SIZE) });
  for (const [key, value] of new FormData(form)) if (String(value).trim()) params.set(key, String(value).trim());
  busy(target, SV.text.searching);
  // the search goes into the address, so Back from a document shows the hits again
  const shown = new URLSearchParams(params);
  shown.delete("k");
  history.replaceState(null, "", `?${shown}${location.hash}`);
  try {
    renderHits(target, await api(`/api/search?${params}`), params);
  } catch (e) {
    showError(target, e);
  }
}

// -- documents: the list, upload, delete --------------------------------------------------

let health = null;

function documentLabel(d) {
  return d.title || d.filename;
}

function renderDocuments(docs) {
  const target = document.getElementById("dokument-lista");
  if (!docs.length) {
    target.replaceChildren(el("p", { text: SV.text.noDocuments }));
    return;
  }
  const rows = docs.map((d) => {
    const remove = el("button", { type: "button", class: "secondary small-button", "aria-label": SV.text.deleteLabel(documentLabel(d)),
      text: SV.text.deleteButton });
    remove.addEventListener("click", () => deleteDocument(d));
    return el("tr", { "data-id": d.id },
      el("th", { scope: "row" }, el("a", { href: d.url, text: documentLabel(d) }), el("br"), el("span", { class: "muted small", text: d.filename })),
      el("td", { text: d.organisation || "–" }),
      el("td", { text: d.doc_type || "–" }),
      el("td", { text: d.years.join(", ") || "–" }),
      el("td", { class: "num", text: d.passages ?? "–" }),
      el("td", { text: d.tagged === null || d.tagged === undefined ? "–" : d.tagged ? SV.text.tagged : SV.text.notTagged }),
      el("td", {}, remove));
  });
  target.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "documents" },
    el("caption", { text: SV.text.documentsInIndex(docs.length) }),
    el("thead", {}, el("tr", {}, SV.text.documentColumns.map(
      (h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows))));
}

async function loadDocuments() {
  const [docs, h] = await Promise.all([api("/api/documents"), api("/api/health")]);
  health = h;
  const docSelect = document.getElementById("f-doc");
  const chosen = docSelect.value;
  setOptions(docSelect, docs.map((d) => [d.id, d.title ? `${d.title} (${d.filename})` : d.filename]));
  docSelect.value = chosen;
  const typeSelect = document.getElementById("f-type");
  const type = typeSelect.value;
  const types = [...new Set(docs.map((d) => d.doc_type).filter(Boolean))].sort();
  setOptions(typeSelect, types.map((t) => [t, t]));
  typeSelect.value = type;
  document.getElementById("status").textContent = SV.text.documentsInIndex(docs.length)
    + (h.tagging_pending ? SV.text.taggingPending(h.tagging_pending) : "");
  document.getElementById("nyckel-falt").hidden = !h.token_required;
  renderDocuments(docs);
  renderExcludeChoices(docs);
}

async function deleteDocument(d) {
  if (!window.confirm(SV.text.confirmDelete(documentLabel(d)))) return;
  const log = document.getElementById("uppladdningar");
  try {
    await api(`/api/documents/${encodeURIComponent(d.id)}`, { method: "DELETE", headers: tokenHeaders() });
    log.prepend(el("li", { class: "job-done", text: SV.text.deleted(documentLabel(d)) }));
    await loadDocuments();
    document.getElementById("dokument-rubrik").focus();
  } catch (e) {
    log.prepend(el("li", {}, errorBox(e)));
  }
}

// Send one file with its upload progress (fetch cannot report it), then follow the job.
function sendFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/jobs/documents");
    xhr.setRequestHeader("Accept", "application/json");
    for (const [k, v] of Object.entries(tokenHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress("sending", 0.3 * e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { code: "offline", detail: "network error" })));
    const data = new FormData();
    data.append("file", file);
    xhr.send(data);
  });
}

async function uploadOne(file, log) {
  const progress = progressView(file.name);
  const outcome = el("span", { class: "outcome" });
  const item = el("li", { class: "job" }, el("strong", { text: file.name }), " ", outcome, progress);
  log.append(item);
  try {
    const job = await sendFile(file, (stage, done) => progress.update(stage, done));
    const finished = await followJob(job, (stage, done) => progress.update(stage, 0.3 + 0.7 * done));
    const r = finished.result;
    outcome.textContent = `${SV.ingest[r.status]}${r.passages ? ` (${SV.text.passages(r.passages)})` : ""}`;
    item.classList.add(`ingest-${r.status}`);
  } catch (e) {
    outcome.textContent = SV.ingest.failed;
    item.classList.add("ingest-failed");
    item.append(errorBox(e));
  } finally {
    progress.remove();
  }
}

async function uploadFiles(files) {
  const log = document.getElementById("uppladdningar");
  if (!files.length) {
    log.prepend(el("li", {}, el("div", { class: "error", role: "alert" }, el("p", { text: SV.text.noFiles }))));
    return;
  }
  // one at a time: the server parses a couple at once anyway, and the list fills in order
  for (const file of files) await uploadOne(file, log);
  await loadDocuments();
}

function setupDocuments() {
  const form = document.getElementById("ladda-form");
  const input = document.getElementById("ladda-filer");
  const token = document.getElementById("nyckel");
  token.value = sessionStorage.getItem("underlag-token") || "";
  token.addEventListener("change", () => sessionStorage.setItem("underlag-token", token.value.trim()));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    sessionStorage.setItem("underlag-token", token.value.trim());
    const files = [...input.files];
    input.value = "";
    await uploadFiles(files);
  });
  const zone = document.getElementById("slapp-yta");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("drag"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("drag"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("drag");
    await uploadFiles([...e.dataTransfer.files]);
  });
}

const FEATURE_SETUP = {};

// -- templates and coverage ----------------------------------------------------------

const STATUS_SV = SV.status;
let templates = null;

async function loadTemplates() {
  if (!templates) templates = await api("/api/templates");
  const items = templates.map((t) => [t.id, t.title]);
  for (const id of ["granska-mall", "forslag-mall", "utkast-mall"]) setOptions(document.getElementById(id), items, false);
}

function statusCell(status) {
  return el("td", { class: `status-${status}`, text: STATUS_SV[status] || status });
}

function charsText(q) {
  return SV.text.chars(q);
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
    SV.text.coverageSummary(s));
  const rows = report.questions.map((q) => el("tr", {},
    el("th", { scope: "row", text: q.id }),
    el("td", { text: q.title }),
    statusCell(q.status),
    el("td", { class: q.limit && q.limit.over ? "over" : null, text: charsText(q) }),
    el("td", {}, elementList(q.elements))));
  const table = el("table", { class: "coverage" },
    el("caption", { text: SV.text.coverageCaption(report) }),
    el("thead", {}, el("tr", {}, SV.text.coverageColumns.map(
      (h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows));
  const shared = (report.shared || []).filter((g) => g.elements.length).map((g) => el("div", {},
    el("h3", { text: SV.text.sharedElements(g.questions) }), elementList(g.elements)));
  target.replaceChildren(summary, el("div", { class: "table-wrap" }, table), ...shared);
}

async function onCoverage(event) {
  event.preventDefault();
  const form = event.target;
  const target = document.getElementById("granska-resultat");
  const button = form.querySelector("button[type=submit]");
  const progress = progressView(SV.text.coverageProgress);
  target.replaceChildren(progress);
  button.disabled = true;  // the rest of the page stays usable while the job runs
  try {
    const job = await api("/api/jobs/coverage", { method: "POST", body: new FormData(form) });
    const done = await followJob(job, (stage, share) => progress.update(stage, share));
    renderCoverage(target, done.result);
    target.prepend(el("p", { class: "exports" },
      el("a", { class: "download", href: `/api/jobs/${done.id}/download?format=docx`, download: "", text: SV.text.coverageDocx }), " · ",
      el("a", { class: "download", href: `/api/jobs/${done.id}/download?format=html`, download: "", text: SV.text.coverageHtml })));
  } catch (e) {
    showError(target, e);
  } finally {
    button.disabled = false;
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

function citationText(c) {
  return [c.document, c.section ? SV.text.section(c.section) : c.section_title, c.year].filter(Boolean).join(" · ");
}

// The numbered sources of a suggestion or a draft, each linking to its section (ids `${prefix}-${n}`).
function sourceList(citations, prefix) {
  return el("ol", { class: "sources" }, citations.map((c) => el("li", { id: `${prefix}-${c.n}`, value: c.n },
    el("a", { href: sectionLink(c), text: citationText(c) }))));
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
    el("a", { href: `#kalla-${p.citation}`, "aria-label": SV.text.source(p.citation), text: `[${p.citation}]` }))));
  const sources = sourceList(s.citations, "kalla");
  const uncovered = s.uncovered.length ? el("p", { class: "status-missing" },
    SV.text.uncovered(s.elements.filter((e) => s.uncovered.includes(e.id)).map((e) => e.label).join(", ") || s.uncovered.join(", "))) : null;
  target.replaceChildren(
    el("h3", { text: `${s.question} ${s.title}` }),
    el("p", { class: "muted", text: SV.text.suggestionSize(s) }),
    draft, uncovered,
    el("h4", { text: SV.text.sources }), sources,
    el("p", {}, el("a", { class: "download", href: `/api/suggest.docx?${query}`, download: "",
      text: SV.text.suggestionDocx })));
}

async function onSuggest(event) {
  event.preventDefault();
  const target = document.getElementById("forslag-resultat");
  const query = new URLSearchParams(new FormData(event.target)).toString();
  busy(target, SV.text.suggesting);
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

// -- a first draft of a whole report (a job) ------------------------------------------------

// The documents a draft may leave out, as checkboxes; a choice survives a refreshed list.
function renderExcludeChoices(docs) {
  const target = document.getElementById("utkast-dokument");
  const chosen = new Set([...target.querySelectorAll("input:checked")].map((i) => i.value));
  if (!docs.length) {
    target.replaceChildren(el("p", { class: "muted small", text: SV.text.noDocumentsToExclude }));
    return;
  }
  target.replaceChildren(...docs.map((d, i) => el("div", { class: "check" },
    el("input", { type: "checkbox", id: `utkast-ut-${i}`, name: "exclude", value: d.id, checked: chosen.has(d.id) }),
    el("label", { for: `utkast-ut-${i}` }, documentLabel(d), d.years.length ? ` (${d.years.join(", ")})` : "",
      " ", el("span", { class: "muted small", text: d.filename })))));
}

const anchorOf = (qid) => `utkast-${qid.replace(/[^\w-]/g, "-")}`;


function citeLine(c, n) {
  return el("p", { class: "cite small" }, SV.text.sourceOf(n), c ? el("a", { href: sectionLink(c), text: citationText(c) }) : null);
}

function gapText(gaps) {
  return gaps.map((g) => `${g.label} (${SV.text.gapStatus[g.status] || g.status})`).join("; ");
}

const sameWords = (a, b) => !a || a.replace(/[.?:\s]+$/, "") === b.replace(/[.?:\s]+$/, "");

function draftQuestionView(q, draft, byN, gaps) {
  const heading = q.group ? `${q.id} ${q.title}` : q.title;
  const nodes = [el(q.group ? "h5" : "h4", { id: anchorOf(q.id), text: heading }),
    // the question's words when they say more than its heading (1.1's are the same)
    sameWords(q.question_text, q.title) ? null : el("p", { class: "question", text: q.question_text })];
  if (q.status === "writer") {
    nodes.push(el("p", { class: "todo", text: SV.text.writer }),
      q.earlier_choices.length
        ? el("ul", { class: "earlier" }, q.earlier_choices.map((c) => el("li", { text: SV.text.earlierChoice(c) })))
        : el("p", { class: "muted small", text: SV.text.noEarlierChoice }));
  } else if (q.status === "empty") {
    nodes.push(el("p", { class: "todo", text: SV.text.emptyQuestion }));
  } else if (q.answer_type === "table") {
    nodes.push(el("div", { class: "table-wrap" }, el("table", { class: "draft-table" },
      el("caption", { class: "muted small", text: SV.text.rows(q) }),
      el("thead", {}, el("tr", {}, [...q.columns, SV.text.sourceColumn].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, q.rows.map((r) => el("tr", {}, r.cells.map((c) => el("td", { text: c })),
        el("td", {}, el("a", { href: sectionLink(byN[r.citation]), title: citationText(byN[r.citation]),
          text: `[${r.citation}]` }))))))));
  } else {
    for (const p of q.parts) {
      nodes.push(el("div", { class: "part" }, el("p", { class: "part-text", text: p.text }), citeLine(byN[p.citation], p.citation)));
    }
    const lim = draft.limits.find((l) => l.questions.includes(q.id));
    const over = lim && lim.used > lim.max_chars;
    nodes.push(el("p", { class: over ? "chars over small" : "chars muted small", text: SV.text.draftChars(q, lim) }));
  }
  if (gaps[q.id]) nodes.push(el("p", { class: "todo", text: SV.text.gapLine(gapText(gaps[q.id])) }));
  // elements a group shares are reported after its last question ("1.1–1.3")
  for (const [span, list] of Object.entries(gaps)) {
    if (span.includes("–") && span.endsWith(`–${q.id}`)) nodes.push(el("p", { class: "todo", text: SV.text.sharedGapLine(span, gapText(list)) }));
  }
  return el("section", { class: `draft-question dq-${q.status}`, "aria-labelledby": anchorOf(q.id) }, nodes);
}

function renderDraft(target, draft, jobId) {
  const byN = Object.fromEntries(draft.citations.map((c) => [c.n, c]));
  const gaps = {};
  for (const g of draft.gaps) (gaps[g.question] ||= []).push(g);
  const nodes = [
    el("h4", { id: "utkast-titel", text: SV.text.draftTitle(draft) }),
    el("p", { class: "draft-summary", text: SV.text.draftSummary(draft.summary) }),
    el("p", { class: "exports" }, el("a", { class: "download", href: `/api/jobs/${jobId}/download?format=docx`,
      download: "", text: SV.text.draftDocx })),
  ];
  const gapList = draft.gaps.length ? el("ul", {}, Object.entries(gaps).map(([qid, list]) => el("li", {},
    draft.questions.some((q) => q.id === qid) ? el("a", { href: `#${anchorOf(qid)}`, text: qid }) : qid, ": ", gapText(list))))
    : el("p", { text: SV.text.noGaps });
  nodes.push(el("section", { class: "gaps todo-box", "aria-labelledby": "utkast-luckor" },
    el("h4", { id: "utkast-luckor", text: SV.text.gapsHeading(draft.gaps.length) }), gapList));
  let group = null;
  for (const q of draft.questions) {
    if (q.group && q.group !== group) {
      group = q.group;
      nodes.push(el("h4", { class: "draft-group", text: `${q.group} ${q.group_title || ""}`.trim() }));
    }
    nodes.push(draftQuestionView(q, draft, byN, gaps));
  }
  nodes.push(el("h4", { text: SV.text.sources }), sourceList(draft.citations, "utkast-kalla"));
  target.replaceChildren(el("article", { class: "whole-draft", "aria-labelledby": "utkast-titel" }, nodes));
}

async function onDraft(event) {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById("utkast-forlopp");
  const target = document.getElementById("utkast-resultat");
  const button = form.querySelector("button[type=submit]");
  const progress = progressView(SV.text.draftProgress);
  status.replaceChildren(progress);
  target.replaceChildren();
  button.disabled = true;  // the rest of the page stays usable while the job runs
  try {
    const data = new FormData(form);
    const t = await api(`/api/templates/${encodeURIComponent(data.get("template"))}`);
    // the question being written, by its number and title
    const names = Object.fromEntries(t.questions.map((q) => {
      const title = q.title.length > 70 ? q.title.slice(0, 69) + "…" : q.title;
      return [q.id, /^\d/.test(q.id) ? `${q.id} ${title}` : title];
    }));
    const job = await api("/api/jobs/draft", { method: "POST", body: data });
    const done = await followJob(job, (stage, share, detail) => progress.update(stage, share, detail && (names[detail] || detail)));
    renderDraft(target, done.result, done.id);
    status.replaceChildren(el("p", { text: SV.text.draftReady(done.result.summary) }));
  } catch (e) {
    showError(status, e);
  } finally {
    button.disabled = false;
  }
}

FEATURE_SETUP.draft = async () => {
  await loadTemplates();
  document.getElementById("utkast-form").addEventListener("submit", onDraft);
};

// -- tagging ------------------------------------------------------------------------------

let frameworkNames = {};

function evidenceText(e) {
  // evidence highlights index the whole input; shift them into the sentence
  const spans = e.highlights.map(([s, t]) => [s - e.start, t - e.start]).filter(([s, t]) => s >= 0 && t <= e.end - e.start);
  return el("p", { class: "evidence" }, "”", highlighted(e.text, spans), "”");
}

function percent(x) {
  return x > 0 && Math.round(x * 100) === 0 ? `${SV.text.lessThanOne} %` : `${Math.round(x * 100)} %`;
}

// RUS goals and perspectives have slugs for ids ("hog-och-jamlik-livskvalitet"): show their titles
function isSlug(id) {
  return /[a-zåäö]-[a-zåäö]/i.test(id) || id.length > 8;
}

function renderTags(target, result) {
  const labels = result.labels;
  if (!labels.length) {
    target.replaceChildren(el("p", { text: SV.text.noTags }));
    return;
  }
  const nodes = [];
  if (result.title || result.file) nodes.push(el("p", { class: "muted", text: `${result.title || result.file}: ${SV.text.passages(result.passages)}` }));
  for (const fw of [...new Set(labels.map((l) => l.framework))]) {
    const items = labels.filter((l) => l.framework === fw).map((l) => el("li", {},
      el("strong", { text: `${l.level === "target" ? SV.text.target : SV.text.goal} ${isSlug(l.id) ? "" : l.id + " "}${l.title}` }),
      el("span", { class: "muted", text: SV.text.certainty(percent(l.score)) + (l.share !== undefined ? SV.text.ofText(percent(l.share)) : "") }),
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
    showMessage(target, SV.text.tagNothing);
    return;
  }
  if (file && text.trim()) {
    showMessage(target, SV.text.tagBoth);
    return;
  }
  busy(target, SV.text.tagging);
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

// The header row of a CSV file, read in the browser to offer its columns.
async function csvColumns(file) {
  const head = (await file.slice(0, 65536).text()).replace(/^\uFEFF/, "").split(/\r?\n/)[0] || "";
  const delimiter = [";", "\t", ","].map((d) => [d, head.split(d).length]).sort((a, b) => b[1] - a[1])[0][0];
  return head.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, "$1")).filter(Boolean);
}

async function onTableFile(event) {
  const file = event.target.files[0];
  const select = document.getElementById("tabell-kolumn");
  setOptions(select, file ? (await csvColumns(file)).map((c) => [c, c]) : [], false);
  // the column with the longest name that sounds like text is a good guess; the user can change it
  const guess = [...select.options].find((o) => /beskriv|text|sammanfatt|syfte/i.test(o.value));
  if (guess) select.value = guess.value;
}

async function onTable(event) {
  event.preventDefault();
  const form = event.target;
  const target = document.getElementById("tabell-resultat");
  if (!form.querySelector("#tabell-kolumn").value) {
    showMessage(target, SV.text.tableColumnsFirst);
    return;
  }
  const progress = progressView(SV.text.tableProgress);
  target.replaceChildren(progress);
  try {
    const job = await api("/api/jobs/tag-table", { method: "POST", body: new FormData(form) });
    const done = await followJob(job, (stage, share) => progress.update(stage, share));
    target.replaceChildren(el("p", { text: SV.text.tableDone(done.result) }),
      el("p", {}, el("a", { class: "download", href: `/api/jobs/${done.id}/download?format=csv`, download: "", text: SV.text.tableDownload })));
  } catch (e) {
    showError(target, e);
  }
}

FEATURE_SETUP.tagging = async () => {
  document.getElementById("tagga-form").addEventListener("submit", onTag);
  const tableFile = document.getElementById("tabell-fil");
  tableFile.addEventListener("change", onTableFile);
  document.getElementById("tabell-form").addEventListener("submit", onTable);
  // a table chosen before the handler was attached (or kept by the browser on going back)
  // still gets its column list
  if (tableFile.files.length) onTableFile({ target: tableFile });
  await loadFrameworks();
};

// -- portfolio heatmap ----------------------------------------------------------------------

function heatColour(share, max) {
  const t = max > 0 ? share / max : 0;
  // from white to a mid blue, with dark text throughout: at 55 % lightness the contrast is
  // still 7:1 (WCAG AA needs 4.5), where white text on a 40-50 % blue fell below 4:1 (axe)
  const light = Math.round(100 - 45 * t);
  return [`hsl(200, 100%, ${light}%)`, "#1a1a1a"];
}

function renderPortfolio(target, m) {
  const max = Math.max(0, ...m.documents.flatMap((d) => Object.values(d.share)));
  const head = el("tr", {}, el("th", { scope: "col", text: "Dokument" }),
    m.labels.map((l) => el("th", { scope: "col", class: "goal", title: l.title,
      text: isSlug(l.id) ? (l.title.length > 34 ? l.title.slice(0, 33) + "…" : l.title) : l.id })));
  const rows = m.documents.map((d) => el("tr", {},
    el("th", { scope: "row" }, el("a", { href: `/dokument/${d.id}`, text: d.title || d.filename })),
    m.labels.map((l) => {
      const share = d.share[l.id] || 0;
      const [bg, fg] = heatColour(share, max);
      const cell = el("td", { class: "cell", title: `${l.id} ${l.title}: ${percent(share)} av texten, ${d.passages[l.id]} stycken`,
        text: share > 0 ? (Math.round(share * 100) || SV.text.lessThanOne) : "" });
      cell.style.background = bg;
      cell.style.color = fg;
      return cell;
    })));
  target.replaceChildren(
    el("p", { class: "muted", text: SV.text.heatmapHelp }),
    el("div", { class: "table-wrap" }, el("table", { class: "heatmap" },
      el("caption", { text: `${frameworkNames[m.framework] || m.framework}: dokument × mål` }),
      el("thead", {}, head), el("tbody", {}, rows))),
    el("details", {}, el("summary", { text: SV.text.goalNames }),
      el("dl", { class: "facts" }, m.labels.flatMap((l) => [el("dt", { text: l.id }), el("dd", { text: l.title })]))));
}

async function onPortfolio(event) {
  event.preventDefault();
  const target = document.getElementById("portfolj-resultat");
  busy(target, SV.text.counting);
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

const FEATURE_PATHS = { tagging: "/api/tag", coverage: "/api/jobs/coverage", suggest: "/api/suggest",
  draft: "/api/jobs/draft", portfolio: "/api/portfolio" };

async function enableFeatures() {
  const schema = await api("/openapi.json");
  for (const [feature, path] of Object.entries(FEATURE_PATHS)) {
    if (!(path in schema.paths)) continue;
    // shown only once it is set up: a user (or a test) acting on a section at once must find
    // its handlers attached (a table chosen before them never filled the column list)
    if (FEATURE_SETUP[feature]) await FEATURE_SETUP[feature]();
    for (const node of document.querySelectorAll(`[data-feature="${feature}"]`)) node.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("sok-form");
  form.addEventListener("submit", onSearch);
  setupDocuments();
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
