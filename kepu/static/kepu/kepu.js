/* kepu — progressive enhancement only: every page works without this file.
   - [data-copy] buttons (hidden in the HTML) appear and copy their value to the clipboard. */
(function () {
  "use strict";
  if (!("querySelectorAll" in document)) return;

  function copyLinks() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          button.textContent = "✓ " + label;
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", copyLinks);
  } else {
    copyLinks();
  }
})();
