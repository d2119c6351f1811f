// The household form's member rows (templates/households/household_form.html).
(() => {
  const rows = document.getElementById("member-rows");
  const total = document.getElementById("id_members-TOTAL_FORMS");
  // An existing household's members change by 申请变更: its form has no 添加成员 button.
  document.getElementById("add-member")?.addEventListener("click", () => {
    const html = document.getElementById("member-template").innerHTML.replaceAll("__prefix__", total.value);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = Number(total.value) + 1;
    const row = rows.lastElementChild;
    htmx.process(row);
    row.querySelector("input").focus();
  });
  // A new row removed from the page is simply not sent; the formset skips the missing number.
  rows.addEventListener("click", (event) => {
    if (event.target.classList.contains("remove-member")) event.target.closest(".member").remove();
  });
  // The ID check answers with the gender and birth date read from the number: fill them in.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const ok = event.detail.target.querySelector("[data-gender]");
    if (!ok) return;
    const row = event.detail.target.closest(".member");
    row.querySelector('[name$="-gender"]').value = ok.dataset.gender;
    row.querySelector('[name$="-birth_date"]').value = ok.dataset.birthDate;
  });
})();
