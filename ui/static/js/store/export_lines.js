// The home page's "Requests as JSON Lines": the request log one record per line, the layout a large log imports
// back from and line tools (jq, DuckDB's read_json_auto) read; the writer is loaded on the first click.
const button = document.getElementById("export-jsonl");
const status = document.getElementById("data-status");

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    const { exportRequests } = await import("./transfer.js");
    const n = await exportRequests({ jsonl: true });
    status.textContent = `Exported ${n.toLocaleString("en-US")} requests (the analytics) as JSON Lines.`;
  } catch (error) {
    status.textContent = `Failed: ${error.message}`;
    throw error;
  } finally {
    button.disabled = false;
  }
});
