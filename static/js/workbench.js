// The work list's one key: N opens the first record waiting for you (the link marked
// data-next-work). The link works without JavaScript; the key is told on the page.
(() => {
  const typing = (element) =>
    element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key !== "n" && event.key !== "N") return;
    const next = document.querySelector("[data-next-work]");
    if (!next) return;
    event.preventDefault();
    next.click();
  });
})();
