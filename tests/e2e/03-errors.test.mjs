// Connecting with something wrong shows the engine's plain-words error with a stable code:
// a wrong token, an address where nothing answers, a user who may not use the API.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SANDBOX_URL, byTestId, captureScreen, clickUntilShown, fill, navTo, openApp, sandbox, waitForTestId } from "./lib.mjs";

let browser;
before(async () => {
  browser = await openApp();
  await waitForTestId(browser, "screen-board");
});
after(async () => {
  await browser?.deleteSession();
});

/** Runs the wizard with these values and returns the error box's code. */
async function connectExpectingError({ name, token, address }) {
  await navTo(browser, "Connections");
  await waitForTestId(browser, "screen-board");
  await navTo(browser, "Add a system");
  await waitForTestId(browser, "wizard-choose");
  await clickUntilShown(browser, byTestId(browser, "system-fergus"), "wizard-token");
  await fill(browser, browser.$('input[id$="-name"]'), name);
  await fill(browser, byTestId(browser, "token-input"), token);
  await browser.$("summary=Advanced").click();
  await fill(browser, await waitForTestId(browser, "address-input"), address);
  await browser.$("button=Check and connect").click();
  const box = await waitForTestId(browser, "error-box", 45_000);
  const text = await box.getText();
  assert.ok(text.length > 20, "the error says something in words");
  // "Technical details" is folded away but there.
  await waitForTestId(browser, "error-details-toggle");
  return box.getAttribute("data-code");
}

test("a wrong token says the token was not accepted", async () => {
  const code = await connectExpectingError({
    name: "Wrong token",
    token: "fergPAT_00000000-not-a-real-token",
    address: SANDBOX_URL,
  });
  assert.equal(code, "auth_rejected");
  const violations = await captureScreen(browser, "20-error-wrong-token");
  assert.deepEqual(violations, []);
});

test("an address where nothing answers says it can't be reached", async () => {
  const code = await connectExpectingError({
    name: "Nobody home",
    token: "fergPAT_00000000-whatever-token",
    address: "http://127.0.0.1:9",
  });
  assert.equal(code, "unreachable");
  const violations = await captureScreen(browser, "21-error-unreachable");
  assert.deepEqual(violations, []);
});

test("a user without API rights is told which permission is missing", async () => {
  const company = await sandbox.createCompany("Downgraded Drains", 50, 31);
  await sandbox.setRole(company.userId, "office_user");
  const code = await connectExpectingError({
    name: "Downgraded",
    token: company.token,
    address: SANDBOX_URL,
  });
  assert.equal(code, "permission_missing");
  const violations = await captureScreen(browser, "22-error-downgraded-user");
  assert.deepEqual(violations, []);
});
