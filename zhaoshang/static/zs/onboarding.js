// The ledger import's progress (补录导入): a background check or import is followed by
// polling its JSON every second; the bar and the count follow it, and when it is done the
// page moves to what comes next (the check's problems or the batch's result).
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.finished) { window.location.assign(data.next); return; }
        var percent = Math.max(0, Math.min(100, data.percent || 0));
        bar.style.width = percent + "%";
        bar.textContent = percent + "%";
        box.setAttribute("data-percent", String(percent));
        if (data.total) {
          var label = box.getAttribute(data.phase === "import" ? "data-label-import" : "data-label-check");
          text.textContent = label + " " + data.done + " / " + data.total;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
