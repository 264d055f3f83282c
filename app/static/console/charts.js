/* 明镜工作台 · 统计图表. Draws the statistics page's charts with Apache ECharts (app/static/vendor,
   pinned) from the JSON the page carries (<script type="application/json" id="statistics-data">):
   no inline script, nothing from elsewhere (the console's Content-Security-Policy allows neither).
   Each chart element gets data-rendered="true" once drawn. */
(function () {
  "use strict";

  var COLOURS = ["#8c1d18", "#0b57d0", "#188038", "#e37400", "#6f42c1", "#5f6368"];
  var FONT = '"PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif';

  function base(categories) {
    return {
      animation: false,
      color: COLOURS,
      textStyle: { fontFamily: FONT, fontSize: 13 },
      // drawn on the canvas: an HTML tooltip carries inline style attributes, which the CSP refuses
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 48, right: 56, top: 36, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: categories, axisLabel: { interval: 0, hideOverlap: true } }
    };
  }

  function bar(name, data, axis) {
    return { name: name, type: "bar", data: data, yAxisIndex: axis || 0, barMaxWidth: 28 };
  }

  function line(name, data, axis) {
    return { name: name, type: "line", data: data, yAxisIndex: axis || 0, connectNulls: false, symbolSize: 7 };
  }

  var PERCENT = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } };
  var COUNT = { type: "value", minInterval: 1, name: "件" };

  var CHARTS = {
    cases: function (d) {
      var o = base(d.months);
      o.yAxis = [COUNT, PERCENT];
      o.series = [bar("受理", d.by_month.filed), bar("办结", d.by_month.closed),
                  line("按时办结率", d.by_month.on_time_rate, 1)];
      return o;
    },
    times: function (d) {
      var o = base(d.months);
      o.yAxis = [{ type: "value", name: "小时" }];
      o.series = [line("签收用时", d.by_month.median_sign_hours), line("答复用时", d.by_month.median_reply_hours)];
      return o;
    },
    places: function (d) {
      var o = base(d.places);
      o.yAxis = [COUNT, PERCENT];
      o.series = [bar("受理", d.by_place.filed), bar("提级", d.by_place.escalated),
                  line("按时办结率", d.by_place.on_time_rate, 1), line("公开到达率", d.by_place.reach, 1)];
      return o;
    },
    quality: function (d) {
      var o = base(d.months);
      o.yAxis = [COUNT, PERCENT, { type: "value", min: 0, max: 5, show: false }];
      o.series = [bar("提级", d.by_month.escalated), line("公开到达率", d.by_month.reach, 1),
                  line("满意度（1–5）", d.by_month.rating, 2)];
      return o;
    }
  };

  function draw() {
    var source = document.getElementById("statistics-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var make = CHARTS[el.getAttribute("data-chart")];
      if (!make) { return; }
      var chart = window.echarts.init(el, null, { locale: "ZH", renderer: "canvas" });
      chart.setOption(make(data));
      el.setAttribute("data-rendered", "true");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
