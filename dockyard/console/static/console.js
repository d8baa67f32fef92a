// dockyard console: one page over the JSON API under /api/ (see /api/docs). No build step.
"use strict";

const ICONS = { pending: "○", running: "◔", succeeded: "✓", failed: "✗", timed_out: "⊘", preempted: "↯", aborted: "■", skipped: "⤼", cached: "⟲" };
const POLL_MS = 1500;
let timers = [];

// ---- helpers -----------------------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const child of children.flat(Infinity)) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
function badge(phase) {
  return el("span", { class: `badge ${phase}`, "data-phase": phase }, ICONS[phase] || "", phase);
}
function bytes(n) {
  if (n == null) return "—";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
function when(ts) { return ts ? new Date(ts * 1000).toLocaleString() : ""; }
function seconds(a, b) {
  if (!a) return "";
  const s = ((b || Date.now() / 1000) - a);
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
}
function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}
async function api(path, options = {}) {
  const init = { credentials: "same-origin", ...options };
  if (init.method === "POST") {
    init.headers = { "Content-Type": "application/json", "X-CSRF-Token": cookie("dockyard_csrf"), ...(init.headers || {}) };
  }
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail ? JSON.stringify(body.detail) : response.statusText);
  return body;
}
function every(fn, ms = POLL_MS) {
  const id = setInterval(fn, ms);
  timers.push(id);
  return id;
}
function enc(s) { return encodeURIComponent(s); }
function go(path) { history.pushState({}, "", path); route(); }
function link(path, ...children) {
  return el("a", { href: path, "data-link": "", onclick: (e) => { e.preventDefault(); go(path); } }, ...children);
}
function view() { return document.getElementById("view"); }

// ---- router ------------------------------------------------------------------------------------------
function route() {
  timers.forEach(clearInterval);
  timers = [];
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "executions" && parts[1]) return showExecution(parts[1], parts[2] === "nodes" ? parts[3] : null);
  if (parts[0] === "images") return showImages();
  if (parts[0] === "launchplans") return showPlans();
  return showList();
}
window.addEventListener("popstate", route);
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("header a[data-link]").forEach((a) =>
    a.addEventListener("click", (e) => { e.preventDefault(); go(a.getAttribute("href")); }));
  route();
});

// ---- executions list ---------------------------------------------------------------------------------
function showList() {
  const params = new URLSearchParams(location.search);
  const filters = { phase: params.get("phase") || "", entity: params.get("entity") || "",
    project: params.get("project") || "", domain: params.get("domain") || "", q: params.get("q") || "" };
  const body = el("tbody", { id: "executions" });
  const count = el("span", { class: "muted", id: "count" });
  const selects = {};
  function select(name, label) {
    selects[name] = el("select", { name, "aria-label": label, onchange: refresh }, el("option", { value: "" }, `any ${label}`));
    return selects[name];
  }
  const search = el("input", { name: "q", placeholder: "search by id", value: filters.q, oninput: refresh });
  const phase = el("select", { name: "phase", "aria-label": "phase", onchange: refresh },
    ["", "running", "succeeded", "failed", "aborted"].map((p) => el("option", { value: p }, p || "any phase")));
  phase.value = filters.phase;
  view().replaceChildren(
    el("h1", {}, "Executions ", count),
    el("div", { class: "filters" }, phase, select("entity", "entity"), select("project", "project"), select("domain", "domain"), search),
    el("table", {}, el("thead", {}, el("tr", {}, ["id", "entity", "phase", "started", "duration"].map((h) => el("th", {}, h)))), body),
  );
  async function refresh() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ phase: phase.value, entity: selects.entity.value, project: selects.project.value,
      domain: selects.domain.value, q: search.value })) if (v) q.set(k, v);
    history.replaceState({}, "", q.toString() ? `/?${q}` : "/");
    const data = await api(`/api/executions?${q}&limit=100`);
    count.textContent = `(${data.total})`;
    for (const [name, key] of [["entity", "workflow"], ["project", "project"], ["domain", "domain"]]) {
      const s = selects[name];
      const current = s.value || filters[name];
      const known = new Set([...s.options].map((o) => o.value));
      for (const value of data.facets[key]) if (!known.has(value)) s.append(el("option", { value }, value));
      s.value = current;
    }
    body.replaceChildren(...data.items.map((x) => el("tr", { "data-execution": x.execution_id },
      el("td", {}, link(`/executions/${enc(x.execution_id)}`, x.execution_id)),
      el("td", {}, x.workflow),
      el("td", {}, badge(x.phase)),
      el("td", {}, when(x.created_at)),
      el("td", {}, x.phase === "running" ? seconds(x.created_at) : seconds(x.created_at, x.updated_at)))));
  }
  refresh();
  every(refresh);
}

