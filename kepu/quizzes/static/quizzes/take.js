/* kepu quizzes — progressive enhancement of the taking page; the page works without it.
   - Every change of an answer is saved at once (the same form fields, posted to the autosave
     address), so a dropped connection loses nothing.
   - The time left counts down from the server's figure; at zero the page is reloaded and the
     server scores the attempt as it stood (in a paced quiz, shows the next question). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var note = document.querySelector("[data-saved-note]");

  function save() {
    var data = new FormData(form);
    data.delete("go");
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (note) note.hidden = !response.ok;
      if (response.status === 409) window.location.reload();
    }).catch(function () {
      if (note) note.hidden = true;
    });
  }
  form.addEventListener("change", save);

  var timer = document.querySelector("[data-quiz-timer]");
  var text = document.querySelector("[data-timer-text]");
  if (!timer || !text) return;
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  if (isNaN(left)) return;
  var end = Date.now() + left * 1000;
  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    text.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
    if (seconds <= 0) {
      window.setTimeout(function () { window.location.reload(); }, 1500);
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
