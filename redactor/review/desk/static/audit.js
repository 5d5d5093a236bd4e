// [audit] The desk's Audit view: the consistency flags of the plan as it is
// now (GET /api/audit). Every text goes into the page with textContent.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "onclick") e.addEventListener("click", v);
      else e.setAttribute(k, v);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
    return e;
  }

  function close() {
    $("audit").hidden = true;
    $("auditbtn").setAttribute("aria-expanded", "false");
    $("auditbtn").focus();
  }

  function go(key, item) {
    close();
    if (window.desk.has(key)) window.desk.select(key);
    else if (item && item.page) window.desk.showPage(item.d, item.page);
  }

  async function open() {
    $("audit").hidden = false;
    $("auditbtn").setAttribute("aria-expanded", "true");
    $("auditbody").replaceChildren(el("p", {}, "Checking…"));
    let body = null;
    try {
      const r = await fetch("/api/audit", { credentials: "same-origin" });
      body = r.ok ? await r.json() : null;
    } catch (e) { body = null; }
    if (!body) {
      $("auditbody").replaceChildren(el("p", { class: "bad" }, "The desk did not answer."));
      return;
    }
    const out = [];
    for (const s of body.supersedes) {
      out.push(el("p", {}, `This plan revises the release of ${s.document}` + (s.created ? ` made on ${s.created.slice(0, 10)}` : "") +
        ` (SHA-256 ${s.output_sha256.slice(0, 16)}…, ${s.items} items): applying it writes a release whose log names that one.`));
    }
    if (!body.flags.length) out.push(el("p", { class: "ok" }, "No flags raised."));
    else out.push(el("p", {}, `${body.flags.length} flag${body.flags.length === 1 ? "" : "s"} raised:`));
    const list = el("ul", { class: "flags" });
    for (const f of body.flags) {
      const items = el("ul", {});
      for (const k of f.items.slice(0, 30)) {
        const item = body.items[k];
        items.append(el("li", {}, el("button", { type: "button", "data-k": k, onclick: () => go(k, item) },
          item ? item.label : k)));
      }
      if (f.items.length > 30) items.append(el("li", {}, `…and ${f.items.length - 30} more`));
      list.append(el("li", { class: "flag", "data-kind": f.kind }, el("h3", {}, f.title), el("p", {}, f.message), items));
    }
    out.push(list);
    $("auditbody").replaceChildren(...out);
    $("audit-heading").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("auditbtn").addEventListener("click", () => ($("audit").hidden ? open() : close()));
    $("closeaudit").addEventListener("click", close);
  });
})();
