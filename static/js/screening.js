// Keyboard shortcuts for the screening page. Every action is also a plain button,
// link or form, so the page works without JavaScript and with any pointer.
(() => {
  const typing = (element) =>
    element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));

  const panel = () => document.getElementById("screening-panel");

  function decide(value) {
    const form = document.getElementById("decision-form");
    if (!form) return;
    const reason = form.querySelector("[data-reason]");
    if (value === "exclude" && reason && reason.hasAttribute("data-required") && !reason.value) {
      // The reason comes first where it is required: focus it and say so.
      reason.classList.add("is-invalid");
      reason.focus();
      return;
    }
    // The conflict page has no "maybe": a key without its button does nothing.
    form.querySelector(`button[name="value"][value="${value}"]`)?.click();
  }

  function chooseReason(digit) {
    const reason = document.querySelector("#decision-form [data-reason]");
    if (!reason || digit >= reason.options.length) return;
    reason.selectedIndex = digit;
    reason.classList.remove("is-invalid");
  }

  function follow(direction) {
    const link = document.querySelector(`#screening-panel [data-nav="${direction}"]`);
    if (link) link.click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const dialog = document.getElementById("keys-dialog");
    if (dialog && dialog.open) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (!panel()) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const actions = {
      i: () => decide("include"),
      e: () => decide("exclude"),
      m: () => decide("maybe"),
      u: () => document.getElementById("undo-form")?.requestSubmit(),
      j: () => follow("next"),
      ArrowRight: () => follow("next"),
      k: () => follow("previous"),
      ArrowLeft: () => follow("previous"),
      "?": () => dialog?.showModal(),
    };
    if (/^[1-9]$/.test(key)) {
      event.preventDefault();
      chooseReason(Number(key));
    } else if (actions[key]) {
      event.preventDefault();
      actions[key]();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-show-keys]")) document.getElementById("keys-dialog")?.showModal();
  });

  // After htmx swaps in the next record, put focus on its title for screen readers
  // and so that the keys act on the new record at once.
  document.addEventListener("htmx:afterSwap", () => {
    const title = document.getElementById("record-title");
    if (title) {
      title.setAttribute("tabindex", "-1");
      title.focus({ preventScroll: false });
    }
  });
})();
