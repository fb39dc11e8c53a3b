/*
 * The pipeline board: drag a card to a column (or to Won / Lost / Move to pipeline), or use
 * a card's "Move" button from the keyboard; load more cards per column as it scrolls; poll
 * the server every few seconds so other users' changes appear without a reload.
 *
 * Every move posts the version the board loaded. A refused move (409: someone else changed
 * the deal) puts the card back where the server says it is and says so in the status line.
 */
(function () {
  "use strict";
  const root = document.querySelector("[data-board]");
  if (!root) return;

  const POLL_MS = 4000;
  const statusLine = document.querySelector("[data-board-status]");
  const zones = document.querySelector("[data-dropzones]");
  const moveDialog = document.getElementById("board-move-dialog");
  const lostDialog = document.getElementById("board-lost-dialog");
  const pipelineDialog = document.getElementById("board-pipeline-dialog");
  const filterQuery = root.dataset.filterQuery || "";
  let since = root.dataset.since;
  let dragged = null;
  let pending = null; // the card a dialog is about

  const say = (message, kind) => {
    statusLine.textContent = message;
    statusLine.dataset.kind = kind || "info";
  };
  const cardOf = (id) => root.querySelector(`.board-card[data-deal-id="${id}"]`);
  const columnOf = (stageId) => root.querySelector(`.board-cards[data-drop-stage="${stageId}"]`);
  const fromHtml = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();  // rendered and escaped by the server
    return template.content.firstElementChild;
  };

  function applyTotals(totals) {
    if (!totals) return;
    for (const [stageId, data] of Object.entries(totals)) {
      const box = root.querySelector(`.board-column[data-stage-id="${stageId}"] [data-totals]`);
      if (box) box.innerHTML = data.html;
    }
  }

  /* Put a deal where the server says it is: its card in its column, or off the board. */
  function place(state) {
    const existing = cardOf(state.id);
    if (existing && Number(existing.dataset.version) > state.version) return;
    if (!state.on_board) {
      if (existing) existing.remove();
      return;
    }
    const column = columnOf(state.stage_id);
    if (!column) { if (existing) existing.remove(); return; }
    const card = fromHtml(state.html);
    if (existing && existing.parentElement === column) existing.replaceWith(card);
    else {
      if (existing) existing.remove();
      column.prepend(card);
    }
  }

  // Totals come with every answer; an answer to an older request (a poll sent before a move
  // was answered) must not put back older totals.
  let requestsSent = 0;
  let totalsFrom = 0;
  function applyTotalsOf(request, totals) {
    if (request < totalsFrom) return;
    totalsFrom = request;
    applyTotals(totals);
  }

  async function post(card, fields) {
    const request = ++requestsSent;
    const body = new URLSearchParams(filterQuery);
    body.set("version", card.dataset.version);
    body.set("board", root.dataset.pipelineId);
    for (const [key, value] of Object.entries(fields)) body.set(key, value);
    const url = root.dataset.moveUrl.replace("/0/", `/${card.dataset.dealId}/`);
    let response;
    try {
      response = await crm.fetch(url, { method: "POST", body });
    } catch (error) {
      say(gettext("The server could not be reached; the deal was not moved."), "error");
      return null;
    }
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    if (!data) {
      say(gettext("The move failed; reload the page."), "error");
      return null;
    }
    if (data.deal) place(data.deal);
    applyTotalsOf(request, data.totals);
    say(data.message, data.ok ? "success" : (response.status === 409 ? "warning" : "error"));
    return data;
  }

  function moveToStage(card, stageId) {
    if (String(card.dataset.stageId) === String(stageId)) return;
    const column = columnOf(stageId);
    if (column) column.prepend(card); // optimistic; the answer puts it where it really is
    post(card, { action: "stage", stage: stageId });
  }

  function openDialog(dialog, card, titleSelector) {
    pending = card;
    const title = dialog.querySelector(titleSelector);
    if (title) title.textContent = card.dataset.title;
    dialog.showModal();
  }

  function act(card, action) {
    if (action === "won") post(card, { action: "won" });
    else if (action === "lost") openDialog(lostDialog, card, "[data-lost-deal-title]");
    else if (action === "pipeline" && pipelineDialog) {
      openDialog(pipelineDialog, card, "[data-pipeline-deal-title]");
    }
  }

  /* Drag and drop */
  root.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".board-card");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    zones.hidden = false;
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    zones.hidden = true;
    document.querySelectorAll(".is-drop-target").forEach((n) => n.classList.remove("is-drop-target"));
  });
  const dropTarget = (event) => event.target.closest &&
    (event.target.closest("[data-drop-action]") || event.target.closest(".board-column"));
  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".is-drop-target").forEach((n) => n !== target && n.classList.remove("is-drop-target"));
    target.classList.add("is-drop-target");
  });
  document.addEventListener("drop", (event) => {
    if (!dragged) return;
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    const card = dragged;
    if (target.dataset.dropAction) act(card, target.dataset.dropAction);
    else moveToStage(card, target.dataset.stageId);
  });

  /* The keyboard way: a card's "Move" button opens a dialog with every target. */
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move-deal]");
    if (button) {
      const card = button.closest(".board-card");
      const select = moveDialog.querySelector("select[name=target]");
      const option = select.querySelector(`option[value="stage:${card.dataset.stageId}"]`);
      if (option) select.value = option.value;
      openDialog(moveDialog, card, "[data-move-deal-title]");
      select.focus();
      return;
    }
    const more = event.target.closest("[data-load-more]");
    if (more) loadMore(more);
  });
  root.addEventListener("keydown", (event) => {
    const card = event.target.classList && event.target.classList.contains("board-card")
      ? event.target : null;
    if (card && (event.key === "m" || event.key === "M")) {
      event.preventDefault();
      card.querySelector("[data-move-deal]").click();
    }
  });

  moveDialog.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const card = pending;
    const target = new FormData(event.target).get("target") || "";
    moveDialog.close();
    if (!card) return;
    const [kind, id] = target.split(":");
    if (kind === "stage") moveToStage(card, id);
    else if (kind === "pipeline") post(card, { action: "pipeline", pipeline: id });
    else act(card, kind);
    if (kind !== "lost") card.focus();
  });

  lostDialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const reason = form.elements.lost_reason.value;
    const text = form.elements.lost_reason_text.value.trim();
    const error = form.querySelector("[data-lost-error]");
    if (!reason && !text) {
      error.textContent = gettext("Say why the deal was lost: choose a reason or describe it.");
      error.hidden = false;
      return;
    }
    error.hidden = true;
    lostDialog.close();
    if (pending) await post(pending, { action: "lost", lost_reason: reason, lost_reason_text: text });
    form.reset();
  });

  if (pipelineDialog) {
    pipelineDialog.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const pipeline = new FormData(event.target).get("pipeline");
      pipelineDialog.close();
      if (pending) post(pending, { action: "pipeline", pipeline });
    });
  }

  /* Load more, also as the end of a column scrolls into view */
  async function loadMore(button) {
    if (button.dataset.loading || !button.dataset.next) return;
    button.dataset.loading = "1";
    const column = button.closest(".board-column");
    const base = root.dataset.cardsUrl.replace(/\/0\/cards\/$/, `/${column.dataset.stageId}/cards/`);
    const params = new URLSearchParams(filterQuery);
    params.set("after", button.dataset.next);
    try {
      const response = await crm.fetch(`${base}?${params}`);
      const data = await response.json();
      const list = column.querySelector(".board-cards");
      const template = document.createElement("template");
      template.innerHTML = data.html;
      for (const card of [...template.content.children]) {
        if (!cardOf(card.dataset.dealId)) list.append(card);
      }
      button.dataset.next = data.next || "";
      button.hidden = !data.next;
    } finally {
      delete button.dataset.loading;
    }
  }
  if ("IntersectionObserver" in window) {
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) loadMore(entry.target);
    });
    root.querySelectorAll("[data-load-more]").forEach((b) => observer.observe(b));
  }

  /* Other users' changes */
  async function poll() {
    if (dragged || document.hidden) return;
    const params = new URLSearchParams(filterQuery);
    params.set("since", since);
    const request = ++requestsSent;
    try {
      const response = await crm.fetch(`${root.dataset.changesUrl}?${params}`);
      if (!response.ok) return;
      const data = await response.json();
      since = data.now;
      for (const state of data.changes) {
        const existing = cardOf(state.id);
        if (existing && Number(existing.dataset.version) >= state.version) continue;
        if (!existing && !state.on_board) continue;
        place(state);
      }
      applyTotalsOf(request, data.totals);
    } catch (error) {
      /* offline for a moment: the next poll catches up */
    }
  }
  setInterval(poll, POLL_MS);
})();
