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
