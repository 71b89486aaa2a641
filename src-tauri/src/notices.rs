//! Desktop notifications for health transitions worth a person's attention:
//! needs reconnect, offline, expiring, back online.
//!
//! No storms: transitions are collected for a short window after the first one; a burst of
//! [`GROUP_THRESHOLD`] or more of the same kind for the same system becomes one grouped
//! notification ("Fergus is not responding — 12 connections offline").

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use patchbay_core::health::TransitionKind;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
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
    /// The engine's plain-words reason.
    pub reason: String,
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

/// Whether a transition of this kind is worth interrupting someone for.
pub fn notifies(kind: TransitionKind) -> bool {
    matches!(
        kind,
        TransitionKind::ReauthorizationRequired
            | TransitionKind::Offline
            | TransitionKind::Expiring
            | TransitionKind::Recovered
    )
}

/// "Fergus – Smith Plumbing", without repeating the system when the name already has it.
fn display_name(name: &str, system_name: &str) -> String {
    if name.to_lowercase().contains(&system_name.to_lowercase()) {
        name.to_string()
    } else {
        format!("{system_name} – {name}")
    }
}

fn single(candidate: &Candidate) -> Notice {
    let who = display_name(&candidate.name, &candidate.system_name);
    let (title, body) = match candidate.kind {
        // The engine's reason already says what to do ("… Reconnect to fix it.").
        TransitionKind::ReauthorizationRequired => {
            (format!("{who} needs you"), candidate.reason.clone())
        }
        TransitionKind::Offline => (
            format!("{who} is not responding"),
            format!(
                "{} Patchbay keeps checking and will tell you when it is back.",
                candidate.reason
            ),
        ),
        TransitionKind::Expiring => (
            format!("{who}: the access token expires soon"),
            format!("{} Open Patchbay to renew it.", candidate.reason),
        ),
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
        if !notifies(candidate.kind) {
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
        if notifies(candidate.kind) {
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
        show(&app, &plan(&batch)).await;
    }
}

async fn show(app: &AppHandle, notices: &[Notice]) {
    let engine = app.state::<Engine>();
    let Ok(patchbay) = engine.get() else { return };
    // Off in Settings: no OS notification (the banner and the tray colour stay).
    match patchbay.settings().await {
        Ok(settings) if settings.notifications_enabled => {}
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(code = ?error.code, "settings unreadable; showing notifications anyway");
        }
    }
    for notice in notices {
        let shown = app
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body)
            .show();
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
            reason: "Fergus stopped accepting the access token on 4 Dec at 10:42 UTC. Reconnect to fix it."
                .to_string(),
        }
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
        assert!(notices[0].body.ends_with("Reconnect to fix it."));
        assert_eq!(notices[0].connection_ids, vec!["c1".to_string()]);
    }

    #[test]
    fn a_name_that_already_says_the_system_is_not_prefixed_twice() {
        let notices = plan(&[candidate(
            "c1",
            "Fergus — Smith Plumbing",
            TransitionKind::Recovered,
        )]);
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
