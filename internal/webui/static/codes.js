// Latchkey's recovery-code buttons: copy the list, print it. The page
// works without this script (download link, the browser's print).
(function () {
  "use strict";
  document.querySelectorAll("[data-codes]").forEach(function (button) {
    var list = document.getElementById(button.getAttribute("data-codes-for"));
    if (!list) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (button.getAttribute("data-codes") === "print") {
        window.print();
        return;
      }
      var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (c) { return c.textContent; });
      var status = document.getElementById(button.getAttribute("data-codes-status"));
      navigator.clipboard.writeText(codes.join("\n")).then(function () {
        if (status) { status.textContent = status.getAttribute("data-done"); }
      });
    });
  });
})();
