// Draws the dashboard's charts (core/dashboards.py) with ECharts from static/vendor. The data
// of each chart is in a <script type="application/json"> block (json_script); clicking a bar
// opens the filtered list behind it. No inline script, nothing fetched from elsewhere.
(function () {
  "use strict";
  var FONT = null;
  var PALETTE = ["#0b4f8a", "#4493f8", "#1a7f37", "#d4a72c", "#bc4c00", "#8250df", "#8c959f"];

  // A phone-width chart (issue 20 point 19): the legend goes below the plot (above it, it ran
  // into the axis name), and the category labels turn and thin out instead of overlapping; long
  // names are cut with "…" (the data table below the chart has them whole).
  var NARROW = 576;
  function isNarrow(el) { return el.clientWidth < NARROW; }

  function option(spec, narrow) {
    var stacked = spec.kind === "stacked";
    var count = spec.categories.length;
    var many = count > (narrow ? 4 : 8);
    var xLabel = narrow
      ? { interval: count > 12 ? "auto" : 0, rotate: many ? 45 : 0, hideOverlap: true, fontSize: 11,
          width: many ? 72 : Math.max(40, Math.floor(300 / Math.max(count, 1))), overflow: "truncate" }
      : { interval: 0, rotate: many ? 40 : 0, hideOverlap: false };
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (spec.unit === "%" ? "%" : ""); } },
      legend: narrow ? { bottom: 0, type: "scroll", itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 } }
                     : { top: 0, type: "scroll" },
      grid: narrow ? { left: 4, right: 8, top: 28, bottom: 28, containLabel: true }
                   : { left: 48, right: 16, top: 40, bottom: many ? 72 : 32, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: xLabel },
      yAxis: { type: "value", name: spec.axisLabel, max: spec.unit === "%" ? 100 : null, minInterval: spec.unit === "%" ? 0 : 1,
        nameTextStyle: narrow ? { fontSize: 11, align: "left" } : {}, axisLabel: narrow ? { fontSize: 11 } : {} },
      series: spec.series.map(function (s) {
        var item = { name: s.name, type: "bar", data: s.data, emphasis: { focus: "series" }, barMaxWidth: 36 };
        if (stacked) { item.stack = "total"; }
        if (s.colour) { item.itemStyle = { color: s.colour }; }
        return item;
      })
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    // A canvas draws with fonts already loaded: where the system has no Chinese font, fetch
    // the pieces of Noto Sans SC (static/vendor) this chart's labels need first.
    var text = spec.categories.concat(spec.series.map(function (s) { return s.name; }), [spec.axisLabel]).join("");
    var ready = document.fonts && document.fonts.load ? document.fonts.load("12px \"Noto Sans SC\"", text) : Promise.resolve();
    ready.catch(function () {}).then(function () { render(el, spec); });
  }

  function render(el, spec) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var narrow = isNarrow(el);
    chart.setOption(option(spec, narrow));
    chart.on("click", function (params) {
      var links = spec.links[params.seriesIndex] || [];
      var url = links[params.dataIndex];
      if (url) { window.location.href = url; }
    });
    window.addEventListener("resize", function () {
      // Turning a phone (or narrowing a window) past the breakpoint redraws with the other layout.
      if (isNarrow(el) !== narrow) { narrow = isNarrow(el); chart.setOption(option(spec, narrow), true); }
      chart.resize();
    });
    el.dataset.rendered = spec.series.length ? "true" : "empty";
    el.dataset.layout = narrow ? "narrow" : "wide";
  }

  document.addEventListener("DOMContentLoaded", function () {
    FONT = window.getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
  // On paper the numbers matter more than the bars: print the tables open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.dash-table").forEach(function (d) { d.open = true; });
  });
})();
