/*
 * The leads inbox's bulk bar (form[data-bulkbar], templates/leads/inbox.html) knows whether a
 * row is ticked: `.is-idle` while none is (a phone hides the bar then, see app.css), and
 * [data-bulk-count] says how many are. Ticks come from the rows' boxes (input[form=<the bar>])
 * and from the "Select all" box, which app.js handles first. Without this script the bar shows.
 */
(function () {
  "use strict";
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = window.interpolate || ((text, values) => text.replace("%s", values[0]));

  function initBulkbar(bar) {
    const boxes = () => document.querySelectorAll(`input[type="checkbox"][form="${bar.id}"]`);
    const count = bar.querySelector("[data-bulk-count]");
    const sync = () => {
      const ticked = [...boxes()].filter((box) => box.checked).length;
      bar.classList.toggle("is-idle", ticked === 0);
      // Empty while none is ticked: the bar then looks as it does without this script.
      if (count) {
        count.textContent = ticked
          ? interpolate(ngettext("%s selected", "%s selected", ticked), [ticked])
          : "";
      }
    };
    // After app.js's own handler of the "Select all" box (it listens on the box itself).
    document.addEventListener("change", (event) => {
      if (event.target.matches('input[type="checkbox"]')) sync();
    });
    // Back/forward restores ticked boxes from the cache.
    window.addEventListener("pageshow", sync);
    sync();
  }

  const init = () => document.querySelectorAll("form[data-bulkbar]").forEach(initBulkbar);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
