// Appended to a copy of report.html by the tests' Chromium harness (support.rs): drives the page in
// headless Chromium as a person would (real DOM events on the page's own handlers) and
// writes what it saw into <pre id="selftest-result"> for the test to read from --dump-dom.
(function () {
  "use strict";
  var out = { charts: {}, hover: "", late_p99: {}, toggle: null, sort: null, filter: null, zoom: null, menu: null, errors: [] };
  window.addEventListener("error", function (e) { out.errors.push(String(e.message)); });
  function client(svg, x, y) {
    var pt = svg.createSVGPoint();
    pt.x = x; pt.y = y;
    return pt.matrixTransform(svg.getScreenCTM());
  }
  function mouse(el, type, c) {
    el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: c.x, clientY: c.y, button: 0 }));
  }
  function attr(svg, n) { return parseFloat(svg.getAttribute("data-" + n)); }
  try {
    // Every chart is drawn: its shapes have a real size in the laid-out page.
    document.querySelectorAll("figure.chart").forEach(function (f) {
      var drawn = 0;
      f.querySelectorAll("svg path, svg rect").forEach(function (p) {
        var b = p.getBBox();
        if (b.width > 0 || b.height > 0) drawn++;
      });
      out.charts[f.id] = drawn;
    });
    // Hover: the middle of the first latency chart shows values.
    var svg = document.querySelector("figure[id^='latency-'] svg.lc");
    var l = attr(svg, "l"), r = attr(svg, "r"), t = attr(svg, "t"), b = attr(svg, "b");
    mouse(svg, "mousemove", client(svg, (l + r) / 2, (t + b) / 2));
    var tip = document.getElementById("tip");
    out.hover = tip.hidden ? "" : tip.textContent;
    // Late in the run, each server's p99 as the hover shows it (a slowed server's is the high one).
    document.querySelectorAll("figure[id^='latency-'] svg.lc").forEach(function (s) {
      var sl = attr(s, "l"), sr = attr(s, "r");
      mouse(s, "mousemove", client(s, sl + (sr - sl) * 0.9, (attr(s, "t") + attr(s, "b")) / 2));
      var m = tip.hidden ? null : /(?:^|\n)p99: ([-+.e0-9]+)/.exec(tip.textContent);
      out.late_p99[s.closest("figure").id] = m ? parseFloat(m[1]) : null;
    });
    // Toggle: the first legend entry hides its line, a second click shows it again.
    var item = svg.querySelector("g.lgi"), i = item.getAttribute("data-i");
    var line = svg.querySelector("path.series[data-i='" + i + "']");
    item.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    var hidden = getComputedStyle(line).display === "none";
    var others = Array.prototype.filter.call(svg.querySelectorAll("path.series"), function (p) {
      return p !== line && getComputedStyle(p).display !== "none";
    }).length;
    item.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    out.toggle = { hidden: hidden, others_shown: others, shown_again: getComputedStyle(line).display !== "none" };
    // Sort: the summary by Count, ascending then descending.
    var table = document.getElementById("summary");
    var th = table.querySelectorAll("thead th")[4];
    var counts = function () {
      return Array.prototype.map.call(table.tBodies[0].rows, function (row) { return parseFloat(row.cells[4].textContent); });
    };
    th.click();
    var asc = counts();
    th.click();
    var desc = counts();
    out.sort = { asc_first: asc[0], asc_last: asc[asc.length - 1], desc_first: desc[0], rows: asc.length,
      ascending: asc.every(function (v, k) { return k === 0 || asc[k - 1] <= v; }),
      descending: desc.every(function (v, k) { return k === 0 || desc[k - 1] >= v; }) };
    // Filter: only rows naming mbx2 stay.
    var input = document.querySelector("input.filter[data-table='summary']");
    input.value = "mbx2";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    var shown = Array.prototype.filter.call(table.tBodies[0].rows, function (row) { return row.style.display !== "none"; });
    out.filter = { shown: shown.length, rows: table.tBodies[0].rows.length,
      all_match: shown.every(function (row) { return row.textContent.indexOf("mbx2") >= 0; }) };
    input.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    // Zoom: drag over the middle half of the throughput chart; every time chart follows.
    var tp = document.querySelector("#throughput svg.lc");
    var y = (attr(tp, "t") + attr(tp, "b")) / 2, tl = attr(tp, "l"), tr = attr(tp, "r");
    mouse(tp, "mousedown", client(tp, tl + (tr - tl) * 0.25, y));
    mouse(tp, "mousemove", client(tp, tl + (tr - tl) * 0.75, y));
    mouse(tp, "mouseup", client(tp, tl + (tr - tl) * 0.75, y));
    var timeCharts = document.querySelectorAll("svg.lc[data-time='1']");
    var zoomed = Array.prototype.filter.call(timeCharts, function (s) { return s.hasAttribute("data-view"); }).length;
    var view = tp.getAttribute("data-view") || "";
    var ticks = Array.prototype.map.call(tp.querySelectorAll("g.xt text"), function (x) { return x.textContent; });
    tp.dispatchEvent(new MouseEvent("dblclick", { bubbles: true }));
    out.zoom = { zoomed: zoomed, charts: timeCharts.length, view: view, ticks: ticks,
      reset: !tp.hasAttribute("data-view") };
    // The command menu shows the pair of charts of the command picked.
    var sel = document.querySelector("select.cmdsel");
    sel.selectedIndex = 1;
    sel.dispatchEvent(new Event("change", { bubbles: true }));
    var visible = Array.prototype.filter.call(sel.closest("figure").querySelectorAll("div.pair"), function (d) { return !d.hidden; });
    out.menu = { picked: sel.value, visible: visible.map(function (d) { return d.getAttribute("data-command"); }) };
  } catch (e) {
    out.errors.push(String(e && e.stack || e));
  }
  var pre = document.createElement("pre");
  pre.id = "selftest-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
