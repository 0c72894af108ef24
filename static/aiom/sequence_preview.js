// The sequence editor: when a level's channel or wording changes, fetch what that level would
// send and show it beside the row. Without this script the page shows the saved levels' messages.
(function () {
  "use strict";
  function field(row, name) {
    return row.querySelector('select[name$="-' + name + '"]');
  }
  function refresh(row) {
    var channel = field(row, "channel"), wording = field(row, "wording");
    var box = row.querySelector(".level-preview");
    if (!channel || !wording || !box) { return; }
    var url = row.dataset.previewUrl + "?" + new URLSearchParams({ channel: channel.value, wording: wording.value });
    box.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.text();
      })
      .then(function (html) {
        var old = box.querySelector(".level-preview-body");
        var holder = document.createElement("div");
        holder.innerHTML = html;  // rendered and escaped by the server
        var fresh = holder.querySelector(".level-preview-body");
        if (old && fresh) { old.replaceWith(fresh); }
      })
      .catch(function () {
        var old = box.querySelector(".level-preview-body");
        if (old) { old.textContent = "The preview could not be loaded; the level can still be saved."; }
      })
      .finally(function () { box.removeAttribute("aria-busy"); });
  }
  document.querySelectorAll("fieldset.level-edit").forEach(function (row) {
    ["channel", "wording"].forEach(function (name) {
      var select = field(row, name);
      if (select) { select.addEventListener("change", function () { refresh(row); }); }
    });
  });
})();
