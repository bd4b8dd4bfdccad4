// Tiangong web client: small enhancements over plain forms. Every page works without it.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Keyboard shortcuts: Ctrl/⌘+S saves the form on the page, Alt+N opens "new", "/" searches.
  document.addEventListener("keydown", function (event) {
    var key = event.key.toLowerCase();
    var typing = /^(input|textarea|select)$/i.test((event.target || {}).tagName || "");
    if ((event.ctrlKey || event.metaKey) && key === "s") {
      var form = document.querySelector("form[data-save]");
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
    } else if (event.altKey && key === "n") {
      var create = document.querySelector("[data-new]");
      if (create) { event.preventDefault(); window.location.href = create.getAttribute("href"); }
    } else if (key === "/" && !typing) {
      var search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });

  // Confirm dangerous actions.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Bulk selection: the header checkbox selects every row.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  });

  // Imports: upload with fetch and show the progress the server streams back (server-sent
  // events in the answer); the report replaces the one on the page. Without streams, the form
  // posts as usual and the page answers when the import is done.
  document.querySelectorAll("form[data-import]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.TextDecoder || !window.ReadableStream) { return; }
      event.preventDefault();
      var box = document.getElementById("import-progress-box");
      var bar = document.getElementById("import-progress");
      var text = document.getElementById("import-progress-text");
      var report = document.getElementById("import-report");
      var button = form.querySelector("button[type=submit]");
      box.hidden = false; bar.removeAttribute("value"); text.textContent = ""; report.innerHTML = "";
      if (button) { button.disabled = true; }
      var done = function () { if (button) { button.disabled = false; } };
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "x-csrf-token": csrf, "accept": "text/event-stream" } })
        .then(function (response) {
          if ((response.headers.get("content-type") || "").indexOf("text/event-stream") !== 0) {
            return response.text().then(function (page) {
              var doc = new DOMParser().parseFromString(page, "text/html");
              var main = doc.querySelector("main");
              report.innerHTML = main ? main.innerHTML : String(response.status);
              box.hidden = true; done();
            });
          }
          var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
          var pump = function () {
            return reader.read().then(function (chunk) {
              if (chunk.done) { done(); return; }
              buffer += decoder.decode(chunk.value, { stream: true });
              var events = buffer.split("\n\n");
              buffer = events.pop();
              events.forEach(function (raw) {
                if (raw.indexOf("data: ") !== 0) { return; }
                var message = JSON.parse(raw.slice(6));
                if (message.total !== undefined) {
                  bar.max = Math.max(message.total, 1); bar.value = message.done;
                  text.textContent = message.done + " / " + message.total;
                }
                if (message.html !== undefined) { report.innerHTML = message.html; box.hidden = true; }
              });
              return pump();
            });
          };
          return pump();
        })
        .catch(function (error) { report.textContent = String(error); box.hidden = true; done(); });
    });
  });

  // Kanban: drag a card to another column; the server decides whether the move is allowed.
  var dragged = null;
  document.querySelectorAll(".card[draggable]").forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
    });
  });
  document.querySelectorAll(".column[data-stage]").forEach(function (column) {
    column.addEventListener("dragover", function (event) { event.preventDefault(); column.classList.add("drop-target"); });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      if (!dragged) { return; }
      var body = new URLSearchParams();
      body.set("_csrf", csrf);
      body.set("stage", column.getAttribute("data-stage"));
      fetch(dragged.getAttribute("data-move"), { method: "POST", body: body, credentials: "same-origin",
        headers: { "x-csrf-token": csrf, "accept": "application/json" } })
        .then(function (response) {
          if (response.ok) { window.location.reload(); }
          else { response.json().then(function (p) { window.alert(p.title || response.status); }); }
        });
    });
  });
  // Pickers: a field that names another record (input[data-lookup="products"]) offers, as the
  // user types, the records that match, from /api/v1/lookup/<kind>: code, name and one key
  // figure. Arrow keys move, Enter or a click takes the code, Escape closes. A barcode scanner
  // types the code and Enter: an exact match is taken and the form is not sent. Without this
  // script the field stays a plain code field.
  var labels = {};
  try { labels = JSON.parse((document.querySelector('meta[name="lookup-labels"]') || {}).content || "{}"); } catch (e) { labels = {}; }
  var lookupSeq = 0;
  document.querySelectorAll("input[data-lookup]").forEach(function (input) {
    var kind = input.getAttribute("data-lookup");
    var menu = document.createElement("ul");
    menu.className = "lookup-menu"; menu.hidden = true; menu.setAttribute("role", "listbox");
    input.setAttribute("autocomplete", "off"); input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list"); input.setAttribute("aria-expanded", "false");
    input.parentNode.style.position = "relative";
    input.parentNode.appendChild(menu);
    var items = [], active = -1, timer = null, pendingEnter = false;
    var figure = function (item) {
      var parts = [];
      if (item.on_hand !== undefined) { parts.push((labels.on_hand || "") + " " + item.on_hand + (item.uom ? " " + item.uom : "")); }
      if (item.price !== undefined) { parts.push((labels.price || "") + " " + item.price); }
      if (item.remaining_credit !== undefined) { parts.push((labels.remaining_credit || "") + " " + item.remaining_credit); }
      if (item.detail !== undefined && item.detail !== item.name) { parts.push(item.detail); }
      return parts.join(" · ");
    };
    var close = function () { menu.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); };
    var choose = function (item) {
      input.value = item.code; close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    };
    var exact = function () {
      var typed = input.value.trim().toLowerCase();
      for (var i = 0; i < items.length; i++) { if (items[i].code.toLowerCase() === typed) { return items[i]; } }
      return null;
    };
    var render = function () {
      menu.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        if (i === active) { li.className = "active"; li.setAttribute("aria-selected", "true"); }
        var code = document.createElement("b"); code.textContent = item.code;
        var name = document.createElement("span"); name.textContent = " " + item.name;
        var meta = document.createElement("small"); meta.textContent = figure(item);
        li.appendChild(code); li.appendChild(name); li.appendChild(meta);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        menu.appendChild(li);
      });
      menu.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    };
    var ask = function () {
      var typed = input.value.trim();
      if (!typed) { items = []; render(); return; }
      var seq = ++lookupSeq;
      fetch("/api/v1/lookup/" + kind + "?q=" + encodeURIComponent(typed), { credentials: "same-origin", headers: { "accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (answer) {
          if (seq !== lookupSeq) { return; }
          items = answer.items || []; active = items.length ? 0 : -1; render();
          if (pendingEnter) { pendingEnter = false; var hit = exact(); if (hit) { choose(hit); } }
        })
        .catch(function () { items = []; render(); });
    };
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); active = (active + 1) % items.length; render(); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); active = (active - 1 + items.length) % items.length; render(); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter") {
        // A scan ends with Enter before the answer is back: take the exact match when it comes.
        var hit = exact();
        if (!menu.hidden && active >= 0) { event.preventDefault(); choose(hit || items[active]); }
        else if (timer && !hit) { event.preventDefault(); clearTimeout(timer); pendingEnter = true; ask(); }
      }
    });
  });
})();
