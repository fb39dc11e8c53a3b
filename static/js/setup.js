/*
 * Settings: drag a stage to reorder the pipeline's stages. On drop the list's new order goes
 * into the reorder form (with the order the page showed, so a stale page is refused with a
 * 409 and a message) and the form is sent. The Up and Down buttons do the same without a
 * mouse: the page works without this script.
 */
(function () {
  "use strict";
  document.querySelectorAll("ol[data-reorder-form]").forEach((list) => {
    const form = document.getElementById(list.dataset.reorderForm);
    let dragged = null;
    list.addEventListener("dragstart", (event) => {
      const row = event.target.closest("li[data-stage-id]");
      if (!row) return;
      dragged = row;
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.stageId);
    });
    list.addEventListener("dragover", (event) => {
      const row = event.target.closest("li[data-stage-id]");
      if (!dragged || !row) return;
      event.preventDefault();
      list.querySelectorAll(".is-over").forEach((r) => r.classList.remove("is-over"));
      if (row !== dragged) row.classList.add("is-over");
    });
    list.addEventListener("dragend", () => {
      if (dragged) dragged.classList.remove("is-dragging");
      list.querySelectorAll(".is-over").forEach((r) => r.classList.remove("is-over"));
      dragged = null;
    });
    list.addEventListener("drop", (event) => {
      const row = event.target.closest("li[data-stage-id]");
      if (!dragged || !row || row === dragged) return;
      event.preventDefault();
      const rows = [...list.querySelectorAll("li[data-stage-id]")];
      const after = rows.indexOf(row) > rows.indexOf(dragged);
      row.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
      const order = [...list.querySelectorAll("li[data-stage-id]")].map((r) => r.dataset.stageId);
      form.querySelector('input[name="order"]').value = order.join(",");
      form.requestSubmit();
    });
  });
})();
