/*
 * The main menu on a phone: a "Menu" button (aria-expanded) shows and hides the navigation and
 * the user's links (templates/base.html). Loaded right after the top bar, not deferred, so that
 * a phone never paints the whole navigation first. Without this script the button stays hidden
 * and the navigation shows, wrapped.
 *
 * The button is a real <button>: Enter and Space toggle it; Escape closes an open menu and puts
 * the focus back on the button. Wider screens hide the button in CSS and show the links.
 */
(function () {
  "use strict";
  const toggle = document.querySelector("[data-menu-toggle]");
  if (!toggle) return;
  const bar = toggle.closest(".topbar");
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    bar.classList.toggle("menu-open", open);
  };
  bar.classList.add("has-menu");
  toggle.hidden = false;
  setOpen(false);
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  bar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
