//! Desktop notifications for health transitions worth a person's attention:
//! needs reconnect, offline, expiring (the 14, 7 and 1 day reminders), back online.
//! Each kind can be turned off in Settings (`notify_*`), and all of them with the master
//! switch `notifications_enabled`; the in-app banner and the tray colour stay either way.
//!
//! No storms: transitions are collected for a short window after the first one; a burst of
//! [`GROUP_THRESHOLD`] or more of the same kind for the same system becomes one grouped
//! notification ("Fergus is not responding — 12 connections offline").
//!
//! Clicking a notification about one connection that needs something (needs you, offline,
//! expiring) opens that connection's reconnect flow; any other notification brings the window
//! (the board) to the front. The clicks arrive through the notification plugin's
//! `on_action` (a `tap`): on Linux it sends every notification with the `default` action on
//! one D-Bus connection and reports `ActionInvoked` from one listener thread, forgetting each
//! notification once the server closes it, so nothing waits per notification.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use patchbay_core::health::{Health, TransitionKind};
use patchbay_core::Settings;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::{ActionPerformed, NotificationExt};
use tokio::sync::mpsc;

use crate::engine::Engine;

/// How long to wait after the first transition of a burst before deciding.
pub const GROUP_WINDOW: Duration = Duration::from_millis(1500);
/// This many transitions of one kind for one system within the window are grouped.
pub const GROUP_THRESHOLD: usize = 3;

/// A health transition that may deserve a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub connection_id: String,
    /// The connection's name as the user gave it ("Smith Plumbing" or "Fergus — Smith Plumbing").
    pub name: String,
    /// System display name ("Fergus").
    pub system_name: String,
    pub kind: TransitionKind,
    /// The health before the transition (a recovery from "slow" is not "back online").
    pub from: Health,
    /// The engine's plain-words reason.
    pub reason: String,
    /// When the transition happened.
    pub at: DateTime<Utc>,
    /// When the access token expires (filled in for expiry reminders).
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub kind: TransitionKind,
    /// The connections it is about (one, or every connection of a group).
    pub connection_ids: Vec<String>,
}

/// What clicking a notification opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClickTarget {
    /// The reconnect (renew) flow of this connection.
    Reconnect(String),
    /// The window as it is (the board): grouped notifications and "back online".
    Board,
}

/// The key of the notification's `extra` payload that names the connection to reconnect.
pub const CONNECTION_ID_EXTRA: &str = "connectionId";
/// The plugin's action id for a click on the notification itself.
pub const TAP_ACTION: &str = "tap";
/// The Tauri event that makes the UI open a connection's reconnect flow (DESKTOP.md).
pub const OPEN_RECONNECT_EVENT: &str = "open-reconnect";
/// The sentence that says what clicking a reauthorization notification does.
pub const CLICK_TO_RECONNECT: &str = "Click to reconnect.";
/// The sentence that says what clicking an expiry reminder does.
pub const CLICK_TO_RENEW: &str = "Click to renew.";

impl Notice {
    /// A notification about one connection that needs something opens its reconnect flow;
    /// the others open the board.
    pub fn click_target(&self) -> ClickTarget {
        match (self.kind, self.connection_ids.as_slice()) {
            (
                TransitionKind::ReauthorizationRequired
                | TransitionKind::Offline
                | TransitionKind::Expiring,
                [one],
            ) => ClickTarget::Reconnect(one.clone()),
            _ => ClickTarget::Board,
        }
    }
}

/// The payload of the `open-reconnect` event: `{connectionId}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenReconnect {
    pub connection_id: String,
}

/// What a performed notification action asks for: a click on the notification (`tap`) opens
/// the connection named in its `extra` payload, or the board when it names none. Other
/// actions (none are offered) ask for nothing.
pub fn clicked(action_id: &str, extra: &HashMap<String, serde_json::Value>) -> Option<ClickTarget> {
    if action_id != TAP_ACTION {
        return None;
    }
    Some(
        match extra
            .get(CONNECTION_ID_EXTRA)
            .and_then(serde_json::Value::as_str)
        {
            Some(connection_id) if !connection_id.is_empty() => {
                ClickTarget::Reconnect(connection_id.to_string())
            }
            _ => ClickTarget::Board,
        },
    )
}

