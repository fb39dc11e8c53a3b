// The progress bar of an import the worker previews, applies or reverts: polls until done.
// The page is reloaded when the job ends, and when it turns stale (no sign of a worker for a
// while), so that the server renders the "Run again" and "Cancel" choices.
(function () {
  "use strict";
  const box = document.getElementById("import-progress-box");
  if (!box || box.hidden) return;
  const bar = document.getElementById("import-progress");
  const label = document.getElementById("import-progress-text");
  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const data = await response.json();
      bar.value = data.progress;
      label.textContent = data.progress + "%";
      const stale = String(Boolean(data.stale));
      const waiting = String(Boolean(data.waiting));
      if (!data.busy || stale !== box.dataset.stale || waiting !== box.dataset.waiting) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A failed poll is retried.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
