// The KPI page's trends (kpis:trends): twelve month ends of KPIs take a few seconds to
// compute, so the page loads them after it is shown. Each `[data-kpi-trends]` element
// fetches its URL (an HTML fragment: the charts with their JSON options and tables) and
// charts.js draws them. No inline script (CSP).
(function () {
  "use strict";
  function load(holder) {
    fetch(holder.dataset.kpiTrends, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html;
        holder.dataset.loaded = "1";
        if (window.zsCharts) { window.zsCharts.drawAll(holder); }
      })
      .catch(function () {
        holder.textContent = holder.dataset.error || "";
        holder.dataset.loaded = "error";
      });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kpi-trends]"), load);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
