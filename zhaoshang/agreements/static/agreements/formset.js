// "Add a row" for the step and schedule tables: clones the formset's empty form (kept in a
// <template>) with the next index and counts it in TOTAL_FORMS. No inline script (CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-row]");
  if (!button) { return; }
  event.preventDefault();
  var prefix = button.getAttribute("data-add-row");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(prefix + "-empty-row");
  var body = document.getElementById(prefix + "-rows");
  if (!total || !template || !body) { return; }
  var index = parseInt(total.value, 10);
  var html = template.innerHTML.replace(/__prefix__/g, String(index));
  body.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});
