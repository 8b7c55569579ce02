// Banner's widget for partner sites. Paste where the widget should appear:
//   <script src="https://banner.example/embed.js" data-campaign="slug" data-partner="code"
//           data-lang="ur" data-title="Sign the petition" async></script>
// It inserts an iframe of /embed/campaigns/<slug> right after itself, and sizes it to fit from the
// heights the frame posts (only messages from Banner's origin and that very frame are believed).
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var slug = script.getAttribute("data-campaign") || "";
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return;
  var src = new URL("/embed/campaigns/" + slug, origin);
  ["partner", "lang"].forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) src.searchParams.set(name, value);
  });
  var frame = document.createElement("iframe");
  frame.src = src.toString();
  frame.title = script.getAttribute("data-title") || "Petition";
  frame.style.cssText = "border:0;display:block;width:100%;max-width:34rem;height:720px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === "banner:height" && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
      frame.style.height = Math.ceil(data.height) + "px";
    }
  });
})();
