// Alerts (issue 5) in the real window: Settings → Alerts → add a webhook endpoint pointing at a
// receiver inside this test, send a test event, see it verified at the receiver and in the
// endpoint's delivery log; then a revoked sandbox token produces exactly one signed
// `connection.reauthorization_required` delivery and an OS notification; a token near the
// end of its 365 days gives one "expires in 7 days" reminder (notification + webhook).
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { after, before } from "node:test";
import {
  SANDBOX_URL,
  byTestId,
  captureScreen,
  eventually,
  fill,
  invoke,
  navTo,
  notificationLogged,
  openApp,
  sandbox,
  storySteps,
  waitForTestId,
} from "./lib.mjs";

const COMPANY = "Jones Electrical Ltd";
const NAME = "Jones Electrical";

let browser;
let receiver;
let receiverUrl;
let company;
let secret;
let endpointId;
let connectionId;
const step = storySteps(() => browser);

/**
 * A webhook receiver on 127.0.0.1:0 that keeps every request (headers and raw body) and
 * answers 200. Signatures are checked against the secret once the screen has shown it.
 */
function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, requests, port: server.address().port }));
  });
}

/** Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body" keyed with the decoded `whsec_` secret. */
function verified(request, signingSecret) {
  const id = request.headers["webhook-id"];
  const timestamp = request.headers["webhook-timestamp"];
  const header = request.headers["webhook-signature"];
  if (!id || !timestamp || !header || !signingSecret?.startsWith("whsec_")) return false;
  const key = Buffer.from(signingSecret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request.body}`).digest();
  // The header may carry several space-separated signatures ("v1,<base64> v1,<base64>").
  return header.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Every verified message of this type: { id, body } (body parsed). */
function verifiedOfType(type) {
  return receiver.requests
    .filter((r) => verified(r, secret))
    .map((r) => ({ id: r.headers["webhook-id"], body: JSON.parse(r.body) }))
    .filter((m) => m.body.type === type);
}

before(async () => {
  receiver = await startReceiver();
  receiverUrl = `http://127.0.0.1:${receiver.port}/hooks/patchbay`;
  company = await sandbox.createCompany(COMPANY, 200, 31);
  browser = await openApp();
  await waitForTestId(browser, "screen-board");
  // The quickest check interval the engine accepts, so the monitor finds the revoked token.
  const settings = await invoke(browser, "get_settings");
  await invoke(browser, "update_settings", {
    settings: { ...settings, checkIntervalSecs: 10, notificationsEnabled: true },
  });
});
after(async () => {
  await browser?.deleteSession();
  receiver?.server.close();
});

async function expectNoSeriousA11y(name) {
  const violations = await captureScreen(browser, name);
  assert.deepEqual(violations, [], `axe: serious/critical violations on ${name}`);
}

const endpointCard = () => browser.$(`[data-testid="webhook-endpoint"][data-endpoint-id="${endpointId}"]`);

/** The delivery rows of our endpoint's log, as { status, text }. */
async function deliveryRows() {
  const rows = await endpointCard().$$('[data-testid="webhook-delivery"]');
  const out = [];
  for (const row of rows) out.push({ status: await row.getAttribute("data-status"), text: await row.getText() });
  return out;
}

step("the notification switches per kind are saved and read back", async () => {
  const settings = await invoke(browser, "get_settings");
  for (const key of ["notifyNeedsReconnect", "notifyOffline", "notifyExpiring", "notifyBackOnline"]) {
    assert.equal(settings[key], true, `${key} defaults to on`);
  }
  const saved = await invoke(browser, "update_settings", { settings: { ...settings, notifyOffline: false } });
  assert.equal(saved.notifyOffline, false);
  assert.equal((await invoke(browser, "get_settings")).notifyOffline, false);
  await invoke(browser, "update_settings", { settings: { ...settings, notifyOffline: true } });
});

