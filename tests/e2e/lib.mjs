// Shared helpers for the real-window tests (run through tests/e2e/run.sh, which sets the env).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { remote } from "webdriverio";

const require = createRequire(import.meta.url);
export const OUT = process.env.E2E_OUT ?? "target/e2e-screenshots";
export const SANDBOX_URL = process.env.SANDBOX_URL ?? "";
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Starts the app (a new process) and returns the WebDriver session. */
export async function openApp() {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: Number(process.env.TAURI_DRIVER_PORT ?? 4444),
    logLevel: "warn",
    connectionRetryTimeout: 60_000,
    capabilities: {
      "tauri:options": { application: process.env.APP_BIN },
      "wdio:enforceWebDriverClassic": true,
    },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

/** The element with this data-testid (optionally within a parent). */
export function byTestId(browser, id, parent) {
  return (parent ?? browser).$(`[data-testid="${id}"]`);
}

/** Waits until an element with this data-testid is displayed, and returns it. */
export async function waitForTestId(browser, id, timeout = 15_000, parent) {
  const element = byTestId(browser, id, parent);
  await element.waitForDisplayed({ timeout, timeoutMsg: `"${id}" did not appear within ${timeout} ms` });
  return element;
}

/**
 * Saves a screenshot of the window to target/e2e-screenshots/<name>.png. WebKitGTK returns
 * the last painted frame, which can lag the DOM by seconds when nothing else repaints:
 * wait for two animation frames (a full rendering update) first.
 */
export async function screenshot(browser, name) {
  await browser.execute(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))),
  );
  await browser.saveScreenshot(join(OUT, `${name}.png`));
}

/**
 * Runs axe-core on the current screen; writes the full violation list to
 * <name>.axe.json and returns the serious/critical ones as short strings.
 */
export async function seriousA11yViolations(browser, name) {
  const hasAxe = await browser.execute(() => typeof window.axe !== "undefined");
  if (!hasAxe) await browser.execute(AXE_SOURCE);
  const result = await browser.execute(() => window.axe.run(document, { resultTypes: ["violations"] }));
  writeFileSync(join(OUT, `${name}.axe.json`), JSON.stringify(result.violations, null, 2));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
}

/** Screenshot + axe for one screen; returns the serious/critical violations. */
export async function captureScreen(browser, name) {
  await screenshot(browser, name);
  return seriousA11yViolations(browser, name);
}

/** Calls one of the app's own commands from the page (through the Tauri IPC, like the UI). */
export async function invoke(browser, command, args = {}) {
  const reply = await browser.execute(
    (cmd, a) =>
      Promise.resolve()
        .then(() => window.__TAURI_INTERNALS__.invoke(cmd, a))
        .then(
        (value) => ({ ok: true, value: value ?? null }),
        (error) => ({ ok: false, error: typeof error === "string" ? error : JSON.stringify(error) }),
      ),
    command,
    args,
  );
  if (!reply.ok) throw new Error(`${command} was refused: ${reply.error}`);
  return reply.value;
}

/** Whether the D-Bus capture has a Notify call whose summary or body contains `text`. */
export function notificationLogged(text) {
  const log = readFileSync(process.env.NOTIFY_LOG, "utf8");
  return log.includes(text);
}

async function control(method, path, body) {
  const response = await fetch(`${SANDBOX_URL}/_sandbox${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The sandbox's control routes (see crates/sandbox/src/controls.rs). */
export const sandbox = {
  /** → { companyId, userId, token, name } */
  createCompany: (name, jobs = 500, seed = 11) => control("POST", "/companies", { name, jobs, seed }),
  /** A new token for a user → { token, userId, companyId, ... } */
  issueToken: (userId) => control("POST", "/tokens", { userId }),
  revokeToken: (token) => control("POST", "/tokens/revoke", { token }),
  /** role: admin | full_user | office_user | … */
  setRole: (userId, role) => control("POST", `/users/${userId}/role`, { role }),
  stats: () => control("GET", "/stats"),
};

/** Polls `check` (async, truthy = done) until it passes or `timeout` ms elapse. */
export async function eventually(check, { timeout = 15_000, interval = 200, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  throw new Error(`${message} not reached within ${timeout} ms (last: ${last})`);
}

/** Clicks the sidebar entry with this label ("Connections", "Add a system", …). */
export async function navTo(browser, label) {
  await browser.$("nav").$(`button*=${label}`).click();
}

/**
 * `test()` for a story: once a step fails, the later steps are skipped (they depend on it),
 * and the failing screen is saved as FAILED-<step>.png.
 */
export function storySteps(getBrowser) {
  let broken = null;
  return (name, fn) =>
    test(name, async (t) => {
      if (broken) {
        t.skip(`skipped: "${broken}" failed`);
        return;
      }
      try {
        await fn();
      } catch (error) {
        broken = name;
        const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
        await getBrowser()
          ?.saveScreenshot(join(OUT, `FAILED-${slug}.png`))
          .catch(() => undefined);
        throw error;
      }
    });
}

/**
 * Replaces what an input holds, the way a person does (select all, delete, type), so React
 * sees every change. WebDriver's clear() alone bypasses React's onChange.
 */
export async function fill(browser, element, value) {
  await element.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await element.addValue(value);
  const now = await element.getValue();
  if (now !== value) throw new Error(`input holds "${now}" instead of "${value}"`);
}

/**
 * Clicks `element` until the element with data-testid `testId` shows (up to 3 tries): a click
 * can land during a layout shift (a panel closing, a table loading) and hit nothing.
 */
export async function clickUntilShown(browser, element, testId, tries = 3) {
  for (let attempt = 1; ; attempt += 1) {
    await element.waitForClickable({ timeout: 10_000 });
    await element.click();
    try {
      return await waitForTestId(browser, testId, 5_000);
    } catch (error) {
      if (attempt >= tries) throw error;
    }
  }
}
