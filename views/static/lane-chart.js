/**
 * Load page lane chart: the lane's rate per loaded mile day by day over 90 days (median, with the
 * p25 and p75 as thin lines) and this load's own rate as a flat line, with uPlot, from the JSON in
 * #lane-chart (days in seconds, cents per mile). Follows the width of its box.
 */
(function () {
  "use strict";
  var box = document.getElementById("lane-chart");
  if (!box || typeof uPlot === "undefined") return;
  var data = JSON.parse(box.dataset.series || "{}");
  if (!data.days || !data.days.length) return;
  var css = getComputedStyle(document.documentElement);
  var color = function (name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; };
  var text = color("--text", "#111827");
  var grid = color("--border", "#d9dde3");
  var dollars = function (cents) { return cents == null ? "—" : "$" + (cents / 100).toFixed(2); };
  var axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  var thisLoad = data.days.map(function () { return data.load; });
  var chart = new uPlot(
    {
      width: Math.max(200, box.clientWidth),
      height: 200,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, Object.assign({}, axis, { size: 60, values: function (u, ticks) { return ticks.map(dollars); } })],
      series: [
        {},
        { label: "p25", stroke: grid, width: 1, spanGaps: true, value: function (u, v) { return dollars(v); } },
        { label: "median $/mi", stroke: color("--accent", "#1d4ed8"), width: 2, spanGaps: true, points: { show: true, size: 5 }, value: function (u, v) { return dollars(v); } },
        { label: "p75", stroke: grid, width: 1, spanGaps: true, value: function (u, v) { return dollars(v); } },
        { label: "this load", stroke: color("--ok", "#15803d"), width: 1, dash: [6, 4], value: function (u, v) { return dollars(v); } },
      ],
    },
    [data.days, data.p25, data.median, data.p75, thisLoad],
    box,
  );
  window.addEventListener("resize", function () { chart.setSize({ width: Math.max(200, box.clientWidth), height: 200 }); });
})();
