// Small behaviours shared by every page. No inline scripts (the Content Security Policy allows
// only scripts served from /static/).

// htmx swaps only 2xx answers by default: a form refused with 400/422 would leave the screen as
// it was, the messages never seen. Our forms answer a refusal with the form re-rendered (errors
// beside the fields), so 400 and 422 are swapped like a success; other errors are not.
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "^(400|422)$", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];
}

// The first refused field (templates/includes/field_errors.html marks it is-invalid) gets the
// focus and comes into view, on a re-rendered page as after an htmx swap.
function focusFirstError(root) {
  var scope = root || document;
  var field = scope.querySelector(".is-invalid, [aria-invalid=true]");
  var target = field || scope.querySelector(".invalid-feedback.d-block, [data-form-error]");
  if (!target) { return false; }
  target.scrollIntoView({ block: "center" });
  if (field) { field.focus({ preventScroll: true }); }
  return true;
}
window.focusFirstError = focusFirstError;

document.addEventListener("htmx:afterSettle", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && (xhr.status === 400 || xhr.status === 422)) { focusFirstError(document.getElementById("main")); }
});

// Toasts (<div class="toast" data-app-toast>) in a page or in an htmx answer: shown at once,
// fading after a while (the message stays readable long enough on a phone).
function showToasts(root) {
  if (!window.bootstrap) { return; }
  (root || document).querySelectorAll("[data-app-toast]").forEach(function (el) {
    bootstrap.Toast.getOrCreateInstance(el, { delay: 8000 }).show();
  });
}
document.addEventListener("htmx:load", function (event) { showToasts(event.detail.elt); });

document.addEventListener("DOMContentLoaded", function () {
  focusFirstError(document.getElementById("main"));
  showToasts(document);
  // Forms that submit with a confirmation question: <form data-confirm="...">
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // Bulk actions: <input type=checkbox data-select-all="FORM_ID"> ticks every box of that form
  // (name=ids, form=FORM_ID); the form's [data-bulk-submit] button counts them and stays
  // disabled while none is ticked.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var formId = all.dataset.selectAll;
    var form = document.getElementById(formId);
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name=ids][form="' + formId + '"]'));
    function refresh() {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      if (form) {
        var button = form.querySelector("[data-bulk-submit]");
        var count = form.querySelector("[data-bulk-count]");
        if (button) { button.disabled = ticked === 0; }
        if (count) { count.textContent = ticked; }
      }
    }
    all.disabled = boxes.length === 0;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
    boxes.forEach(function (b) { b.addEventListener("change", refresh); });
    refresh();
  });
  // Auto-submit filter selects: <select data-autosubmit>
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});

// A part reloaded while the user goes on typing (the checklist, reloaded when the date changes):
// what is in its boxes when the answer arrives stays, so no keystroke made during the request is
// lost. Mark the swapped element with data-keep-typed.
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || !target.hasAttribute("data-keep-typed")) return;
  var typed = {};
  target.querySelectorAll("input[name]").forEach(function (input) {
    if (input.value !== "") typed[input.name] = input.value;
  });
  target._typed = typed;
});
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || !target._typed) return;
  target.querySelectorAll("input[name]").forEach(function (input) {
    if (Object.prototype.hasOwnProperty.call(target._typed, input.name)) input.value = target._typed[input.name];
  });
  delete target._typed;
});

// Phone width (issue 20 point 19): every table scrolls sideways inside its own box. Tables that
// a template did not wrap in .table-responsive get the wrapper here, in a page as after an htmx
// swap, so a wide table never widens the page (static/css/app.css keeps the words whole).
function wrapWideTables(root) {
  (root || document).querySelectorAll("table").forEach(function (table) {
    if (table.closest(".table-responsive, .dash-unit-table") || table.dataset.noWrap !== undefined) { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "table-responsive";
    table.parentNode.insertBefore(wrapper, table);
    wrapper.appendChild(table);
  });
}
document.addEventListener("DOMContentLoaded", function () { wrapWideTables(document); });
document.addEventListener("htmx:load", function (event) { wrapWideTables(event.detail.elt); });
// Free-text counters (issue 20): a field with data-text-limit (core.forms.limit_text) shows
// "已输入 n / limit 字", red when over the limit; the server refuses a longer text with its message.
function attachTextCounters(root) {
  (root || document).querySelectorAll("[data-text-limit]").forEach(function (field) {
    if (field._counter) { return; }
    var limit = parseInt(field.dataset.textLimit, 10);
    var counter = document.createElement("div");
    counter.className = "form-text text-end";
    counter.setAttribute("data-text-counter", "");
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    field._counter = counter;
    function refresh() {
      var n = field.value.length;
      counter.textContent = "已输入 " + n + " / " + limit + " 字" + (n > limit ? "，超出 " + (n - limit) + " 字" : "");
      counter.classList.toggle("text-danger", n > limit);
    }
    field.addEventListener("input", refresh);
    refresh();
  });
}
document.addEventListener("DOMContentLoaded", function () { attachTextCounters(document); });
document.addEventListener("htmx:load", function (event) { attachTextCounters(event.detail.elt); });

// Long selects are searchable (issue 20): a select of more than 30 options gets a search box
// above it that hides the options not containing what is typed (no library: a few lines
// served from static/). The chosen option always stays; the select itself is unchanged, so
// forms, htmx cascades and tests see the same element.
var SEARCHABLE_MIN = 30;
function attachSelectSearch(root) {
  (root || document).querySelectorAll("select").forEach(function (select) {
    if (select.multiple || select._search || select.options.length <= SEARCHABLE_MIN) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = "输入以查找（共 " + select.options.length + " 项）";
    box.setAttribute("data-select-search", select.id || select.name);
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    box.setAttribute("aria-label", "查找" + (label ? label.textContent.trim() : ""));
    select.insertAdjacentElement("beforebegin", box);
    select._search = box;
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option, index) {
        var keep = !words || index === 0 && option.value === "" || option.selected ||
          option.text.toLowerCase().indexOf(words) !== -1;
        option.hidden = !keep;
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { attachSelectSearch(document); });
document.addEventListener("htmx:load", function (event) { attachSelectSearch(event.detail.elt); });
