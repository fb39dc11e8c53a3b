/* Deal, person and organization pages: stage bar, Lost dialog, tabs. Works without it too. */
(function () {
  "use strict";
  // Named gettext so that makemessages -d djangojs finds the strings.
  var gettext = window.gettext || function (s) { return s; };

  // Dialog openers are links to a page with the same form: without JS they simply navigate.
  document.querySelectorAll("[data-open-dialog]").forEach(function (opener) {
    opener.addEventListener("click", function (event) {
      var dialog = document.getElementById(opener.dataset.openDialog);
      if (!dialog || typeof dialog.showModal !== "function") return;
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    });
    // A link that looks like a button answers the space bar like one.
    opener.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); opener.click(); }
    });
  });
  document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
    button.addEventListener("click", function () { button.closest("dialog").close(); });
  });

  // Lost needs a reason: say so in the dialog before asking the server.
  document.querySelectorAll("[data-lost-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var reason = form.elements.lost_reason, text = form.elements.lost_reason_text;
      if ((reason && reason.value) || (text && text.value.trim())) return;
      event.preventDefault();
      form.querySelector("[data-lost-error]").hidden = false;
      (reason || text).focus();
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Stage bar: move without reloading; a conflict or error reloads to show the current deal.
  // A click while a move is on its way waits for it, then goes with the version it returned
  // (sent at once, it would carry the old version and come back as a conflict).
  document.querySelectorAll("[data-stagebar]").forEach(function (bar) {
    var status = bar.querySelector("[data-stagebar-status]");
    var busy = false, waiting = null;
    bar.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { waiting = event.target; return; }
      move(event.target);
    });
    function move(form) {
      var button = form.querySelector("button");
      if (button.getAttribute("aria-current") === "step") return;
      busy = true;
      bar.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (!response.ok) { window.location.reload(); return null; }
        return response.json();
      }).then(function (data) {
        if (!data) return;
        var order = Number(button.dataset.order);
        bar.querySelectorAll("button[data-stage]").forEach(function (b) {
          b.classList.toggle("is-done", Number(b.dataset.order) < order);
          if (b === button) b.setAttribute("aria-current", "step");
          else b.removeAttribute("aria-current");
        });
        document.querySelectorAll("input[name=version]").forEach(function (input) {
          input.value = data.version;
        });
        var current = document.querySelector("[data-current-stage]");
        if (current) current.textContent = button.textContent;
        status.textContent = interpolate(gettext("Moved to %s."), [button.textContent]);
        button.focus();
        var next = waiting;
        waiting = null;
        busy = false;
        bar.removeAttribute("aria-busy");
        if (next) move(next);
      }).catch(function () { window.location.reload(); });
    }
  });

  function interpolate(text, args) {
    if (window.interpolate) return window.interpolate(text, args);
    return text.replace("%s", args[0]);
  }

  // Tabs: one panel at a time, arrow keys move between tabs.
  document.querySelectorAll("[data-tabs]").forEach(function (list) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    function select(tab, focus) {
      tabs.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) tab.focus();
    }
    var selected = tabs.filter(function (tab) {
      return tab.getAttribute("aria-selected") === "true";
    })[0] || tabs[0];
    select(selected, false);
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (event) {
        var next = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!next) return;
        event.preventDefault();
        select(tabs[(i + next + tabs.length) % tabs.length], true);
      });
    });
  });
})();
