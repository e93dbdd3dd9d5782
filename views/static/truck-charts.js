/**
 * Truck page charts: speed, fuel level and coolant over the chosen range with uPlot, from the JSON
 * in #truck-charts (timestamps in seconds, values already in US units). Charts follow the width of
 * their box, so they fit a phone and redraw when it turns.
 */
(function () {
  "use strict";
  var box = document.getElementById("truck-charts");
  if (!box || typeof uPlot === "undefined") return;
  var series = JSON.parse(box.dataset.series || "{}");
  var css = getComputedStyle(document.documentElement);
  var color = function (name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; };
  var text = color("--text", "#111827");
  var grid = color("--border", "#d9dde3");
  var specs = {
    speed: { label: "mph", stroke: color("--accent", "#1d4ed8") },
    fuel: { label: "%", stroke: color("--ok", "#15803d") },
    coolant: { label: "°F", stroke: color("--bad", "#b91c1c") },
  };
  var charts = [];

  Array.prototype.forEach.call(box.querySelectorAll("[data-chart]"), function (holder) {
    var name = holder.dataset.chart;
    var data = series[name];
    if (!data || !data[0] || !data[0].length) {
      var empty = document.createElement("p");
      empty.className = "muted";
      empty.textContent = "No data in this range.";
      holder.appendChild(empty);
      return;
    }
    var axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    var chart = new uPlot(
      {
        width: Math.max(200, holder.clientWidth),
        height: 180,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, Object.assign({}, axis, { size: 50 })],
        series: [{}, { label: specs[name].label, stroke: specs[name].stroke, width: 2, spanGaps: false, points: { show: false } }],
      },
      data,
      holder,
    );
    charts.push({ chart: chart, holder: holder });
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      charts.forEach(function (entry) { entry.chart.setSize({ width: Math.max(200, entry.holder.clientWidth), height: 180 }); });
    }, 150);
  });
})();
