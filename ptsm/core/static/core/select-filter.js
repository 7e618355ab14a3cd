// Long lists (organisations, départements, constats…): a search box above each
// <select data-ptsm-filter> of more than 15 options hides the options that do not match what is
// typed, accents and case ignored. Chosen options always stay visible. Without JavaScript the
// list is as before. The box finds its list by id each time, so that a list swapped in place
// (htmx) keeps its box and the text typed in it.
(function () {
  "use strict";
  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function apply(input) {
    var select = document.getElementById(input.getAttribute("aria-controls"));
    if (!select) return;
    var query = normalise(input.value.trim());
    var shown = 0;
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !query || option.selected || normalise(option.text).indexOf(query) !== -1;
      option.hidden = !match;
      if (match) shown += 1;
    });
    input.parentNode.querySelector(".fr-hint-text").textContent = query
      ? shown + (shown > 1 ? " éléments affichés" : " élément affiché")
      : "";
  }
  function fieldName(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label) return "la liste";
    var bare = label.cloneNode(true); // the field's name, without its hint or required mark
    Array.prototype.forEach.call(bare.querySelectorAll(".fr-hint-text, .fr-sr-only"), function (n) {
      n.remove();
    });
    return bare.textContent.replace(/\s+/g, " ").replace(/\s*\*$/, "").trim();
  }
  function enhance(select) {
    if (select.dataset.ptsmFiltered || select.options.length <= 15) return;
    select.dataset.ptsmFiltered = "1";
    var previous = select.previousElementSibling;
    if (previous && previous.classList.contains("ptsm-select-filter")) {
      apply(previous.querySelector("input")); // a list swapped in place: same box, same filter
      return;
    }
    var group = document.createElement("div");
    group.className = "fr-input-group fr-mb-1w ptsm-select-filter";
    var label = document.createElement("label");
    label.className = "fr-label";
    label.htmlFor = select.id + "-filtre";
    label.textContent = "Filtrer « " + fieldName(select) + " »";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "fr-input";
    input.id = select.id + "-filtre";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "fr-hint-text";
    status.setAttribute("aria-live", "polite");
    group.appendChild(label);
    group.appendChild(input);
    group.appendChild(status);
    select.parentNode.insertBefore(group, select);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never submits the form
    });
    input.addEventListener("input", function () { apply(input); });
  }
  function enhanceAll() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-ptsm-filter]"), enhance);
  }
  document.addEventListener("DOMContentLoaded", enhanceAll);
  // After an htmx swap (out-of-band ones included: their elements are not the event's target).
  document.addEventListener("htmx:afterSettle", enhanceAll);
})();
