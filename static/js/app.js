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
