/* Citations on a touch screen (alibaba_report.pipeline.sphinxext numbers them): hover does not exist, so
   the first tap on a reference opens its quote in place and a second tap on it follows the link to the
   sentence in the appendix. A tap elsewhere, or Escape, closes the quote. Mouse and keyboard keep
   hover and focus (custom.css). */
(function () {
  "use strict";
  function close(except) {
    document.querySelectorAll("span.cite.cite-open").forEach(function (el) {
      if (el !== except) { el.classList.remove("cite-open"); }
    });
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a.cite-ref") : null;
    if (!link) { close(null); return; }
    var touch = window.matchMedia("(hover: none)").matches;
    if (!touch) { return; }
    var cite = link.parentElement;
    if (cite.classList.contains("cite-open")) { return; }  // second tap: follow the link
    ev.preventDefault();
    close(cite);
    cite.classList.add("cite-open");
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { close(null); }
  });
})();