step("Settings → Alerts: add an endpoint; the signing secret is shown once", async () => {
  await navTo(browser, "Settings");
  await waitForTestId(browser, "screen-settings");
  const alerts = await waitForTestId(browser, "alerts");
  await alerts.$("button*=Add an endpoint").click();
  const dialog = browser.$('[role="dialog"]');
  await dialog.waitForDisplayed({ timeout: 10_000, timeoutMsg: "add-endpoint dialog" });
  await fill(browser, dialog.$('input[type="url"]'), receiverUrl);
  await fill(browser, dialog.$('input[id$="-description"]'), "E2E receiver");
  await dialog.$("button=Add endpoint").click();

  const secretBox = await waitForTestId(browser, "webhook-secret", 15_000);
  secret = (await secretBox.$("code").getText()).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, "a Standard Webhooks secret");
  assert.ok(Buffer.from(secret.slice(6), "base64").length >= 24, "at least 24 random bytes");
  await expectNoSeriousA11y("alerts-01-secret-shown");
  await browser.$("button=I've copied it").click();
  await dialog.waitForDisplayed({ reverse: true, timeout: 10_000, timeoutMsg: "dialog closed" });

  const endpoints = await invoke(browser, "list_webhooks");
  const mine = endpoints.find((e) => e.url === receiverUrl);
  assert.ok(mine, `the endpoint is listed: ${JSON.stringify(endpoints)}`);
  assert.equal(mine.enabled, true);
  assert.equal(mine.eventTypes, null, "every event by default");
  assert.ok(!JSON.stringify(endpoints).includes(secret), "the list never carries the secret");
  endpointId = mine.id;
  await endpointCard().waitForDisplayed({ timeout: 10_000, timeoutMsg: "endpoint card" });
  assert.match(await endpointCard().getText(), /hooks\/patchbay/);
});

step("'Send test event' arrives signed and shows in the endpoint's delivery log", async () => {
  await endpointCard().$("button*=Send test event").click();
  const tests = await eventually(
    () => {
      const found = verifiedOfType("webhook.test");
      return found.length > 0 ? found : null;
    },
    { timeout: 20_000, message: `a verified webhook.test at the receiver (got ${receiver.requests.length} requests)` },
  );
  assert.equal(tests.length, 1, "one test event");
  assert.ok(receiver.requests.every((r) => verified(r, secret)), "every request at the receiver is signed correctly");
  assert.match(tests[0].id, /^msg_/);
  assert.ok(!Number.isNaN(Date.parse(tests[0].body.timestamp)), "RFC 3339 timestamp");

  // The log in the window: delivered, with the receiver's answer.
  await waitForTestId(browser, "webhook-deliveries", 10_000, endpointCard());
  await eventually(
    async () => {
      const rows = await deliveryRows();
      if (rows.some((r) => r.status === "delivered" && /Test event/.test(r.text) && /HTTP 200/.test(r.text))) return true;
      await endpointCard().$("button*=Refresh").click();
      return false;
    },
    { timeout: 20_000, interval: 1_000, message: "a delivered test event in the delivery log" },
  );
  const log = await invoke(browser, "webhook_deliveries", { endpointId, limit: 10 });
  assert.equal(log[0].messageId, tests[0].id, "the log and the receiver agree on the webhook-id");
  assert.equal(log[0].status, "delivered");
  await byTestId(browser, "webhook-deliveries", endpointCard()).scrollIntoView({ block: "center" });
  await expectNoSeriousA11y("alerts-02-test-delivered");
});

step("connect a sandbox connection", async () => {
  const connection = await invoke(browser, "connect", {
    request: {
      system: "fergus",
      name: NAME,
      apiUrl: SANDBOX_URL,
      token: company.token,
      tokenCreated: null,
      allowDuplicate: false,
      attemptId: null,
    },
  });
  assert.equal(connection.lifecycle, "connected");
  connectionId = connection.id;
  // connection.created goes out to the endpoint (it asked for every event).
  await eventually(() => verifiedOfType("connection.created").some((m) => m.body.data.connectionId === connectionId), {
    timeout: 20_000,
    message: "a verified connection.created",
  });
});

step("a revoked token: exactly one signed reauthorization_required, and a notification", async () => {
  await sandbox.revokeToken(company.token);
  // Nobody presses "Check now": the background monitor finds it.
  const reauth = () => verifiedOfType("connection.reauthorization_required").filter((m) => m.body.data.connectionId === connectionId);
  await eventually(() => reauth().length > 0, {
    timeout: 60_000,
    message: "a verified connection.reauthorization_required at the receiver",
  });
  const [message] = reauth();
  assert.equal(message.body.data.health, "needs_reconnect");
  assert.equal(message.body.data.name, NAME);
  assert.ok(!JSON.stringify(message.body).includes(company.token), "no token in the payload");

  // "Exactly one": wait until the monitor has checked again after the transition (it still
  // fails) and nothing is waiting in the outbox, then count.
  const transitionAt = Date.parse(message.body.timestamp);
  await eventually(
    async () => {
      const history = await invoke(browser, "connection_history", { connectionId, limit: 10 });
      return history.filter((h) => Date.parse(h.at) > transitionAt && h.health === "needs_reconnect").length >= 1;
    },
    { timeout: 45_000, message: "a later check after the transition" },
  );
  await eventually(
    async () => (await invoke(browser, "webhook_deliveries", { endpointId, limit: 50 })).every((d) => d.status !== "pending"),
    { timeout: 20_000, message: "the outbox is empty for the endpoint" },
  );
  assert.equal(reauth().length, 1, "exactly one reauthorization_required delivery");
  const sameId = receiver.requests.filter((r) => r.headers["webhook-id"] === message.id);
  assert.equal(sameId.length, 1, "delivered once under its webhook-id");
  assert.ok(receiver.requests.every((r) => verified(r, secret)), "every request at the receiver is signed correctly");

  // The OS notification went out over D-Bus (captured by dbus-monitor in run.sh) …
  await eventually(() => notificationLogged(`string "Fergus – ${NAME} needs you"`), {
    timeout: 10_000,
    message: "Notify call on the session bus",
  });
  // … and the app's own record says the same, once.
  const shown = await invoke(browser, "shown_notifications");
  const mine = shown.filter((n) => n.kind === "reauthorization_required" && n.connectionIds.includes(connectionId));
  assert.equal(mine.length, 1, `one notification: ${JSON.stringify(shown)}`);
});

