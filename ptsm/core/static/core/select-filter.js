// Long lists (organisations, départements, constats…): a search box above each
// <select data-ptsm-filter> of more than 15 options hides the options that do not match what is typed, accents and
// case ignored. Chosen options always stay visible. Without JavaScript the list is as before.
(function () {
  "use strict";
  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function enhance(select) {
    if (select.dataset.ptsmFiltered || select.options.length <= 15) return;
    select.dataset.ptsmFiltered = "1";
    var label = document.querySelector('label[for="' + select.id + '"]');
    var name = "la liste";
    if (label) {
      var bare = label.cloneNode(true); // the field's name, without its hint or required mark
      Array.prototype.forEach.call(bare.querySelectorAll(".fr-hint-text, .fr-sr-only"), function (n) { n.remove(); });
      name = bare.textContent.replace(/\s+/g, " ").replace(/\s*\*$/, "").trim();
    }
    var previous = select.previousElementSibling;
    if (previous && previous.classList.contains("ptsm-select-filter")) {
      previous.remove(); // the list was swapped in place (htmx): its new box replaces the old
    }
    var group = document.createElement("div");
    group.className = "fr-input-group fr-mb-1w ptsm-select-filter";
    var filterLabel = document.createElement("label");
    filterLabel.className = "fr-label";
    filterLabel.htmlFor = select.id + "-filtre";
    filterLabel.textContent = "Filtrer « " + name + " »";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "fr-input";
    input.id = select.id + "-filtre";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "fr-hint-text";
    status.setAttribute("aria-live", "polite");
    group.appendChild(filterLabel);
    group.appendChild(input);
    group.appendChild(status);
    select.parentNode.insertBefore(group, select);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never submits the form
    });
    input.addEventListener("input", function () {
      var query = normalise(input.value.trim());
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !query || option.selected || normalise(option.text).indexOf(query) !== -1;
        option.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = query
        ? shown + (shown > 1 ? " éléments affichés" : " élément affiché")
        : "";
    });
  }
  function enhanceAll(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("select[data-ptsm-filter]"),
      enhance
    );
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  // After an htmx swap (out-of-band ones included: their elements are not the event's target).
  document.addEventListener("htmx:afterSettle", function () { enhanceAll(document); });
})();
