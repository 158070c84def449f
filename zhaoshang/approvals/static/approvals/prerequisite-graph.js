// The prerequisite graph of a project's approval cases (ECharts graph series). The data
// comes from a json_script element; no inline script (CSP: script-src 'self').
(function () {
  "use strict";
  var holder = document.getElementById("zs-prerequisite-graph");
  var source = document.getElementById("zs-prerequisite-graph-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};

  var nodes = data.nodes.map(function (n) {
    return {
      id: n.id,
      name: n.name,
      x: n.x,
      y: n.y,
      value: n.url,
      symbolSize: n.critical ? 22 : 16,
      itemStyle: {
        color: n.colour,
        borderColor: n.critical ? "#b3261e" : "#ffffff",
        borderWidth: n.critical ? 3 : 1
      },
      tooltip: {
        formatter: function () {
          var due = n.due ? "<br>" + labels.due + " " + n.due + (n.provisional ? " (" + labels.provisional + ")" : "") : "";
          var crit = n.critical ? "<br>" + labels.critical : "";
          return echarts.format.encodeHTML(n.name) + "<br>" + echarts.format.encodeHTML(n.department) +
            " · " + echarts.format.encodeHTML(n.statusLabel) + due + crit;
        }
      }
    };
  });
  var links = data.links.map(function (l) {
    return {
      source: l.source,
      target: l.target,
      lineStyle: l.critical ? { color: "#b3261e", width: 2.5, opacity: 0.9 } : { color: "#8a99ad", width: 1.2, opacity: 0.8 }
    };
  });

  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "item", confine: true },
    series: [{
      type: "graph",
      layout: "none",
      aspectScale: 1,
      roam: true,
      data: nodes,
      links: links,
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 8,
      label: { show: true, position: "bottom", fontSize: 12, color: "#212529", width: 150, overflow: "break" },
      emphasis: { focus: "adjacency", lineStyle: { width: 3 } },
      left: 60, right: 90, top: 30, bottom: 40
    }]
  });
  chart.on("click", function (params) {
    if (params.dataType === "node" && params.data && params.data.value) {
      window.location.href = params.data.value;
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