/// The plugin's `on_action` handler: brings the window to the front and, for a notification
/// about one connection, asks the UI to open its reconnect flow.
pub fn on_action(app: &AppHandle, performed: &ActionPerformed) {
    let no_extra = HashMap::new();
    let extra = performed
        .notification()
        .map_or(&no_extra, |notification| notification.extra());
    let Some(target) = clicked(performed.action_id(), extra) else {
        return;
    };
    crate::show_main_window(app);
    if let ClickTarget::Reconnect(connection_id) = target {
        if let Err(error) = app.emit(OPEN_RECONNECT_EVENT, OpenReconnect { connection_id }) {
            tracing::warn!(%error, "open-reconnect not sent to the window");
        }
    }
}

/// What the app showed, for the `shown_notifications` command (tests, diagnostics).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownNotification {
    pub title: String,
    pub body: String,
    /// "reauthorization_required", "offline", "expiring" or "recovered".
    pub kind: String,
    pub connection_ids: Vec<String>,
    pub at: DateTime<Utc>,
}

/// Whether a transition is worth interrupting someone for: needs reconnect, offline, an
/// expiry reminder, or back online after being offline or needing a reconnect.
pub fn notifies(kind: TransitionKind, from: Health) -> bool {
    match kind {
        TransitionKind::ReauthorizationRequired
        | TransitionKind::Offline
        | TransitionKind::Expiring => true,
        TransitionKind::Recovered => matches!(from, Health::Offline | Health::NeedsReconnect),
        _ => false,
    }
}

/// Whether the user wants OS notifications of this kind (Settings: the master switch and
/// the per-kind switch).
pub fn wanted(settings: &Settings, kind: TransitionKind) -> bool {
    settings.notifications_enabled
        && match kind {
            TransitionKind::ReauthorizationRequired => settings.notify_needs_reconnect,
            TransitionKind::Offline => settings.notify_offline,
            TransitionKind::Expiring => settings.notify_expiring,
            TransitionKind::Recovered => settings.notify_back_online,
            _ => false,
        }
}

/// "in 7 days", "in 1 day": whole days left, rounded up, so the 7-day reminder (sent a
/// little under 7 days before) says 7. `None` once the token has expired.
fn expires_in(expires_at: DateTime<Utc>, at: DateTime<Utc>) -> Option<String> {
    let seconds = (expires_at - at).num_seconds();
    if seconds <= 0 {
        return None;
    }
    let days = (seconds + 86_399) / 86_400;
    Some(if days == 1 {
        "in 1 day".to_string()
    } else {
        format!("in {days} days")
    })
}

/// "Fergus – Smith Plumbing", without repeating the system when the name already has it.
fn display_name(name: &str, system_name: &str) -> String {
    if name.to_lowercase().contains(&system_name.to_lowercase()) {
        name.to_string()
    } else {
        format!("{system_name} – {name}")
    }
}

/// `text` followed by `sentence`, with one space between them when both are there.
fn with_sentence(text: &str, sentence: &str) -> String {
    if text.is_empty() {
        sentence.to_string()
    } else {
        format!("{text} {sentence}")
    }
}

fn single(candidate: &Candidate) -> Notice {
    let who = display_name(&candidate.name, &candidate.system_name);
    let (title, body) = match candidate.kind {
        // The engine's reason says what to do ("… Reconnect to fix it."); the notification
        // says how: clicking it opens the reconnect flow.
        TransitionKind::ReauthorizationRequired => (
            format!("{who} needs you"),
            with_sentence(
                candidate
                    .reason
                    .trim_end()
                    .trim_end_matches("Reconnect to fix it.")
                    .trim_end(),
                CLICK_TO_RECONNECT,
            ),
        ),
        TransitionKind::Offline => (
            format!("{who} is not responding"),
            format!(
                "{} Patchbay keeps checking and will tell you when it is back.",
                candidate.reason
            ),
        ),
        // "Fergus – Smith Plumbing: the access token expires in 7 days" /
        // "Renew it now, it takes a minute."
        TransitionKind::Expiring => {
            let title = match candidate
                .token_expires_at
                .map(|expires_at| expires_in(expires_at, candidate.at))
            {
                Some(Some(when)) => format!("{who}: the access token expires {when}"),
                Some(None) => format!("{who}: the access token has expired"),
                None => format!("{who}: the access token expires soon"),
            };
            (
                title,
                with_sentence("Renew it now, it takes a minute.", CLICK_TO_RENEW),
            )
        }
        _ => (format!("{who} is working again"), candidate.reason.clone()),
    };
    Notice {
        title,
        body,
        kind: candidate.kind,
        connection_ids: vec![candidate.connection_id.clone()],
    }
}

