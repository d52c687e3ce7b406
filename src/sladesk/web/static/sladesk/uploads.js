/* Attachments by file picker, drag and drop, or pasting an image (a screenshot).
   Every file ends up in the form's ordinary <input type="file" multiple>, so the form is
   submitted as plain multipart and works the same with or without this script. */
(function () {
  "use strict";
  function human(n) {
    if (n < 1024) { return n + " B"; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + " KB"; }
    return (n / 1048576).toFixed(1) + " MB";
  }
  function setUp(zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector(".file-list");
    var status = zone.querySelector("[data-upload-status]");
    var form = zone.closest("form");
    if (!input || typeof DataTransfer === "undefined") { return; }
    var store = new DataTransfer();
    function render(message) {
      input.files = store.files;
      if (list) {
        list.textContent = "";
        Array.prototype.forEach.call(store.files, function (file, index) {
          var li = document.createElement("li");
          li.textContent = file.name + " (" + human(file.size) + ") ";
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "link";
          remove.textContent = "Remove";
          remove.setAttribute("aria-label", "Remove " + file.name);
          remove.addEventListener("click", function () {
            var kept = new DataTransfer();
            Array.prototype.forEach.call(store.files, function (f, i) { if (i !== index) { kept.items.add(f); } });
            store = kept;
            render(file.name + " removed.");
          });
          li.appendChild(remove);
          list.appendChild(li);
        });
      }
      if (status && message) { status.textContent = message; }
    }
    function add(files, how) {
      var names = [];
      Array.prototype.forEach.call(files, function (f) { store.items.add(f); names.push(f.name); });
      if (names.length) { render(names.join(", ") + " " + how + "."); }
    }
    input.addEventListener("change", function () {
      // The picker replaces the input's files: keep what was dropped or pasted before.
      var picked = Array.prototype.slice.call(input.files);
      add(picked, "added");
    });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("dragging");
      if (e.dataTransfer && e.dataTransfer.files.length) { add(e.dataTransfer.files, "dropped"); }
    });
    (form || zone).addEventListener("paste", function (e) {
      var items = (e.clipboardData && e.clipboardData.items) || [];
      var pasted = [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].kind === "file") {
          var blob = items[i].getAsFile();
          if (!blob) { continue; }
          var ext = (blob.type.split("/")[1] || "bin").replace("jpeg", "jpg").replace(/[^a-z0-9]/g, "");
          var stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
          var name = blob.name && blob.name !== "image.png" ? blob.name : "pasted-" + stamp + "-" + (store.files.length + 1) + "." + ext;
          pasted.push(new File([blob], name, { type: blob.type }));
        }
      }
      if (pasted.length) { e.preventDefault(); add(pasted, "pasted"); }
    });
  }
  document.querySelectorAll("[data-dropzone]").forEach(setUp);
})();
