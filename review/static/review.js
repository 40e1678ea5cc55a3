// Keyboard shortcuts and in-place corrections for the review app. No libraries; the forms
// work without this file (each is a plain POST that redirects back).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const LABEL_KEYS = { "1": "support", "2": "refusal", "3": "mediation", "4": "opposition", "5": "neutral" };
  const flash = document.getElementById("flash");
  const help = document.getElementById("shortcuts");
  let flashTimer = null;

  function say(message, bad) {
    flash.textContent = message;
    flash.className = "show" + (bad ? " bad" : "");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { flash.className = ""; }, bad ? 6000 : 2500);
  }

  function rows() { return Array.from(document.querySelectorAll("tr.statement")); }
  function current() { return document.querySelector("tr.statement.current"); }

  function select(row, scroll) {
    if (!row) return;
    rows().forEach(function (r) { r.classList.remove("current"); });
    row.classList.add("current");
    row.focus({ preventScroll: true });
    if (scroll !== false) row.scrollIntoView({ block: "nearest" });
    document.querySelectorAll("mark.ev.current").forEach(function (m) { m.classList.remove("current"); });
    document.querySelectorAll("mark.ev").forEach(function (m) {
      if (m.dataset.sids.split(" ").indexOf(row.dataset.id) >= 0) m.classList.add("current");
    });
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(current());
    select(all[Math.min(all.length - 1, Math.max(0, at + step))] || all[0]);
  }

  // A highlight's colour follows the stance of the statements it covers (rejected ones aside;
  // "mixed" when they differ) and its underline the review status of the first of them.
  function repaint(mark) {
    const covering = mark.dataset.sids.split(" ")
      .map(function (id) { return document.getElementById("s-" + id); })
      .filter(Boolean);
    if (!covering.length) return;
    const statusOf = function (r) { return (r.className.match(/status-(\w+)/) || [])[1] || "unreviewed"; };
    const live = covering.filter(function (r) { return statusOf(r) !== "rejected"; });
    const pool = live.length ? live : covering;
    const stances = pool.map(function (r) { return r.dataset.stance; })
      .filter(function (s, i, all) { return all.indexOf(s) === i; });
    const stance = stances.length === 1 ? stances[0] : "mixed";
    const status = live.length ? statusOf(live[0]) : "rejected";
    mark.className = mark.className.replace(/status-\w+/, "status-" + status).replace(/hl-\w+/, "hl-" + stance);
  }

  async function submit(form) {
    const row = form.closest("tr.statement");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf, "Accept": "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      say("Could not reach the review app: " + error, true);
      return;
    }
    let answer = null;
    try { answer = await response.json(); } catch (error) { answer = null; }
    if (!response.ok || !answer || !answer.ok) {
      say((answer && answer.error) || ("Failed: HTTP " + response.status), true);
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = answer.row.trim();  // rendered and escaped by the server
    const fresh = template.content.firstElementChild;
    row.replaceWith(fresh);
    document.querySelectorAll("mark.ev").forEach(function (m) {
      if (m.dataset.sids.split(" ").indexOf(fresh.dataset.id) >= 0) repaint(m);
    });
    select(fresh, false);
    say(answer.message, false);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.classList.contains("act")) return;
    event.preventDefault();
    submit(form);
  });

  function act(row, action, label) {
    const form = row && row.querySelector('form[data-action="' + action + '"]');
    if (!form) return;
    if (label) form.querySelector("select[name=label]").value = label;
    const button = form.querySelector("button");
    if (button && button.disabled) { say("Nothing to undo", true); return; }
    submit(form);
  }

  function openFix(row, selector) {
    if (!row) return;
    const details = row.querySelector("details.fix");
    details.open = true;
    const input = row.querySelector(selector);
    input.focus();
    input.select();
  }

  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "Escape") {
      if (!help.hidden) { help.hidden = true; return; }
      if (tag === "input" || tag === "select" || tag === "textarea") {
        const row = event.target.closest("tr.statement");
        event.target.blur();
        if (row) select(row, false);
      }
      return;
    }
    if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) return;
    const row = current();
    let handled = true;
    switch (event.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "a": act(row, "accept"); break;
      case "x": act(row, "reject"); break;
      case "u": act(row, "undo"); break;
      case "h": openFix(row, ".holder-input"); break;
      case "t": openFix(row, ".target-input"); break;
      case "o":
        if (row) { const link = row.querySelector("a.open"); if (link) window.location.href = link.href; }
        else handled = false;
        break;
      case "/": { const search = document.getElementById("search"); if (search) search.focus(); else handled = false; break; }
      case "?": help.hidden = !help.hidden; break;
      default:
        if (LABEL_KEYS[event.key]) act(row, "relabel", LABEL_KEYS[event.key]);
        else handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    const mark = event.target.closest("mark.ev");
    if (mark) {
      const row = document.getElementById("s-" + mark.dataset.sids.split(" ")[0]);
      if (row) select(row);
      return;
    }
    if (event.target.closest(".help-toggle")) { help.hidden = !help.hidden; return; }
    const row = event.target.closest("tr.statement");
    if (row && !row.classList.contains("current")) select(row, false);
  });

  // Arriving from a redirect (#s-...) or an evidence link (#ev-...): select that statement.
  const hash = window.location.hash;
  if (hash.indexOf("#s-") === 0 || hash.indexOf("#ev-") === 0) {
    const id = hash.slice(hash.indexOf("-") + 1);
    if (/^[0-9a-f]{16}$/.test(id)) select(document.getElementById("s-" + id), hash.indexOf("#s-") === 0);
  }
})();