fn grouped(system_name: &str, kind: TransitionKind, members: &[&Candidate]) -> Notice {
    let n = members.len();
    let (title, body) = match kind {
        TransitionKind::ReauthorizationRequired => (
            format!("{n} {system_name} connections need you"),
            format!("{system_name} stopped accepting their access tokens. Open Patchbay to reconnect them."),
        ),
        TransitionKind::Offline => (
            format!("{system_name} is not responding — {n} connections offline"),
            "Patchbay keeps checking and will tell you when they are back.".to_string(),
        ),
        TransitionKind::Expiring => (
            format!("{n} {system_name} access tokens expire soon"),
            "Open Patchbay to renew them.".to_string(),
        ),
        _ => (
            format!("{system_name} is back — {n} connections working again"),
            "Everything that was offline is answering normally.".to_string(),
        ),
    };
    Notice {
        title,
        body,
        kind,
        connection_ids: members.iter().map(|c| c.connection_id.clone()).collect(),
    }
}

/// Turns one burst of transitions into the notifications to show: one per connection per
/// transition, or one per (system, kind) when [`GROUP_THRESHOLD`] or more flipped together.
/// Kinds that do not notify are dropped. Order follows the first appearance of each group.
pub fn plan(batch: &[Candidate]) -> Vec<Notice> {
    let mut groups: BTreeMap<(usize, String, &'static str), Vec<&Candidate>> = BTreeMap::new();
    let mut first_seen: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    for (index, candidate) in batch.iter().enumerate() {
        if !notifies(candidate.kind, candidate.from) {
            continue;
        }
        let key = (candidate.system_name.clone(), candidate.kind.as_str());
        let order = *first_seen.entry(key.clone()).or_insert(index);
        groups
            .entry((order, key.0, key.1))
            .or_default()
            .push(candidate);
    }
    let mut notices = Vec::new();
    for ((_, system_name, _), members) in groups {
        let kind = members[0].kind;
        if members.len() >= GROUP_THRESHOLD {
            notices.push(grouped(&system_name, kind, &members));
        } else {
            notices.extend(members.into_iter().map(single));
        }
    }
    notices
}

/// The notifications to show for one burst, given the user's Settings: the kinds switched
/// off are left out before grouping (so they do not count towards a group either).
pub fn decide(settings: &Settings, batch: &[Candidate]) -> Vec<Notice> {
    let kept: Vec<Candidate> = batch
        .iter()
        .filter(|candidate| wanted(settings, candidate.kind))
        .cloned()
        .collect();
    plan(&kept)
}

/// Hands candidates to the background task that groups and shows them.
#[derive(Clone)]
pub struct Notifier {
    sender: mpsc::UnboundedSender<Candidate>,
}

impl Notifier {
    pub fn spawn(app: &AppHandle) -> Notifier {
        let (sender, receiver) = mpsc::unbounded_channel();
        tauri::async_runtime::spawn(run(app.clone(), receiver));
        Notifier { sender }
    }

    pub fn offer(&self, candidate: Candidate) {
        if notifies(candidate.kind, candidate.from) {
            let _ = self.sender.send(candidate);
        }
    }
}

async fn run(app: AppHandle, mut receiver: mpsc::UnboundedReceiver<Candidate>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + GROUP_WINDOW;
        while let Ok(Some(next)) = tokio::time::timeout_at(deadline, receiver.recv()).await {
            batch.push(next);
        }
        show(&app, batch).await;
    }
}