// ---- one execution -----------------------------------------------------------------------------------
function showExecution(id, nodeId) {
  const header = el("div", { id: "execution-header" });
  const dagCard = el("div", { class: "card", id: "dag" });
  const gantt = el("div", { class: "card", id: "timeline" });
  const values = el("div", { class: "card", id: "values" });
  const side = el("div", { id: "side" });
  view().replaceChildren(header, el("div", { class: "layout" }, el("div", {}, dagCard, gantt, values), side));
  let last = "";
  async function refresh() {
    const data = await api(`/api/executions/${enc(id)}`);
    const key = JSON.stringify([data.record, data.dag]);
    if (key === last) return;
    last = key;
    drawHeader(header, data);
    drawDag(dagCard, data, id, nodeId);
    drawGantt(gantt, data.record);
    values.replaceChildren(el("h2", {}, "Inputs"), valueTable(data.inputs), el("h2", {}, "Outputs"), valueTable(data.outputs));
    if (data.record.phase !== "running") clearInterval(poll);
  }
  refresh().catch((e) => header.replaceChildren(el("p", { class: "error" }, `execution ${id}: ${e.message}`)));
  const poll = every(() => refresh().catch(() => {}));
  if (nodeId) showNode(side, id, nodeId);
  else side.replaceChildren(el("div", { class: "card muted" }, "Click a node to see its attempts, logs, inputs and outputs."));
}

function drawHeader(header, data) {
  const r = data.record;
  const edit = el("input", { id: "relaunch-inputs", placeholder: "name=value, … (empty: same inputs)", size: 34 });
  const status = el("span", { id: "action-status", class: "muted" });
  header.replaceChildren(
    el("h1", {}, "Execution ", el("code", { id: "execution-id" }, r.execution_id), " ", badge(r.phase)),
    el("div", { class: "toolbar" },
      el("span", {}, r.workflow), el("span", { class: "muted" }, `started ${when(r.created_at)} · ${seconds(r.created_at, r.phase === "running" ? null : r.updated_at)}`),
      el("button", { class: "primary", id: "relaunch", onclick: () => relaunch(r.execution_id, edit.value, status) }, "Relaunch"),
      edit,
      r.phase === "running" || r.phase === "pending"
        ? el("button", { id: "abort", onclick: () => abort(r.execution_id, status) }, "Abort") : "",
      el("button", { id: "copy-cli", onclick: () => navigator.clipboard && navigator.clipboard.writeText(data.cli).then(() => { status.textContent = "copied"; }) }, "Copy CLI command"),
      el("code", { id: "cli" }, data.cli),
      status),
    r.message ? el("p", { class: "error", id: "execution-message" }, r.message) : "",
  );
}

async function abort(id, status) {
  status.textContent = "aborting…";
  try {
    const record = await api(`/api/executions/${enc(id)}/abort`, { method: "POST", body: "{}" });
    status.textContent = `execution ${record.phase}`;
  } catch (e) {
    status.textContent = `abort failed: ${e.message}`;
  }
}

async function relaunch(id, text, status) {
  const inputs = {};
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq > 0) inputs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  status.textContent = "relaunching…";
  try {
    const launched = await api(`/api/executions/${enc(id)}/relaunch`, { method: "POST", body: JSON.stringify({ inputs }) });
    status.replaceChildren("relaunched as ", link(`/executions/${enc(launched.execution_id)}`, launched.execution_id));
    status.setAttribute("data-relaunched", launched.execution_id);
  } catch (e) {
    status.textContent = `relaunch failed: ${e.message}`;
  }
}

