/* The catalogue's pages: the print button (hidden until this script runs, since without
   JavaScript the browser's own print command does the same), and return addresses kept in
   step with htmx's history. No inline scripts (CSP). */
(function () {
  "use strict";

  function bindPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.printBound) {
        return;
      }
      button.dataset.printBound = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  // After htmx put new answers into the address bar, forms that come back to this page
  // (the elder-mode toggle, the region chooser) must come back to the new address.
  function keepNextInStep() {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll("form input[name='next']").forEach(function (input) {
      input.value = here;
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", keepNextInStep);
  document.addEventListener("DOMContentLoaded", function () {
    bindPrint(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    bindPrint(event.target);
  });
})();
