/* The public statistics chart: reviews by level per department (data from the json_script block). */
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("review-chart");
  var source = document.getElementById("stats-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var words = { "5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意" };
  var series = ["5", "4", "3", "2", "1"].map(function (k) {
    return { name: words[k], type: "bar", stack: "reviews", data: data.levels[k] };
  });
  var chart = window.echarts.init(holder);
  chart.setOption({
    aria: { enabled: true }, tooltip: { trigger: "axis" }, legend: {},
    grid: { left: 8, right: 8, containLabel: true },
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.names },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
