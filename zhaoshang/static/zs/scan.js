/* Scan an inspector's QR code with the phone's camera and check it (portal: 扫码入企).
 *
 * The QR code printed on the inspectors' slip holds the public check's address
 * (…/verify/<code>/); the code is read from it, put into the form's field and the form is
 * sent. The browser's own BarcodeDetector reads the camera's picture where it has one;
 * elsewhere the vendored jsQR decoder (loaded only then) does. Without a camera the scan
 * button stays hidden; when the contact refuses the camera it says so; typing the code
 * always works.
 *
 * Markup: <div data-scan data-input="ID of the code field" data-decoder="URL of jsQR.js"
 *   data-denied="…" data-failed="…"> with [data-scan-start], [data-scan-stop], a <video>,
 *   a <canvas> and [data-scan-status] inside. */
(function () {
  "use strict";

  var root = document.querySelector("[data-scan]");
  if (!root) return;
  var input = document.getElementById(root.dataset.input);
  var startButton = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var video = root.querySelector("video");
  var canvas = root.querySelector("canvas");
  var status = root.querySelector("[data-scan-status]");
  var media = navigator.mediaDevices;
  if (!input || !startButton || !media || typeof media.getUserMedia !== "function") return;

  var stream = null;
  var timer = null;
  var detect = null; // (video) -> Promise<string|null>

  function say(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  /* The code in what the QR code holds: the check's address, or the bare code. */
  function codeFrom(text) {
    var found = /\/verify\/([^/?#]+)/.exec(text || "");
    var raw = found ? found[1] : text || "";
    try {
      raw = decodeURIComponent(raw);
    } catch (e) {
      /* keep it as it is */
    }
    return raw.trim().slice(0, 80);
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") < 0) return null;
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (source) {
          return detector.detect(source).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      })
      .catch(function () {
        return null;
      });
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (typeof window.jsQR === "function") return resolve();
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () {
        resolve();
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDetector() {
    return loadScript(root.dataset.decoder).then(function () {
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (source) {
        var width = source.videoWidth;
        var height = source.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(source, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var found = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function detector() {
    if (detect) return Promise.resolve(detect);
    return nativeDetector()
      .then(function (native) {
        return native || jsqrDetector();
      })
      .then(function (found) {
        detect = found;
        return found;
      });
  }

  function stop() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) release(stream);
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function found(text) {
    var code = codeFrom(text);
    if (!code) return false;
    stop();
    input.value = code;
    if (input.form.requestSubmit) input.form.requestSubmit();
    else input.form.submit();
    return true;
  }

  function tick() {
    if (!stream) return;
    detect(video)
      .then(function (text) {
        if (!(text && found(text)) && stream) timer = window.setTimeout(tick, 200);
      })
      .catch(function () {
        if (stream) timer = window.setTimeout(tick, 400);
      });
  }

  function release(camera) {
    camera.getTracks().forEach(function (track) {
      track.stop();
    });
  }

  function start() {
    say("");
    var asking = media.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
    Promise.all([asking, detector()])
      .then(function (results) {
        stream = results[0];
        video.srcObject = stream;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(tick)
      .catch(function (error) {
        // The camera may have been granted while the decoder failed to load: turn it off.
        asking.then(release, function () {});
        stop();
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(denied ? root.dataset.denied : root.dataset.failed);
      });
  }

  /* The button shows only where there is a camera to scan with. */
  function offer() {
    startButton.hidden = false;
  }
  if (typeof media.enumerateDevices === "function") {
    media
      .enumerateDevices()
      .then(function (devices) {
        if (devices.some(function (d) { return d.kind === "videoinput"; })) offer();
      })
      .catch(offer);
  } else {
    offer();
  }
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
  root.zsCodeFrom = codeFrom; // for the browser test
})();
