// Runs inside Banner's widget frame: tells the page around it how tall the widget is, so that
// page's embed.js can size the iframe without a scrollbar. The height is no secret, hence "*".
(function () {
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "banner:height", height: height }, "*");
  }
  report();
  window.addEventListener("load", report);
  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.body);
})();
