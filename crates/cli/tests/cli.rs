//! The `patchbay` binary against the Fergus sandbox (in-process, loopback),
//! a temp data dir and the real Secret Service. Run through the keyring
//! wrapper: `scripts/with-keyring.sh cargo test -p patchbay-cli`.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use patchbay_sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

struct Env {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    service: String,
    /// Every token this test handed to the CLI.
    secrets: Vec<String>,
    /// Everything the CLI printed.
    printed: String,
}

async fn env() -> Env {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the CLI uses the real Secret Service: run through scripts/with-keyring.sh"
    );
    let sandbox = Sandbox::start(SandboxOptions {
        port: 0,
        demo_jobs: 30,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let secrets = vec![sandbox.demo().token.clone()];
    Env {
        sandbox,
        dir: tempfile::tempdir().expect("temp dir"),
        service: format!("patchbay-cli-test-{}", uuid::Uuid::new_v4()),
        secrets,
        printed: String::new(),
    }
}

impl Env {
    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_patchbay"));
        command
            .args(args)
            .env("PATCHBAY_DATA_DIR", self.dir.path())
            .env("PATCHBAY_KEYRING_SERVICE", &self.service)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Run with `stdin` piped in; remember what was printed.
    async fn run_with<I, S>(&mut self, args: I, stdin: &str) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = self.command(args).spawn().expect("patchbay runs");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).await.expect("stdin");
        }
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("patchbay finishes")
            .expect("output");
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(!stderr.contains("panicked"), "no panic: {stderr}");
        self.printed.push_str(&stdout);
        self.printed.push_str(&stderr);
        output
    }

    async fn run(&mut self, args: &[&str]) -> Output {
        self.run_with(args, "").await
    }

    async fn json(&mut self, args: &[&str]) -> Value {
        let output = self.run(args).await;
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}/_sandbox/{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .expect("sandbox control");
        response.json().await.expect("control JSON")
    }

    async fn connect(&mut self, name: &str, token: &str) -> Value {
        let url = self.sandbox.base_url();
        let output = self
            .run_with(
                [
                    "connect",
                    "fergus",
                    "--name",
                    name,
                    "--api-url",
                    &url,
                    "--json",
                ],
                &format!("{token}\n"),
            )
            .await;
        assert!(
            output.status.success(),
            "connect: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("connection JSON")
    }

    fn assert_no_secret_printed(&self) {
        for secret in &self.secrets {
            let tail = secret.trim_start_matches("fergPAT_");
            assert!(!self.printed.contains(tail), "a token was printed");
        }
    }

    async fn finish(self) {
        self.assert_no_secret_printed();
        self.sandbox.shutdown().await;
    }
}

fn error_json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stderr);
    let line = text.lines().rfind(|l| l.starts_with('{')).unwrap_or("{}");
    serde_json::from_str(line).expect("JSON error on stderr")
}

fn db_exists(dir: &Path) -> bool {
    dir.join("patchbay.db").exists()
}

#[tokio::test]
async fn an_admin_session_from_connect_to_disconnect() {
    let mut e = env().await;
    let systems = e.json(&["systems", "--json"]).await;
    assert_eq!(systems[0]["id"], "fergus");
    let human = e.run(&["systems"]).await;
    assert!(String::from_utf8_lossy(&human.stdout).contains("Fergus"));

    let token = e.sandbox.demo().token.clone();
    let view = e.connect("Tui office", &token).await;
    let id = view["id"].as_str().expect("id").to_string();
    assert_eq!(view["health"], "healthy");
    assert!(view["maskedSecret"]
        .as_str()
        .is_some_and(|m| m.starts_with("fergPAT_…")));

    let list = e.json(&["list", "--json"]).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    for key in [
        "id",
        "name",
        "system",
        "lifecycle",
        "health",
        "reason",
        "since",
        "lastSuccess",
        "nextCheck",
        "maskedSecret",
    ] {
        assert!(list[0].get(key).is_some(), "list has {key}");
    }
    let human = e.run(&["list"]).await;
    assert!(String::from_utf8_lossy(&human.stdout).contains("Tui office"));

    let checked = e.json(&["check", &id, "--json"]).await;
    assert_eq!(checked[0]["health"], "healthy");
    let all = e.json(&["check", "--all", "--json"]).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));

    let page = e
        .json(&["browse", &id, "jobs", "--limit", "3", "--json"])
        .await;
    assert_eq!(page["records"].as_array().map(Vec::len), Some(3));
    let human = e.run(&["browse", &id, "customers", "--limit", "2"]).await;
    assert!(human.status.success());

    let data = r#"{"customerFullName":"Aroha Ngata","mainContact":{"firstName":"Aroha","lastName":"Ngata"}}"#;
    let created = e
        .json(&["create", &id, "customer", "--data", data, "--json"])
        .await;
    assert!(
        created["outcome"] == "created" || created["outcome"] == "alreadyExists",
        "{created}"
    );

    let renamed = e.json(&["rename", &id, "Front office", "--json"]).await;
    assert_eq!(renamed["name"], "Front office");
    let settings = e
        .json(&["settings", "--check-interval", "120", "--json"])
        .await;
    assert_eq!(settings["checkIntervalSecs"], 120);
    let credits = e.json(&["credits", "--json"]).await;
    assert_eq!(credits["used"], 1);

    let events = e.json(&["events", "--connection", &id, "--json"]).await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|v| v["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"connection.created"), "{kinds:?}");
    assert!(events
        .as_array()
        .expect("events")
        .iter()
        .all(|v| v["actor"] == "cli"));

    let out = e.run(&["disconnect", &id]).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Disconnected"));
    let list = e.json(&["list", "--json"]).await;
    assert_eq!(list[0]["lifecycle"], "disconnected");
    assert_eq!(e.json(&["credits", "--json"]).await["used"], 0);
    e.finish().await;
}

