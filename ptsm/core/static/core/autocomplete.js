// Choices fed by the server (core/widgets.py): the matches htmx brings under the search box
// are buttons; choosing one puts it in the select (replacing the choice of a single select,
// adding to a multiple one, whose choices show as removable tags) and tells the select's own
// listeners (`change`), e.g. the pilot's contacts that follow the pilot organisation.
(function () {
  "use strict";
  function boxOf(element) { return element.closest("[data-ptsm-autocomplete]"); }
  function say(box, text) { box.querySelector("[data-ptsm-status]").textContent = text; }
  function drawTags(box) {
    var select = box.querySelector("select");
    var list = box.querySelector("[data-ptsm-chosen]");
    if (!select.multiple || select.disabled || !list) return;
    select.hidden = true; // the tags show the choices and remove them
    list.textContent = "";
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.selected) return;
      var item = document.createElement("li");
      var tag = document.createElement("button");
      tag.type = "button";
      tag.className = "fr-tag fr-tag--sm fr-tag--dismiss";
      tag.textContent = option.text;
      tag.setAttribute("aria-label", "Retirer " + option.text);
      tag.dataset.ptsmRemove = option.value;
      item.appendChild(tag);
      list.appendChild(item);
    });
  }
  function choose(button) {
    var box = boxOf(button);
    var select = box.querySelector("select");
    var value = button.dataset.ptsmChoice;
    var label = button.dataset.ptsmLabel;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    if (!select.multiple) {
      Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
    }
    if (!option) {
      option = new Option(label, value);
      select.add(option);
    }
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var input = box.querySelector("input[type=search]");
    input.value = "";
    box.querySelector("[data-ptsm-matches]").textContent = "";
    drawTags(box);
    say(box, "« " + label + " » choisie.");
    input.focus();
  }
  function remove(tag) {
    var box = boxOf(tag);
    var select = box.querySelector("select");
    Array.prototype.forEach.call(select.options, function (o) {
      if (o.value === tag.dataset.ptsmRemove) o.selected = false;
    });
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var label = tag.textContent;
    drawTags(box);
    say(box, "« " + label + " » retirée.");
    box.querySelector("input[type=search]").focus();
  }
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-ptsm-autocomplete] [data-ptsm-choice]");
    if (choice) return choose(choice);
    var tag = event.target.closest("[data-ptsm-autocomplete] [data-ptsm-remove]");
    if (tag) remove(tag);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the search box never submits the form.
    if (event.key === "Enter" && event.target.matches("[data-ptsm-autocomplete] input[type=search]")) {
      event.preventDefault();
    }
  });
  // The number of matches, told to screen readers once the list has arrived.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("[data-ptsm-matches]")) {
      var count = target.querySelector("[data-ptsm-count]");
      say(boxOf(target), count ? count.textContent : "");
    }
    document.querySelectorAll("[data-ptsm-autocomplete]").forEach(drawTags);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ptsm-autocomplete]").forEach(drawTags);
  });
})();
