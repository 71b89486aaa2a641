//! The practice settings page: imitates Fergus's Settings → Integrations →
//! Fergus API → "Generate PAT" screen, backed by the `/_sandbox/` controls.

use hyper::StatusCode;

use crate::http::{bytes_response, Resp};

pub const SETTINGS_PATH: &str = "/settings/integrations/fergus-api";

pub fn settings_page() -> Resp {
    bytes_response(
        StatusCode::OK,
        "text/html; charset=utf-8",
        SETTINGS_HTML.as_bytes().to_vec(),
    )
}

const SETTINGS_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fergus API – Settings (Patchbay practice page)</title>
<style>
  :root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --brand:#0b6e4f; --bg:#f5f7fa; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:var(--bg); }
  .banner { background:#fff3c4; border-bottom:1px solid #f0d77a; padding:10px 24px; font-size:14px; }
  header { background:#fff; border-bottom:1px solid var(--line); padding:14px 24px; display:flex; gap:12px; align-items:baseline; }
  header strong { font-size:18px; }
  .crumbs { color:var(--muted); font-size:14px; }
  main { max-width:720px; margin:24px auto; padding:0 16px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:24px; margin-bottom:16px; }
  h1 { font-size:22px; margin:0 0 8px; }
  label { display:block; font-weight:600; margin:14px 0 4px; }
  select, input { width:100%; padding:9px 10px; border:1px solid #bcccdc; border-radius:6px; font:inherit; }
  button { margin-top:18px; padding:10px 18px; border:0; border-radius:6px; background:var(--brand); color:#fff; font:inherit; font-weight:600; cursor:pointer; }
  button.secondary { background:#fff; color:var(--brand); border:1px solid var(--brand); margin-top:0; }
  button:disabled { opacity:.6; cursor:default; }
  .token { display:flex; gap:8px; align-items:center; margin-top:8px; }
  .token code { flex:1; padding:10px; background:#f0f4f8; border-radius:6px; word-break:break-all; font-size:14px; }
  .note { color:var(--muted); font-size:14px; }
  .warn { color:#8a4b00; }
  .error { color:#b42318; }
  [hidden] { display:none !important; }
</style>
</head>
<body>
<div class="banner" role="note">This is the <strong>Patchbay practice page</strong>, served by the local Fergus sandbox. It is <strong>not real Fergus</strong>: tokens made here only work against this sandbox.</div>
<header><strong>Fergus</strong><span class="crumbs">Settings › Integrations › Fergus API</span></header>
<main>
  <section class="card">
    <h1>Personal access token</h1>
    <p class="note">A personal access token (PAT) lets another program use Fergus as you. Only an <strong>Admin</strong> or <strong>Full User</strong> can make one. Each user has one token at a time, and it expires after 365 days.</p>
    <label for="company">Company</label>
    <select id="company"></select>
    <label for="user">Signed in as</label>
    <select id="user"></select>
    <p id="role-warning" class="note warn" hidden>This user's role cannot use the Fergus API; a token made for them will be refused (403).</p>
    <label for="token-name">Token name</label>
    <input id="token-name" value="Patchbay" autocomplete="off">
    <button id="generate" type="button">Generate PAT</button>
    <p id="error" class="error" role="alert" hidden></p>
  </section>
  <section class="card" id="result" hidden aria-live="polite">
    <h1>Your new token</h1>
    <p class="note"><strong>Copy it now — it is shown only once.</strong> It replaces this user's previous token, which stops working straight away.</p>
    <div class="token"><code id="token"></code><button id="copy" class="secondary" type="button">Copy</button></div>
    <p id="copied" class="note" hidden>Copied to the clipboard.</p>
  </section>
</main>
<script>
(function () {
  var companies = [];
  var companySelect = document.getElementById('company');
  var userSelect = document.getElementById('user');
  var errorBox = document.getElementById('error');
  function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }
  function option(value, text) { var o = document.createElement('option'); o.value = value; o.textContent = text; return o; }
  function fillUsers() {
    var company = companies.find(function (c) { return String(c.companyId) === companySelect.value; });
    userSelect.innerHTML = '';
    (company ? company.users : []).forEach(function (u) {
      userSelect.appendChild(option(u.userId, u.firstName + ' ' + u.lastName + ' (' + u.role.replace('_', ' ') + ')'));
    });
    warnRole();
  }
  function warnRole() {
    var company = companies.find(function (c) { return String(c.companyId) === companySelect.value; });
    var user = company && company.users.find(function (u) { return String(u.userId) === userSelect.value; });
    document.getElementById('role-warning').hidden = !user || user.mayUseApi;
  }
  fetch('/_sandbox/companies').then(function (r) { return r.json(); }).then(function (body) {
    companies = body.companies || [];
    companies.forEach(function (c) { companySelect.appendChild(option(c.companyId, c.name)); });
    fillUsers();
  }).catch(function () { showError('Could not load the companies from the sandbox. Is it still running?'); });
  companySelect.addEventListener('change', fillUsers);
  userSelect.addEventListener('change', warnRole);
  document.getElementById('generate').addEventListener('click', function () {
    var button = this;
    showError('');
    if (!userSelect.value) { showError('Pick a user first.'); return; }
    button.disabled = true;
    fetch('/_sandbox/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: Number(userSelect.value) }) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        button.disabled = false;
        if (!res.ok) { showError(res.body.message || 'Could not make a token.'); return; }
        document.getElementById('token').textContent = res.body.token;
        document.getElementById('result').hidden = false;
        document.getElementById('copied').hidden = true;
      })
      .catch(function () { button.disabled = false; showError('The sandbox did not answer. Is it still running?'); });
  });
  document.getElementById('copy').addEventListener('click', function () {
    var text = document.getElementById('token').textContent;
    var done = function () { document.getElementById('copied').hidden = false; };
    if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done, function () {}); }
    else { var r = document.createRange(); r.selectNode(document.getElementById('token')); getSelection().removeAllRanges(); getSelection().addRange(r); document.execCommand('copy'); done(); }
  });
})();
</script>
</body>
</html>
"#;
