// A classic script, run before the page's module: when that module or a file it imports cannot be loaded (a
// network error, a bad answer), the page has no code to say so. This says it on the page and marks the page done,
// so nothing waits for it for ever (shell.js does the same for a refresh that fails).
window.addEventListener("error", (event) => {
  const script = event.target;
  if (!(script instanceof HTMLScriptElement)) return;
  const note = document.getElementById("page-error");
  note.textContent = `This page's code could not be loaded (${new URL(script.src).pathname} or a file it imports). Reload to try again.`;
  note.hidden = false;
  document.body.dataset.ready = "true";
}, true); // capture: a script's error event does not bubble