function drawDag(card, data, id, selected) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of data.dag.nodes) {
    const longest = Math.max(n.label.length + 3, n.id.length + n.kind.length + 3, n.progress ? 34 : 0);
    g.setNode(n.id, { width: Math.max(120, 7 * longest + 24), height: n.progress ? 54 : 40, data: n });
  }
  data.dag.edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, { data: e, label: e.label, width: e.label ? 40 : 0, height: e.label ? 14 : 0 }, `e${i}`);
  });
  dagre.layout(g);
  let { width, height } = g.graph();
  for (const e of g.edges()) for (const pt of g.edge(e).points) { width = Math.max(width, pt.x + 12); height = Math.max(height, pt.y + 12); }
  const root = svg("svg", { class: "dag", width: Math.max(width, 200), height: Math.max(height, 60), viewBox: `0 0 ${Math.max(width, 200)} ${Math.max(height, 60)}`, "data-nodes": data.dag.nodes.length });
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const d = edge.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    root.append(svg("path", { class: `edge ${edge.data.kind}`, d, "marker-end": "url(#arrow)", "data-source": e.v, "data-target": e.w }));
    if (edge.label) root.append(svg("text", { class: "edge-label", x: edge.x, y: edge.y, "text-anchor": "middle" }, edge.label));
  }
  root.prepend(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
    svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#7b8794" }))));
  for (const v of g.nodes()) {
    const box = g.node(v);
    const n = box.data;
    const group = svg("g", { class: `node ${n.phase}${v === selected ? " selected" : ""}`, "data-node-id": n.id, "data-phase": n.phase,
      "data-kind": n.kind, "data-case": n.case, transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` },
      svg("rect", { width: box.width, height: box.height, rx: 6 }),
      svg("text", { x: 10, y: 17 }, `${ICONS[n.phase] || ""} ${n.label}`),
      svg("text", { x: 10, y: 32, class: "muted", fill: "#6b7785" }, n.kind === "task" ? n.id : `${n.kind} · ${n.id}`));
    if (n.progress) {
      const p = n.progress;
      group.append(svg("text", { x: 10, y: 46, class: "progress", "data-progress": "" },
        `${p.succeeded}/${p.total ?? "?"} succeeded${p.failed ? `, ${p.failed} failed` : ""}${p.running ? `, ${p.running} running` : ""}`));
    }
    group.addEventListener("click", () => go(`/executions/${enc(id)}/nodes/${enc(n.id)}`));
    root.append(group);
  }
  const legend = el("div", { class: "legend" }, Object.keys(ICONS).map((p) => badge(p)),
    el("span", { class: "muted" }, "solid: data · dashed: >> order · dotted: branch case / dynamic body"));
  card.replaceChildren(el("h2", {}, `Graph (${data.dag.nodes.length} nodes)`), root, legend);
}

function drawGantt(card, record) {
  const rows = [];
  for (const node of Object.values(record.nodes)) for (const a of node.attempts) rows.push({ node: node.node_id, a });
  rows.sort((x, y) => x.a.started_at - y.a.started_at);
  if (!rows.length) { card.replaceChildren(el("h2", {}, "Timeline"), el("p", { class: "muted" }, "No attempt started yet.")); return; }
  const start = Math.min(...rows.map((r) => r.a.started_at));
  const end = Math.max(...rows.map((r) => r.a.finished_at || Date.now() / 1000));
  const span = Math.max(end - start, 0.001);
  const W = 560, L = 150, H = 20;
  const root = svg("svg", { class: "gantt", width: L + W + 60, height: rows.length * H + 24 });
  rows.forEach((r, i) => {
    const x = L + ((r.a.started_at - start) / span) * W;
    const w = Math.max(2, (((r.a.finished_at || Date.now() / 1000) - r.a.started_at) / span) * W);
    const phase = ["succeeded", "running", "preempted"].includes(r.a.phase) ? r.a.phase : "failed";
    root.append(svg("text", { x: 0, y: i * H + 14 }, `${r.node} #${r.a.attempt}`),
      svg("rect", { class: "bar", x, y: i * H + 3, width: w, height: H - 6, fill: `var(--${phase})` }),
      svg("text", { x: x + w + 4, y: i * H + 14, fill: "#6b7785" }, seconds(r.a.started_at, r.a.finished_at)));
  });
  root.append(svg("text", { x: L, y: rows.length * H + 18, fill: "#6b7785" }, `0s … ${span.toFixed(1)}s`));
  card.replaceChildren(el("h2", {}, "Timeline"), root);
}

