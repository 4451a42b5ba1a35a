// 扶持资金 charts (ECharts from static/vendor, data from json_script): the budget page's bars per
// year, and 测算's real against scenario per district.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  function yuan(v) { return Number(v).toLocaleString("zh-CN"); }

  function bars(holderId, sourceId, categories) {
    var holder = document.getElementById(holderId);
    var source = document.getElementById(sourceId);
    if (!holder || !source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(holder);
    function draw() {
      chart.setOption({
        // the canvas needs the page's web font for Chinese labels (no system CJK font is assumed)
        textStyle: { fontFamily: "'Noto Sans SC', sans-serif" },
        tooltip: { trigger: "axis", valueFormatter: yuan },
        legend: { top: 0 },
        grid: { left: 90, right: 20, top: 40, bottom: 30, containLabel: false },
        xAxis: { type: "category", data: categories(data), axisLabel: { interval: 0, hideOverlap: true } },
        yAxis: { type: "value", name: "元", axisLabel: { formatter: yuan } },
        series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data.map(Number) }; })
      });
    }
    if (document.fonts && document.fonts.load) {
      document.fonts.load("12px 'Noto Sans SC'", "管理扶持元年区测算实际").then(draw, draw);
    } else { draw(); }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  bars("budget-chart", "budget-data", function (d) { return d.years.map(function (y) { return y + "年"; }); });
  bars("whatif-chart", "whatif-data", function (d) { return d.districts; });
})();