/// Keeps what Settings allows, completes expiry reminders with the token's expiry date,
/// groups, and shows.
async fn show(app: &AppHandle, mut batch: Vec<Candidate>) {
    let engine = app.state::<Engine>();
    let Ok(patchbay) = engine.get() else { return };
    // Off in Settings: no OS notification (the banner and the tray colour stay).
    let settings = patchbay.settings().await.unwrap_or_else(|error| {
        tracing::warn!(code = ?error.code, "settings unreadable; showing notifications anyway");
        Settings::default()
    });
    for candidate in &mut batch {
        if candidate.kind == TransitionKind::Expiring
            && candidate.token_expires_at.is_none()
            && wanted(&settings, candidate.kind)
        {
            if let Ok(connection) = patchbay.connection(&candidate.connection_id).await {
                candidate.token_expires_at = connection.token_expires_at;
            }
        }
    }
    for notice in &decide(&settings, &batch) {
        let mut builder = app
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body);
        if let ClickTarget::Reconnect(connection_id) = notice.click_target() {
            builder = builder.extra(CONNECTION_ID_EXTRA, connection_id);
        }
        let shown = builder.show();
        if let Err(error) = shown {
            tracing::warn!(%error, "notification not shown");
            continue;
        }
        engine.record_shown(ShownNotification {
            title: notice.title.clone(),
            body: notice.body.clone(),
            kind: notice.kind.as_str().to_string(),
            connection_ids: notice.connection_ids.clone(),
            at: Utc::now(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, name: &str, kind: TransitionKind) -> Candidate {
        Candidate {
            connection_id: id.to_string(),
            name: name.to_string(),
            system_name: "Fergus".to_string(),
            kind,
            from: Health::Healthy,
            reason: "Fergus stopped accepting the access token on 4 Dec at 10:42 UTC. Reconnect to fix it."
                .to_string(),
            at: at(),
            token_expires_at: None,
        }
    }

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T10:42:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// An expiry reminder sent `before` ahead of the token's end.
    fn reminder(id: &str, before: chrono::Duration) -> Candidate {
        Candidate {
            from: Health::Expiring,
            reason: "The Fergus token expires in 6 days. Renew it now, it takes a minute."
                .to_string(),
            token_expires_at: Some(at() + before),
            ..candidate(id, "Smith Plumbing", TransitionKind::Expiring)
        }
    }

    fn recovered(id: &str, from: Health) -> Candidate {
        Candidate {
            from,
            ..candidate(id, "Smith Plumbing", TransitionKind::Recovered)
        }
    }

    fn one_of_each() -> Vec<Candidate> {
        vec![
            candidate("r", "R", TransitionKind::ReauthorizationRequired),
            candidate("o", "O", TransitionKind::Offline),
            reminder("e", chrono::Duration::days(7)),
            recovered("b", Health::Offline),
        ]
    }

    fn kinds(notices: &[Notice]) -> Vec<TransitionKind> {
        notices.iter().map(|n| n.kind).collect()
    }

    #[tokio::test]
    async fn the_per_kind_switches_are_kept_across_a_restart() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let open = || async {
            patchbay_core::Patchbay::open(patchbay_core::PatchbayOptions {
                data_dir: dir.path().to_path_buf(),
                secrets: std::sync::Arc::new(patchbay_core::InMemorySecrets::new()),
                clock: std::sync::Arc::new(patchbay_core::SystemClock),
                http: None,
            })
            .await
            .unwrap_or_else(|e| panic!("engine opens: {e:?}"))
        };
        let engine = open().await;
        assert_eq!(
            engine.settings().await.ok(),
            Some(Settings::default()),
            "every switch starts on"
        );
        let chosen = Settings {
            notify_offline: false,
            notify_expiring: false,
            ..Settings::default()
        };
        engine
            .update_settings(chosen.clone())
            .await
            .unwrap_or_else(|e| panic!("settings saved: {e:?}"));
        drop(engine);
        let settings = open()
            .await
            .settings()
            .await
            .unwrap_or_else(|e| panic!("settings read: {e:?}"));
        assert_eq!(settings, chosen);
        assert_eq!(
            kinds(&decide(&settings, &one_of_each())),
            vec![
                TransitionKind::ReauthorizationRequired,
                TransitionKind::Recovered
            ]
        );
    }

    #[test]
    fn by_default_every_kind_notifies() {
        let notices = decide(&Settings::default(), &one_of_each());
        assert_eq!(
            kinds(&notices),
            vec![
                TransitionKind::ReauthorizationRequired,
                TransitionKind::Offline,
                TransitionKind::Expiring,
                TransitionKind::Recovered,
            ]
        );
    }

    #[test]
    fn the_master_switch_turns_every_kind_off() {
        let settings = Settings {
            notifications_enabled: false,
            ..Settings::default()
        };
        assert!(decide(&settings, &one_of_each()).is_empty());
    }

    #[test]
    fn each_kind_can_be_turned_off_on_its_own() {
        type SwitchOff = fn(&mut Settings);
        let cases: [(SwitchOff, TransitionKind); 4] = [
            (
                |s| s.notify_needs_reconnect = false,
                TransitionKind::ReauthorizationRequired,
            ),
            (|s| s.notify_offline = false, TransitionKind::Offline),
            (|s| s.notify_expiring = false, TransitionKind::Expiring),
            (|s| s.notify_back_online = false, TransitionKind::Recovered),
        ];
        for (switch_off, silenced) in cases {
            let mut settings = Settings::default();
            switch_off(&mut settings);
            let shown = kinds(&decide(&settings, &one_of_each()));
            assert_eq!(shown.len(), 3, "only {silenced:?} is dropped: {shown:?}");
            assert!(!shown.contains(&silenced), "{silenced:?} still shown");
        }
    }

    #[test]
    fn kinds_switched_off_do_not_count_towards_a_group() {
        let mut batch: Vec<Candidate> = (0..2)
            .map(|i| candidate(&format!("o{i}"), "X", TransitionKind::Offline))
            .collect();
        batch.push(recovered("b", Health::Offline));
        batch.push(recovered("c", Health::Offline));
        batch.push(recovered("d", Health::Offline));
        let settings = Settings {
            notify_back_online: false,
            ..Settings::default()
        };
        let notices = decide(&settings, &batch);
        assert_eq!(kinds(&notices), vec![TransitionKind::Offline; 2]);
    }

    #[test]
    fn the_seven_day_reminder_says_seven_days_in_plain_words() {
        // Sent by the monitor a little under 7 days before the end.
        let notices = decide(
            &Settings::default(),
            &[reminder(
                "c1",
                chrono::Duration::days(7) - chrono::Duration::minutes(5),
            )],
        );
        assert_eq!(notices.len(), 1);
        assert_eq!(
            format!("{}. {}", notices[0].title, notices[0].body),
            "Fergus – Smith Plumbing: the access token expires in 7 days. \
             Renew it now, it takes a minute. Click to renew."
        );
        assert_eq!(notices[0].connection_ids, vec!["c1".to_string()]);
    }

    #[test]
    fn each_reminder_stage_names_its_days() {
        for (before, words) in [
            (chrono::Duration::days(14), "expires in 14 days"),
            (
                chrono::Duration::days(1) - chrono::Duration::seconds(30),
                "expires in 1 day",
            ),
            (chrono::Duration::hours(-2), "has expired"),
        ] {
            let notices = decide(&Settings::default(), &[reminder("c1", before)]);
            assert!(
                notices[0].title.ends_with(words),
                "{before}: {}",
                notices[0].title
            );
        }
    }

    #[test]
    fn a_reminder_without_a_known_expiry_still_says_soon() {
        let unknown = Candidate {
            token_expires_at: None,
            ..reminder("c1", chrono::Duration::days(7))
        };
        let notices = plan(&[unknown]);
        assert_eq!(
            notices[0].title,
            "Fergus – Smith Plumbing: the access token expires soon"
        );
    }

    #[test]
    fn back_online_only_after_offline_or_needing_a_reconnect() {
        let batch = [
            recovered("a", Health::Offline),
            recovered("b", Health::NeedsReconnect),
            recovered("c", Health::Degraded),
        ];
        let notices = plan(&batch);
        let ids: Vec<&str> = notices
            .iter()
            .flat_map(|n| n.connection_ids.iter().map(String::as_str))
            .collect();
        assert_eq!(ids, vec!["a", "b"]);
    }

    #[test]
    fn one_reauthorization_names_the_connection_in_plain_words() {
        let notices = plan(&[candidate(
            "c1",
            "Smith Plumbing",
            TransitionKind::ReauthorizationRequired,
        )]);
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].title, "Fergus – Smith Plumbing needs you");
        assert!(notices[0]
            .body
            .starts_with("Fergus stopped accepting the access token"));
        assert_eq!(
            notices[0].body,
            "Fergus stopped accepting the access token on 4 Dec at 10:42 UTC. Click to reconnect."
        );
        assert_eq!(notices[0].connection_ids, vec!["c1".to_string()]);
        assert_eq!(
            notices[0].click_target(),
            ClickTarget::Reconnect("c1".to_string())
        );
    }

    #[test]
    fn a_reason_without_the_engine_hint_still_says_click_to_reconnect() {
        let notices = plan(&[Candidate {
            reason: "the token was not accepted.".to_string(),
            ..candidate(
                "c1",
                "Smith Plumbing",
                TransitionKind::ReauthorizationRequired,
            )
        }]);
        assert_eq!(
            format!("{}: {}", notices[0].title, notices[0].body),
            "Fergus – Smith Plumbing needs you: the token was not accepted. Click to reconnect."
        );
    }

    #[test]
    fn one_connection_that_needs_something_opens_its_reconnect_flow() {
        let batch = [
            candidate("r", "R", TransitionKind::ReauthorizationRequired),
            candidate("o", "O", TransitionKind::Offline),
            reminder("e", chrono::Duration::days(7)),
            recovered("b", Health::Offline),
        ];
        let targets: Vec<ClickTarget> = plan(&batch).iter().map(Notice::click_target).collect();
        assert_eq!(
            targets,
            vec![
                ClickTarget::Reconnect("r".to_string()),
                ClickTarget::Reconnect("o".to_string()),
                ClickTarget::Reconnect("e".to_string()),
                ClickTarget::Board,
            ]
        );
    }

    #[test]
    fn a_grouped_notification_opens_the_board() {
        let batch: Vec<Candidate> = (0..3)
            .map(|i| {
                candidate(
                    &format!("c{i}"),
                    "X",
                    TransitionKind::ReauthorizationRequired,
                )
            })
            .collect();
        let notices = plan(&batch);
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].click_target(), ClickTarget::Board);
        assert!(!notices[0].body.contains(CLICK_TO_RECONNECT));
    }

    #[test]
    fn a_tap_opens_the_connection_named_in_the_notification() {
        let extra: HashMap<String, serde_json::Value> =
            [(CONNECTION_ID_EXTRA.to_string(), serde_json::json!("conn-1"))].into();
        assert_eq!(
            clicked("tap", &extra),
            Some(ClickTarget::Reconnect("conn-1".to_string()))
        );
        assert_eq!(clicked("tap", &HashMap::new()), Some(ClickTarget::Board));
        let not_a_string: HashMap<String, serde_json::Value> =
            [(CONNECTION_ID_EXTRA.to_string(), serde_json::json!(7))].into();
        assert_eq!(clicked("tap", &not_a_string), Some(ClickTarget::Board));
        assert_eq!(clicked("dismiss", &extra), None);
        assert_eq!(clicked("snooze", &extra), None);
    }

    #[test]
    fn the_open_reconnect_payload_is_connection_id_in_camel_case() {
        let payload = serde_json::to_value(OpenReconnect {
            connection_id: "conn-1".to_string(),
        })
        .unwrap_or_default();
        assert_eq!(payload, serde_json::json!({ "connectionId": "conn-1" }));
    }

    #[test]
    fn a_name_that_already_says_the_system_is_not_prefixed_twice() {
        let notices = plan(&[Candidate {
            name: "Fergus — Smith Plumbing".to_string(),
            ..recovered("c1", Health::Offline)
        }]);
        assert_eq!(notices[0].title, "Fergus — Smith Plumbing is working again");
    }

    #[test]
    fn kinds_that_do_not_need_attention_are_dropped() {
        let batch = [
            candidate("c1", "A", TransitionKind::Degraded),
            candidate("c2", "B", TransitionKind::Reconnected),
            candidate("c3", "C", TransitionKind::Disconnected),
        ];
        assert!(plan(&batch).is_empty());
    }

    #[test]
    fn two_at_once_stay_separate() {
        let batch = [
            candidate("c1", "A", TransitionKind::Offline),
            candidate("c2", "B", TransitionKind::Offline),
        ];
        let notices = plan(&batch);
        assert_eq!(notices.len(), 2);
        assert_eq!(notices[0].title, "Fergus – A is not responding");
        assert_eq!(notices[1].title, "Fergus – B is not responding");
    }

    #[test]
    fn an_outage_becomes_one_grouped_notification() {
        let batch: Vec<Candidate> = (0..12)
            .map(|i| {
                candidate(
                    &format!("c{i}"),
                    &format!("Site {i}"),
                    TransitionKind::Offline,
                )
            })
            .collect();
        let notices = plan(&batch);
        assert_eq!(notices.len(), 1);
        assert_eq!(
            notices[0].title,
            "Fergus is not responding — 12 connections offline"
        );
        assert_eq!(notices[0].connection_ids.len(), 12);
    }

    #[test]
    fn groups_are_per_kind_and_keep_first_seen_order() {
        let mut batch = vec![candidate(
            "r",
            "Rita's Roofing",
            TransitionKind::ReauthorizationRequired,
        )];
        batch.extend((0..3).map(|i| candidate(&format!("o{i}"), "X", TransitionKind::Offline)));
        let notices = plan(&batch);
        assert_eq!(notices.len(), 2);
        assert_eq!(notices[0].kind, TransitionKind::ReauthorizationRequired);
        assert_eq!(
            notices[1].title,
            "Fergus is not responding — 3 connections offline"
        );
    }
}
