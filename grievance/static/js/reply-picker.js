// Reply templates on the case page: insert the chosen text into the public-update box without
// reloading the page. Without this script the picker's form reloads the page with ?template=<id>.
(function () {
  "use strict";
  var picker = document.getElementById("reply-picker");
  if (!picker) {
    return;
  }
  var box = document.querySelector('form[action$="/public_update"] textarea[name="message"]');
  if (!box) {
    return;
  }
  picker.addEventListener("submit", function (event) {
    var option = picker.elements.template.selectedOptions[0];
    if (!option) {
      return;
    }
    event.preventDefault();
    var text = option.getAttribute("data-body") || "";
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    box.focus();
    box.scrollIntoView({ block: "center" });
  });
})();
