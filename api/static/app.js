// Underlag's web page: plain DOM code, no framework. Text from the server is
// always inserted as text (textContent), never as HTML.
"use strict";

const MESSAGES = {
  bad_query: "Sökfrågan saknar ord att söka på.",
  unknown_document: "Dokumentet finns inte i indexet.",
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

// -- features that the server may or may not offer ---------------------------------

const FEATURE_PATHS = { tagging: "/api/tag", coverage: "/api/coverage", suggest: "/api/suggest", portfolio: "/api/portfolio" };
const FEATURE_SETUP = {};

async function enableFeatures() {
  const schema = await api("/openapi.json");
  for (const [feature, path] of Object.entries(FEATURE_PATHS)) {
    if (!(path in schema.paths)) continue;
    for (const node of document.querySelectorAll(`[data-feature="${feature}"]`)) node.hidden = false;
    if (FEATURE_SETUP[feature]) await FEATURE_SETUP[feature]();
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("sok-form").addEventListener("submit", onSearch);
  try {
    await loadDocuments();
    await enableFeatures();
  } catch (e) {
    showError(document.getElementById("status"), e);
  }
});
