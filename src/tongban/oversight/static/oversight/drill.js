/* The drill-down chart: visits per case (bars) and the 最多跑一次 rate (%, line) per row of the
   table below it (data from the json_script block; the table carries the same figures). */
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("drill-chart");
  var source = document.getElementById("drill-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  if (!data.names.length) { holder.hidden = true; return; }
  var chart = window.echarts.init(holder);
  chart.setOption({
    aria: { enabled: true }, tooltip: { trigger: "axis" }, legend: {},
    grid: { left: 8, right: 8, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 } },
    yAxis: [{ type: "value", name: "次/件", minInterval: 0.5 }, { type: "value", name: "%", max: 100 }],
    series: [
      { name: "每件跑动次数", type: "bar", data: data.per_case },
      { name: "最多跑一次率", type: "line", yAxisIndex: 1, data: data.le_one }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