function valueTable(values) {
  const names = Object.keys(values);
  if (!names.length) return el("p", { class: "muted" }, "none");
  return el("dl", { class: "kv" }, names.map((name) => [el("dt", {}, name), el("dd", {}, renderValue(values[name]))]));
}

function renderValue(v) {
  if (v.kind === "file" || v.kind === "directory") return el("span", {}, `${v.kind}: `, el("a", { href: v.uri, "data-uri": v.uri }, v.uri));
  if (v.kind === "table") {
    return el("div", {}, el("div", { class: "muted" }, v.uri),
      el("table", { class: "preview" }, el("thead", {}, el("tr", {}, v.columns.map((c) => el("th", {}, c)))),
        el("tbody", {}, v.rows.map((row) => el("tr", {}, row.map((c) => el("td", {}, JSON.stringify(c))))))));
  }
  return el("pre", { class: "json" }, JSON.stringify(v.value, null, 2));
}

// ---- one node ----------------------------------------------------------------------------------------
function resourceText(r) {
  const pairs = (m) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(", ");
  const parts = [];
  if (Object.keys(r.requests).length) parts.push(`requests: ${pairs(r.requests)}`);
  if (Object.keys(r.limits).length) parts.push(`limits: ${pairs(r.limits)}`);
  if (r.accelerator) parts.push(`accelerator: ${r.accelerator}`);
  return parts.join("; ") || "none asked";
}
function showNode(side, id, nodeId) {
  const logs = el("pre", { id: "logs" });
  const logState = el("span", { id: "log-state", class: "muted" });
  const info = el("div", { id: "node" });
  side.replaceChildren(el("div", { class: "card" }, info), el("div", { class: "card" }, el("h2", {}, "Logs ", logState), logs));
  async function refresh() {
    const n = await api(`/api/executions/${enc(id)}/nodes/${enc(nodeId)}`);
    info.replaceChildren(
      el("h1", {}, "Node ", el("code", {}, n.node_id), " ", badge(n.phase)),
      el("dl", { class: "kv" },
        el("dt", {}, "task"), el("dd", {}, n.task || ""),
        el("dt", {}, "image"), el("dd", { id: "node-image" }, n.image || ""),
        el("dt", {}, "cache hit"), el("dd", {}, n.cache_hit ? "yes" : "no"),
        n.resources ? [el("dt", {}, "resources"), el("dd", { id: "node-resources" }, resourceText(n.resources))] : [],
        n.message ? [el("dt", {}, "message"), el("dd", { class: "error" }, n.message)] : []),
      n.map_items.length ? el("div", {}, el("h2", {}, `Items (${n.map_items.length})`),
        el("div", { class: "items" }, n.map_items.map((i) => link(`/executions/${enc(id)}/nodes/${enc(i)}`, i)))) : "",
      el("h2", {}, "Attempts"),
      n.attempts.length ? el("table", { id: "attempts" }, el("thead", {}, el("tr", {}, ["#", "phase", "duration", "error"].map((h) => el("th", {}, h)))),
        el("tbody", {}, n.attempts.map((a) => el("tr", {}, el("td", {}, a.attempt), el("td", {}, badge(a.phase)),
          el("td", {}, seconds(a.started_at, a.finished_at)), el("td", {}, a.message))))) : el("p", { class: "muted" }, "none"),
      ...n.attempts.filter((a) => a.traceback).map((a) => el("div", {}, el("h2", {}, `Traceback (attempt ${a.attempt})`),
        el("pre", { class: "traceback" }, a.traceback))),
      el("h2", {}, "Inputs"), valueTable(n.inputs), el("h2", {}, "Outputs"), valueTable(n.outputs));
    return n;
  }
  let offset = 0, attempt = null;
  async function follow() {
    const q = new URLSearchParams({ offset });
    if (attempt !== null) q.set("attempt", attempt);
    const chunk = await api(`/api/executions/${enc(id)}/nodes/${enc(nodeId)}/logs?${q}`);
    if (attempt !== null && chunk.attempt !== attempt) { offset = 0; logs.textContent = ""; }
    attempt = chunk.attempt;
    logs.append(chunk.text);
    offset = chunk.offset;
    logState.textContent = chunk.running ? "following…" : "ended";
    logState.setAttribute("data-state", chunk.running ? "following" : "ended");
    if (chunk.running) { const t = setTimeout(() => follow().catch(() => {}), 1000); timers.push(t); }
    else { refresh().catch(() => {}); }
  }
  function start() {  // a relaunched run's record may not be written yet: try again until it is
    refresh().then(() => follow()).catch((e) => {
      info.replaceChildren(el("p", { class: "error" }, e.message));
      timers.push(setTimeout(start, 1500));
    });
  }
  start();
}

