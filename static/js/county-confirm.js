// County confirmation: nothing is ticked until the official ticks it; the button says how many rows will be
// decided. "全选" ticks only the rows shown on this page.
(function () {
  const form = document.getElementById("confirm-form");
  if (!form) return;
  const boxes = () => Array.from(form.querySelectorAll("input[name=applications]"));
  const all = form.querySelector("input[data-select-all]");
  const count = document.getElementById("ticked-count");
  const button = form.querySelector("button[type=submit]");
  function update() {
    const n = boxes().filter((b) => b.checked).length;
    if (count) count.textContent = String(n);
    if (button) button.disabled = n === 0;
  }
  if (all) all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); update(); });
  form.addEventListener("change", update);
  update();
})();
