// Small enhancements over pages that work without JavaScript. No eval, no
// inline handlers: the content security policy forbids both.
"use strict";

// Links that lead to a confirmation page open the same confirmation in a
// dialog instead.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-opens-dialog]");
  if (!opener) return;
  const dialog = document.getElementById(opener.dataset.opensDialog);
  if (!dialog || typeof dialog.showModal !== "function") return;
  event.preventDefault();
  dialog.showModal();
});

// The side menu toggles in place; the server has remembered the state.
document.addEventListener("side-menu-toggled", (event) => {
  const menu = document.getElementById("side-menu");
  const toggle = document.getElementById("side-menu-toggle");
  if (!menu || !toggle) return;
  const collapsed = Boolean(event.detail.collapsed);
  menu.dataset.collapsed = String(collapsed);
  toggle.setAttribute("aria-expanded", String(!collapsed));
});

// Copy buttons copy the text of the element they name.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = button.dataset.copiedLabel || button.textContent;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
  }
});

// The user menu closes on Escape and on a click elsewhere.
function closeMenus(except) {
  for (const menu of document.querySelectorAll("details.usermenu[open]")) {
    if (menu !== except) menu.removeAttribute("open");
  }
}
document.addEventListener("click", (event) => {
  closeMenus(event.target.closest("details.usermenu"));
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus(null);
});

// A "select all" checkbox ticks every box of its form that bears the name
// it gives. It is hidden in the HTML, where it could do nothing without
// JavaScript, and shown here, also in content that htmx swaps in.
function showCheckAll(root) {
  for (const box of root.querySelectorAll("[data-check-all]")) box.hidden = false;
}
showCheckAll(document);
document.addEventListener("htmx:load", (event) => showCheckAll(event.target));
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all || !all.form) return;
  for (const box of all.form.elements) {
    if (box.name === all.dataset.checkAll) box.checked = all.checked;
  }
});
// A confirmation that htmx brings in a <dialog data-show-on-load> opens.
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!(root instanceof Element)) return;
  for (const dialog of root.querySelectorAll("dialog[data-show-on-load]")) {
    if (!dialog.open) dialog.showModal();
  }
});

// A confirmation that htmx loads into a <dialog> opens it.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target instanceof HTMLDialogElement && !target.open) target.showModal();
});

// A dialog that showed a secret (the connection key) forgets it on closing.
document.addEventListener(
  "close",
  (event) => {
    if (!(event.target instanceof HTMLDialogElement)) return;
    for (const secret of event.target.querySelectorAll("[data-forget-on-close]")) {
      secret.remove();
    }
  },
  true,
);
