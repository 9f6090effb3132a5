// Progressive enhancement only: every form also works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The language <select> submits on change; its button stays for keyboard and no-JS users.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Ask before destructive actions (removing a member, ...).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
