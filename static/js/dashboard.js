// Draws the dashboard's charts (core/dashboards.py) with ECharts from static/vendor. The data
// of each chart is in a <script type="application/json"> block (json_script); clicking a bar
// opens the filtered list behind it. No inline script, nothing fetched from elsewhere.
(function () {
  "use strict";
  var FONT = null;
  var PALETTE = ["#0b4f8a", "#4493f8", "#1a7f37", "#d4a72c", "#bc4c00", "#8250df", "#8c959f"];

  function option(spec) {
    var stacked = spec.kind === "stacked";
    var many = spec.categories.length > 8;
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (spec.unit === "%" ? "%" : ""); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 40, bottom: many ? 72 : 32, containLabel: true },
      xAxis: { type: "category", data: spec.categories,
        axisLabel: { interval: 0, rotate: many ? 40 : 0, hideOverlap: false } },
      yAxis: { type: "value", name: spec.axisLabel, max: spec.unit === "%" ? 100 : null, minInterval: spec.unit === "%" ? 0 : 1 },
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
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      var links = spec.links[params.seriesIndex] || [];
      var url = links[params.dataIndex];
      if (url) { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.rendered = spec.series.length ? "true" : "empty";
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
