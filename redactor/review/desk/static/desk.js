// The reviewer's desk: plain JavaScript, no framework, nothing fetched from
// anywhere but the desk. Every text from the plan goes into the page with
// textContent (never as HTML). Every change is sent with the plan version
// this page last saw (If-Match); a 409 means someone else changed the plan.
"use strict";
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const NAME_KEY = "redactor-desk-reviewer";
  const SYM = { proposed: "?", accepted: "✓", rejected: "✗" };
  const PX_PER_PT = 96 / 72;

  const S = {
    st: null, version: "", byKey: new Map(), byPage: new Map(), order: [], cur: null, curPos: 0,
    curMark: null, doc: 0, page: 1, drawing: false, kbdRect: null, blobs: new Map(), showSeq: 0,
    searchHits: [], search: null, termHits: new Map(), pending: 0, changeSeq: 0, groupsOpen: new Set(),
  };
  window.deskTimings = [];  // page changes: {d, p, ms} (read by bench/bench_desk.py)

  // --- helpers -------------------------------------------------------------------------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  const docName = (d) => S.st.documents[d].name;
  const exInfo = (code) => S.st.exemptions.find((e) => e.code === code) || { code, colour: "#444444", title: "" };
  const colourOf = (code) => exInfo(code).colour;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : (many || one + "s")}`;

  function say(text, bad) {
    const el = $("status");
    el.textContent = text || "";
    el.classList.toggle("bad", !!bad);
  }

  async function api(path, opts) {
    let r;
    try {
      r = await fetch(path, Object.assign({ credentials: "same-origin" }, opts || {}));
    } catch (e) {
      say("The desk is not answering (was `redactor serve` stopped?).", true);
      return { ok: false, status: 0, body: null };
    }
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (r.status === 401) say((body && body.message) || "Signed out: open the desk's link again.", true);
    return { ok: r.ok, status: r.status, body };
  }

  async function post(path, data) {
    S.pending++;
    try {
      const r = await api(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "If-Match": `"${S.version}"` },
        body: JSON.stringify(data || {}),
      });
      S.changeSeq++;
      if (r.status === 409) conflict((r.body && r.body.message) || "The plan was changed elsewhere.");
      else if (!r.ok && r.status !== 401) say((r.body && r.body.message) || `The desk refused that (${r.status}).`, true);
      return r;
    } finally {
      S.pending--;
    }
  }

  function reviewer() {
    const name = $("reviewer").value.trim();
    if (!name) {
      say("Enter your name first: every decision records who made it.", true);
      $("reviewer").focus();
      return null;
    }
    try { localStorage.setItem(NAME_KEY, name); } catch (e) { /* private mode */ }
    return name;
  }

  async function change(data) {
    const name = reviewer();
    if (!name) return null;
    const r = await post("/api/change", Object.assign({}, data, { reviewer: name }));
    if (r.ok) patch(r.body);
    return r;
  }

  function conflict(message) {
    $("alert-text").textContent = message;
    $("alert").hidden = false;
    say("");
    $("reload").focus();
  }

  // --- state -------------------------------------------------------------------------
  async function load(keepPlace) {
    const r = await api("/api/state");
    if (!r.ok) return false;
    performance.mark("desk-state-fetched");
    setState(r.body, keepPlace);
    performance.mark("desk-state-shown");
    return true;
  }

  function setState(st, keepPlace) {
    S.st = st;
    S.version = st.version;
    S.termHits.clear();
    index();
    if (!keepPlace) {
      $("reviewer").value = st.reviewer || localStorageName();
      fillExemptions();
      fillRules();
      renderDocs();
      performance.mark("desk-docs-shown");
      legend();
    } else {
      fillRules();
      renderThumbLabels();
    }
    renderTerms();
    $("undo").disabled = !st.undo;
    $("undo").title = st.undo ? `Undo: ${st.undo}` : "Nothing to undo";
    renderList();
  }

  function localStorageName() {
    try { return localStorage.getItem(NAME_KEY) || ""; } catch (e) { return ""; }
  }

  function index() {
    S.byKey.clear();
    S.byPage.clear();
    for (const f of S.st.findings) {
      S.byKey.set(f.k, f);
      const key = `${f.d}/${f.page}`;
      if (!S.byPage.has(key)) S.byPage.set(key, []);
      S.byPage.get(key).push(f);
    }
  }

  function patch(p) {
    S.version = p.version;
    S.st.manual = p.manual;
    S.st.terms = p.terms;
    S.st.undo = p.undo;
    const regroup = !!$("fstatus").value || p.findings.some((f) => {
      const old = S.byKey.get(f.k);
      return old.exemption !== f.exemption || old.category !== f.category;
    });
    for (const f of p.findings) Object.assign(S.byKey.get(f.k), f);
    S.termHits.clear();
    say(p.message);
    $("undo").disabled = !p.undo;
    $("undo").title = p.undo ? `Undo: ${p.undo}` : "Nothing to undo";
    renderTerms();
    if (regroup) renderList();
    else updateRows(p.findings.map((f) => f.k));
    renderThumbLabels();
    renderPageMarks();
    renderDetail();
  }

  // --- exemptions, rules, legend --------------------------------------------------------
  function exOption(e, selected) {
    return h("option", { value: e.code, selected: selected === e.code },
      e.title ? `${e.code} (${e.title})` : e.code);
  }

  function fillExemptions() {
    const sel = $("newex");
    const keep = sel.value;
    sel.replaceChildren(...S.st.exemptions.map((e) => exOption(e, keep)));
    if (!keep) {
      const s31 = S.st.exemptions.find((e) => e.code.startsWith("S31"));
      if (s31) sel.value = s31.code;
    }
    withholdLabel();
  }

  function fillRules() {
    const sel = $("frule");
    const keep = sel.value;
    const rules = [...new Set(S.st.findings.map((f) => f.rule))].sort();
    sel.replaceChildren(h("option", { value: "" }, "All rules"), ...rules.map((r) => h("option", { value: r }, r)));
    sel.value = rules.includes(keep) ? keep : "";
  }

  function legend() {
    const used = new Set(S.st.findings.map((f) => f.exemption));
    const keys = S.st.exemptions.filter((e) => used.has(e.code)).map((e) => {
      const k = h("span", { class: "key" }, e.code);
      k.style.setProperty("--c", e.colour);
      return k;
    });
    $("legend").replaceChildren("Exemptions: ", ...keys,
      " Boxes: dashed ? proposed, solid ✓ accepted, dotted ✗ rejected; thick border: area drawn by hand; double border: term.");
  }

  // --- documents and thumbnails -------------------------------------------------------
  function marksOn(d, p) {
    const fs = S.byPage.get(`${d}/${p}`) || [];
    const areas = (S.st.manual[d] || []).filter((m) => m.kind === "area" && m.page === p).length;
    const withheld = (S.st.manual[d] || []).some((m) => m.kind === "page" && m.page === p);
    const open = fs.filter((f) => f.status === "proposed").length;
    return { n: fs.length + areas, open, withheld };
  }

  function thumbText(d, p) {
    const m = marksOn(d, p);
    if (m.withheld) return "withheld";
    if (!m.n) return "no marks";
    return m.open ? `${m.n} marks, ${m.open} open` : plural(m.n, "mark");
  }

  function renderDocs() {
    const nav = $("docs");
    nav.replaceChildren();
    S.st.documents.forEach((doc, d) => {
      nav.append(h("h2", { id: `doc-${d}` }, doc.name));
      if (doc.problem) nav.append(h("p", { class: "problem" }, doc.problem));
      if (doc.kind !== "pdf") {
        nav.append(h("p", {}, "Plain text: its findings are in the list."));
        return;
      }
      const ol = h("ol", { class: "thumbs", "aria-labelledby": `doc-${d}` });
      doc.pages.forEach(([w, hh], i) => {
        const p = i + 1;
        const img = h("img", { alt: "", loading: "lazy", width: 80, height: Math.round(80 * hh / w),
          src: `/api/page/${d}/${p}?z=${S.st.thumb}` });
        const btn = h("button", { type: "button", class: "thumb", "data-d": d, "data-p": p,
          "aria-label": `${doc.name} page ${p}: ${thumbText(d, p)}` },
          img, h("span", {}, `${p}`), h("span", { class: "marks" }, thumbText(d, p)));
        ol.append(h("li", {}, btn));
      });
      nav.append(ol);
    });
  }

  function renderThumbLabels() {
    for (const btn of $("docs").querySelectorAll(".thumb")) {
      const d = +btn.dataset.d, p = +btn.dataset.p;
      const t = thumbText(d, p);
      btn.querySelector(".marks").textContent = t;
      btn.setAttribute("aria-label", `${docName(d)} page ${p}: ${t}`);
    }
  }

  function markCurrentThumb() {
    for (const b of $("docs").querySelectorAll('.thumb[aria-current]')) b.removeAttribute("aria-current");
    const b = $("docs").querySelector(`.thumb[data-d="${S.doc}"][data-p="${S.page}"]`);
    if (b) {
      b.setAttribute("aria-current", "page");
      b.scrollIntoView({ block: "nearest" });
    }
  }

  // --- page view ----------------------------------------------------------------------
  function zoomFor(d, p) {
    const [w] = S.st.documents[d].pages[p - 1];
    const sel = $("zoom").value;
    const cssWidth = sel === "fit" ? Math.max(200, $("scroller").clientWidth - 32) : w * PX_PER_PT * +sel;
    const px = cssWidth * (window.devicePixelRatio || 1);
    const levels = S.st.zooms.filter((z) => z >= 0.5);  // the same rule as pages.view_zoom
    const z = levels.find((l) => l >= px / w) || levels[levels.length - 1];
    return { cssWidth, z, fit: sel === "fit" ? Math.round(px) : null };
  }

  function imageURL(d, p, z, fit, ahead) {
    const key = `${d}/${p}/${z}`;
    let e = S.blobs.get(key);
    if (e) {
      S.blobs.delete(key);
      S.blobs.set(key, e);
      return e;
    }
    e = fetch(`/api/page/${d}/${p}?z=${z}${fit ? "&fit=" + fit : ""}${ahead ? "&ahead=1" : ""}`,
      { credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(`page ${p}: ${r.status}`); return r.blob(); })
      .then((b) => URL.createObjectURL(b));
    e.catch(() => S.blobs.delete(key));
    S.blobs.set(key, e);
    while (S.blobs.size > 40) {
      const [k0, v0] = S.blobs.entries().next().value;
      S.blobs.delete(k0);
      v0.then((u) => setTimeout(() => URL.revokeObjectURL(u), 5000)).catch(() => {});
    }
    return e;
  }

  function showPage(d, p, keepSearch) {
    const doc = S.st.documents[d];
    if (!doc || doc.kind !== "pdf" || p < 1 || p > doc.pages.length) return;
    const t0 = performance.now();
    const seq = ++S.showSeq;
    const changed = d !== S.doc || p !== S.page;
    S.doc = d;
    S.page = p;
    if (changed && !keepSearch) S.searchHits = [];
    $("page-heading").textContent = `${doc.name}, page ${p} of ${doc.pages.length}`;
    const [w, hh] = doc.pages[p - 1];
    const { cssWidth, z, fit } = zoomFor(d, p);
    const sheet = $("sheet");
    sheet.style.width = `${cssWidth}px`;
    sheet.style.height = `${cssWidth * hh / w}px`;
    const img = $("pageimg");
    img.alt = `Page ${p} of ${doc.name}`;
    imageURL(d, p, z, fit).then((url) => {
      if (seq !== S.showSeq) return;
      img.src = url;
      return img.decode().then(() => requestAnimationFrame(() => {
        if (seq !== S.showSeq) return;
        window.deskTimings.push({ d, p, ms: performance.now() - t0 });
        if (!window.deskOpenedAt) window.deskOpenedAt = performance.now();
      }));
    }).catch((e) => say(`The page image could not be shown: ${e.message}`, true));
    for (const q of [p + 1, p + 2, p - 1]) {
      if (q >= 1 && q <= doc.pages.length) { const n = zoomFor(d, q); imageURL(d, q, n.z, n.fit, true); }
    }
    $("prev").disabled = d === 0 && p === 1;
    $("next").disabled = d === S.st.documents.length - 1 && p === doc.pages.length;
    markCurrentThumb();
    renderPageMarks();
    if ($("fpage").checked) renderList();
    if (S.st.terms.length && !S.termHits.has(`${d}/${p}`)) {
      api(`/api/terms/${d}/${p}`).then((r) => {
        if (r.ok) { S.termHits.set(`${d}/${p}`, r.body); if (S.doc === d && S.page === p) renderBoxes(); }
      });
    }
  }

  function step(delta) {
    let d = S.doc, p = S.page + delta;
    const docs = S.st.documents;
    while (d >= 0 && d < docs.length && (docs[d].kind !== "pdf" || p < 1 || p > docs[d].pages.length)) {
      if (docs[d].kind === "pdf" && p >= 1 && p <= docs[d].pages.length) break;
      d += delta > 0 ? 1 : -1;
      if (d < 0 || d >= docs.length) return;
      p = delta > 0 ? 1 : docs[d].pages.length;
    }
    if (d >= 0 && d < docs.length) showPage(d, p);
  }

  function withheldMark(d, p) {
    return (S.st.manual[d] || []).find((m) => m.kind === "page" && m.page === p);
  }

  function withholdLabel() {
    const m = S.st && withheldMark(S.doc, S.page);
    $("withhold").textContent = m ? "Stop withholding this page" : `Withhold this page (${$("newex").value})`;
  }

  function renderPageMarks() {
    const m = withheldMark(S.doc, S.page);
    const note = $("withheld");
    note.hidden = !m;
    note.textContent = m ? `This page will be withheld in full under ${m.exemption} (decided by ${m.reviewer || "?"}): ` +
      "the release will have a page saying so instead." : "";
    $("sheet").classList.toggle("withheld-page", !!m);
    withholdLabel();
    renderBoxes();
  }

  function labels() {
    $("sheet").classList.toggle("nolabels", !$("labels").checked);
  }

  function pct(el, r, W, H) {
    el.style.left = `${100 * r[0] / W}%`;
    el.style.top = `${100 * r[1] / H}%`;
    el.style.width = `${100 * (r[2] - r[0]) / W}%`;
    el.style.height = `${100 * (r[3] - r[1]) / H}%`;
  }

  function box(r, W, H, cls, code, tag, data) {
    const el = h("div", Object.assign({ class: `box ${cls}` }, data || {}));
    el.style.setProperty("--c", colourOf(code));
    pct(el, r, W, H);
    if (tag) el.append(h("span", { class: "tag" }, tag));
    return el;
  }

  function renderBoxes() {
    const layer = $("boxes");
    layer.replaceChildren();
    const doc = S.st.documents[S.doc];
    if (!doc || doc.kind !== "pdf") return;
    const [W, H] = doc.pages[S.page - 1];
    for (const f of S.byPage.get(`${S.doc}/${S.page}`) || []) {
      f.rects.forEach((r, i) => layer.append(box(r, W, H, `${f.status}${f.k === S.cur ? " current" : ""}`, f.exemption,
        i === 0 ? `${SYM[f.status]} ${f.exemption}` : "", { "data-k": f.k })));
    }
    for (const m of S.st.manual[S.doc] || []) {
      if (m.kind === "area" && m.page === S.page && m.rect) {
        const cur = S.curMark && S.curMark.d === S.doc && S.curMark.i === m.i;
        layer.append(box(m.rect, W, H, `area accepted${cur ? " current" : ""}`, m.exemption, `✓ area ${m.exemption}`,
          { "data-area": m.i }));
      }
    }
    for (const t of S.termHits.get(`${S.doc}/${S.page}`) || []) {
      t.rects.forEach((r, i) => layer.append(box(r, W, H, "term accepted", t.exemption, i === 0 ? `✓ term ${t.exemption}` : "")));
    }
    for (const s of S.searchHits) {
      if (s.d === S.doc && s.page === S.page) s.rects.forEach((r) => layer.append(box(r, W, H, "search", "", "")));
    }
    if (S.kbdRect) renderRubber(S.kbdRect);
  }

  // --- the findings list ----------------------------------------------------------------
  function filtered() {
    const status = $("fstatus").value, rule = $("frule").value, band = $("fconf").value;
    const [lo, hi] = band ? band.split("-").map(Number) : [0, 2];
    const here = $("fpage").checked;
    return S.st.findings.filter((f) => (!status || f.status === status) && (!rule || f.rule === rule) &&
      f.confidence >= lo && f.confidence < hi && (!here || (f.d === S.doc && f.page === S.page)));
  }

  function y0(f) { return f.rects.length ? f.rects[0][1] : 0; }

  function groupsOf(list) {
    const exOrder = new Map(S.st.exemptions.map((e, i) => [e.code, i]));
    list.sort((a, b) => (exOrder.get(a.exemption) ?? 999) - (exOrder.get(b.exemption) ?? 999) ||
      a.exemption.localeCompare(b.exemption) || a.category.localeCompare(b.category) || a.d - b.d ||
      a.page - b.page || y0(a) - y0(b));
    const groups = [];
    for (const f of list) {
      let g = groups[groups.length - 1];
      if (!g || g.exemption !== f.exemption || g.category !== f.category) {
        g = { exemption: f.exemption, category: f.category, items: [] };
        groups.push(g);
      }
      g.items.push(f);
    }
    return groups;
  }

  function row(f) {
    const cur = f.k === S.cur;
    return h("li", {}, h("button", { type: "button", class: "frow", "data-k": f.k, "aria-current": cur ? "true" : "false",
      "aria-label": `${f.status} ${f.category} ${f.text}, ${f.exemption}, ${docName(f.d)} page ${f.page}, id ${f.id}` },
      h("span", { class: `st ${f.status}` }, `${SYM[f.status]} ${f.status}`),
      h("span", { class: "txt" }, h("mark", {}, f.text || "(no text)")),
      h("span", { class: "meta" }, h("code", {}, f.id),
        `${docName(f.d)} p.${f.page} · ${f.exemption} · ${f.rule} · ${f.confidence.toFixed(2)}`)));
  }

  function summaryText(g) {
    const counts = { proposed: 0, accepted: 0, rejected: 0 };
    g.items.forEach((f) => counts[f.status]++);
    return `${g.category.replace(/_/g, " ")}: ${g.items.length} (${counts.proposed} proposed, ` +
      `${counts.accepted} accepted, ${counts.rejected} rejected)`;
  }

  function updateRows(keys) {
    const focused = document.activeElement;
    const groups = new Set();
    for (const k of keys) {
      const el = rowEl(k);
      if (el) {
        const li = row(S.byKey.get(k));
        const hadFocus = focused === el;
        el.parentNode.replaceWith(li);
        if (hadFocus) li.firstChild.focus();
      }
    }
    const wanted = new Set(keys);
    for (const det of $("groups").querySelectorAll("details")) {
      if (det._group && det._group.items.some((f) => wanted.has(f.k))) groups.add(det);
    }
    for (const det of groups) det.querySelector("summary").textContent = summaryText(det._group);
  }

  function fillGroup(det, g) {
    if (det.querySelector(".flist")) return;
    det.append(h("ul", { class: "flist" }, g.items.map(row)));
  }

  function renderList() {
    const list = filtered();
    const groups = groupsOf(list);
    S.order = groups.flatMap((g) => g.items.map((f) => f.k));
    const total = S.order.length;
    const openAll = total <= 400;
    const box = $("groups");
    const focusedKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.k : null;
    const frag = document.createDocumentFragment();
    let lastEx = null;
    groups.forEach((g) => {
      if (g.exemption !== lastEx) {
        lastEx = g.exemption;
        const n = groups.filter((x) => x.exemption === g.exemption).reduce((a, x) => a + x.items.length, 0);
        const info = exInfo(g.exemption);
        const h3 = h("h3", {}, `${g.exemption}${info.title ? " " + info.title : ""}: ${n}`);
        h3.style.setProperty("--c", info.colour);
        frag.append(h3);
      }
      const gid = `${g.exemption}|${g.category}`;
      const open = openAll || S.groupsOpen.has(gid) || g.items.some((f) => f.k === S.cur);
      const det = h("details", { open: open, "data-g": gid },
        h("summary", {}, summaryText(g)),
        h("div", { class: "gbtns" },
          h("button", { type: "button", "data-bulk": "accepted", "data-g": gid,
            "aria-label": `Accept all ${g.items.length} ${g.category} findings shown (${g.exemption})` }, `Accept all ${g.items.length}`),
          h("button", { type: "button", "data-bulk": "rejected", "data-g": gid,
            "aria-label": `Reject all ${g.items.length} ${g.category} findings shown (${g.exemption})` }, `Reject all ${g.items.length}`)));
      det._group = g;
      if (open) fillGroup(det, g);
      det.addEventListener("toggle", () => {
        if (det.open) { S.groupsOpen.add(gid); fillGroup(det, g); } else S.groupsOpen.delete(gid);
      });
      frag.append(det);
    });
    if (!groups.length) frag.append(h("p", {}, S.st.findings.length ? "No finding matches these filters." : "The plan has no findings."));
    box.replaceChildren(frag);
    $("shown").textContent = `${total} of ${S.st.findings.length} shown`;
    $("acceptshown").disabled = $("rejectshown").disabled = !total;
    $("acceptshown").textContent = `Accept all ${total} shown`;
    $("rejectshown").textContent = `Reject all ${total} shown`;
    if (focusedKey) {
      const el = rowEl(focusedKey) || rowEl(S.order[Math.min(S.curPos, S.order.length - 1)]);
      if (el) el.focus({ preventScroll: false });
    }
  }

  function rowEl(k) {
    if (!k) return null;
    return $("groups").querySelector(`.frow[data-k="${CSS.escape(k)}"]`);
  }

  function ensureRow(k) {
    let el = rowEl(k);
    if (el) return el;
    for (const det of $("groups").querySelectorAll("details")) {
      if (det._group && det._group.items.some((f) => f.k === k)) {
        det.open = true;
        fillGroup(det, det._group);
        S.groupsOpen.add(det.dataset.g);
        return rowEl(k);
      }
    }
    return null;
  }

  function select(k, focus) {
    const f = S.byKey.get(k);
    if (!f) return;
    S.cur = k;
    S.curMark = null;
    const pos = S.order.indexOf(k);
    if (pos >= 0) S.curPos = pos;
    for (const el of $("groups").querySelectorAll('.frow[aria-current="true"]')) el.setAttribute("aria-current", "false");
    const el = ensureRow(k);
    if (el) {
      el.setAttribute("aria-current", "true");
      if (focus) el.focus();
      el.scrollIntoView({ block: "nearest" });
    }
    if (S.st.documents[f.d].kind === "pdf" && (f.d !== S.doc || f.page !== S.page)) showPage(f.d, f.page);
    else renderBoxes();
    const b = $("boxes").querySelector(`.box[data-k="${CSS.escape(k)}"]`);
    if (b) b.scrollIntoView({ block: "nearest", inline: "nearest" });
    renderDetail();
  }

  function move(delta) {
    if (!S.order.length) return;
    let pos = S.order.indexOf(S.cur);
    if (pos < 0) pos = delta > 0 ? Math.min(S.curPos, S.order.length) - 1 : Math.min(S.curPos, S.order.length);
    pos = Math.max(0, Math.min(S.order.length - 1, pos + delta));
    select(S.order[pos], true);
  }

  async function decide(keys, status) {
    if (!keys.length) return;
    await change({ op: "decide", keys, status });
  }

  // --- the detail panel ---------------------------------------------------------------
  function dl(pairs) {
    return h("dl", {}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "").flatMap(([k, v]) =>
      [h("dt", {}, k), h("dd", {}, v)]));
  }

  function renderDetail() {
    const body = $("detail-body");
    if (S.curMark) return renderMarkDetail(body);
    const f = S.byKey.get(S.cur);
    if (!f) {
      body.replaceChildren(h("p", {}, "Choose a finding in the list (j and k move) or a box on the page."));
      return;
    }
    const exSel = h("select", { id: "dex" }, S.st.exemptions.map((e) => exOption(e, f.exemption)));
    const note = h("textarea", { id: "dnote", rows: 1 });
    note.value = f.note || "";
    body.replaceChildren(
      dl([["ID", h("code", {}, f.id)], ["Document", `${docName(f.d)}, page ${f.page}`], ["Category", f.category],
        ["Exemption", `${f.exemption}${exInfo(f.exemption).title ? " (" + exInfo(f.exemption).title + ")" : ""}`],
        ["Rule", `${f.rule} (confidence ${f.confidence.toFixed(2)})`],
        ["Decision", `${SYM[f.status]} ${f.status}${f.reviewer ? " by " + f.reviewer : ""}${f.decided_at ? ", " + f.decided_at : ""}`],
        ["Hidden", f.hidden ? `yes: ${f.hidden}` : null],
        ["Unreadable", f.unreadable ? "this page could not be read: review it by eye" : null]]),
      h("p", { class: "context" }, `…${f.before} `, h("mark", {}, f.text), ` ${f.after}…`),
      h("div", { class: "row" },
        h("button", { type: "button", class: "primary", "aria-keyshortcuts": "a", onclick: () => decide([f.k], "accepted") },
          "Accept ", h("kbd", {}, "a")),
        h("button", { type: "button", "aria-keyshortcuts": "r", onclick: () => decide([f.k], "rejected") }, "Reject ", h("kbd", {}, "r")),
        h("button", { type: "button", disabled: f.status === "proposed", onclick: () => decide([f.k], "proposed") }, "Back to proposed")),
      h("div", { class: "row" }, h("label", { for: "dex" }, "Exemption"), exSel,
        h("button", { type: "button", onclick: () => change({ op: "exemption", keys: [f.k], exemption: exSel.value }) },
          "Change and accept")),
      h("div", { class: "row" }, h("label", { for: "dnote" }, "Note"), note,
        h("button", { type: "button", onclick: () => change({ op: "note", keys: [f.k], note: note.value }) }, "Save note")));
  }

  function renderMarkDetail(body) {
    const m = (S.st.manual[S.curMark.d] || []).find((x) => x.i === S.curMark.i);
    if (!m) { S.curMark = null; return renderDetail(); }
    body.replaceChildren(
      dl([["Mark", m.kind === "area" ? "area drawn by hand" : "page withheld in full"],
        ["Document", `${docName(S.curMark.d)}, page ${m.page}`], ["Exemption", m.exemption],
        ["Decision", `✓ by ${m.reviewer || "?"}${m.decided_at ? ", " + m.decided_at : ""}`], ["Note", m.note]]),
      h("div", { class: "row" }, h("button", { type: "button", onclick: async () => {
        const r = await change({ op: "unmark", d: S.curMark.d, i: m.i });
        if (r && r.ok) { S.curMark = null; renderDetail(); renderBoxes(); }
      } }, "Remove this area")));
  }

  // --- drawing areas -------------------------------------------------------------------
  function setDrawing(on, byKeyboard) {
    S.drawing = on;
    $("draw").setAttribute("aria-pressed", on ? "true" : "false");
    $("sheet").classList.toggle("drawing", on);
    $("drawhelp").hidden = !on;
    const sheet = $("sheet");
    if (on) {
      sheet.tabIndex = 0;
      sheet.setAttribute("role", "application");
      sheet.setAttribute("aria-label", "Page: draw an area with the mouse, or with the arrow keys and Enter");
      if (byKeyboard) {
        S.kbdRect = [0.35, 0.45, 0.65, 0.55];
        renderRubber(S.kbdRect);
        sheet.focus();
      }
    } else {
      sheet.removeAttribute("tabindex");
      sheet.removeAttribute("role");
      sheet.removeAttribute("aria-label");
      S.kbdRect = null;
      $("rubber").hidden = true;
    }
  }

  function renderRubber(r) {
    const el = $("rubber");
    el.hidden = false;
    el.style.left = `${100 * Math.min(r[0], r[2])}%`;
    el.style.top = `${100 * Math.min(r[1], r[3])}%`;
    el.style.width = `${100 * Math.abs(r[2] - r[0])}%`;
    el.style.height = `${100 * Math.abs(r[3] - r[1])}%`;
  }

  async function addArea(frac) {
    const [W, H] = S.st.documents[S.doc].pages[S.page - 1];
    const rect = [Math.min(frac[0], frac[2]) * W, Math.min(frac[1], frac[3]) * H,
      Math.max(frac[0], frac[2]) * W, Math.max(frac[1], frac[3]) * H];
    const r = await change({ op: "area", d: S.doc, page: S.page, rect, exemption: $("newex").value });
    setDrawing(false);
    if (r && r.ok) renderBoxes();
  }

  function sheetFrac(ev) {
    const b = $("sheet").getBoundingClientRect();
    return [Math.max(0, Math.min(1, (ev.clientX - b.left) / b.width)), Math.max(0, Math.min(1, (ev.clientY - b.top) / b.height))];
  }

  function wireDrawing() {
    const sheet = $("sheet");
    let start = null;
    sheet.addEventListener("pointerdown", (ev) => {
      if (!S.drawing || ev.button !== 0) return;
      ev.preventDefault();
      start = sheetFrac(ev);
      S.kbdRect = null;
      sheet.setPointerCapture(ev.pointerId);
      renderRubber([...start, ...start]);
    });
    sheet.addEventListener("pointermove", (ev) => {
      if (start) renderRubber([...start, ...sheetFrac(ev)]);
    });
    sheet.addEventListener("pointerup", (ev) => {
      if (!start) return;
      const end = sheetFrac(ev);
      const a = start;
      start = null;
      $("rubber").hidden = true;
      const b = sheet.getBoundingClientRect();
      if (Math.abs(end[0] - a[0]) * b.width < 4 || Math.abs(end[1] - a[1]) * b.height < 4) {
        say("Drag a rectangle over what to redact.");
        return;
      }
      addArea([...a, ...end]);
    });
    sheet.addEventListener("keydown", (ev) => {
      if (!S.drawing) return;
      const r = S.kbdRect || (S.kbdRect = [0.35, 0.45, 0.65, 0.55]);
      const stepBy = 0.01;
      const dx = { ArrowLeft: -stepBy, ArrowRight: stepBy }[ev.key] || 0;
      const dy = { ArrowUp: -stepBy, ArrowDown: stepBy }[ev.key] || 0;
      if (dx || dy) {
        ev.preventDefault();
        if (ev.shiftKey) { r[2] = Math.max(r[0] + 0.01, Math.min(1, r[2] + dx)); r[3] = Math.max(r[1] + 0.01, Math.min(1, r[3] + dy)); }
        else {
          const mx = Math.max(-r[0], Math.min(1 - r[2], dx)), my = Math.max(-r[1], Math.min(1 - r[3], dy));
          r[0] += mx; r[2] += mx; r[1] += my; r[3] += my;
        }
        renderRubber(r);
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        addArea(r.slice());
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        setDrawing(false);
        $("draw").focus();
      }
    });
  }

  // --- search and terms ------------------------------------------------------------------
  async function search(q) {
    $("searchresults").replaceChildren(h("p", {}, "Searching…"));
    const r = await api(`/api/search?q=${encodeURIComponent(q)}`);
    if (!r.ok) {
      $("searchresults").replaceChildren(h("p", {}, (r.body && r.body.message) || "The search failed."));
      return;
    }
    const res = r.body;
    S.search = res;
    S.searchHits = res.matches;
    const docs = new Set(res.matches.map((m) => m.d)).size;
    const out = [h("p", { id: "searchcount" }, res.count ? `${plural(res.count, "match", "matches")} in ${plural(docs, "document")}` +
      (res.shown < res.count ? ` (first ${res.shown} listed)` : "") : `No match for “${res.query}”.`)];
    if (res.count) {
      out.push(h("ul", { class: "results", "aria-labelledby": "searchcount" }, res.matches.map((m) =>
        h("li", {}, h("button", { type: "button", onclick: () => showPage(m.d, m.page, true) },
          `${docName(m.d)} p.${m.page}: …${m.before} `, h("mark", {}, m.text), ` ${m.after}…`)))));
      out.push(h("p", {}, h("button", { type: "button", id: "redactterm", onclick: async () => {
        const rr = await change({ op: "term", text: res.query, exemption: $("newex").value });
        if (rr && rr.ok) say(`“${res.query}” will be redacted everywhere (${plural(res.count, "match", "matches")}) under ${$("newex").value}.`);
      } }, `Redact all ${plural(res.count, "match", "matches")} as a term (${$("newex").value})`)));
    }
    $("searchresults").replaceChildren(...out);
    renderBoxes();
  }

  function renderTerms() {
    const ul = $("terms");
    ul.replaceChildren(...S.st.terms.map((t) => h("li", {},
      h("span", {}, h("mark", {}, t.text), ` ${t.exemption}${t.reviewer ? ", " + t.reviewer : ""}`),
      h("button", { type: "button", "aria-label": `Stop redacting the term ${t.text}`,
        onclick: () => change({ op: "unterm", i: t.i }) }, "Remove"))));
    if (!S.st.terms.length) ul.append(h("li", {}, "None yet: search for a text and redact every match."));
  }

  // --- ready to release, apply -----------------------------------------------------------
  async function openRelease() {
    const sec = $("release");
    sec.hidden = false;
    $("readybtn").setAttribute("aria-expanded", "true");
    await refreshReady();
    $("release-heading").focus();
  }

  function closeRelease() {
    $("release").hidden = true;
    $("readybtn").setAttribute("aria-expanded", "false");
    $("readybtn").focus();
  }

  async function refreshReady() {
    const r = await api("/api/ready");
    if (!r.ok) return;
    const c = r.body;
    const out = [];
    if (c.version !== S.version) conflict("The plan was changed elsewhere since this page loaded: reload it before applying.");
    if (c.ready) out.push(h("p", { class: "ok" }, "✓ Everything is decided: the plan is ready to apply."));
    else out.push(h("p", { class: "bad" }, "✗ Not ready to release yet."));
    if (c.proposed.length) {
      out.push(h("p", {}, `${plural(c.proposed.length, "finding is", "findings are")} still proposed:`));
      out.push(h("ul", {}, c.proposed.slice(0, 50).map((p) => h("li", {}, h("button", { type: "button", onclick: () => {
        closeRelease();
        $("fstatus").value = "";
        renderList();
        select(p.k, true);
      } }, `${docName(p.d)} p.${p.page}: ${p.category} (${p.exemption}), id ${p.id}`)))));
      if (c.proposed.length > 50) out.push(h("p", {}, `…and ${c.proposed.length - 50} more (filter the list by status “Proposed”).`));
    }
    if (c.unreadable.length) {
      out.push(h("p", {}, `${plural(c.unreadable.length, "page", "pages")} could not be read: review ${c.unreadable.length === 1 ? "it" : "them"} by eye:`));
      out.push(h("ul", {}, c.unreadable.map((u) => h("li", {},
        h("button", { type: "button", onclick: () => { closeRelease(); showPage(u.d, u.page); } },
          `${docName(u.d)} page ${u.page} (${u.status === "proposed" ? "not yet reviewed" : "reviewed by eye"})`),
        u.status === "proposed" ? h("button", { type: "button", class: "eyeball",
          "aria-label": `Mark ${docName(u.d)} page ${u.page} as reviewed by eye`,
          onclick: async () => { const r = await change({ op: "eyeball", d: u.d, page: u.page }); if (r && r.ok) openRelease(); } },
          "I have reviewed it by eye") : null))));
    }
    for (const f of c.files) out.push(h("p", { class: "bad" }, f));
    const n = c.counts;
    out.push(h("p", {}, `In the plan: ${plural(n.accepted, "finding")} accepted, ${n.rejected} rejected (they stay readable), ` +
      `${plural(n.areas, "area")} drawn, ${plural(n.withheld, "page")} withheld, ${plural(n.terms, "term")}.`));
    $("ready").replaceChildren(...out);
    $("apply").disabled = !c.ready || c.release.state === "running";
    if (c.release.state !== "idle") renderRelease(c.release);
  }

  async function startApply() {
    $("apply").disabled = true;
    const r = await post("/api/apply", {});
    if (!r.ok) { $("apply").disabled = false; return; }
    renderRelease(r.body);
    poll();
  }

  async function poll() {
    const r = await api("/api/apply");
    if (!r.ok) return;
    renderRelease(r.body);
    if (r.body.state === "running") setTimeout(poll, 300);
    else $("apply").disabled = false;
  }

  function renderRelease(job) {
    $("progress-wrap").hidden = job.state !== "running";
    $("progress").max = Math.max(1, job.total);
    $("progress").value = job.done;
    $("progress-label").textContent = job.state === "running" ?
      `Applying: ${job.done} of ${plural(job.total, "document")} done${job.current ? ", now " + job.current : ""}` : "";
    const out = [];
    if (job.state === "failed") out.push(h("p", { class: "bad", role: "alert" }, `Apply failed, nothing was released for the document it stopped on: ${job.error}`));
    if (job.state === "done") out.push(h("h3", { id: "released", tabindex: "-1" }, `Released ${plural(job.documents.length, "document")} into ${job.out_dir}`));
    for (const doc of job.documents) {
      const v = doc.verified;
      const by = Object.entries(doc.exemptions).map(([e, n]) => `${e} ×${n}`).join(", ") || "nothing redacted";
      out.push(h("div", { class: "doc-result" },
        h("h4", {}, doc.name),
        h("p", { class: v.ok ? "ok" : "bad" }, v.ok ?
          `✓ Verified: ${plural(v.pages, "page")}, ${plural(v.boxes, "box", "boxes")} and ${plural(v.texts, "redacted text")} checked, nothing readable.` :
          `✗ Verification found ${v.problems.length} problem(s): ${v.problems.join("; ")}`),
        h("p", {}, `${plural(doc.redactions, "redaction")} (${by}). `,
          h("a", { href: `/out/${doc.i}.pdf`, target: "_blank", rel: "noopener" }, `Open ${doc.output}`))));
    }
    if (job.state === "done") {
      out.push(h("h4", {}, "Schedule (for release)"));
      out.push(h("ul", {}, (job.schedule.lines.length ? job.schedule.lines : ["Nothing was withheld."]).map((l) => h("li", {}, l))));
      out.push(h("p", {}, h("a", { href: "/out/schedule.html", target: "_blank", rel: "noopener" }, "Schedule (HTML, printable)"),
        " · ", h("a", { href: "/out/schedule.csv", target: "_blank", rel: "noopener" }, "Schedule (CSV)")));
      out.push(h("p", { class: "internal-log" }, "The audit logs are internal and not for release (they hold the redacted text). ",
        "They stay on this machine, apart from the release, in ", h("code", {}, job.log_dir),
        "; the desk does not serve them."));
    }
    const had = $("results").childElementCount;
    $("results").replaceChildren(...out);
    if (job.state === "done" && !had) { const el = $("released"); if (el) el.focus(); }
  }

  // --- undo, reload, polling ----------------------------------------------------------------
  async function undo() {
    const r = await post("/api/undo", {});
    if (r.ok) {
      setState(r.body, true);
      say(r.body.message);
      renderPageMarks();
      renderDetail();
    }
  }

  async function reload() {
    if (await load(true)) {
      $("alert").hidden = true;
      renderPageMarks();
      renderDetail();
      say("Reloaded: this is the plan as saved now.");
    }
  }

  function watch() {
    setInterval(async () => {
      if (S.pending || !$("alert").hidden || document.hidden) return;
      const seq = S.changeSeq;
      const r = await api("/api/version");
      if (!r.ok || S.pending || seq !== S.changeSeq) return;
      if (r.body.version !== S.version) {
        conflict("The plan was changed elsewhere (another tab, another reviewer or `redactor review`). " +
          "Reload to see it before deciding: nothing of yours is lost, everything you decided is saved.");
      }
    }, 4000);
  }

  // --- keys and wiring ------------------------------------------------------------------------
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || $("help").open) return;
    if (S.drawing && ev.target === $("sheet") && ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Enter", "Escape"].includes(ev.key)) return;
    const k = ev.key;
    const act = {
      j: () => move(1), k: () => move(-1),
      a: () => S.cur && decide([S.cur], "accepted"), r: () => S.cur && decide([S.cur], "rejected"),
      n: () => step(1), p: () => step(-1),
      d: () => setDrawing(!S.drawing, true), u: () => undo(),
      l: () => { $("labels").checked = !$("labels").checked; labels(); },
      "/": () => $("q").focus(), "?": () => $("help").showModal(),
    }[k];
    if (act) {
      ev.preventDefault();
      act();
    }
  }

  function wire() {
    document.addEventListener("keydown", onKey);
    $("groups").addEventListener("click", (ev) => {
      const rowBtn = ev.target.closest(".frow");
      if (rowBtn) return select(rowBtn.dataset.k, false);
      const bulk = ev.target.closest("[data-bulk]");
      if (bulk) {
        const det = bulk.closest("details");
        decide(det._group.items.map((f) => f.k), bulk.dataset.bulk);
      }
    });
    $("groups").addEventListener("focusin", (ev) => {  // the row in focus is the one a and r decide
      const rowBtn = ev.target.closest(".frow");
      if (rowBtn && rowBtn.dataset.k !== S.cur) select(rowBtn.dataset.k, false);
    });
    $("boxes").addEventListener("click", (ev) => {
      if (S.drawing) return;
      const b = ev.target.closest(".box");
      if (!b) return;
      if (b.dataset.k) select(b.dataset.k, true);
      else if (b.dataset.area !== undefined) {
        S.cur = null;
        S.curMark = { d: S.doc, i: +b.dataset.area };
        renderBoxes();
        renderDetail();
      }
    });
    $("docs").addEventListener("click", (ev) => {
      const t = ev.target.closest(".thumb");
      if (t) showPage(+t.dataset.d, +t.dataset.p);
    });
    for (const id of ["fstatus", "frule", "fconf", "fpage"]) $(id).addEventListener("change", renderList);
    $("acceptshown").addEventListener("click", () => decide(S.order.slice(), "accepted"));
    $("rejectshown").addEventListener("click", () => decide(S.order.slice(), "rejected"));
    $("labels").addEventListener("change", labels);
    $("prev").addEventListener("click", () => step(-1));
    $("next").addEventListener("click", () => step(1));
    $("zoom").addEventListener("change", () => showPage(S.doc, S.page, true));
    $("draw").addEventListener("click", (ev) => setDrawing(!S.drawing, ev.detail === 0));
    $("withhold").addEventListener("click", () => {
      const m = withheldMark(S.doc, S.page);
      if (m) change({ op: "unmark", d: S.doc, i: m.i });
      else change({ op: "withhold", d: S.doc, page: S.page, exemption: $("newex").value });
    });
    $("newex").addEventListener("change", () => {
      withholdLabel();
      const b = $("redactterm");
      if (b && S.search) b.textContent = `Redact all ${plural(S.search.count, "match", "matches")} as a term (${$("newex").value})`;
    });
    $("undo").addEventListener("click", undo);
    $("reload").addEventListener("click", reload);
    $("readybtn").addEventListener("click", () => ($("release").hidden ? openRelease() : closeRelease()));
    $("closerelease").addEventListener("click", closeRelease);
    $("apply").addEventListener("click", startApply);
    $("helpbtn").addEventListener("click", () => $("help").showModal());
    $("searchform").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = $("q").value.trim();
      if (q) search(q);
    });
    let resize = null;
    window.addEventListener("resize", () => {
      clearTimeout(resize);
      resize = setTimeout(() => S.st && showPage(S.doc, S.page, true), 200);
    });
    wireDrawing();
  }

  // [audit] what audit.js (the Audit view) may call: go to a finding, or to a page
  window.desk = {
    select: (k) => { $("fstatus").value = ""; renderList(); select(k, true); },
    showPage: (d, p) => showPage(d, p),
    has: (k) => S.byKey.has(k),
  };

  async function start() {
    wire();
    if (!(await load(false))) return;
    const first = S.st.documents.findIndex((d) => d.kind === "pdf" && d.pages.length);
    if (first >= 0) showPage(first, 1);
    const open = S.st.findings.filter((f) => f.status === "proposed").length;
    say(`${plural(S.st.findings.length, "finding")} in ${plural(S.st.documents.length, "document")}, ${open} still proposed.`);
    window.deskListedAt = performance.now();
    watch();
  }

  start();
})();
