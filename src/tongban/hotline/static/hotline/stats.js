/* The hotline dashboard's charts (data from the json_script block; tables carry the same figures). */
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("hotline-stats-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  function draw(id, option) {
    var holder = document.getElementById(id);
    if (!holder) { return; }
    var chart = window.echarts.init(holder);
    option.aria = { enabled: true };
    chart.setOption(option);
    charts.push(chart);
  }
  var grid = { left: 8, right: 8, containLabel: true };
  draw("chart-days", {
    title: { text: data.by_month ? "每月受理与办结" : "每日受理与办结", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
    legend: { top: 24 }, grid: { left: 8, right: 8, top: 56, containLabel: true },
    xAxis: { type: "category", data: data.days }, yAxis: { type: "value" },
    series: [{ name: "受理", type: "line", data: data.filed }, { name: "办结", type: "line", data: data.closed }]
  });
  draw("chart-categories", {
    title: { text: "诉求类别", textStyle: { fontSize: 14 } }, tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.categories }]
  });
  draw("chart-regions", {
    title: { text: "热点区域（受理量）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.regions },
    series: [{ type: "bar", data: data.region_counts }]
  });
  draw("chart-rising", {
    title: { text: "本周上升最快的诉求（增幅）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.rising },
    series: [{ type: "bar", data: data.rising_growth }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
