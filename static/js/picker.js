// The skills and topics picker: a filter box above a long list of checkboxes
// (<input type="checkbox" data-tag-picker="skills">, people/widgets.py TagPicker).
// Progressive enhancement: without this script the checkboxes work as they are,
// and with it they are still the same checkboxes, so the form posts the same.
//
// Keyboard: type to narrow the list (every word must match, accents ignored);
// Enter ticks the only match left (and never sends the form); ArrowDown moves to
// the first match; Escape shows the whole list again. Tab and Space work as ever.
"use strict";

(() => {
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();

  function labelOf(box) {
    const label = box.id ? document.querySelector(`label[for="${CSS.escape(box.id)}"]`) : box.closest("label");
    return (label ? label.textContent : box.value).trim();
  }

  function enhance(boxes) {
    const name = boxes[0].name;
    const noun = boxes[0].dataset.tagPicker || "options";
    const options = boxes.map((box) => {
      const label = labelOf(box);
      return { box, label, text: fold(label), item: box.closest(".form-check") || box.parentElement };
    });
    const list = options[0].item.parentElement;
    const id = `picker-${name.replace(/[^\w-]/g, "-")}`;
    list.id = list.id || `${id}-options`;

    const box = document.createElement("div");
    box.className = "mb-2";
    const label = document.createElement("label");
    label.className = "form-label small mb-1";
    label.htmlFor = `${id}-filter`;
    label.textContent = `Find ${noun}`;
    const input = document.createElement("input");
    input.type = "search";
    input.id = `${id}-filter`;
    input.className = "form-control form-control-sm";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-describedby", `${id}-status`);
    // The count is announced as it changes; the chosen list is read on demand.
    const status = document.createElement("p");
    status.id = `${id}-status`;
    status.className = "form-text mb-0";
    status.setAttribute("aria-live", "polite");
    const chosen = document.createElement("p");
    chosen.className = "form-text mt-0 mb-1";
    box.append(label, input, status, chosen);
    list.before(box);

    const visible = () => options.filter((option) => !option.item.hidden);

    function update() {
      const words = fold(input.value).split(/\s+/).filter(Boolean);
      for (const option of options) {
        option.item.hidden = !words.every((word) => option.text.includes(word));
      }
      const shown = visible().length;
      status.textContent = words.length
        ? (shown ? `${shown} of ${options.length} shown` : `None of the ${options.length} match; try another word, or add it under “other” below`)
        : `${options.length} to choose from`;
      const picked = options.filter((option) => option.box.checked).map((option) => option.label);
      chosen.textContent = picked.length ? `Chosen: ${picked.join(", ")}` : "None chosen yet";
    }

    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // a filter box never sends the form
        const matches = visible();
        if (matches.length === 1) {
          matches[0].box.click();
        }
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        update();
      } else if (event.key === "ArrowDown") {
        const first = visible()[0];
        if (first) {
          event.preventDefault();
          first.box.focus();
        }
      }
    });
    list.addEventListener("change", update);
    update();
  }

  function start() {
    const groups = new Map();
    for (const box of document.querySelectorAll('input[type="checkbox"][data-tag-picker]')) {
      if (!groups.has(box.name)) {
        groups.set(box.name, []);
      }
      groups.get(box.name).push(box);
    }
    groups.forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
