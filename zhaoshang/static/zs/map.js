// The district map (挂图作战): the zones and parks registered from their stored GeoJSON
// outlines (no tile server), projects as points coloured by their light and sized by their
// investment, land parcels as squares coloured by their status. The data comes from the
// page's JSON endpoint (data-url, with the page's filters); no inline script (CSP).
//
// window.zsMapParts holds what the big screen's dark map (zs/screen.js) draws alike: the
// points' size by investment and the parks' names over their outlines.
(function () {
  "use strict";

  function sizeBy(max, scale) {
    // Area proportional to the investment: 8 px for nothing, 34 px for the largest (smaller
    // on a phone).
    return function (investment) {
      if (!max) { return 10 * scale; }
      return (8 + 26 * Math.sqrt(Math.max(investment, 0) / max)) * scale;
    };
  }

  function parkNames(data, label) {
    // The parks' names at their anchors (a label series, not in the legend, not clickable).
    return {
      type: "scatter",
      coordinateSystem: "geo",
      silent: true,
      symbolSize: 0,
      data: data.parks.filter(function (p) { return p.drawn; }).map(function (p) {
        return { name: p.name, value: p.anchor };
      }),
      label: Object.assign({ show: true, formatter: "{b}", fontWeight: "bold", textBorderWidth: 3 }, label),
      tooltip: { show: false },
      zlevel: 3
    };
  }

  window.zsMapParts = { sizeBy: sizeBy, parkNames: parkNames };

  var holder = document.getElementById("zs-map");
  if (!holder || typeof echarts === "undefined") { return; }
  var panel = document.getElementById("zs-map-panel");
  var enc = echarts.format.encodeHTML;
  var chart = null;

  function number(v) {
    return Number(v || 0).toLocaleString("zh-CN", { maximumFractionDigits: 0 });
  }

  function showPark(park, labels) {
    if (!panel || !park) { return; }
    panel.innerHTML =
      '<div class="card-body" data-testid="park-figures" data-park="' + park.id + '">' +
      '<h2 class="h6 mb-1">' + enc(park.name) + "</h2>" +
      '<div class="small text-muted mb-2">' + enc(labels.zone) + " · " + enc(park.zone) + "</div>" +
      '<dl class="zs-facts mb-2">' +
      "<dt>" + enc(labels.projects) + "</dt><dd data-figure=\"projects\">" + park.projects + "</dd>" +
      "<dt>" + enc(labels.investment) + "</dt><dd>" + number(park.investment) + "</dd>" +
      "<dt>" + enc(labels.lights) + '</dt><dd><span class="text-danger">' + park.red +
      '</span> / <span class="text-warning">' + park.yellow + '</span> / <span class="text-success">' +
      park.green + "</span></dd>" +
      "<dt>" + enc(labels.parcels) + "</dt><dd>" + park.parcels + "</dd>" +
      "<dt>" + enc(labels.parcelArea) + "</dt><dd>" + number(park.parcel_area) + "</dd>" +
      "<dt>" + enc(labels.idle) + "</dt><dd>" + park.idle + "</dd>" +
      "</dl>" +
      '<a class="btn btn-sm btn-outline-primary zs-map-actions" href="' + enc(park.url) + '">' +
      enc(labels.openList) + "</a></div>";
  }

  function draw(data) {
    var labels = data.labels;
    var mapName = "zs-district";
    echarts.registerMap(mapName, data.map);
    var parksByKey = {};
    data.parks.forEach(function (p) { parksByKey[p.key] = p; });
    var regionLabel = {};
    data.map.features.forEach(function (f) { regionLabel[f.properties.name] = f.properties.label; });

    var regions = data.map.features.map(function (f) {
      var zone = f.properties.kind === "zone";
      return {
        name: f.properties.name,
        silent: zone,
        itemStyle: zone
          ? { areaColor: "#f1f4f8", borderColor: "#7d8ea3", borderWidth: 1.5, borderType: "dashed" }
          : { areaColor: "#dce8f6", borderColor: "#2f5f98", borderWidth: 1.2 },
        label: { show: false }
      };
    });

    var max = 0;
    data.projects.forEach(function (p) { if (p.investment > max) { max = p.investment; } });
    var narrow = holder.clientWidth < 576;
    var scale = narrow ? 0.6 : 1;
    var size = sizeBy(max, scale);
    var maxArea = 0;
    data.parcels.forEach(function (p) { if (p.area > maxArea) { maxArea = p.area; } });
    function parcelSize(area) {
      return (maxArea ? 8 + 10 * Math.sqrt(Math.max(area, 0) / maxArea) : 10) * scale;
    }
    var series = [
      {
        // The parks as a map series on the same geo: their clicks open the figures.
        type: "map",
        geoIndex: 0,
        data: data.parks.filter(function (p) { return p.drawn; }).map(function (p) {
          return { name: p.key, value: p.projects };
        }),
        tooltip: {
          formatter: function (params) {
            var park = parksByKey[params.name];
            if (!park) { return enc(regionLabel[params.name] || ""); }
            return "<b>" + enc(park.name) + "</b><br>" + enc(labels.projects) + " " + park.projects +
              "<br>" + enc(labels.investment) + " " + number(park.investment);
          }
        }
      }
    ];
    data.statuses.forEach(function (s) {
      series.push({
        name: s.label,
        type: "scatter",
        coordinateSystem: "geo",
        symbol: "rect",
        itemStyle: { color: s.colour, opacity: 0.8, borderColor: "#ffffff", borderWidth: 1 },
        data: data.parcels.filter(function (p) { return p.status === s.value; }).map(function (p) {
          return { name: p.name, value: p.value, url: p.url, parcel: p, symbolSize: parcelSize(p.area) };
        }),
        tooltip: {
          formatter: function (params) {
            var p = params.data.parcel;
            return "<b>" + enc(p.name) + "</b><br>" + enc(labels.status) + " " + enc(p.statusLabel) +
              "<br>" + enc(labels.area) + " " + number(p.area);
          }
        },
        zlevel: 1
      });
    });
    data.lights.forEach(function (l) {
      series.push({
        name: l.label,
        type: "scatter",
        coordinateSystem: "geo",
        itemStyle: { color: l.colour, opacity: 0.85, borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { scale: 1.3 },
        data: data.projects.filter(function (p) { return p.light === l.value; }).map(function (p) {
          return { name: p.name, value: p.value.concat([p.investment]), url: p.url, project: p,
            symbolSize: size(p.investment) };
        }),
        tooltip: {
          formatter: function (params) {
            var p = params.data.project;
            return "<b>" + enc(p.name) + "</b> " + enc(p.code) + "<br>" + enc(labels.park) + " " +
              enc(p.park) + "<br>" + enc(labels.stage) + " " + enc(p.stage) + "<br>" +
              enc(labels.industry) + " " + enc(p.industry) + "<br>" + enc(labels.investment) + " " +
              number(p.investment);
          }
        },
        zlevel: 2
      });
    });

    // The parks' names above the points, with a white halo.
    series.push(parkNames(data, { color: "#10294a", fontSize: narrow ? 10 : 13, textBorderColor: "#ffffff" }));
    series.push({
      // The zones' names at the top of their outlines.
      type: "scatter",
      coordinateSystem: "geo",
      silent: true,
      symbolSize: 0,
      data: (data.zones || []).map(function (z) { return { name: z.name, value: z.anchor }; }),
      label: {
        show: true,
        position: "top",
        distance: 4,
        formatter: "{b}",
        color: "#51627a",
        fontSize: narrow ? 10 : 12,
        textBorderColor: "#ffffff",
        textBorderWidth: 3
      },
      tooltip: { show: false },
      zlevel: 3
    });
    chart = echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", confine: true },
      legend: {
        type: "scroll",
        orient: narrow ? "horizontal" : "vertical",
        left: narrow ? "center" : 8,
        top: narrow ? undefined : 8,
        bottom: narrow ? 4 : undefined,
        backgroundColor: "rgba(255,255,255,0.85)",
        data: data.lights.map(function (l) { return l.label; })
          .concat(data.statuses.map(function (s) { return s.label; }))
      },
      geo: {
        map: mapName,
        roam: true,
        layoutCenter: ["50%", narrow ? "46%" : "50%"],
        layoutSize: narrow ? "92%" : "96%",
        aspectScale: 0.86,
        label: { show: false },
        itemStyle: { areaColor: "#dce8f6", borderColor: "#2f5f98" },
        emphasis: { itemStyle: { areaColor: "#bcd4ef" }, label: { show: false } },
        select: { disabled: true },
        regions: regions
      },
      series: series
    });
    chart.on("click", function (params) {
      if (params.seriesType === "map") {
        showPark(parksByKey[params.name], labels);
      } else if (params.data && params.data.url) {
        window.location.href = params.data.url;
      }
    });
    holder.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Print at A3 landscape: redraw at the printed size, back after.
  window.addEventListener("beforeprint", function () { if (chart) { chart.resize(); } });
  window.addEventListener("afterprint", function () { if (chart) { chart.resize(); } });
  var printMedia = window.matchMedia ? window.matchMedia("print") : null;
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener("change", function () { if (chart) { chart.resize(); } });
  }
  // The "Print (A3)" button is <button data-print>, handled by zs/print.js.

  fetch(holder.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () {
      holder.setAttribute("data-rendered", "error");
      holder.style.height = "auto";
      holder.innerHTML = "";
      var note = document.createElement("p");
      note.className = "text-danger p-3 mb-0";
      note.textContent = holder.getAttribute("data-error") || "";
      holder.appendChild(note);
    });
}());
