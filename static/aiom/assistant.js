// Suggestions for the assistant's command box: the name being typed (after "remind", "to",
// "about", "on deal", "summarize partner", ...) is looked up in Odoo; choosing one puts the whole
// name in its place. Without script the form still works.
(function () {
  "use strict";
  var input = document.getElementById("command");
  var list = document.getElementById("suggestions");
  if (!input || !list) { return; }
  var tail = /(?:remind|to|about|with|call|on (?:deal|invoice|task|project)|summari[sz]e(?: (?:deal|invoice|task|partner))?)\s+([^:]{2,})$/i;
  var timer = null, asked = "";

  function hide() { list.hidden = true; list.replaceChildren(); }

  function show(results, typed) {
    list.replaceChildren();
    results.forEach(function (row) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = row.name + " (" + row.kind + ")";  // text, never HTML
      button.addEventListener("click", function () {
        var value = input.value;
        input.value = value.slice(0, value.length - typed.length) + row.name + " ";
        hide();
        input.focus();
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var match = tail.exec(input.value);
    if (!match) { hide(); return; }
    var typed = match[1];
    timer = setTimeout(function () {
      if (typed === asked) { return; }
      asked = typed;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(typed.trim()), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (body) { if (tail.exec(input.value) && tail.exec(input.value)[1] === typed) { show(body.results, typed); } })
        .catch(hide);
    }, 250);
  });
  input.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });
})();
