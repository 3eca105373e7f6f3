// The review page: a queue of labels to settle, the receipt drawn from its word boxes, the evidence, and keys.
// Receipt text is untrusted: it only ever goes into textContent, never into markup.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 1000;
const RANK = { NEEDS_REVIEW: 5, INVALID: 4, PENDING: 3, VALID: 2, NONE: 1 };
const csrf = document.querySelector('meta[name="csrf-token"]').content;

const state = { entries: [], index: -1, receipt: null, word: null, label: null, busy: false };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function say(text, kind = "") {
  const m = $("message");
  m.textContent = text;
  m.className = kind;
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function filterQuery() {
  const q = new URLSearchParams();
  q.append("status", $("f-status").value || "NEEDS_REVIEW");
  if ($("f-label").value) q.append("label", $("f-label").value);
  if ($("f-merchant").value.trim()) q.append("merchant", $("f-merchant").value.trim());
  return q.toString();
}

async function loadQueue(keepIndex = true) {
  const data = await getJSON(`/api/queue?${filterQuery()}`);
  if (!$("f-status").options.length) {
    for (const s of data.statuses) $("f-status").append(el("option", { value: s }, s));
    $("f-status").value = "NEEDS_REVIEW";
    for (const l of data.labels) {
      $("f-label").append(el("option", { value: l }, l));
      $("relabel-select").append(el("option", { value: l }, l));
    }
  }
  state.entries = data.entries;
  const list = $("queue");
  list.replaceChildren();
  data.entries.forEach((e, i) => {
    const li = el("li", { "data-index": String(i), "data-key": entryKey(e) });
    li.append(`${e.receipt.slice(0, 8)}…/${e.receipt.split("/")[1]} ${e.line_id}/${e.word_id} ${e.label} `);
    li.append(el("span", { class: "m" }, e.merchant || ""));
    li.addEventListener("click", () => select(i));
    list.append(li);
  });
  $("queue-count").textContent = `${data.entries.length} label(s) to review`;
  const next = keepIndex ? Math.min(Math.max(state.index, 0), data.entries.length - 1) : 0;
  state.index = -1;
  if (data.entries.length) await select(next);
  else {
    markQueue();
    say("nothing left in this queue", "ok");
  }
}

function entryKey(e) {
  return `${e.receipt}|${e.line_id}|${e.word_id}|${e.label}`;
}

function markQueue() {
  for (const li of $("queue").children) {
    const current = Number(li.dataset.index) === state.index;
    li.classList.toggle("current", current);
    if (current) li.scrollIntoView({ block: "nearest" });
  }
}

async function select(i) {
  if (i < 0 || i >= state.entries.length) return;
  state.index = i;
  markQueue();
  const e = state.entries[i];
  if (!state.receipt || state.receipt.receipt !== e.receipt) await loadReceipt(e.receipt);
  selectWord(e.line_id, e.word_id, e.label);
}

async function loadReceipt(receipt) {
  const [image, id] = receipt.split("/");
  state.receipt = await getJSON(`/api/receipt/${encodeURIComponent(image)}/${encodeURIComponent(id)}`);
  drawReceipt();
}

function labelsOf(line, word) {
  return state.receipt.labels.filter((l) => l.line_id === line && l.word_id === word);
}

function drawReceipt() {
  const r = state.receipt;
  $("receipt-title").textContent = `${r.merchant || "unknown merchant"} — receipt ${r.receipt}`;
  const boxes = r.words.filter((w) => w.box);
  const svg = $("receipt");
  svg.replaceChildren();
  // boxes are normalized to the receipt (0..1, origin bottom-left); receipts are tall: keep their words readable
  const meanH = boxes.reduce((s, w) => s + w.box.height, 0) / Math.max(boxes.length, 1);
  const height = Math.round(Math.min(Math.max(WIDTH * 2.4, (18 / Math.max(meanH, 0.001)) || 0), WIDTH * 6));
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
  for (const w of boxes) {
    const x = w.box.x * WIDTH;
    const y = (1 - w.box.y - w.box.height) * height;
    const bw = Math.max(w.box.width * WIDTH, 4);
    const bh = Math.max(w.box.height * height, 6);
    const labels = labelsOf(w.line_id, w.word_id);
    const worst = labels.reduce((a, l) => (RANK[l.validation_status] > RANK[a] ? l.validation_status : a), "NONE");
    const rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("x", x.toFixed(1));
    rect.setAttribute("y", y.toFixed(1));
    rect.setAttribute("width", bw.toFixed(1));
    rect.setAttribute("height", bh.toFixed(1));
    rect.setAttribute("class", labels.length ? `word ${worst}` : "word");
    rect.dataset.word = `${w.line_id}/${w.word_id}`;
    rect.addEventListener("click", () => selectWord(w.line_id, w.word_id, labels[0] ? labels[0].label : null));
    const text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("x", x.toFixed(1));
    text.setAttribute("y", (y + bh * 0.82).toFixed(1));
    text.setAttribute("font-size", (bh * 0.9).toFixed(1));
    text.setAttribute("textLength", bw.toFixed(1));
    text.setAttribute("lengthAdjust", "spacingAndGlyphs");
    text.textContent = w.text;
    svg.append(rect, text);
  }
}

function selectWord(line, word, label) {
  state.word = { line, word };
  const labels = labelsOf(line, word);
  state.label = labels.find((l) => l.label === label) || labels[0] || null;
  for (const rect of $("receipt").querySelectorAll("rect.word")) {
    rect.classList.toggle("selected", rect.dataset.word === `${line}/${word}`);
  }
  const w = state.receipt.words.find((x) => x.line_id === line && x.word_id === word);
  $("word-title").textContent = `line ${line} word ${word}: “${w ? w.text : "?"}”`;
  const list = $("word-labels");
  list.replaceChildren();
  for (const l of labels) {
    const li = el("li", { class: state.label && l.label === state.label.label ? "target" : "" });
    const head = el("div");
    head.append(el("b", {}, l.label), " ", el("span", { class: `chip ${l.validation_status}` }, l.validation_status));
    if (l.validated_by) head.append(` by ${l.validated_by}`);
    li.append(head);
    li.append(el("div", { class: "reason" }, l.reasoning || "no reasoning stored"));
    if (l.label_proposed_by) li.append(el("div", { class: "reason" }, `proposed by ${l.label_proposed_by}`));
    li.addEventListener("click", () => selectWord(line, word, l.label));
    list.append(li);
  }
  if (!labels.length) list.append(el("li", {}, "no labels on this word"));
  if (state.label) $("relabel-select").value = state.label.label;
}

async function decide(decision) {
  if (state.busy || !state.label) return;
  const l = state.label;
  const body = {
    receipt: state.receipt.receipt,
    line_id: l.line_id,
    word_id: l.word_id,
    label: l.label,
    decision,
    seen: l.seen,
  };
  if (decision === "relabel") body.new_label = $("relabel-select").value;
  state.busy = true;
  try {
    const r = await fetch("/api/settle", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await r.json().catch(() => ({}));
    if (r.status === 409) {
      say(`${answer.error} The page was reloaded.`, "error");
    } else if (!r.ok) {
      say(answer.error || `HTTP ${r.status}`, "error");
      return;
    } else {
      say(answer.message, "ok");
    }
    state.receipt = null;
    await loadQueue(true);
    if (r.status === 409) say(`${answer.error} The page was reloaded.`, "error");
    else say(answer.message, "ok");
  } catch (err) {
    say(String(err.message || err), "error");
  } finally {
    state.busy = false;
  }
}

function onKey(ev) {
  const target = ev.target;
  if (target === $("relabel-select")) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      $("relabel-select").blur();
      decide("relabel");
    } else if (ev.key === "Escape") $("relabel-select").blur();
    return;
  }
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const actions = {
    j: () => select(state.index + 1),
    ArrowDown: () => select(state.index + 1),
    k: () => select(state.index - 1),
    ArrowUp: () => select(state.index - 1),
    a: () => decide("valid"),
    r: () => decide("invalid"),
    l: () => $("relabel-select").focus(),
    "?": () => ($("keys").open = !$("keys").open),
  };
  const act = actions[ev.key];
  if (act) {
    ev.preventDefault();
    act();
  }
}

function start() {
  document.addEventListener("keydown", onKey);
  $("btn-accept").addEventListener("click", () => decide("valid"));
  $("btn-reject").addEventListener("click", () => decide("invalid"));
  $("btn-relabel").addEventListener("click", () => decide("relabel"));
  for (const id of ["f-status", "f-label"]) $(id).addEventListener("change", () => loadQueue(false));
  $("f-merchant").addEventListener("change", () => loadQueue(false));
  document.body.dataset.ready = "loading";
  loadQueue(false)
    .then(() => (document.body.dataset.ready = "yes"))
    .catch((err) => say(String(err.message || err), "error"));
}

start();
