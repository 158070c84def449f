// Charts that steer (SPEC §12, 挂图作战): every element `.zs-chart[data-source]` is drawn by
// ECharts from the option the server wrote into the page as JSON (`json_script`, so no
// inline script under the CSP). The server builds the whole option (core/charts.py); this
// script only adds what every chart shares:
//   - a "save as PNG" button (the toolbox), titled from data-png-title, named data-png-name;
//   - drill-down: a data item (or a series) carrying `url` opens that page on click;
//   - a resize with the window (a legend with `left` and `right` kept to that width), and
//     the dark theme when data-theme="dark";
//   - data-rendered="1" once drawn, data-finished="1" once its animation ended (browser
//     tests wait for both, so a screenshot is not taken mid-animation);
//   - no animation for a reader who asked the system for less motion (prefers-reduced-motion:
//     the bars and lines stand still at once, as Bootstrap's transitions do).
// window.zsCharts.draw(element, option) redraws an element with a new option (the big
// screen's auto-refresh).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function withToolbox(option, holder) {
    if (holder.dataset.png === "off") { return option; }
    var toolbox = option.toolbox || {};
    toolbox.show = true;
    toolbox.right = toolbox.right === undefined ? 8 : toolbox.right;
    toolbox.top = toolbox.top === undefined ? 0 : toolbox.top;
    toolbox.feature = toolbox.feature || {};
    toolbox.feature.saveAsImage = {
      type: "png",
      pixelRatio: 2,
      title: holder.dataset.pngTitle || "PNG",
      name: holder.dataset.pngName || "chart",
      backgroundColor: holder.dataset.theme === "dark" ? "#0b1a33" : "#ffffff"
    };
    option.toolbox = toolbox;
    return option;
  }

  // A legend's `right` is the room kept for the toolbox, but ECharts keeps only one of
  // `left` and `right` for a legend (the other is dropped), so a long legend ran under the
  // PNG button on a phone. Such a legend gets a width in pixels instead, again on resize.
  function legends(option) {
    if (!option.legend) { return []; }
    return Array.isArray(option.legend) ? option.legend : [option.legend];
  }

  var lessMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  // A phone's finger needs more room between the legend's pager and the PNG button.
  var NARROW = 576, PHONE_ROOM = 52;

  function legendRooms(option, holder) {
    var narrow = holder.clientWidth < NARROW;
    return legends(option).map(function (legend) {
      if (typeof legend.left !== "number" || typeof legend.right !== "number" || legend.width !== undefined) {
        return null;
      }
      var room = legend.left + (narrow ? Math.max(legend.right, PHONE_ROOM) : legend.right);
      delete legend.right;
      return room;
    });
  }

  // Every month labelled (`interval: 0`) crowds a phone: there ECharts picks which to show.
  function narrowAxes(option, holder) {
    if (holder.clientWidth >= NARROW) { return; }
    [].concat(option.xAxis || []).forEach(function (axis) {
      if (axis && axis.type === "category" && axis.axisLabel && axis.axisLabel.interval === 0 &&
          (axis.data || []).length > 6) {
        axis.axisLabel.interval = "auto";
      }
    });
  }

  function legendWidths(holder) {
    return (holder.zsLegendRooms || []).map(function (room) {
      return room === null ? {} : { width: Math.max(80, holder.clientWidth - room) };
    });
  }

  function draw(holder, option) {
    var chart = echarts.getInstanceByDom(holder);
    if (!chart) {
      chart = echarts.init(holder, holder.dataset.theme === "dark" ? "dark" : null, { renderer: "canvas" });
      chart.on("click", function (params) {
        var url = (params.data && params.data.url) || (holder.zsSeriesUrls || [])[params.seriesIndex];
        if (url) { window.location.href = url; }
      });
      chart.on("finished", function () { holder.dataset.finished = "1"; });
      window.addEventListener("resize", function () {
        if ((holder.zsLegendRooms || []).some(function (room) { return room !== null; })) {
          chart.setOption({ legend: legendWidths(holder) });
        }
        chart.resize();
      });
    }
    // `zsSeriesUrls` (not an ECharts key): one drill-down page per series.
    holder.zsSeriesUrls = option.zsSeriesUrls || [];
    delete option.zsSeriesUrls;
    holder.zsLegendRooms = legendRooms(option, holder);
    narrowAxes(option, holder);
    if (lessMotion && lessMotion.matches) { option.animation = false; }
    legendWidths(holder).forEach(function (size, i) {
      if (size.width !== undefined) { legends(option)[i].width = size.width; }
    });
    chart.setOption(withToolbox(option, holder), true);
    holder.dataset.rendered = "1";
    return chart;
  }

  function drawAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".zs-chart[data-source]"), function (holder) {
      var source = document.getElementById(holder.dataset.source);
      if (!source) { return; }
      try {
        draw(holder, JSON.parse(source.textContent));
      } catch (e) {
        holder.textContent = holder.dataset.error || String(e);
        holder.dataset.rendered = "error";
      }
    });
  }

  window.zsCharts = { draw: draw, drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
})();
