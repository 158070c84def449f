// Small progressive enhancements; no inline scripts (CSP: script-src 'self').
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-autosubmit]")) { el.form.submit(); }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});

// Phone tables (issue #18): below 576 px a list table (table.table) reads as stacked cards,
// one card per row and one "label: value" line per cell (the layout is app.css's "Phone
// tables" block). The labels are the table's own column headers, copied here onto each body
// cell as data-label — on load and again whenever rows arrive (htmx swaps, a formset's added
// rows) — so no template repeats its headers and a table added tomorrow is covered without
// an edit. It is done here rather than in a template tag because the headers already sit in
// the page: a tag would have to be called by each of the sixty-odd table templates, and rows
// added in the browser would escape it. A cell that sets its own data-label keeps it. A table
// that must keep its grid (a wide matrix, a calendar, a Gantt) carries the class
// zs-table-scroll (on the table or a wrapper) and scrolls sideways instead; without
// JavaScript every table stays a table.
(function () {
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var text = function (cell) {
    var t = cell.textContent.replace(/\s+/g, " ").trim();
    return t || cell.getAttribute("aria-label") || cell.getAttribute("title") || "";
  };

  // The label of each column: the texts of the header cells above it, top to bottom
  // (a grouped header reads "group · column"), honouring colspan and rowspan.
  function columnLabels(head) {
    var grid = [];
    each(head.rows, function (row, r) {
      grid[r] = grid[r] || [];
      var c = 0;
      each(row.cells, function (cell) {
        while (grid[r][c]) { c += 1; }
        for (var i = 0; i < Math.max(cell.rowSpan, 1) && r + i < head.rows.length; i += 1) {
          grid[r + i] = grid[r + i] || [];
          for (var j = 0; j < Math.max(cell.colSpan, 1); j += 1) { grid[r + i][c + j] = cell; }
        }
        c += Math.max(cell.colSpan, 1);
      });
    });
    var width = Math.max.apply(null, grid.map(function (row) { return row.length; }).concat([0]));
    var labels = [];
    for (var c = 0; c < width; c += 1) {
      var parts = [];
      var last = null;
      grid.forEach(function (row) {
        var cell = row[c];
        if (cell && cell !== last && text(cell)) { parts.push(text(cell)); }
        last = cell;
      });
      labels.push(parts.join(" · "));
    }
    return labels;
  }

  function stack(table) {
    if (table.closest(".zs-table-scroll") || !table.tHead) { return; }
    var labels = columnLabels(table.tHead);
    if (!labels.some(Boolean)) { return; }
    var rows = [];
    each(table.tBodies, function (body) { each(body.rows, function (row) { rows.push(row); }); });
    if (table.tFoot) { each(table.tFoot.rows, function (row) { rows.push(row); }); }
    // A cell spanning several rows cannot stack: such a table keeps its grid.
    if (rows.some(function (row) { return Array.prototype.some.call(row.cells, function (cell) { return cell.rowSpan > 1; }); })) { return; }
    rows.forEach(function (row) {
      var c = 0;
      each(row.cells, function (cell) {
        var span = Math.max(cell.colSpan, 1);
        // A cell across several columns (an empty-list note) and a row header have no label.
        if (!cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", span === 1 && cell.tagName === "TD" ? labels[c] || "" : "");
        }
        c += span;
      });
    });
    // Explicit roles keep the table a table for screen readers once CSS makes it blocks.
    table.setAttribute("role", "table");
    each(table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
      each(group.rows, function (row) {
        row.setAttribute("role", "row");
        each(row.cells, function (cell) {
          var role = cell.tagName === "TD" ? "cell" : group === table.tHead ? "columnheader" : "rowheader";
          if (!cell.hasAttribute("role")) { cell.setAttribute("role", role); }
        });
      });
    });
    table.classList.add("zs-stack");
  }

  function stackWithin(root) {
    if (!root || root.nodeType !== 1) { return; }
    var outer = root.closest("table.table");
    if (outer) { stack(outer); }
    each(root.querySelectorAll("table.table"), stack);
  }

  stackWithin(document.body);
  // Rows and tables added later — an htmx swap, a formset's "add a row" — are labelled as
  // they arrive: one observer sees them all, whoever inserts them.
  new MutationObserver(function (records) {
    records.forEach(function (record) { each(record.addedNodes, stackWithin); });
  }).observe(document.body, { childList: true, subtree: true });
}());

// File inputs (issue #18, "plain browser controls"): the browser's own file control names
// its button and its empty state in the browser's language ("Choose File · No file
// chosen"). Each input[type=file] gets a button and a line in the page's language instead
// (the strings ride on this script's tag: data-file-choose, data-file-none, data-files);
// the input itself stays in the form, visually hidden but focusable, so the keyboard, the
// label and a form reset still work. Without JavaScript the browser's control shows.
(function () {
  var script = document.currentScript;
  if (!script || !script.dataset.fileChoose) { return; }
  var strings = script.dataset;
  var shown = function (input, name) {
    var files = input.files ? Array.prototype.map.call(input.files, function (f) { return f.name; }) : [];
    if (!files.length) { name.textContent = strings.fileNone; name.classList.add("text-muted"); return; }
    name.classList.remove("text-muted");
    name.textContent = files.length === 1 ? files[0] : strings.files.replace("%s", files.length) + "：" + files.join("、");
  };
  var enhance = function (input) {
    if (input.dataset.zsFile) { return; }
    input.dataset.zsFile = "1";
    var box = document.createElement("div");
    box.className = "zs-file input-group";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.innerHTML = '<i class="bi bi-paperclip me-1" aria-hidden="true"></i>';
    button.appendChild(document.createTextNode(strings.fileChoose));
    var name = document.createElement("span");
    name.className = "form-control text-truncate";
    name.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(box, input);
    box.appendChild(button);
    box.appendChild(name);
    box.appendChild(input);
    input.classList.add("zs-file-input");
    input.tabIndex = -1;
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () { shown(input, name); });
    if (input.form) { input.form.addEventListener("reset", function () { setTimeout(function () { shown(input, name); }); }); }
    shown(input, name);
  };
  var all = function (root) { Array.prototype.forEach.call(root.querySelectorAll("input[type=file]"), enhance); };
  all(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { all(event.target); });
})();