#[tokio::test]
async fn reconnect_and_watch_report_what_happened() {
    let mut e = env().await;
    let token = e.sandbox.demo().token.clone();
    let view = e.connect("Tui office", &token).await;
    let id = view["id"].as_str().expect("id").to_string();

    let mut watch = e
        .command(["watch", "--interval", "1", "--json"])
        .spawn()
        .expect("watch runs");
    let stdout = watch.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    e.control("tokens/revoke", json!({"token": token})).await;
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a transition within the deadline")
        .expect("read")
        .expect("a line");
    let transition: Value = serde_json::from_str(&line).expect("JSON line");
    assert_eq!(transition["connectionId"], id.as_str());
    assert_eq!(transition["transition"]["to"], "needs_reconnect");
    let pid = watch.id().expect("pid").to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), watch.wait())
        .await
        .expect("watch stops on SIGTERM")
        .expect("status");
    assert!(status.success(), "clean stop: {status:?}");

    let issued = e
        .control("tokens", json!({"userId": e.sandbox.demo().user_id}))
        .await;
    let new_token = issued["token"].as_str().expect("token").to_string();
    e.secrets.push(new_token.clone());
    let out = e.run_with(["reconnect", &id, "--json"], &new_token).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(fixed["id"], id.as_str());
    assert_eq!(fixed["health"], "healthy");
    e.finish().await;
}

#[tokio::test]
async fn bad_input_gives_a_clear_error_and_writes_nothing() {
    let mut e = env().await;
    let url = e.sandbox.base_url();
    let token = e.sandbox.demo().token.clone();

    let cases: Vec<(Vec<String>, String, &str)> = vec![
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "X".into(),
                "--api-url".into(),
                "not a url".into(),
                "--json".into(),
            ],
            token.clone(),
            "address_invalid",
        ),
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "X".into(),
                "--api-url".into(),
                url.clone(),
                "--json".into(),
            ],
            String::new(),
            "invalid_input",
        ),
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "X".into(),
                "--api-url".into(),
                url.clone(),
                "--json".into(),
            ],
            "garbage !!".into(),
            "invalid_input",
        ),
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "x".repeat(10_000),
                "--api-url".into(),
                url.clone(),
                "--json".into(),
            ],
            token.clone(),
            "invalid_input",
        ),
        (
            vec![
                "connect".into(),
                "nosuch".into(),
                "--name".into(),
                "X".into(),
                "--json".into(),
            ],
            token.clone(),
            "invalid_input",
        ),
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "X".into(),
                "--token-created".into(),
                "yesterday".into(),
                "--json".into(),
            ],
            token.clone(),
            "invalid_input",
        ),
        (
            vec!["check".into(), "no-such-id".into(), "--json".into()],
            String::new(),
            "not_found",
        ),
        (
            vec![
                "browse".into(),
                "no-such-id".into(),
                "jobs".into(),
                "--json".into(),
            ],
            String::new(),
            "not_found",
        ),
        (
            vec![
                "create".into(),
                "no-such-id".into(),
                "customer".into(),
                "--data".into(),
                "{not json".into(),
                "--json".into(),
            ],
            String::new(),
            "invalid_input",
        ),
        (
            vec![
                "settings".into(),
                "--check-interval".into(),
                "1".into(),
                "--json".into(),
            ],
            String::new(),
            "invalid_input",
        ),
        (
            vec![
                "connect".into(),
                "fergus".into(),
                "--name".into(),
                "X".into(),
                "--token".into(),
                "fergPAT_x".into(),
                "--json".into(),
            ],
            String::new(),
            "invalid_input",
        ),
    ];
    for (args, stdin, code) in cases {
        let output = e.run_with(&args, &stdin).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let error = error_json(&output);
        assert_eq!(error["code"], code, "{args:?}: {error}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // A wrong token reaches the sandbox and is refused in plain words.
    let wrong = format!("fergPAT_{}", uuid::Uuid::new_v4());
    e.secrets.push(wrong.clone());
    let output = e
        .run_with(
            ["connect", "fergus", "--name", "X", "--api-url", &url],
            &wrong,
        )
        .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("This token was not accepted"), "{stderr}");
    assert!(stderr.contains("What to do:"), "{stderr}");

    // A non-UTF-8 argument.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = OsStr::from_bytes(b"\xff\xfe");
        let output = e.run_with([OsStr::new("rename"), odd, odd], "").await;
        assert!(!output.status.success());
    }

    let list = e.json(&["list", "--json"]).await;
    assert_eq!(list, json!([]), "nothing half-written");
    assert!(db_exists(e.dir.path()));
    e.finish().await;
}
