// Table smoothness benchmark, in the real app window (run by scripts/bench-scroll.sh, which
// sets the env: TAURI_DRIVER_PORT, APP_BIN). Not a test: no assertions on times; it prints
// `name: value` lines on stdout and context on stderr.
//
// Inside the page it records requestAnimationFrame intervals:
//   idle   ~2 s of an idle rAF loop on the Jobs table (the baseline of this machine/display);
//   wheel  a 600 px step every frame for ~2 s (a fast mouse wheel / trackpad fling);
//   far    a large fixed step every frame until 60% of the table's height is travelled or
//          ~5 s passed (dragging the scrollbar through 100,000 jobs) — the headline figure.
// Rows are not awaited: pages load in the background and the table must stay responsive.
import { byTestId, navTo, openApp, screenshot, waitForTestId } from "../lib.mjs";

const IDLE_MS = Number(process.env.SCROLL_IDLE_MS ?? 2000);
const WHEEL_STEP_PX = Number(process.env.SCROLL_WHEEL_STEP_PX ?? 600);
const WHEEL_MS = Number(process.env.SCROLL_WHEEL_MS ?? 2000);
const FAR_FRACTION = Number(process.env.SCROLL_FAR_FRACTION ?? 0.6);
const FAR_MS = Number(process.env.SCROLL_FAR_MS ?? 5000);
const FAR_FRAMES = Number(process.env.SCROLL_FAR_FRAMES ?? 240); // step = distance / this
const EXPECTED_JOBS = Number(process.env.SCROLL_JOBS ?? 100000);

// Metric names: browser_scroll_100k_… ; METRIC_SUFFIX (e.g. "_gl") marks another rendering mode.
const SUFFIX = process.env.METRIC_SUFFIX ?? "";
const MODE = process.env.RENDER_MODE ?? "";
const log = (...parts) => console.error(`bench-scroll${MODE ? ` [${MODE}]` : ""}:`, ...parts);

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
const fixed = (n) => (Number.isFinite(n) ? n.toFixed(2) : "NaN");

/** Runs inside the page: one measured phase. `step` 0 = idle. Returns the frame intervals. */
function measurePhase(step, maxMs, targetTop) {
  return new Promise((resolve) => {
    const el = document.querySelector('[data-testid="records-scroll"]');
    const intervals = [];
    const startTop = el.scrollTop;
    let start = null;
    let last = null;
    const tick = (now) => {
      if (start === null) start = now;
      if (last !== null) intervals.push(now - last);
      last = now;
      const reached = step > 0 && el.scrollTop >= targetTop - 1;
      if (now - start >= maxMs || reached) {
        const rows = [...document.querySelectorAll('[data-testid^="record-row"]')];
        resolve({
          loadedRows: rows.filter((r) => r.dataset.testid === "record-row").length,
          intervals,
          travelled: el.scrollTop - startTop,
          scrollTop: el.scrollTop,
          scrollHeight: el.scrollHeight,
          clientHeight: el.clientHeight,
          rows: rows.length,
          lastIndex: Math.max(-1, ...rows.map((r) => Number(r.dataset.index))),
          elapsedMs: now - start,
        });
        return;
      }
      if (step > 0) el.scrollTop = Math.min(targetTop, el.scrollTop + step);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

function summarise(name, result) {
  const p50 = percentile(result.intervals, 50);
  const p95 = percentile(result.intervals, 95);
  const max = Math.max(...result.intervals);
  log(
    `${name}: ${result.intervals.length} frames in ${(result.elapsedMs / 1000).toFixed(2)} s, ` +
      `p50 ${fixed(p50)} ms, p95 ${fixed(p95)} ms, max ${fixed(max)} ms, ` +
      `travelled ${Math.round(result.travelled)} px (now ${Math.round(result.scrollTop)} of ${result.scrollHeight} px), ` +
      `rows in the DOM ${result.rows} (${result.loadedRows} loaded, the rest "Loading…"), last row index ${result.lastIndex}`,
  );
  return { p50, p95 };
}

const browser = await openApp();
try {
  await browser.setTimeout({ script: 60_000 });
  await waitForTestId(browser, "screen-board", 30_000);
  await navTo(browser, "Browse data");
  await waitForTestId(browser, "screen-browser", 15_000);
  const jobs = await waitForTestId(browser, "entity-jobs", 15_000);
  await jobs.click();
  await waitForTestId(browser, "records-table", 20_000);
  await waitForTestId(browser, "record-row", 30_000);
  const geometry = await browser.execute(() => {
    const el = document.querySelector('[data-testid="records-scroll"]');
    return { scrollHeight: el.scrollHeight, clientHeight: el.clientHeight };
  });
  const maxTop = geometry.scrollHeight - geometry.clientHeight;
  log(`table: ${geometry.scrollHeight} px tall, ${geometry.clientHeight} px visible (${EXPECTED_JOBS} jobs expected)`);

  const idle = await browser.execute(measurePhase, 0, IDLE_MS, 0);
  const idleStats = summarise("idle", idle);

  const wheel = await browser.execute(measurePhase, WHEEL_STEP_PX, WHEEL_MS, maxTop);
  const wheelStats = summarise(`wheel (${WHEEL_STEP_PX} px a frame)`, wheel);

  const farTarget = Math.round(maxTop * FAR_FRACTION);
  const farStep = Math.max(WHEEL_STEP_PX, Math.ceil((farTarget - wheel.scrollTop) / FAR_FRAMES));
  const far = await browser.execute(measurePhase, farStep, FAR_MS, farTarget);
  const farStats = summarise(`far (${farStep} px a frame, to ${Math.round(FAR_FRACTION * 100)}% of the height)`, far);

  // What the table shows once scrolling stops (rows fill in as pages arrive).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const settled = await browser.execute(() => {
    const rows = [...document.querySelectorAll('[data-testid="record-row"]')];
    const loading = document.querySelectorAll('[data-testid="record-row-loading"]').length;
    return { rows: rows.length, loading, first: rows[0]?.innerText.replace(/\s+/g, " ").slice(0, 80) ?? "" };
  });
  log(`1.5 s after stopping: ${settled.rows} loaded rows and ${settled.loading} loading rows in the DOM; first: "${settled.first}"`);
  if (process.env.SCROLL_SCREENSHOT) await screenshot(browser, process.env.SCROLL_SCREENSHOT);

  const print = (name, value) => console.log(`${name}${SUFFIX}: ${fixed(value)}`);
  print("browser_scroll_100k_frame_ms_p95", farStats.p95);
  print("browser_scroll_100k_frame_ms_p95_ratio_to_idle", farStats.p95 / idleStats.p95);
  print("browser_scroll_100k_frame_ms_p50", farStats.p50);
  print("browser_scroll_100k_wheel_frame_ms_p95", wheelStats.p95);
  print("browser_scroll_100k_wheel_frame_ms_p95_ratio_to_idle", wheelStats.p95 / idleStats.p95);
  print("browser_idle_frame_ms_p95", idleStats.p95);
} finally {
  await browser.deleteSession().catch(() => undefined);
}
