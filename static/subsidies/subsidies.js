// 资金预算与拨付: the bar chart of the budget page (ECharts from static/vendor, data from json_script).
(function () {
  "use strict";
  var holder = document.getElementById("budget-chart");
  var source = document.getElementById("budget-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  function draw() {
  chart.setOption({
    // the canvas needs the page's web font for Chinese labels (no system CJK font is assumed)
    textStyle: { fontFamily: "'Noto Sans SC', sans-serif" },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 90, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years.map(function (y) { return y + "年"; }) },
    yAxis: { type: "value", name: "元", axisLabel: { formatter: function (v) { return v.toLocaleString("zh-CN"); } } },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data.map(Number) }; })
  });
  }
  if (document.fonts && document.fonts.load) {
    document.fonts.load("12px 'Noto Sans SC'", "管理扶持元年").then(draw, draw);
  } else { draw(); }
  window.addEventListener("resize", function () { chart.resize(); });
})();
