// Issue 5, "Clicking opens that connection's reconnect flow", in the real window: a revoked
// sandbox token makes the app show "… needs you … Click to reconnect." through the real
// notification server (dunst, started by run.sh); invoking the notification's default action
// through dunst — what a click does — brings the window up on that connection's reconnect
// screen, not another connection's.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before } from "node:test";
import {
  SANDBOX_URL,
  eventually,
  invoke,
  navTo,
  notificationLogged,
  openApp,
  sandbox,
  screenshot,
  storySteps,
  waitForTestId,
} from "./lib.mjs";

const NAME = "Hill Gas Fitting";
const OTHER = "Quinn Drainage";

let browser;
let company;
let connectionId;
let otherId;
const step = storySteps(() => browser);

/** Runs dunstctl (the real notification server's own control tool) and returns its output. */
function dunstctl(...args) {
  return execFileSync("dunstctl", args, { encoding: "utf8" }).trim();
}

async function connect(name, token) {
  const connection = await invoke(browser, "connect", {
    request: { system: "fergus", name, apiUrl: SANDBOX_URL, token, tokenCreated: null, allowDuplicate: false, attemptId: null },
  });
  assert.equal(connection.lifecycle, "connected");
  return connection.id;
}

before(async () => {
  company = await sandbox.createCompany(`${NAME} Ltd`, 60, 51);
  browser = await openApp();
  await waitForTestId(browser, "screen-board");
  // The quickest check interval the engine accepts, so the monitor finds the revoked token.
  const settings = await invoke(browser, "get_settings");
  await invoke(browser, "update_settings", {
    settings: { ...settings, checkIntervalSecs: 10, notificationsEnabled: true, notifyNeedsReconnect: true },
  });
});
after(async () => {
  await browser?.deleteSession();
});

step("two connections; a revoked token shows a notification that says a click reconnects", async () => {
  const other = await sandbox.createCompany(`${OTHER} Ltd`, 60, 52);
  otherId = await connect(OTHER, other.token);
  connectionId = await connect(NAME, company.token);
  // Only this test's notification is on screen (earlier files may have left some).
  dunstctl("close-all");
  await eventually(() => dunstctl("count", "displayed") === "0", { timeout: 5_000, message: "dunst cleared" });

  await sandbox.revokeToken(company.token);
  await eventually(() => notificationLogged(`string "Fergus – ${NAME} needs you"`), {
    timeout: 60_000,
    message: "the needs-you Notify call on the session bus",
  });
  const shown = (await invoke(browser, "shown_notifications")).filter(
    (n) => n.kind === "reauthorization_required" && n.connectionIds.includes(connectionId),
  );
  assert.equal(shown.length, 1, `one notification: ${JSON.stringify(shown)}`);
  assert.match(shown[0].body, /Click to reconnect\.$/, "the body says what a click does");
  assert.ok(notificationLogged(`string "${shown[0].body}"`), "the Notify call carries that body");
  // It offers the default action (what a click on the bubble invokes).
  assert.ok(notificationLogged('string "default"'), "the Notify call offers the default action");
  await eventually(() => Number(dunstctl("count", "displayed")) >= 1, {
    timeout: 10_000,
    message: "the notification on screen (dunst)",
  });
});

step("clicking it (dunst's default action) opens that connection's reconnect screen", async () => {
  // Somewhere else in the app, so only the click can bring up the reconnect screen.
  await navTo(browser, "Settings");
  await waitForTestId(browser, "screen-settings");

  dunstctl("action", "0");

  const screen = await waitForTestId(browser, "screen-reconnect", 15_000);
  const heading = await screen.$("h1").getText();
  assert.equal(heading, `Reconnect ${NAME}`, "the reconnect flow of the connection the notification was about");
  assert.ok(!heading.includes(OTHER));
  await waitForTestId(browser, "wizard-token");
  await screenshot(browser, "notification-click-reconnect");
});

step("clean up: disconnect both connections", async () => {
  for (const id of [connectionId, otherId]) {
    const disconnected = await invoke(browser, "disconnect", { connectionId: id });
    assert.equal(disconnected.lifecycle, "disconnected");
  }
});
