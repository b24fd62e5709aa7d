// The page's server-rendered parts that may be slow to make (the model picker asks Ollama what is installed):
// an element with data-fragment="/fragments/…" gets that HTML as its content once the page's scripts have run, then
// dispatches FRAGMENT_LOADED (bubbling). The HTML is our own server's (llms/server/pages.py, ui/templates/_fragments.html,
// Jinja-autoescaped from the config), never model output.
export const FRAGMENT_LOADED = "llms:fragment-loaded";

// Deferred and module scripts all run before DOMContentLoaded: listeners they add hear every FRAGMENT_LOADED.
const scriptsRan = new Promise((resolve) => {
  if (document.readyState === "complete") resolve();
  else document.addEventListener("DOMContentLoaded", resolve, { once: true });
});

async function load(element) {
  const url = element.dataset.fragment;
  let html;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    html = await response.text();
  } catch (error) {
    await scriptsRan;
    element.textContent = `Could not load this part of the page (${error.message}): reload to try again.`;
    element.setAttribute("role", "alert");
    throw error;
  }
  await scriptsRan;
  element.innerHTML = html;
  element.dispatchEvent(new CustomEvent(FRAGMENT_LOADED, { bubbles: true }));
}

document.querySelectorAll("[data-fragment]").forEach(load);
