/* The coverage report's chart (物业管理覆盖情况): stacked bars of the estates per rule, per unit.
   Data from the page's json_script block "coverage-data"; ECharts from static/vendor. */
(function () {
  "use strict";
  var el = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!el || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 40, right: 20, bottom: 60, top: 60},
    xAxis: {type: "category", data: data.units, axisLabel: {rotate: data.units.length > 8 ? 40 : 0}},
    yAxis: {type: "value", minInterval: 1, name: "小区数"},
    series: data.series.map(function (s) { return {name: s.name, type: "bar", stack: "all", data: s.data}; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
