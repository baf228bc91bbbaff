/* Results upload with a progress bar. Progressive enhancement only: without this file the form
   posts normally and the page reloads with the result or the error.
   The form sends the same POST with XMLHttpRequest (Accept: application/json); the server
   answers {ok, redirect} or {ok: false, errors: [...]} in the page's language. */
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData) return;

  function setup(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var percent = form.querySelector("[data-upload-percent]");
    var errorBox = form.querySelector("[data-upload-error]");
    var button = form.querySelector("button[type=submit]");
    if (!box || !bar || !errorBox) return;

    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = false;
      box.hidden = true;
      if (button) button.disabled = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var value = Math.round((e.loaded / e.total) * 100);
        bar.value = value;
        if (percent) percent.textContent = value + "%";
      });
      xhr.addEventListener("load", function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        if (data && data.ok && data.redirect) {
          window.location.assign(data.redirect);
        } else if (data && data.errors && data.errors.length) {
          showError(data.errors.join(" "));
        } else {
          showError(form.getAttribute("data-failed"));
        }
      });
      xhr.addEventListener("error", function () { showError(form.getAttribute("data-failed")); });
      errorBox.hidden = true;
      bar.value = 0;
      if (percent) percent.textContent = "0%";
      box.hidden = false;
      if (button) button.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload-form]").forEach(setup);
})();
