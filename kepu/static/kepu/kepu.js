/* kepu — progressive enhancement only: every page works without this file.
   - [data-copy] buttons (hidden in the HTML) appear and copy their value to the clipboard.
   - On the check-in desk, where the browser can read QR codes from the camera
     (BarcodeDetector), a [data-scan-button] appears: the code read fills the form's text
     field and submits it. A handheld scanner or typing works everywhere without it. */
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

  function cameraScan() {
    var button = document.querySelector("button[data-scan-button]");
    if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    var form = button.form;
    var field = form.querySelector("input[type=text], input:not([type])");
    var video = form.querySelector("video[data-scan-video]");
    if (!field || !video) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
        .then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          return video.play().then(function () {
            function look() {
              detector.detect(video).then(function (codes) {
                if (codes.length) {
                  stream.getTracks().forEach(function (track) { track.stop(); });
                  field.value = codes[0].rawValue.trim();
                  form.submit();
                } else {
                  window.requestAnimationFrame(look);
                }
              }, function () { window.requestAnimationFrame(look); });
            }
            look();
          });
        })
        .catch(function () { button.hidden = true; });
    });
  }

  function start() {
    copyLinks();
    cameraScan();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
