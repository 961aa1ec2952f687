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

// The header's menus (the user's, and the site's links on a phone) close on
// Escape and on a click elsewhere. Escape from inside one puts the focus
// back on its summary, where keyboard users opened it.
const MENUS = "details.usermenu, details.navmenu";
function closeMenus(except) {
  for (const menu of document.querySelectorAll(MENUS)) {
    if (!menu.open) continue;
    if (menu === except) continue;
    const hadFocus = menu.contains(document.activeElement);
    menu.removeAttribute("open");
    if (hadFocus) menu.querySelector("summary").focus();
  }
}
document.addEventListener("click", (event) => {
  closeMenus(event.target.closest(MENUS));
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

// A confirmation that htmx brought into a row of a list goes once closed:
// the next row's would repeat its ids.
document.addEventListener(
  "close",
  (event) => {
    const dialog = event.target;
    if (dialog instanceof HTMLDialogElement && "removeOnClose" in dialog.dataset) {
      dialog.remove();
    }
  },
  true,
);

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
    // A dialog whose content goes stale once used is fetched afresh for the
    // next time it opens.
    const { refreshOnClose, refreshTarget } = event.target.dataset;
    if (refreshOnClose && window.htmx) {
      window.htmx.ajax("GET", refreshOnClose, { target: refreshTarget, swap: "innerHTML" });
    }
  },
  true,
);

// When htmx swaps out the element that had the focus, it gives the focus
// back to the new element of the same id, or to an [autofocus] one. Where
// neither exists (a button the new content replaces), the focus would fall
// to the body, and a keyboard or screen reader user would lose their place:
// it goes to the first control of the new content instead.
const FOCUSABLE =
  "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled])," +
  " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
let swapHadFocus = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  swapHadFocus =
    target instanceof Element && target.contains(document.activeElement)
      ? { target, id: target.id }
      : null;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!swapHadFocus) return;
  const { target, id } = swapHadFocus;
  swapHadFocus = null;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  const root = (id && document.getElementById(id)) || (target.isConnected && target);
  if (!root) return;
  const control = [...root.querySelectorAll(FOCUSABLE)].find(
    (element) => element.checkVisibility() && !element.closest("dialog:not([open])"),
  );
  if (control) {
    control.focus();
  } else {
    root.setAttribute("tabindex", "-1");
    root.focus();
  }
});

// An auto-saving dropdown saves the choice as soon as it is made. With the
// mouse, or in the list that Space or Alt+↓ opens, a choice fires one change
// event. On a closed dropdown, though, each arrow key (or letter typed to
// jump to an option) changes the value and fires change: saving each one
// would give a member every plan on the way, with an email each time, and
// stop at Free to ask for a confirmation. Values reached that way wait: Enter
// saves the one shown, and so does leaving the dropdown; the status says so
// meanwhile, in the words of the form's data-pending attribute.
const WAITING_KEYS = new Set([
  "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown",
]);
const waiting = new WeakMap(); // dropdown -> {value before the keys, status}

function autosaveSelect(element) {
  return element instanceof HTMLSelectElement && element.closest("form.autosave")
    ? element
    : null;
}

function autosaveCommit(select) {
  const wait = waiting.get(select);
  if (!wait) return;
  waiting.delete(select);
  if (select.value === wait.value) {
    if (wait.status) wait.status.replaceChildren(...wait.statusContent);
    return;
  }
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

document.addEventListener("keydown", (event) => {
  const select = autosaveSelect(event.target);
  if (!select) return;
  if (event.key === "Enter") {
    if (waiting.has(select)) event.preventDefault();
    autosaveCommit(select);
    return;
  }
  const opensList =
    event.key === " " ||
    event.key === "F4" ||
    (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp"));
  if (opensList) {
    // The list's own choice is a choice, saved as such.
    const wait = waiting.get(select);
    if (wait) wait.listOpened = true;
    return;
  }
  const typed = event.key.length === 1;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (!(WAITING_KEYS.has(event.key) || typed) || waiting.has(select)) return;
  const status = select.form.querySelector("[role=status]");
  waiting.set(select, {
    value: select.value,
    status,
    statusContent: status ? [...status.childNodes] : [],
  });
  if (status && select.form.dataset.pending) {
    const note = document.createElement("span");
    note.className = "muted";
    note.textContent = select.form.dataset.pending;
    status.replaceChildren(note);
  }
});
document.addEventListener(
  "change",
  (event) => {
    const select = autosaveSelect(event.target);
    const wait = select && waiting.get(select);
    if (!wait) return;
    if (wait.listOpened) waiting.delete(select);
    else event.stopPropagation();
  },
  true,
);
document.addEventListener("focusout", (event) => {
  const select = autosaveSelect(event.target);
  if (select) autosaveCommit(select);
});

// On a phone, tables show each row as a block of "header: value" lines (the
// stylesheet does it for tables marked "stacked"); each cell is given its
// column's header to show. Without JavaScript a table that is too wide
// scrolls inside its .table-scroll box instead.
// A header's words as a screen reader hears them: without what is hidden
// from it (a sort arrow).
function spokenText(cell) {
  const copy = cell.cloneNode(true);
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return copy.textContent.trim();
}

function stackTables(root) {
  for (const table of root.querySelectorAll("table.table")) {
    const headers = [...table.querySelectorAll("thead tr:last-child > *")].map(
      spokenText,
    );
    for (const row of table.querySelectorAll("tbody tr, tfoot tr")) {
      let column = 0;
      for (const cell of row.cells) {
        const label = headers[column];
        if (label && !cell.dataset.label) cell.dataset.label = label;
        column += cell.colSpan;
      }
    }
    table.classList.add("stacked");
  }
}
// A box that scrolls sideways takes the focus, so that the keyboard scrolls
// it, and is a region named after its table's caption; a box that fits is
// neither.
function focusScrollers(root) {
  for (const box of root.querySelectorAll(".table-scroll")) {
    const caption = box.querySelector("caption");
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      if (caption) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption.textContent.trim());
      }
    } else {
      for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
    }
  }
}
function layoutTables(root) {
  // Content swapped into a table (a row) is laid out with its table.
  const table = root.closest("table.table");
  const scope = table ? table.parentElement : root;
  stackTables(scope);
  focusScrollers(scope);
}
layoutTables(document.documentElement);
document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof Element) layoutTables(event.target);
});
window.addEventListener("resize", () => focusScrollers(document));

// A part of a form that matters for one choice only (the options of a
// single-choice question) shows for that choice: data-show-if="name=value"
// names the form's control and the value. Without JavaScript it always
// shows.
function showIfChosen(root) {
  for (const part of root.querySelectorAll("[data-show-if]")) {
    const form = part.closest("form");
    const [name, value] = part.dataset.showIf.split("=");
    const control = form && form.elements[name];
    if (control) part.hidden = control.value !== value;
  }
}
showIfChosen(document);
document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof Element) showIfChosen(event.target);
});
document.addEventListener("change", (event) => {
  if (event.target.form) showIfChosen(event.target.form);
});
