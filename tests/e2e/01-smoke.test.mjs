// The window opens on the home screen (the board, or its empty state), has no serious
// accessibility problems, and the shell's commands answer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { captureScreen, invoke, openApp, waitForTestId } from "./lib.mjs";

let browser;
before(async () => {
  browser = await openApp();
});
after(async () => {
  await browser?.deleteSession();
});

test("the window opens on the status board", async () => {
  assert.equal(await browser.getTitle(), "Patchbay");
  await waitForTestId(browser, "screen-board");
  const violations = await captureScreen(browser, "01-board-start");
  assert.deepEqual(violations, [], "axe: serious/critical violations on the board");
});

test("the shell answers its commands", async () => {
  const systems = await invoke(browser, "list_systems");
  assert.ok(systems.some((s) => s.id === "fergus"), "Fergus is in the catalog");
  const settings = await invoke(browser, "get_settings");
  assert.equal(typeof settings.checkIntervalSecs, "number");
  const shown = await invoke(browser, "shown_notifications");
  assert.ok(Array.isArray(shown));
});

test("a command the app does not have is refused", async () => {
  await assert.rejects(invoke(browser, "definitely_not_a_command"), /not allowed|not found/i);
});

test("a second launch hands over to the running app and exits", async () => {
  const second = spawnSync(process.env.APP_BIN, [], { timeout: 20_000, encoding: "utf8" });
  assert.equal(second.error, undefined, `second launch: ${second.error}`);
  assert.equal(second.status, 0, `second launch exit status (stderr: ${second.stderr?.slice(-500)})`);
  // The first instance is still there and answering.
  assert.equal(await browser.getTitle(), "Patchbay");
  await waitForTestId(browser, "screen-board");
});
