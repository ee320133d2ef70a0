// Cases' pages: the receipt's print button, and focus after an htmx swap of the officer's
// case panel (the message that says what happened, for keyboard and screen-reader users).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var focus = document.querySelector("#case-panel [data-autofocus]");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) { focus.setAttribute("tabindex", "-1"); }
      focus.focus();
    }
  });
})();
