// The coverage chart (覆盖情况): data from the json_script block "coverage-data".
(function () {
  var el = document.getElementById("coverage-chart");
  if (!el || !window.echarts) return;
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    // the page's own (served) font: the canvas does not inherit it, and without a Chinese system
    // font the legend and axis would draw as boxes
    textStyle: {fontFamily: window.getComputedStyle(document.body).fontFamily},
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 40, right: 20, bottom: 60, top: 60},
    xAxis: {type: "category", data: data.units, axisLabel: {rotate: data.units.length > 8 ? 40 : 0}},
    yAxis: {type: "value", minInterval: 1, name: "小区数"},
    series: data.series.map(function (s) { return {name: s.name, type: "bar", stack: "all", data: s.data}; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
