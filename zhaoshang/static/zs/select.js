// Searchable selects (issue 18.5). Every select[data-zs-search] (core/widgets.py) gets a
// text box that filters its options by the label or by the pinyin in each option's
// data-pinyin ("hbj" or "huanbao" finds 环保局). A single select becomes a combobox with a
// pop-up list; a multiple select becomes a filtered list of checkboxes with the chosen ones
// shown as removable chips above it (no Ctrl-click). The select stays in the page, hidden,
// and is what the form submits; without JavaScript it is a plain select.
// select[data-depends-on="<name>"]: its options whose data-department is not the value of
// the select named <name> in the same form are hidden (a hidden chosen value is cleared);
// choosing a person while no department is chosen fills the department in.
// Keyboard: arrows move, Enter / Space (in a multiple list) choose, Esc closes or clears.
// A Chinese input method: while it composes (the box shows "huan'bao" and its candidates),
// the list is not filtered and the keys are the input method's (Enter commits the text, it
// does not choose an option); the list is filtered by the characters committed.
// No inline code (CSP); selects arriving later (htmx, a formset's new row) are enhanced too.
// select[data-zs-autocomplete="<url>"] (issue 19.3: projects, enterprises): the select holds
// only the chosen option(s); as the user types, <url>?q=<text> answers at most 20
// {"id", "label"} (already scoped and searched by the server, pinyin included), which
// become the select's other options. The form posts the chosen id(s) as before.
(function () {
  "use strict";
  var seq = 0;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  // The texts, translated, ride on the script tag (base.html: data-search, data-filter …).
  var texts = (document.currentScript && document.currentScript.dataset) || {};
  var T = function (key, fallback) { return texts[key] || fallback; };

  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }

  // How well an option matches: 0 when its label or pinyin starts with the query, 1 when
  // they contain it, -1 when not at all (options that start with it are listed first).
  function rank(option, query) {
    if (!query) { return 0; }
    var keys = [norm(option.text)].concat((option.getAttribute("data-pinyin") || "").split(" "));
    var best = -1;
    for (var i = 0; i < keys.length; i += 1) {
      var at = keys[i] ? keys[i].indexOf(query) : -1;
      if (at === 0) { return 0; }
      if (at > 0) { best = 1; }
    }
    return best;
  }

  function isBlank(option) { return option.value === ""; }

  function fire(select) {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function Combo(select) {
    seq += 1;
    this.select = select;
    this.multiple = select.multiple;
    this.uid = "zs-sel-" + seq;
    this.active = -1;
    this.shown = [];
    this.remote = select.getAttribute("data-zs-autocomplete");
    this.asked = null;
    this.build();
  }

  Combo.prototype.build = function () {
    var self = this;
    var select = this.select;
    var wrap = document.createElement("div");
    wrap.className = "zs-combo" + (this.multiple ? " zs-combo-multi" : "");
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(select);
    select.classList.add("zs-combo-native");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    this.wrap = wrap;

    if (this.multiple) {
      this.chips = document.createElement("div");
      this.chips.className = "zs-chips";
      wrap.appendChild(this.chips);
    }
    var input = document.createElement("input");
    input.type = "text";
    input.className = "form-control zs-combo-input";
    if (select.classList.contains("form-select-sm")) { input.classList.add("form-control-sm"); }
    input.id = (select.id || this.uid) + "-search";
    input.setAttribute("role", "combobox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.uid + "-list");
    input.setAttribute("aria-expanded", this.multiple ? "true" : "false");
    input.placeholder = this.multiple ? T("filter", "Type to filter (pinyin initials work)")
      : T("search", "Type to search (pinyin initials work)");
    if (select.disabled) { input.disabled = true; }
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    // The select's <label> now names (and focuses) the text box.
    var labelIds = [];
    if (select.id) {
      each(document.querySelectorAll('label[for="' + select.id + '"]'), function (label, i) {
        if (!label.id) { label.id = self.uid + "-label" + i; }
        labelIds.push(label.id);
        label.htmlFor = input.id;
      });
    }
    if (labelIds.length) { input.setAttribute("aria-labelledby", labelIds.join(" ")); }
    else if (select.getAttribute("aria-label")) { input.setAttribute("aria-label", select.getAttribute("aria-label")); }
    this.input = input;
    wrap.appendChild(input);

    var list = document.createElement("ul");
    list.id = this.uid + "-list";
    list.className = "zs-combo-list";
    list.setAttribute("role", "listbox");
    if (labelIds.length) { list.setAttribute("aria-labelledby", labelIds.join(" ")); }
    if (this.multiple) { list.setAttribute("aria-multiselectable", "true"); }
    else { list.hidden = true; }
    this.list = list;
    wrap.appendChild(list);
    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("aria-live", "polite");
    wrap.appendChild(this.status);

    this.composing = false;
    input.addEventListener("compositionstart", function () { self.composing = true; });
    input.addEventListener("compositionend", function () {
      self.composing = false;
      self.open();
      self.filter();
    });
    input.addEventListener("input", function (e) {
      if (e.isComposing || self.composing) { return; }
      self.open();
      self.filter();
    });
    input.addEventListener("focus", function () {
      if (!self.multiple) { input.select(); }
    });
    input.addEventListener("click", function () { if (!self.multiple) { self.open(); self.filter(); } });
    input.addEventListener("keydown", function (e) { self.key(e); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (!wrap.contains(document.activeElement)) { self.close(); }
      }, 150);
    });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var li = e.target.closest("li[data-index]");
      if (li) { self.choose(Number(li.getAttribute("data-index"))); }
    });
    select.addEventListener("change", function () { self.sync(); });
    select.addEventListener("invalid", function () {
      input.classList.add("is-invalid");
      input.focus();
    });
    if (select.form) {
      select.form.addEventListener("reset", function () {
        window.setTimeout(function () { self.sync(); }, 0);
      });
    }
    this.sync();
  };

  Combo.prototype.available = function () {
    return Array.prototype.filter.call(this.select.options, function (o) {
      return !o.hidden && !o.disabled;
    });
  };

  Combo.prototype.open = function () {
    if (this.multiple) { return; }
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  // The pop-up list is at least as wide as the box, wider for long labels, and never
  // past the screen's right edge (a narrow filter box at the right of a row).
  Combo.prototype.place = function () {
    var list = this.list;
    if (this.multiple || list.hidden) { return; }
    list.style.left = "0px";
    var right = list.getBoundingClientRect().right;
    var room = document.documentElement.clientWidth - 8;
    if (right > room) { list.style.left = Math.round(room - right) + "px"; }
  };

  Combo.prototype.close = function () {
    if (!this.multiple) {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
      this.showSelected();
    }
  };

  Combo.prototype.showSelected = function () {
    if (this.multiple) { return; }
    var o = this.select.options[this.select.selectedIndex];
    this.input.value = o && !isBlank(o) ? o.text : "";
    var blank = Array.prototype.find.call(this.select.options, isBlank);
    if (!this.input.value && blank) { this.input.placeholder = blank.text.replace(/^-+$/, "") || this.input.placeholder; }
  };

  Combo.prototype.query = function () {
    if (!this.multiple) {
      var o = this.select.options[this.select.selectedIndex];
      // The box still shows the chosen label: list everything.
      if (o && this.input.value === o.text) { return ""; }
    }
    return norm(this.input.value);
  };

  // Autocomplete: ask the server for the options matching the text (once per text, after
  // a pause in typing); the answer replaces the options not chosen, then the list redraws.
  Combo.prototype.fetch = function (query) {
    var self = this;
    this.asked = query;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      var text = query ? self.input.value.trim() : "";
      var url = self.remote + (self.remote.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (self.asked !== query) { return; } // a later text was asked for meanwhile
          self.fill(data.results || []);
          self.filter();
        })
        .catch(function () { /* offline: the chosen options stay */ });
    }, 200);
  };

  Combo.prototype.fill = function (rows) {
    var select = this.select;
    var kept = {};
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (isBlank(o) || o.selected) { kept[o.value] = true; } else { select.removeChild(o); }
    });
    rows.forEach(function (row) {
      var value = String(row.id);
      if (kept[value]) { return; }
      var o = document.createElement("option");
      o.value = value;
      o.text = row.label;
      select.appendChild(o);
    });
  };

  // Redraw the list: the options that match, the chosen ones ticked.
  Combo.prototype.filter = function () {
    var self = this;
    var query = this.query();
    if (this.remote && this.asked !== query) { this.fetch(query); }
    var options = this.select.options;
    this.list.textContent = "";
    this.shown = [];
    var hits = [[], []];
    each(options, function (o, i) {
      if (o.hidden || o.disabled) { return; }
      if (self.multiple && isBlank(o)) { return; }
      if (query && isBlank(o)) { return; }
      var r = self.remote ? 0 : rank(o, query); // the server has matched them
      if (r >= 0) { hits[r].push(i); }
    });
    hits[0].concat(hits[1]).forEach(function (i) {
      var o = options[i];
      var li = document.createElement("li");
      li.id = self.uid + "-opt" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-index", String(i));
      li.setAttribute("aria-selected", o.selected ? "true" : "false");
      if (self.multiple) {
        var box = document.createElement("span");
        box.className = "zs-check bi " + (o.selected ? "bi-check-square-fill" : "bi-square");
        box.setAttribute("aria-hidden", "true");
        li.appendChild(box);
      }
      li.appendChild(document.createTextNode(o.text));
      self.list.appendChild(li);
      self.shown.push(i);
    });
    if (!this.shown.length) {
      var none = document.createElement("li");
      none.className = "zs-combo-none";
      none.textContent = T("none", "Nothing matches");
      this.list.appendChild(none);
    }
    this.status.textContent = query ? T("count", "%s found").replace("%s", this.shown.length) : "";
    this.place();
    var at = this.shown.indexOf(this.select.selectedIndex);
    this.activate(query ? 0 : (at >= 0 ? at : 0), !query);
  };

  Combo.prototype.activate = function (pos, quiet) {
    var lis = this.list.querySelectorAll("li[data-index]");
    each(lis, function (li) { li.classList.remove("active"); });
    if (!lis.length) { this.active = -1; this.input.removeAttribute("aria-activedescendant"); return; }
    pos = Math.max(0, Math.min(pos, lis.length - 1));
    this.active = pos;
    var li = lis[pos];
    li.classList.add("active");
    this.input.setAttribute("aria-activedescendant", li.id);
    if (!quiet || this.multiple || !this.list.hidden) {
      var top = li.offsetTop;
      var bottom = top + li.offsetHeight;
      if (top < this.list.scrollTop) { this.list.scrollTop = top; }
      else if (bottom > this.list.scrollTop + this.list.clientHeight) {
        this.list.scrollTop = bottom - this.list.clientHeight;
      }
    }
  };

  Combo.prototype.choose = function (index) {
    var o = this.select.options[index];
    if (!o) { return; }
    if (this.multiple) {
      o.selected = !o.selected;
      var pos = this.active;
      fire(this.select);
      this.filter();
      this.activate(pos);
      this.input.focus();
    } else {
      this.select.selectedIndex = index;
      this.close();
      fire(this.select);
    }
  };

  Combo.prototype.key = function (e) {
    // 229: a key an input method took (older browsers say so rather than isComposing).
    if (e.isComposing || this.composing || e.keyCode === 229) { return; }
    var expanded = this.multiple || !this.list.hidden;
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (!expanded) { this.open(); this.filter(); return; }
        this.activate(this.active + 1);
        break;
      case "ArrowUp":
        e.preventDefault();
        if (expanded) { this.activate(this.active - 1); }
        break;
      case "Home": case "End":
        // While a query is typed they move the caret; otherwise to the first / last option.
        if (expanded && !this.query()) {
          e.preventDefault();
          this.activate(e.key === "Home" ? 0 : this.shown.length - 1);
        }
        break;
      case "Enter":
        if (expanded && this.active >= 0 && this.shown.length) {
          e.preventDefault();
          this.choose(this.shown[this.active]);
        } else if (expanded && !this.multiple) {
          e.preventDefault(); // nothing matches: not a submit of the form with the old value
        }
        break;
      case " ":
        if (this.multiple && !this.input.value && this.active >= 0 && this.shown.length) {
          e.preventDefault();
          this.choose(this.shown[this.active]);
        }
        break;
      case "Escape":
        if (this.input.value && (this.multiple || expanded)) {
          e.preventDefault();
          if (this.multiple) { this.input.value = ""; this.filter(); } else { this.close(); }
        } else if (expanded && !this.multiple) { e.preventDefault(); this.close(); }
        break;
      case "Backspace":
        if (this.multiple && !this.input.value) {
          var chosen = Array.prototype.filter.call(this.select.options, function (o) { return o.selected; });
          if (chosen.length) { chosen[chosen.length - 1].selected = false; fire(this.select); }
        }
        break;
      default:
    }
  };

  // After the select changed (by us, by a dependent select, by a reset): redraw.
  Combo.prototype.sync = function () {
    var self = this;
    var invalid = this.select.classList.contains("is-invalid") ||
      this.select.getAttribute("aria-invalid") === "true";
    this.input.classList.toggle("is-invalid", invalid);
    if (invalid) { this.input.setAttribute("aria-invalid", "true"); } else { this.input.removeAttribute("aria-invalid"); }
    if (this.multiple) {
      this.chips.textContent = "";
      each(this.select.options, function (o, i) {
        if (!o.selected) { return; }
        var chip = document.createElement("span");
        chip.className = "zs-chip";
        chip.appendChild(document.createTextNode(o.text));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "zs-chip-remove";
        remove.setAttribute("aria-label", T("remove", "Remove %s").replace("%s", o.text));
        var icon = document.createElement("i");
        icon.className = "bi bi-x";
        icon.setAttribute("aria-hidden", "true");
        remove.appendChild(icon);
        remove.addEventListener("click", function () {
          o.selected = false;
          fire(self.select);
          self.input.focus();
        });
        chip.appendChild(remove);
        self.chips.appendChild(chip);
      });
      this.chips.hidden = !this.chips.childNodes.length;
      this.filter();
    } else {
      if (document.activeElement !== this.input) { this.showSelected(); }
      if (!this.list.hidden) { this.filter(); }
    }
  };

  // Narrowing: a select[data-depends-on] shows the people of the chosen department(s).
  function wireDependency(select) {
    var name = select.getAttribute("data-depends-on");
    var scope = select.form || document;
    var source = scope.querySelector('[name="' + name + '"]');
    if (!source) { return; }
    // A department fixed by the page (a hidden input) narrows as a chosen one does.
    function chosen() {
      if (!source.options) { return source.value ? [source.value] : []; }
      return Array.prototype.filter.call(source.options, function (o) {
        return o.selected && o.value !== "";
      }).map(function (o) { return o.value; });
    }
    function narrow() {
      var departments = chosen();
      var cleared = false;
      each(select.options, function (o) {
        if (o.value === "") { return; }
        var hide = departments.length > 0 && departments.indexOf(o.getAttribute("data-department") || "") === -1;
        o.hidden = hide;
        if (hide && o.selected) { o.selected = false; cleared = true; }
      });
      if (cleared && !select.multiple) { select.value = ""; }
      if (cleared) { fire(select); } else if (select.zsCombo) { select.zsCombo.sync(); }
    }
    source.addEventListener("change", narrow);
    select.addEventListener("change", function () {
      // A disabled department is not submitted: it is not filled in.
      if (select.multiple || !source.options || source.disabled || chosen().length) { return; }
      var o = select.options[select.selectedIndex];
      var department = o && o.getAttribute("data-department");
      if (department && Array.prototype.some.call(source.options, function (s) { return s.value === department; })) {
        source.value = department;
        fire(source);
      }
    });
    narrow();
  }

  function enhance(root) {
    var found = [];
    if (root.matches && root.matches("select[data-zs-search]")) { found.push(root); }
    if (root.querySelectorAll) { each(root.querySelectorAll("select[data-zs-search]"), function (s) { found.push(s); }); }
    found = found.filter(function (s) { return !s.zsCombo && !s.closest("template"); });
    found.forEach(function (s) { s.zsCombo = new Combo(s); });
    found.forEach(function (s) { if (s.hasAttribute("data-depends-on")) { wireDependency(s); } });
  }

  function start() {
    enhance(document);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        each(r.addedNodes, function (n) { if (n.nodeType === 1) { enhance(n); } });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
