// Small behaviours declared by data attributes, so that no template needs an inline handler
// (the Content-Security-Policy allows scripts from our own static files only).
//   data-submit-on-change        a <select> that submits its form when changed
//   data-check-all="NAME"        a checkbox that ticks or clears every input[name=NAME] of its form
//   data-confirm="QUESTION"      a form that asks before it is sent
//   data-print, data-back        buttons/links of the printable sheets
(() => {
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("[data-submit-on-change]") && target.form) target.form.requestSubmit();
    if (target.matches("[data-check-all]")) {
      const scope = target.form || document;
      scope.querySelectorAll(`input[name="${target.dataset.checkAll}"]`).forEach((box) => {
        box.checked = target.checked;
      });
    }
  });
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
    if (event.target.closest("[data-back]")) {
      event.preventDefault();
      history.back();
    }
  });
})();
