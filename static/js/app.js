// Progressive enhancement only: every form also works without JavaScript.

// Progress bars carry their width as data-progress: the Content-Security-Policy allows no
// inline style attributes, and setting the style from a script file is allowed. htmx:load
// fires for every piece of the page htmx swaps in (an import's progress as it polls).
function showProgress(root) {
  for (const bar of root.querySelectorAll("[data-progress]")) {
    bar.style.width = `${Number(bar.dataset.progress) || 0}%`;
  }
}
document.addEventListener("htmx:load", (event) => showProgress(event.target));

document.addEventListener("DOMContentLoaded", () => {
  showProgress(document);
  // The language <select> does not submit on change: with the keyboard a change fires on
  // every arrow key, so the page would reload under the person (WCAG 3.2.2). Its button
  // submits.
  // Ask before destructive actions (removing a member, ...).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