step("the Alerts screen lists the endpoint with its deliveries", async () => {
  await navTo(browser, "Connections");
  await waitForTestId(browser, "screen-board");
  await navTo(browser, "Settings");
  await waitForTestId(browser, "screen-settings");
  await endpointCard().waitForDisplayed({ timeout: 10_000, timeoutMsg: "endpoint card" });
  await endpointCard().$("button*=Recent deliveries").click();
  await eventually(async () => (await deliveryRows()).some((r) => /needs reconnecting/.test(r.text)), {
    timeout: 15_000,
    message: "the reauthorization delivery in the log",
  });
  const rows = await deliveryRows();
  assert.ok(rows.every((r) => r.status === "delivered"), `all delivered: ${JSON.stringify(rows)}`);
  await byTestId(browser, "webhook-deliveries", endpointCard()).scrollIntoView({ block: "center" });
  await expectNoSeriousA11y("alerts-03-endpoint-deliveries");
});

step("a token near its 365 days: one reminder, as a notification and a signed webhook", async () => {
  const roofing = await sandbox.createCompany("Brown Roofing Ltd", 50, 41);
  // Created 358 days ago (UTC date): it expires at midnight 7 days from today.
  const created = new Date(Date.now() - 358 * 86_400_000).toISOString().slice(0, 10);
  const connection = await invoke(browser, "connect", {
    request: {
      system: "fergus",
      name: "Brown Roofing",
      apiUrl: SANDBOX_URL,
      token: roofing.token,
      tokenCreated: created,
      allowDuplicate: false,
      attemptId: null,
    },
  });
  assert.equal(connection.health, "expiring");
  const title = "Fergus – Brown Roofing: the access token expires in 7 days";
  await eventually(() => notificationLogged(`string "${title}"`), {
    timeout: 15_000,
    message: "the 7-day reminder on the session bus",
  });
  assert.ok(
    notificationLogged('string "Renew it now, it takes a minute. Click to renew."'),
    "the reminder says what to do, and what a click does",
  );
  const expiring = () =>
    verifiedOfType("connection.expiring").filter((m) => m.body.data.connectionId === connection.id);
  await eventually(() => expiring().length > 0, { timeout: 20_000, message: "a verified connection.expiring" });

  // Once: the monitor checks again (still expiring) and nothing more is said.
  const connectedAt = Date.parse(connection.createdAt);
  await eventually(
    async () => {
      const history = await invoke(browser, "connection_history", { connectionId: connection.id, limit: 10 });
      return history.some((h) => Date.parse(h.at) > connectedAt && h.outcome === "success");
    },
    { timeout: 45_000, message: "a monitor check after connecting" },
  );
  await eventually(
    async () => (await invoke(browser, "webhook_deliveries", { endpointId, limit: 50 })).every((d) => d.status !== "pending"),
    { timeout: 20_000, message: "the outbox is empty for the endpoint" },
  );
  assert.equal(expiring().length, 1, "one connection.expiring webhook");
  const shown = (await invoke(browser, "shown_notifications")).filter(
    (n) => n.kind === "expiring" && n.connectionIds.includes(connection.id),
  );
  assert.deepEqual(
    shown.map((n) => `${n.title}. ${n.body}`),
    [`${title}. Renew it now, it takes a minute. Click to renew.`],
    "one reminder notification",
  );
  await invoke(browser, "disconnect", { connectionId: connection.id });
});

step("clean up: disconnect the connection", async () => {
  const disconnected = await invoke(browser, "disconnect", { connectionId });
  assert.equal(disconnected.lifecycle, "disconnected");
});
