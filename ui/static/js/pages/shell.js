// What every analytics page shares: its place in the URL, the empty state, the demo banner, the
// "Include API traffic" switch, and a refresh when this or another tab changes the store.
import { ALL_REQUESTS, DEMO_META } from "../rules/keys.js";
import { apiTrafficWanted, pullLedger, setApiTrafficWanted } from "../store/ledger_sync.js";
import * as store from "../store/store.js";
import { loadDemo } from "../store/transfer.js";

export const $ = (id) => document.getElementById(id);
const LEDGER_POLL_MS = 60_000;

/** The page's query parameters as an object. */
export function readParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** Puts `params` (defaults left out) in the URL: a new history entry, so back returns to the previous view. */
export function writeParams(params, defaults, { replace = false } = {}) {
  const kept = Object.entries(params).filter(([name, value]) => value !== "" && value !== null && value !== undefined && defaults[name] !== value);
  const search = new URLSearchParams(kept).toString();
  const url = `${location.pathname}${search ? `?${search}` : ""}`;
  if (url !== `${location.pathname}${location.search}`) history[replace ? "replaceState" : "pushState"](null, "", url);
}

export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const RENDER_MEASURE = "analytics-render";

/**
 * Records how long a render took, up to the next frame (the paint), as a performance measure (bench/store_scale.py).
 * The render does not wait for that frame: a tab in the background gets none until it is shown again, and the page
 * must be ready (and take the next change) without it.
 */
export function measureRender(startedMs) {
  requestAnimationFrame(() => performance.measure(RENDER_MEASURE, { start: startedMs }));
}

async function hasRequests() {
  return (await store.readRequestPage(ALL_REQUESTS, { limit: 1 })).length > 0;
}

/**
 * Starts a page: `render()` paints it from the store (it is called again on every change); `content` is the
 * page's element, hidden while the store holds no request.
 */
export function startPage({ content, render }) {
  // The store waiting on another tab (or closed by a newer one) is said where this page's errors go: the page is done.
  store.notices.addEventListener(store.STORE_NOTICE, (event) => {
    Object.assign($("page-error"), { hidden: false, textContent: event.detail.message });
    document.body.dataset.ready = "true";
  });
  let running = null;
  let again = false;
  const refresh = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        const [any, demo] = await Promise.all([hasRequests(), store.readValue(DEMO_META)]);
        $("empty").hidden = any;
        content.hidden = !any;
        $("demo-banner").hidden = !demo;
        if (any) await render();
        $("page-error").hidden = true;
      } catch (error) {
        // Said on the page, then thrown on: the page is done either way, never "loading" for ever.
        Object.assign($("page-error"), { hidden: false, textContent: `This page could not be shown: ${error.message}. Reload to try again.` });
        throw error;
      } finally {
        document.body.dataset.ready = "true";
      }
    })();
    try {
      await running;
    } finally {
      running = null;
      if (again) {
        again = false;
        refresh();
      }
    }
    return undefined;
  };
  $("load-demo").addEventListener("click", async (event) => {
    event.target.disabled = true;
    event.target.textContent = "Loading demo data…";
    await loadDemo();
    await refresh();
  });
  $("remove-demo").addEventListener("click", async (event) => {
    event.target.disabled = true;
    await store.removeDemo();
    event.target.disabled = false;
    await refresh();
  });
  window.addEventListener("popstate", refresh);
  store.onOtherTabChange(() => refresh());
  startApiTraffic(refresh);
  refresh();
  return refresh;
}

function startApiTraffic(refresh) {
  const toggle = $("api-traffic");
  const status = $("api-traffic-status");
  let timer = null;
  const pull = async () => {
    try {
      const { added, note } = await pullLedger();
      if (added) await refresh(); // first, so the note below never shows figures that are not painted yet
      const news = added ? `${added.toLocaleString("en-US")} new requests from the server's ledger.` : null;
      status.hidden = !note && !added;
      status.textContent = news || note ? `API traffic: ${[news, note].filter(Boolean).join(" ")}` : "";
    } catch (error) {
      status.hidden = false;
      status.textContent = `API traffic could not be read: ${error.message}`;
    }
  };
  const apply = () => {
    clearInterval(timer);
    timer = null;
    status.hidden = true;
    if (!toggle.checked) return;
    pull();
    timer = setInterval(() => { if (document.visibilityState === "visible") pull(); }, LEDGER_POLL_MS);
  };
  toggle.checked = apiTrafficWanted();
  toggle.addEventListener("change", () => {
    setApiTrafficWanted(toggle.checked);
    apply();
  });
  apply();
}
