// Small behaviours shared by every page. No inline scripts (the Content Security Policy allows
// only scripts served from /static/).
document.addEventListener("DOMContentLoaded", function () {
  // Forms that submit with a confirmation question: <form data-confirm="...">
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // Auto-submit filter selects: <select data-autosubmit>
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});
