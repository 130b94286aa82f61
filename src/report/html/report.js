// imapload report: hover values, line toggles, time zoom, sortable and filterable tables,
// command menus. Plain JavaScript over the page's inline SVG (no library, no network).
// The charts are drawn without it; it only reads what they hold: a chart's <svg class="lc">
// carries its plot area and scales as data- attributes, each line is a <path class="series">.
(function () {
  "use strict";
  var tip = document.getElementById("tip");
  var NS = "http://www.w3.org/2000/svg";
  var STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

  function num(el, name) { return parseFloat(el.getAttribute("data-" + name)); }
  function geom(svg) {
    return { x1: num(svg, "x1"), l: num(svg, "l"), r: num(svg, "r"), t: num(svg, "t"), b: num(svg, "b"),
      ylo: num(svg, "ylo"), yhi: num(svg, "yhi"), ylog: svg.getAttribute("data-ylog") === "1",
      time: svg.getAttribute("data-time") === "1", clock: svg.hasAttribute("data-clock") ? num(svg, "clock") : null,
      unit: svg.getAttribute("data-unit") || "" };
  }
  // The range of the x axis shown, in data units (the whole run unless zoomed).
  function view(svg, g) {
    var v = svg.getAttribute("data-view");
    if (!v) return [0, g.x1];
    var p = v.split(" ");
    return [parseFloat(p[0]), parseFloat(p[1])];
  }
  function points(path) {
    if (path._pts) return path._pts;
    var out = [], re = /[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g, m;
    var d = path.getAttribute("d");
    while ((m = re.exec(d))) out.push([parseFloat(m[1]), parseFloat(m[2])]);
    path._pts = out;
    return out;
  }
  function yValue(g, py) {
    var f = (g.b - py) / (g.b - g.t);
    if (g.ylog) return Math.pow(10, Math.log10(g.ylo) + f * (Math.log10(g.yhi) - Math.log10(g.ylo)));
    return g.ylo + f * (g.yhi - g.ylo);
  }
  function fmt(v) {
    if (!isFinite(v)) return "-";
    var a = Math.abs(v);
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }
  // The unit of an axis title: "latency (ms, log scale)" -> "ms", "rate (per s)" -> "per s".
  function unitOf(label) {
    var m = /\(([^,)]*)/.exec(label), u = m ? m[1].trim() : "";
    if (u === "log scale" || u === "") u = /^ms\b/.test(label) ? "ms" : "";
    return u;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clockText(epoch, step) {
    var d = new Date(Math.round(epoch) * 1000);
    var s = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    return step >= 60 ? s : s + ":" + pad(d.getUTCSeconds());
  }
  function xText(g, t) {
    if (!g.time) return (100 * (1 - Math.pow(10, -t))).toPrecision(6).replace(/\.?0+$/, "") + "%";
    if (g.clock !== null) return clockText(g.clock + t, 1) + " UTC (" + t.toFixed(1) + " s)";
    return t.toFixed(1) + " s";
  }
  function toData(svg, e) {
    var pt = svg.createSVGPoint();
    pt.x = e.clientX; pt.y = e.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }
  function nearest(pts, g, t) {
    var lo = 0, hi = pts.length - 1;
    if (hi < 0) return null;
    var x = g.l + t / g.x1 * (g.r - g.l);
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (pts[mid][0] < x) lo = mid; else hi = mid; }
    return Math.abs(pts[lo][0] - x) <= Math.abs(pts[hi][0] - x) ? pts[lo] : pts[hi];
  }
  function cursor(svg, g, px) {
    var c = svg.querySelector(":scope > line.cursor");
    if (!c) {
      c = document.createElementNS(NS, "line");
      c.setAttribute("class", "cursor");
      svg.appendChild(c);
    }
    c.setAttribute("x1", px); c.setAttribute("x2", px);
    c.setAttribute("y1", g.t); c.setAttribute("y2", g.b);
    c.style.display = "";
  }
  function hover(svg, e) {
    var g = geom(svg), p = toData(svg, e);
    if (p.x < g.l || p.x > g.r || p.y < g.t - 5 || p.y > g.b + 5) return hide(svg);
    var v = view(svg, g), t = v[0] + (p.x - g.l) / (g.r - g.l) * (v[1] - v[0]);
    var lines = [xText(g, t)];
    svg.querySelectorAll("path.series").forEach(function (path) {
      if (path.style.display === "none") return;
      var q = nearest(points(path), g, t);
      if (!q) return;
      var name = path.querySelector("title") ? path.querySelector("title").textContent : "";
      lines.push(name + ": " + fmt(yValue(g, q[1])) + " " + unitOf(g.unit));
    });
    if (lines.length === 1) return hide(svg);
    tip.textContent = lines.join("\n");
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + "px";
    tip.style.top = (e.clientY + 14) + "px";
    cursor(svg, g, p.x);
  }
  function hide(svg) {
    tip.hidden = true;
    var c = svg.querySelector(":scope > line.cursor");
    if (c) c.style.display = "none";
  }

  // Zoom: every time chart shows [t0, t1]; the inner <svg class="plot"> gets a narrower
  // viewBox (lines keep their width: vector-effect) and the x ticks are drawn anew.
  function ticks(g, t0, t1) {
    var out = [], span = Math.max(t1 - t0, 1e-9), i, t;
    if (g.clock !== null) {
      var step = STEPS[STEPS.length - 1];
      for (i = 0; i < STEPS.length; i++) if (span / STEPS[i] <= 8) { step = STEPS[i]; break; }
      for (t = Math.ceil((g.clock + t0) / step) * step; t <= g.clock + t1 + 1e-6; t += step)
        out.push([t - g.clock, clockText(t, step)]);
      return out;
    }
    var raw = span / 10, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    var s = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    for (t = Math.ceil(t0 / s) * s; t <= t1 + s * 1e-6; t += s) out.push([t, +t.toFixed(3) + ""]);
    return out;
  }
  function drawTicks(svg, g, t0, t1) {
    var xt = svg.querySelector("g.xt");
    if (!xt) return;
    if (xt._orig === undefined) xt._orig = xt.innerHTML;
    xt.textContent = "";
    ticks(g, t0, t1).forEach(function (k) {
      var x = g.l + (k[0] - t0) / (t1 - t0) * (g.r - g.l);
      var line = document.createElementNS(NS, "line");
      line.setAttribute("class", "tick");
      [["x1", x], ["x2", x], ["y1", g.b], ["y2", g.b + 5]].forEach(function (a) { line.setAttribute(a[0], a[1]); });
      var text = document.createElementNS(NS, "text");
      text.setAttribute("class", "tl"); text.setAttribute("x", x); text.setAttribute("y", g.b + 18);
      text.setAttribute("text-anchor", "middle");
      text.textContent = k[1];
      xt.appendChild(line); xt.appendChild(text);
    });
  }
  function zoom(t0, t1) {
    document.querySelectorAll("svg.lc[data-time='1']").forEach(function (svg) {
      var g = geom(svg), plot = svg.querySelector("svg.plot");
      if (!plot) return;
      var whole = t0 <= 0 && t1 >= g.x1;
      var a = g.l + t0 / g.x1 * (g.r - g.l), b = g.l + t1 / g.x1 * (g.r - g.l);
      plot.setAttribute("viewBox", a + " 0 " + (b - a) + " " + svg.viewBox.baseVal.height);
      if (whole) {
        svg.removeAttribute("data-view");
        svg.classList.remove("zoomed");
        var xt = svg.querySelector("g.xt");
        if (xt && xt._orig !== undefined) xt.innerHTML = xt._orig;
      } else {
        svg.setAttribute("data-view", t0 + " " + t1);
        svg.classList.add("zoomed");
        drawTicks(svg, g, t0, t1);
      }
    });
  }
  function selecting(svg) {
    var g = geom(svg), start = null, rect = null;
    svg.addEventListener("mousedown", function (e) {
      var p = toData(svg, e);
      if (p.x < g.l || p.x > g.r || e.button !== 0) return;
      start = p.x;
      rect = document.createElementNS(NS, "rect");
      rect.setAttribute("class", "sel");
      rect.setAttribute("y", g.t); rect.setAttribute("height", g.b - g.t);
      rect.setAttribute("x", start); rect.setAttribute("width", 0);
      svg.appendChild(rect);
      e.preventDefault();
    });
    svg.addEventListener("mousemove", function (e) {
      if (start === null) return;
      var x = Math.max(g.l, Math.min(g.r, toData(svg, e).x));
      rect.setAttribute("x", Math.min(start, x)); rect.setAttribute("width", Math.abs(x - start));
    });
    window.addEventListener("mouseup", function (e) {
      if (start === null) return;
      var x = Math.max(g.l, Math.min(g.r, toData(svg, e).x)), v = view(svg, g);
      rect.remove();
      var a = Math.min(start, x), b = Math.max(start, x);
      start = null;
      if (b - a < 4) return;
      var at = function (px) { return v[0] + (px - g.l) / (g.r - g.l) * (v[1] - v[0]); };
      zoom(at(a), at(b));
    });
    svg.addEventListener("dblclick", function () { zoom(0, g.x1); });
  }

  document.querySelectorAll("svg.lc").forEach(function (svg) {
    svg.addEventListener("mousemove", function (e) { hover(svg, e); });
    svg.addEventListener("mouseleave", function () { hide(svg); });
    svg.querySelectorAll("g.lgi").forEach(function (item) {
      item.addEventListener("click", function () {
        var off = item.classList.toggle("off");
        svg.querySelectorAll("path.series[data-i='" + item.getAttribute("data-i") + "']").forEach(function (p) {
          p.style.display = off ? "none" : "";
        });
      });
    });
    if (svg.getAttribute("data-time") === "1") selecting(svg);
  });
  document.querySelectorAll("button.unzoom").forEach(function (b) {
    b.addEventListener("click", function () { zoom(0, Infinity); });
  });

  // Tables: click a heading to sort (numbers as numbers), type to filter.
  function cellValue(row, i) {
    var td = row.cells[i];
    if (!td) return "";
    var v = td.getAttribute("data-v");
    var s = v !== null ? v : td.textContent.trim();
    var n = parseFloat(s.replace(/,/g, ""));
    return isNaN(n) || !/^-?[\d.,]+(e-?\d+)?$/.test(s) ? s.toLowerCase() : n;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, k) {
      // A heading over several columns says which one it sorts (data-col; -1: none).
      var i = th.hasAttribute("data-col") ? parseInt(th.getAttribute("data-col"), 10) : k;
      if (i < 0) return;
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i), y = cellValue(b, i);
          var c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var id = input.getAttribute("data-table"), table = document.getElementById(id);
    var count = document.querySelector("span.count[data-table='" + id + "']");
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0, rows = table.tBodies[0].rows;
      Array.prototype.forEach.call(rows, function (r) {
        var text = r.textContent.toLowerCase();
        var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.style.display = keep ? "" : "none";
        shown += keep ? 1 : 0;
      });
      if (count) count.textContent = shown + " of " + rows.length + " rows";
    }
    input.addEventListener("input", apply);
    apply();
  });

  // Command menus: show the pair of charts of the command picked.
  document.querySelectorAll("select.cmdsel").forEach(function (sel) {
    var fig = sel.closest("figure");
    sel.addEventListener("change", function () {
      fig.querySelectorAll("div.pair").forEach(function (d) {
        d.hidden = d.getAttribute("data-command") !== sel.value;
      });
    });
  });
})();
