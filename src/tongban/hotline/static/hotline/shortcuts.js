/* The hotline's on-screen shortcuts: Alt+<key> focuses the field, or activates the button or
   link, marked data-shortcut="<key>" (the first visible one). Read from the physical key, so it
   works the same in every browser and keyboard layout; fields swapped in by htmx are found too. */
document.addEventListener("keydown", function (event) {
  if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
  var code = event.code || "";
  var key = code.indexOf("Key") === 0 ? code.slice(3).toLowerCase()
    : code.indexOf("Digit") === 0 ? code.slice(5) : (event.key || "").toLowerCase();
  var target = null;
  document.querySelectorAll('[data-shortcut="' + key + '"]').forEach(function (element) {
    if (!target && element.offsetParent !== null && !element.disabled) { target = element; }
  });
  if (!target) { return; }
  event.preventDefault();
  if (target.matches("button, a, input[type=submit]")) { target.click(); } else { target.focus(); }
});
