// The platform's own script, loaded from a file so the Content-Security-Policy
// needs no 'unsafe-inline' (docs/security.md). Keep it small: pages work without it.
"use strict";

// <form data-confirm="Question?">: ask before submitting; Cancel keeps the page as it is.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <div data-show-if="role:mentor">: shown only while the form's "role" choice is
// "mentor" (the mentor-capacity question of the application form).
function applyShowIfs(form) {
  form.querySelectorAll("[data-show-if]").forEach((element) => {
    const [name, value] = element.dataset.showIf.split(":");
    const chosen = form.querySelector(`input[name="${name}"]:checked`);
    element.hidden = !chosen || chosen.value !== value;
  });
}
document.querySelectorAll("form").forEach((form) => {
  if (form.querySelector("[data-show-if]")) {
    applyShowIfs(form);
  }
});
document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form && form.querySelector("[data-show-if]")) {
    applyShowIfs(form);
  }
});

// <form data-kind-defaults='{"peer": {"asked_profile_fields": [...], "rolling_enrolment": false}, ...}'>
// (the new-programme form): choosing a kind ticks that kind's defaults, except in
// the settings the coordinator has changed by hand.
const changedByHand = new WeakMap();
document.addEventListener("change", (event) => {
  const input = event.target;
  const form = input instanceof HTMLInputElement ? input.closest("form[data-kind-defaults]") : null;
  if (!form) {
    return;
  }
  const defaults = JSON.parse(form.dataset.kindDefaults);
  const touched = changedByHand.get(form) || new Set();
  changedByHand.set(form, touched);
  if (input.name !== "kind") {
    touched.add(input.name);
    return;
  }
  const chosen = defaults[input.value] || {};
  for (const [name, value] of Object.entries(chosen)) {
    if (touched.has(name)) {
      continue;
    }
    form.querySelectorAll(`input[name="${name}"]`).forEach((box) => {
      box.checked = Array.isArray(value) ? value.includes(box.value) : Boolean(value);
    });
  }
});

// A table wider than its box scrolls sideways (.table-responsive). While it does,
// the box is a named, focusable region, so a keyboard can reach and scroll it and a
// screen reader says what it is (WCAG 2.1.1; axe's scrollable-region-focusable).
// Checked again when the window is resized and when htmx swaps content in.
function markScrollRegions() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !("scrollRegion" in box.dataset) && !box.hasAttribute("tabindex")) {
      box.dataset.scrollRegion = "";
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        box.setAttribute("aria-label", `${tableName(box)} (scrolls sideways)`);
        box.dataset.scrollLabel = "";
      }
    } else if (!scrolls && "scrollRegion" in box.dataset) {
      delete box.dataset.scrollRegion;
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      if ("scrollLabel" in box.dataset) {
        delete box.dataset.scrollLabel;
        box.removeAttribute("aria-label");
      }
    }
  }
}

// The table's caption, else the heading of the section it is in, else "Table".
function tableName(box) {
  const caption = box.querySelector("caption");
  const heading = box.closest("section, .card, main")?.querySelector("h1, h2, h3, h4, .card-header");
  const text = (caption || heading)?.textContent.replace(/\s+/g, " ").trim();
  return text ? `Table: ${text}` : "Table";
}

document.addEventListener("DOMContentLoaded", markScrollRegions);
window.addEventListener("resize", markScrollRegions);
document.addEventListener("htmx:afterSettle", markScrollRegions);
