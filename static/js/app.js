/*
 * Small progressive helpers; every page works without them.
 *
 * - crm.fetch(url, options): fetch with the CSRF token and same-origin credentials.
 * - Dialogs: [data-open-dialog="id"] opens <dialog id>, [data-close-dialog] closes its dialog,
 *   dialog[data-open-on-load] opens as the page loads (a server round trip that must show it).
 * - Global search as you type: form[data-search] (search/_box.html).
 * - Suggestions while typing: .suggest[data-suggest-url] (see templates/contacts/_contact_picker.html).
 * - Select follows select: select[data-follows="id"] keeps options whose data-parent matches.
 * - Check-all boxes: input[data-check-all="name"].
 * - Keyboard: "/" focuses the search, "n" follows a[data-shortcut="n"], Escape closes lists.
 * - A dialog with data-close-url puts that URL in the address bar when it closes, so a reload
 *   does not open it again (the convert dialog lives at /leads/<id>/convert/).
 * - Every form disables its submit buttons once sent: a double click sends it once.
 */
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const csrf = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  window.crm = {
    fetch(url, options = {}) {
      const headers = new Headers(options.headers || {});
      if (!headers.has("X-CSRFToken")) headers.set("X-CSRFToken", csrf());
      if (!headers.has("Accept")) headers.set("Accept", "application/json");
      return fetch(url, { credentials: "same-origin", ...options, headers });
    },
  };

  const debounce = (fn, ms) => {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  /* A list of options under an input, driven by the arrow keys. */
  function listNavigation(input, list, onChoose) {
    input.addEventListener("keydown", (event) => {
      const options = [...list.querySelectorAll('[role="option"]')];
      if (list.hidden || !options.length) return;
      let index = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        index = event.key === "ArrowDown" ? (index + 1) % options.length
          : (index - 1 + options.length) % options.length;
        options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
        options[index].scrollIntoView({ block: "nearest" });
        input.setAttribute("aria-activedescendant", options[index].id || "");
      } else if (event.key === "Enter" && index >= 0) {
        event.preventDefault();
        onChoose(options[index]);
      } else if (event.key === "Escape") {
        list.hidden = true;
        input.setAttribute("aria-expanded", "false");
      }
    });
  }

  /* Global search */
  function initSearch(form) {
    const input = form.querySelector('input[name="q"]');
    const box = form.querySelector(".search-results");
    if (!input || !box) return;
    const show = (open) => { box.hidden = !open; input.setAttribute("aria-expanded", String(open)); };
    const run = debounce(async () => {
      const q = input.value.trim();
      if (q.length < 2) { show(false); return; }
      const url = `${form.action}?q=${encodeURIComponent(q)}&partial=1`;
      const response = await crm.fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok || input.value.trim() !== q) return;
      box.innerHTML = await response.text();  // server-rendered and escaped
      box.querySelectorAll('[role="option"]').forEach((o, i) => { o.id = `search-opt-${i}`; });
      show(true);
    }, 200);
    input.addEventListener("input", run);
    input.addEventListener("focus", () => { if (box.innerHTML.trim()) show(true); });
    listNavigation(input, box, (option) => { window.location.href = option.href; });
    document.addEventListener("click", (event) => { if (!form.contains(event.target)) show(false); });
    // Text typed while the page was still loading (before this ran) gets its results too.
    if (document.activeElement === input && input.value.trim()) run();
  }

  /* Suggestions of existing records while typing, with the duplicate check's reasons */
  function initSuggest(root) {
    const input = root.querySelector("[data-suggest-input]");
    const hidden = root.querySelector("[data-suggest-id]");
    const list = root.querySelector(".suggestions");
    const chosen = root.querySelector(".chosen");
    const newFields = root.querySelector("[data-new-fields]");
    const createNew = root.querySelector("[data-suggest-new]");
    const createLabel = root.dataset.createLabel || gettext("Create new: %s");
    if (!input || !hidden || !list) return;
    const extra = (root.dataset.suggestExtra || "").split(",").filter(Boolean);
    const show = (open) => { list.hidden = !open; input.setAttribute("aria-expanded", String(open)); };
    // On a slow server an older answer can arrive after a newer one, or after a choice: only the
    // last question asked counts.
    let asked = 0;

    const choose = (option) => {
      asked += 1;
      if (option.dataset.id) {
        hidden.value = option.dataset.id;
        input.value = option.dataset.name;
        if (chosen) {
          chosen.querySelector("[data-chosen-name]").textContent = option.dataset.name;
          chosen.hidden = false;
        }
        if (newFields) newFields.hidden = true;
        if (createNew) createNew.checked = false;
        input.hidden = true;
      } else {
        // The explicit choice to create a new record: the server creates none without it.
        hidden.value = "";
        if (createNew) createNew.checked = true;
        if (newFields) newFields.hidden = false;
      }
      show(false);
    };
    const clear = () => {
      hidden.value = "";
      input.hidden = false;
      if (chosen) chosen.hidden = true;
      if (newFields) newFields.hidden = false;
      input.focus();
    };
    if (chosen) chosen.querySelector("[data-suggest-clear]").addEventListener("click", clear);

    const run = debounce(async () => {
      const ticket = ++asked;
      const q = input.value.trim();
      if (q.length < 2) { show(false); return; }
      const params = new URLSearchParams({ kind: root.dataset.suggestKind, q });
      for (const id of extra) {
        const field = document.getElementById(id);
        if (field && field.value.trim()) params.append(field.name, field.value.trim());
      }
      const response = await crm.fetch(`${root.dataset.suggestUrl}?${params}`);
      if (!response.ok || ticket !== asked) return;
      const data = await response.json();
      if (ticket !== asked) return;
      list.replaceChildren();
      data.results.forEach((item, i) => {
        const reasons = item.reasons.length
          ? el("span", { class: "muted" }, ` · ${item.reasons.join(", ")}`) : null;
        const score = item.score ? el("span", { class: "badge" }, `${item.score}%`) : null;
        const option = el("li", { role: "option", id: `${hidden.id}-opt-${i}`, "aria-selected": "false" },
          el("strong", {}, item.name), item.detail ? el("span", { class: "muted" }, ` · ${item.detail}`) : null,
          " ", score, reasons);
        option.dataset.id = item.id;
        option.dataset.name = item.name;
        list.append(option);
      });
      const create = el("li", { role: "option", class: "new-option", "aria-selected": "false" },
          interpolate(createLabel, [q]));
      list.append(create);
      show(true);
    }, 200);
    input.addEventListener("input", () => {
      hidden.value = "";
      if (createNew) createNew.checked = false;
      run();
    });
    extra.forEach((id) => { const f = document.getElementById(id); if (f) f.addEventListener("change", run); });
    list.addEventListener("click", (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) choose(option);
    });
    listNavigation(input, list, choose);
    document.addEventListener("click", (event) => { if (!root.contains(event.target)) show(false); });
    // Text typed while the page was still loading (before this ran) gets its suggestions too.
    if (document.activeElement === input && input.value.trim()) run();
  }

  function enableSent(root) {
    if (root.dataset) delete root.dataset.sent;
    root.querySelectorAll("[data-sent]").forEach((node) => {
      if (node.tagName !== "FORM") node.disabled = false;
      delete node.dataset.sent;
    });
  }

  function interpolate(text, values) {
    if (window.interpolate) return window.interpolate(text, values);
    return values.reduce((s, v) => s.replace("%s", v), text);
  }

  /* A select whose options follow another select (Stage follows Pipeline) */
  function initFollows(select) {
    const parent = document.getElementById(select.dataset.follows);
    if (!parent) return;
    const sync = (keepValue) => {
      let firstVisible = null;
      for (const option of select.options) {
        const visible = !option.dataset.parent || option.dataset.parent === parent.value;
        option.hidden = !visible;
        option.disabled = !visible;
        if (visible && !firstVisible && option.value) firstVisible = option;
      }
      const current = select.selectedOptions[0];
      if (!keepValue || !current || current.disabled) {
        if (firstVisible) select.value = firstVisible.value;
      }
    };
    parent.addEventListener("change", () => sync(false));
    sync(true);
  }

  function init() {
    document.querySelectorAll("form[data-search]").forEach(initSearch);
    document.querySelectorAll(".suggest[data-suggest-url]").forEach(initSuggest);
    document.querySelectorAll("select[data-follows]").forEach(initFollows);

    document.addEventListener("click", (event) => {
      const opener = event.target.closest("[data-open-dialog]");
      if (opener) {
        const dialog = document.getElementById(opener.dataset.openDialog);
        if (dialog) {
          event.preventDefault();
          dialog.showModal();
          const first = dialog.querySelector("input:not([type=hidden]), select, textarea");
          if (first) first.focus();
        }
      }
      const closer = event.target.closest("[data-close-dialog]");
      if (closer) {
        event.preventDefault();
        closer.closest("dialog").close();
      }
    });
    document.querySelectorAll("dialog[data-open-on-load]").forEach((d) => {
      if (d.open) d.close();
      d.showModal();
      // Opened by a page load, it has no opener to give focus back to: the link to it gets it.
      d.addEventListener("close", () => {
        const opener = document.querySelector(`[data-opens="${d.id}"]`);
        if (opener) opener.focus();
      });
    });
    document.querySelectorAll("dialog[data-close-url]").forEach((d) => {
      // Escape, Cancel or ✕: the address bar goes back to the page under the dialog.
      d.addEventListener("close", () => { window.history.replaceState(null, "", d.dataset.closeUrl); });
    });

    document.addEventListener("submit", (event) => {
      const form = event.target;
      // Form handlers ran before this one: a form they stopped (a confirm, a fetch) stays usable.
      if (event.defaultPrevented) return;
      if ("sent" in form.dataset) {
        // The second click of a double click comes before the buttons are disabled.
        event.preventDefault();
        return;
      }
      form.dataset.sent = "";
      // Disabled only after this event: a disabled submitter would drop its name=value.
      setTimeout(() => {
        for (const b of form.elements) {
          if (b.type !== "submit" || b.disabled) continue;
          b.disabled = true;
          b.dataset.sent = "";
        }
      }, 0);
      // A download or a slow answer leaves the page in place: allow a retry after a while.
      setTimeout(() => enableSent(form), 10000);
    });
    // Back/forward restores a page from the cache with its buttons disabled.
    window.addEventListener("pageshow", (event) => { if (event.persisted) enableSent(document); });

    document.querySelectorAll("input[data-check-all]").forEach((box) => {
      box.addEventListener("change", () => {
        document.querySelectorAll(`input[name="${box.dataset.checkAll}"]`).forEach((c) => {
          c.checked = box.checked;
        });
      });
    });

    document.addEventListener("keydown", (event) => {
      const target = event.target;
      const typing = target.closest("input, textarea, select, [contenteditable]");
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "/") {
        const search = document.getElementById("global-search");
        if (search) { event.preventDefault(); search.focus(); }
      } else {
        const link = document.querySelector(`a[data-shortcut="${CSS.escape(event.key)}"]`);
        if (link) { event.preventDefault(); link.click(); }
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
