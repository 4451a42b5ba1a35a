// Pages of the two stations: a confirmation before a final step (终止调解).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-confirm-click]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirmClick)) { event.preventDefault(); }
    });
  });
});
