// Copyright 2026 Traccia Proxy authors
// SPDX-License-Identifier: Apache-2.0
//
// The live page: polls the admin port's JSON API every two seconds and redraws. Every value that
// comes from spans (names, prompts, attribute values) is set with textContent, never as markup, so
// a prompt containing <script> shows as text. No framework, no build step.
"use strict";

(function () {
  const POLL_MS = 2000;
  const state = { window: 15, selected: null, charts: {} };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  function usd(value) {
    if (value === null || value === undefined) return "";
    if (value === 0) return "0";
    return value < 0.01 ? value.toFixed(6) : value.toFixed(4);
  }

  function duration(ms) {
    return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(2) + " s";
  }

  function time(ms) {
    return ms > 0 ? new Date(ms).toLocaleTimeString() : "";
  }

  function badge(kind, text) {
    const b = el("span", "badge " + kind, text);
    b.title = kind;
    return b;
  }

  // --- traces -------------------------------------------------------------------------------

  function filterQuery() {
    const params = new URLSearchParams();
    for (const name of ["service", "agent", "model"]) {
      const value = document.getElementById("filter-" + name).value;
      if (value) params.set(name, value);
    }
    return params.toString();
  }

  function fillSelect(select, values) {
    const current = select.value;
    const known = Array.from(select.options).map((o) => o.value).slice(1);
    if (known.length === values.length && known.every((v, i) => v === values[i])) return;
    while (select.options.length > 1) select.remove(1);
    for (const v of values) {
      const option = el("option", null, v);
      option.value = v;
      select.appendChild(option);
    }
    select.value = values.includes(current) ? current : "";
  }

  function guardrailCell(g) {
    const cell = el("td", "guardrails");
    if (!g || !g.known) {
      cell.appendChild(el("span", "muted", "—"));
      return cell;
    }
    for (const c of g.detected) cell.appendChild(badge("detected", c));
    for (const c of g.triggered) cell.appendChild(badge("triggered", c));
    for (const c of g.missing) cell.appendChild(badge("missing", c));
    if (!g.detected.length && !g.triggered.length && !g.missing.length) {
      cell.appendChild(el("span", "muted", "none"));
    }
    return cell;
  }

  function renderTraces(data) {
    fillSelect(document.getElementById("filter-service"), data.facets.services);
    fillSelect(document.getElementById("filter-agent"), data.facets.agents);
    fillSelect(document.getElementById("filter-model"), data.facets.models);
    const body = document.getElementById("trace-rows");
    clear(body);
    for (const t of data.traces) {
      const row = el("tr", "trace" + (t.traceId === state.selected ? " selected" : "") + (t.error ? " error" : ""));
      row.dataset.traceId = t.traceId;
      row.appendChild(el("td", "time", time(t.startMs)));
      row.appendChild(el("td", "root", t.root === null ? "(root not seen yet)" : t.root));
      row.appendChild(el("td", "service", t.service));
      row.appendChild(el("td", "agent", t.agent));
      row.appendChild(el("td", "num", duration(t.durationMs)));
      row.appendChild(el("td", "num llm-calls", t.llmCalls));
      row.appendChild(el("td", "num tokens", t.inputTokens + " / " + t.outputTokens));
      const cost = el("td", "num cost", usd(t.costUsd));
      if (t.unpriced) cost.appendChild(badge("unpriced", "unpriced"));
      row.appendChild(cost);
      row.appendChild(guardrailCell(t.guardrails));
      row.addEventListener("click", () => openTrace(t.traceId));
      body.appendChild(row);
    }
    document.getElementById("no-traces").hidden = data.traces.length > 0;
  }

  // --- one trace ----------------------------------------------------------------------------

  async function openTrace(traceId) {
    state.selected = traceId;
    try {
      renderTrace(await getJson("api/trace?id=" + encodeURIComponent(traceId)));
    } catch (e) {
      showError(e);
    }
  }

  function renderTrace(trace) {
    const section = document.getElementById("trace-detail");
    section.hidden = false;
    document.getElementById("detail-id").textContent = trace.traceId;
    const tree = document.getElementById("span-tree");
    clear(tree);
    const byParent = new Map();
    const ids = new Set(trace.spans.map((s) => s.spanId));
    for (const s of trace.spans) {
      const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : "";
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(s);
    }
    const openDepth = trace.spans.length <= 12 ? 8 : 1;
    const add = (list, parentId, depth) => {
      for (const s of byParent.get(parentId) || []) {
        list.appendChild(spanItem(s, byParent, add, depth, openDepth));
      }
    };
    add(tree, "", 0);
    if (trace.spansLeftOut > 0) {
      tree.appendChild(el("li", "muted", trace.spansLeftOut + " more spans are not kept"));
    }
  }

  function spanItem(s, byParent, add, depth, openDepth) {
    const item = el("li", "span" + (s.status === "error" ? " error" : ""));
    const details = el("details");
    details.open = depth < openDepth;
    const summary = el("summary");
    summary.appendChild(el("span", "span-name", s.name));
    summary.appendChild(el("span", "muted", " " + (s.service || "") + " · " + duration(s.durationMs)));
    details.appendChild(summary);
    const table = el("table", "attributes");
    for (const a of s.attributes) {
      const row = el("tr", a.proxy ? "proxy" : "");
      const key = el("td", a.proxy ? "key proxy-key" : "key", a.key);
      if (a.proxy) key.title = "added by the proxy";
      row.appendChild(key);
      row.appendChild(el("td", "value", a.value));
      table.appendChild(row);
    }
    if (s.attributesLeftOut > 0) {
      const row = el("tr");
      row.appendChild(el("td", "muted", s.attributesLeftOut + " more attributes not kept"));
      table.appendChild(row);
    }
    details.appendChild(table);
    item.appendChild(details);
    if (byParent.has(s.spanId)) {
      const children = el("ul", "tree");
      add(children, s.spanId, depth + 1);
      item.appendChild(children);
    }
    return item;
  }

  // --- costs --------------------------------------------------------------------------------

  const COLORS = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#6b7280"];

  function drawChart(id, minutes, series, field) {
    const target = document.getElementById(id);
    const names = series.map((s) => s.name).join("\u0000");
    const data = [minutes].concat(series.map((s) => s[field]));
    const existing = state.charts[id];
    if (typeof uPlot === "undefined") return;
    if (existing && existing.names === names && existing.length === minutes.length) {
      existing.plot.setData(data);
      return;
    }
    if (existing) existing.plot.destroy();
    clear(target);
    if (!series.length) {
      target.appendChild(el("p", "muted empty", "nothing yet"));
      delete state.charts[id];
      return;
    }
    const options = {
      width: Math.max(280, target.clientWidth || 420),
      height: 180,
      series: [{}].concat(
        series.map((s, i) => ({
          label: s.name,
          stroke: COLORS[i % COLORS.length],
          fill: COLORS[i % COLORS.length] + "22",
          width: 2,
          points: { show: false },
        }))
      ),
      axes: [{}, { size: 70 }],
      legend: { live: false },
    };
    state.charts[id] = { plot: new uPlot(options, data, target), names, length: minutes.length };
  }

  function renderCosts(c) {
    document.getElementById("cost-totals").textContent =
      "In the window: USD " + usd(c.totalCostUsd) + ", " + c.totalTokens + " tokens.";
    drawChart("chart-model", c.minutes, c.model, "costUsd");
    drawChart("chart-service", c.minutes, c.service, "costUsd");
    drawChart("chart-agent", c.minutes, c.agent, "costUsd");
    drawChart("chart-tokens", c.minutes, c.model, "tokens");
  }

  // --- status -------------------------------------------------------------------------------

  function term(list, name, value) {
    list.appendChild(el("dt", null, name));
    list.appendChild(el("dd", null, value === null || value === undefined ? "—" : value));
  }

  function renderStatus(s) {
    const pricing = document.getElementById("pricing");
    clear(pricing);
    term(pricing, "source", s.pricing.source);
    term(pricing, "generated at", s.pricing.generatedAt);
    term(pricing, "age (days)", s.pricing.ageDays);
    term(pricing, "snapshot", s.pricing.snapshotVersion);
    const unpriced = document.getElementById("unpriced");
    clear(unpriced);
    const models = Object.entries(s.pricing.unpricedModels);
    if (!models.length) unpriced.appendChild(el("li", "muted", "none"));
    for (const [model, spans] of models) {
      const item = el("li");
      item.appendChild(badge("unpriced", model));
      item.appendChild(el("span", "muted", " " + spans + " spans"));
      unpriced.appendChild(item);
    }
    const exporters = document.querySelector("#exporters tbody");
    clear(exporters);
    for (const [name, e] of Object.entries(s.exporters)) {
      const row = el("tr");
      row.appendChild(el("td", null, name));
      row.appendChild(el("td", "num", e.queue + " / " + e.capacity));
      row.appendChild(el("td", "num", e.exported));
      row.appendChild(el("td", "num" + (e.failed > 0 ? " bad" : ""), e.failed));
      row.appendChild(el("td", "num", e.retries));
      exporters.appendChild(row);
    }
    const refusals = document.getElementById("refusals");
    clear(refusals);
    const reasons = Object.entries(s.refusedRequests);
    if (!reasons.length) refusals.appendChild(el("li", "muted", "none"));
    for (const [reason, n] of reasons) refusals.appendChild(el("li", null, reason + ": " + n));
    document.getElementById("ring").textContent =
      "Keeping " + s.ring.traces + " of at most " + s.ring.maxTraces + " traces and " +
      s.ring.spans + " of at most " + s.ring.maxSpans + " spans.";
  }

  // --- loop ---------------------------------------------------------------------------------

  function showError(e) {
    const updated = document.getElementById("updated");
    updated.textContent = "The proxy did not answer: " + e.message;
    updated.className = "bad";
  }

  async function refresh() {
    try {
      const query = filterQuery();
      const [traces, costs, status] = await Promise.all([
        getJson("api/traces" + (query ? "?" + query : "")),
        getJson("api/costs?window=" + state.window),
        getJson("api/status"),
      ]);
      renderTraces(traces);
      renderCosts(costs);
      renderStatus(status);
      if (state.selected) {
        getJson("api/trace?id=" + encodeURIComponent(state.selected)).then(renderTrace, () => {});
      }
      const updated = document.getElementById("updated");
      updated.textContent = "Updated " + new Date().toLocaleTimeString() + "; refreshes every 2 s.";
      updated.className = "muted";
    } catch (e) {
      showError(e);
    }
  }

  function start() {
    document.getElementById("filters").addEventListener("change", refresh);
    document.getElementById("detail-close").addEventListener("click", () => {
      state.selected = null;
      document.getElementById("trace-detail").hidden = true;
    });
    for (const button of document.querySelectorAll("[data-window]")) {
      button.addEventListener("click", () => {
        state.window = Number(button.dataset.window);
        for (const b of document.querySelectorAll("[data-window]")) b.classList.toggle("active", b === button);
        refresh();
      });
    }
    const wanted = new URLSearchParams(location.search).get("trace");
    if (wanted) openTrace(wanted);
    refresh();
    setInterval(refresh, POLL_MS);
  }

  start();
})();
