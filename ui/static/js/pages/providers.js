// The Providers view's Check buttons: POST /providers/{id}/check (the probe of `llms --check`), each model's
// latency or plain reason written into its row's Check cell.
import { el } from "../dom.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function cellText(result) {
  if (!result.ok) return result.reason;
  const speed = result.tokens_per_s === null ? "" : ` · ${result.tokens_per_s.toFixed(1)} tok/s`;
  return `${result.latency_ms.toLocaleString("en-US")} ms${speed}`;
}

function showResults(panel, results) {
  for (const result of results) {
    const cell = [...panel.querySelectorAll(".check-cell")].find((c) => c.dataset.model === result.model);
    cell?.replaceChildren(el("span", { className: result.ok ? "check-ok" : "check-failed", text: `${result.ok ? "✓" : "✗"} ${cellText(result)}` }));
  }
  const answered = results.filter((r) => r.ok).length;
  return `${answered} of ${plural(results.length, "model")} answered.`;
}

async function errorText(response) {
  const text = await response.text();
  try {
    return JSON.parse(text).error.message;
  } catch {
    return `${response.status} ${response.statusText}`; // not our JSON error (a proxy's page): its status says enough
  }
}

async function check(button) {
  const panel = button.closest(".provider");
  const status = panel.querySelector(".check-status");
  button.disabled = true;
  panel.querySelectorAll(".check-cell").forEach((cell) => cell.replaceChildren());
  status.classList.remove("error");
  status.textContent = `Checking ${button.dataset.provider}…`;
  try {
    const response = await fetch(`/providers/${encodeURIComponent(button.dataset.provider)}/check`, { method: "POST" });
    if (!response.ok) throw new Error(await errorText(response));
    status.textContent = showResults(panel, (await response.json()).results);
  } catch (error) {
    status.classList.add("error");
    status.textContent = `The check failed: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

document.querySelectorAll(".check-provider").forEach((button) => button.addEventListener("click", () => check(button)));