// ---- images and launch plans --------------------------------------------------------------------------
async function showImages() {
  const rows = await api("/api/images");
  const out = el("pre", { id: "image-detail", hidden: "" });
  async function explain(older, newer) {
    out.hidden = false;
    out.textContent = "comparing…";
    try {
      const e = await api(`/api/images/explain?${new URLSearchParams({ old: older.ref, new: newer.ref })}`);
      out.textContent = `${e.old} → ${e.new}\n` + (e.changes.length ? e.changes.join("\n") : "no hash input changed");
    } catch (err) { out.textContent = err.message; }
  }
  view().replaceChildren(el("h1", {}, `Images (${rows.length})`),
    el("table", {}, el("thead", {}, el("tr", {}, ["spec", "tag", "digest", "size", "platforms", "build time", "verified", "log", "explain"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((r, i) => {
        const older = rows.slice(i + 1).find((o) => o.name === r.name);
        return el("tr", { "data-image": r.ref }, el("td", {}, r.name), el("td", {}, el("code", {}, r.tag)),
          el("td", {}, el("code", {}, r.digest.slice(0, 19))), el("td", { class: "size" }, bytes(r.size_bytes)),
          el("td", {}, r.platforms.join(", ")), el("td", { class: "build-time" }, r.build_s == null ? "—" : seconds(1, 1 + r.build_s)),
          el("td", {}, when(r.verified_at)),
          el("td", {}, r.log ? el("button", { onclick: () => { out.hidden = false; out.textContent = r.log; } }, "build log") : "—"),
          el("td", {}, older ? el("button", { onclick: () => explain(older, r) }, `vs ${older.tag.slice(0, 12)}`) : "—"));
      }))),
    out);
}

async function showPlans() {
  const regs = await api("/api/launchplans");
  view().replaceChildren(el("h1", {}, "Launch plans and registered entities"),
    regs.length ? el("table", {}, el("thead", {}, el("tr", {}, ["project/domain", "version", "workflows", "launch plans", "schedule", "next fire", "recent runs"].map((h) => el("th", {}, h)))),
      el("tbody", {}, regs.map((r) => el("tr", {}, el("td", {}, `${r.project}/${r.domain}`), el("td", {}, el("code", {}, r.version)),
        el("td", {}, r.workflows.map((w) => el("div", {}, link(`/?entity=${enc(w)}`, w)))),
        el("td", {}, r.launch_plans.map((p) => el("div", {}, p.name))),
        el("td", {}, r.launch_plans.map((p) => el("div", {}, p.schedule ? (p.schedule.schedule || `every ${p.schedule.minutes} min`) : "—"))),
        el("td", {}, r.launch_plans.map((p) => el("div", {}, when(p.next_fire) || "—"))),
        el("td", {}, r.launch_plans.map((p) => el("div", { class: "recent-runs", "data-plan": p.name },
          p.recent_runs.length ? p.recent_runs.map((e) => link(`/executions/${enc(e.execution_id)}`, badge(e.phase), " ", e.execution_id, " ")) : "—")))))))
      : el("p", { class: "muted" }, "Nothing registered in this store."));
}
