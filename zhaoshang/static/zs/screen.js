// The big screen (驾驶舱, issue 18 point 4). Loaded after ECharts and before zs/charts.js
// (which draws the funnel, the targets and the city's charts from their JSON). This script:
//   - marks the page as scripted (html.zs-js: charts instead of their tables);
//   - draws the district map (dark) from the page's JSON (#screen-map);
//   - ticks the clock, turns the red list's and the changes' pages every data-page seconds;
//   - polls data-url every data-interval seconds and redraws every panel in place
//     (zsCharts.draw, DOM updates; data-refreshes counts the refreshes; a failed poll keeps
//     the last figures, says so and tries again at the next interval, one unanswered
//     after data-timeout seconds is given up as failed; a poll sent to the
//     log-in page — the session ended — reloads the page, which shows the log-in form
//     instead of figures that no longer refresh);
//   - reloads the whole page after data-reload seconds (guards the browser's memory), at
//     a poll that succeeded: never onto the browser's error page while the server is away;
//   - toggles full screen with the button or the key F. Nothing needs a mouse, and the
//     mouse's pointer hides after a few seconds still (html.zs-idle) on a wall screen.
(function () {
  "use strict";
  var root = document.getElementById("zs-screen");
  if (!root) { return; }
  document.documentElement.classList.add("zs-js");
  var seconds = function (name, fallback) {
    var v = parseFloat(root.dataset[name]);
    return (v > 0 ? v : fallback) * 1000;
  };
  var mapChart = null;

  // --- the map ---------------------------------------------------------------------------
  function drawMap(data) {
    var holder = document.getElementById("zs-screen-map");
    if (!holder || !data || typeof echarts === "undefined" || !window.zsMapParts) { return; }
    echarts.registerMap("zs-screen", data.map);
    var max = 0;
    data.projects.forEach(function (p) { if (p.investment > max) { max = p.investment; } });
    var scale = Math.max(0.6, Math.min(1.6, holder.clientWidth / 700));
    var size = window.zsMapParts.sizeBy(max, scale);
    var regions = data.map.features.map(function (f) {
      var zone = f.properties.kind === "zone";
      return {
        name: f.properties.name,
        itemStyle: zone
          ? { areaColor: "#0e2546", borderColor: "#3f6ea8", borderWidth: 1.5, borderType: "dashed" }
          : { areaColor: "#15406f", borderColor: "#5fb0ff", borderWidth: 1.5 }
      };
    });
    var series = data.lights.map(function (l) {
      return {
        name: l.label,
        type: "scatter",
        coordinateSystem: "geo",
        itemStyle: { color: l.colour, opacity: 0.9, borderColor: "#ffffff", borderWidth: 1 },
        data: data.projects.filter(function (p) { return p.light === l.value; }).map(function (p) {
          return { name: p.name, value: p.value, symbolSize: size(p.investment) };
        }),
        zlevel: 2
      };
    });
    series.push(window.zsMapParts.parkNames(data, {
      color: "#ffffff", fontSize: Math.round(14 * scale), textBorderColor: "#06101f"
    }));
    series.push({
      type: "scatter",
      coordinateSystem: "geo",
      silent: true,
      symbolSize: 0,
      data: (data.zones || []).map(function (z) { return { name: z.name, value: z.anchor }; }),
      label: {
        show: true, position: "top", formatter: "{b}", color: "#9fb3d1",
        fontSize: Math.round(13 * scale), textBorderColor: "#06101f", textBorderWidth: 3
      },
      zlevel: 3
    });
    if (!mapChart) {
      mapChart = echarts.init(holder, "dark", { renderer: "canvas" });
      window.addEventListener("resize", function () { mapChart.resize(); });
    }
    mapChart.setOption({
      backgroundColor: "transparent",
      animation: false,
      tooltip: { show: false },
      legend: {
        left: 8, top: 4, orient: "vertical", textStyle: { color: "#e6eefc", fontSize: 14 },
        data: data.lights.map(function (l) { return l.label; })
      },
      geo: {
        map: "zs-screen", roam: false, silent: true, aspectScale: 0.86,
        layoutCenter: ["50%", "50%"], layoutSize: "96%",
        itemStyle: { areaColor: "#15406f", borderColor: "#5fb0ff" },
        label: { show: false },
        regions: regions
      },
      series: series
    }, true);
    holder.dataset.rendered = "1";
  }

  // --- panels from refreshed data ----------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function link(url, text) {
    var a = el("a", "", text);
    a.href = url;
    return a;
  }
  function chart(id, option) {
    var holder = document.getElementById(id);
    if (!holder || !window.zsCharts) { return; }
    if (!option) { holder.classList.add("zs-hidden"); return; }
    holder.classList.remove("zs-hidden");
    window.zsCharts.draw(holder, option);
  }
  function fill(list, items, build) {
    list.textContent = "";
    if (!items.length) { list.appendChild(el("li", "zs-empty", list.dataset.empty)); }
    items.forEach(function (item) { list.appendChild(build(item)); });
  }
  function apply(data) {
    var title = root.querySelector("[data-field=title]");
    if (title) { title.textContent = data.title; }
    data.tiles.forEach(function (t) {
      var value = root.querySelector("[data-tile='" + t.key + "'] [data-value]");
      if (value) { value.textContent = t.value; }
    });
    chart("chart-funnel", data.funnel.option);
    chart("chart-targets", data.targets.option);
    var empty = root.querySelector("[data-empty=targets]");
    if (empty) { empty.classList.toggle("zs-hidden", !!data.targets.option); }
    if (data.districts) {
      data.districts.charts.forEach(function (c) { chart("chart-districts-" + c.key, c.option); });
    }
    if (data.map) { drawMap(data.map); }
    var total = root.querySelector("[data-field=red-total]");
    if (total) { total.textContent = data.redList.total; }
    var red = document.getElementById("zs-red-list");
    if (red) {
      fill(red, data.redList.items, function (item) {
        var li = el("li");
        li.dataset.project = item.id;
        var head = el("div", "zs-item-head");
        head.appendChild(link(item.url, item.name));
        head.appendChild(el("span", "zs-item-days", item.days));
        li.appendChild(head);
        li.appendChild(el("div", "zs-item-where", item.code + " · " + item.where));
        li.appendChild(el("div", "zs-item-reasons", item.reasons.join("；") + (item.more ? " …" : "")));
        return li;
      });
    }
    var changes = document.getElementById("zs-changes");
    if (changes) {
      fill(changes, data.changes.items, function (item) {
        var li = el("li", "zs-change");
        li.dataset.kind = item.kind;
        li.appendChild(el("span", "zs-when", item.when));
        li.appendChild(el("span", "zs-kind zs-kind-" + item.kind, item.kindLabel));
        li.appendChild(link(item.url, item.project));
        li.appendChild(el("span", "zs-text", item.text));
        return li;
      });
    }
    data.changes.counts.forEach(function (c) {
      var b = root.querySelector("[data-count='" + c.key + "'] b");
      if (b) { b.textContent = c.value; }
    });
    document.getElementById("zs-refreshed").textContent = data.refreshedAt;
    pagers.forEach(function (p) { p.reset(); });
  }

  var status = document.getElementById("zs-status");
  var busy = false;
  function refresh() {
    busy = true;
    // A poll the server never answers is given up after data-timeout seconds (else the
    // screen would wait on it for good: no refresh, no reload).
    var control = window.AbortController ? new AbortController() : null;
    var timer = control
      ? window.setTimeout(function () { control.abort(); }, seconds("timeout", 30))
      : null;
    fetch(root.dataset.url, {
      credentials: "same-origin", headers: { Accept: "application/json" },
      signal: control ? control.signal : undefined
    })
      .then(function (r) {
        if (r.redirected) { window.location.reload(); } // to the log-in page
        if (!r.ok || r.redirected) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (data) {
        if (Date.now() - loaded >= seconds("reload", 4 * 3600)) {
          window.location.reload(); // the server answers: the reloaded page will load
          return;
        }
        apply(data);
        status.textContent = "";
        root.dataset.refreshes = String(parseInt(root.dataset.refreshes || "0", 10) + 1);
      })
      .catch(function () { status.textContent = root.dataset.error || "!"; })
      .then(function () { window.clearTimeout(timer); busy = false; lastRefresh = Date.now(); });
  }

  // --- the lists' pages --------------------------------------------------------------------
  function Pager(box, list, label) {
    this.box = box; this.list = list; this.label = label; this.start = 0;
  }
  Pager.prototype.pages = function () {
    // The offsets (from the list's top) at which each page starts.
    var starts = [0], height = this.box.clientHeight, top = 0;
    Array.prototype.forEach.call(this.list.children, function (li) {
      var bottom = li.offsetTop - this.list.offsetTop + li.offsetHeight;
      if (bottom - top > height && li.offsetTop - this.list.offsetTop > top) {
        top = li.offsetTop - this.list.offsetTop;
        starts.push(top);
      }
    }, this);
    return starts;
  };
  Pager.prototype.show = function () {
    var starts = this.pages();
    if (this.start >= starts.length) { this.start = 0; }
    var top = starts[this.start], bottom = top + this.box.clientHeight, base = this.list.offsetTop;
    this.box.scrollTop = top;
    // A row cut by the panel's edge waits for the next page.
    Array.prototype.forEach.call(this.list.children, function (li) {
      var at = li.offsetTop - base;
      li.style.visibility = at >= top && at + li.offsetHeight <= bottom + 1 ? "" : "hidden";
    });
    if (this.label) { this.label.textContent = starts.length > 1 ? (this.start + 1) + "/" + starts.length : ""; }
  };
  Pager.prototype.next = function () { this.start += 1; this.show(); };
  Pager.prototype.reset = function () { this.start = 0; this.show(); };
  var pagers = [];
  [["zs-red-scroll", "zs-red-list"], ["zs-changes-scroll", "zs-changes"]].forEach(function (ids) {
    var box = document.getElementById(ids[0]), list = document.getElementById(ids[1]);
    if (box && list) {
      pagers.push(new Pager(box, list, root.querySelector("[data-pager='" + ids[1] + "']")));
    }
  });

  // --- the clock and full screen -----------------------------------------------------------
  var clock = document.getElementById("zs-clock");
  var format = new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN", {
    year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: "Asia/Shanghai"
  });
  function tick() {
    // 2026-06-15 周一 10:00:00, in the district's time zone.
    var p = {};
    format.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
    clock.textContent = p.year + "-" + p.month + "-" + p.day + " " + p.weekday + " " +
      p.hour + ":" + p.minute + ":" + p.second;
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      if (document.exitFullscreen) { document.exitFullscreen(); }
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { return null; });
    }
  }
  document.getElementById("zs-fullscreen").addEventListener("click", toggleFullscreen);
  document.addEventListener("keydown", function (event) {
    if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) {
      toggleFullscreen();
    }
  });

  // One timer each second: the clock, then whatever is due (the intervals are read from the
  // data attributes each time, so a test may shorten them on a loaded page).
  var loaded = Date.now(), lastRefresh = loaded, lastPage = loaded, lastMove = loaded;
  document.addEventListener("mousemove", function () {
    lastMove = Date.now();
    document.documentElement.classList.remove("zs-idle");
  });
  function beat() {
    var now = Date.now();
    tick();
    if (now - lastMove >= 3000) { document.documentElement.classList.add("zs-idle"); }
    if (now - lastPage >= seconds("page", 8)) {
      lastPage = now;
      pagers.forEach(function (p) { p.next(); });
    }
    if (!busy && now - lastRefresh >= seconds("interval", 60)) { refresh(); }
  }

  function start() {
    var source = document.getElementById("screen-map");
    if (source) { drawMap(JSON.parse(source.textContent)); }
    pagers.forEach(function (p) { p.show(); });
    beat();
    window.setInterval(beat, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
