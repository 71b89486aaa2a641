//! The facade end to end: a temp data dir, the REAL Secret Service and the
//! Fergus sandbox in-process on loopback. Run through the keyring wrapper:
//!
//!     scripts/with-keyring.sh cargo test -p patchbay-core --test scenarios
//!
//! Every test files its keyring entries under its own service name
//! ("patchbay-test-<uuid>"), so tests run in parallel.

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use common::*;
use patchbay_core::health::{Health, Lifecycle, TransitionKind};
use patchbay_core::*;
use serde_json::json;

#[tokio::test]
async fn connect_is_healthy_with_progress_and_the_secret_in_the_keyring() {
    let w = world().await;
    let mut rx = w.engine.subscribe();
    let view = w.connect_demo().await;
    assert_eq!(view.health, Health::Healthy);
    assert_eq!(view.lifecycle, Lifecycle::Connected);
    assert_eq!(view.account_name, w.sandbox.demo().name);
    assert!(
        view.masked_secret.starts_with("fergPAT_…"),
        "{}",
        view.masked_secret
    );
    assert!(view.readable_entities.contains(&"jobs".to_string()));
    assert_eq!(view.settings_page_url, w.sandbox.settings_page_url());
    assert_eq!(
        w.keyring_entry(&view.id).ok(),
        Some(w.sandbox.demo().token.clone())
    );

    let passed: Vec<ConnectStep> = drain(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::ConnectProgress {
                step,
                status: StepStatus::Passed,
                ..
            } => Some(step),
            _ => None,
        })
        .collect();
    let first = |s: ConnectStep| passed.iter().position(|p| *p == s).expect("step passed");
    assert!(first(ConnectStep::CheckAddress) < first(ConnectStep::Reach));
    assert!(first(ConnectStep::Reach) < first(ConnectStep::SignIn));
    assert!(first(ConnectStep::SignIn) < first(ConnectStep::CheckAccess));
    assert!(first(ConnectStep::CheckAccess) < first(ConnectStep::Save));
    assert_eq!(*passed.last().expect("steps"), ConnectStep::Save);

    let page = w
        .engine
        .browse(
            &view.id,
            "jobs",
            ListQuery {
                page_size: Some(5),
                ..Default::default()
            },
        )
        .await
        .expect("browse jobs");
    assert_eq!(page.records.len(), 5);
    w.finish().await;
}

#[tokio::test]
async fn a_revoked_token_needs_reconnect_on_the_next_check_and_on_use() {
    let w = world().await;
    let checked = w.connect_demo().await;
    let used = w
        .engine
        .connect(ConnectRequest {
            allow_duplicate: true,
            ..w.request("Second", &w.sandbox.demo().token)
        })
        .await
        .expect("duplicate allowed");
    w.control("tokens/revoke", json!({"token": w.sandbox.demo().token}))
        .await;

    let after = w.engine.check_now(&checked.id).await.expect("check runs");
    assert_eq!(after.health, Health::NeedsReconnect);

    // Detect on use: the browse fails AND the connection flips at once.
    let error = w
        .engine
        .browse(&used.id, "customers", ListQuery::default())
        .await
        .expect_err("revoked token");
    assert_eq!(error.code, AppErrorCode::AuthRejected);
    assert_eq!(
        w.engine.connection(&used.id).await.expect("view").health,
        Health::NeedsReconnect
    );
    w.finish().await;
}

#[tokio::test]
async fn an_outage_goes_offline_never_needs_reconnect_and_recovers() {
    let w = world().await;
    let view = w.connect_demo().await;
    let mut rx = w.engine.subscribe();
    w.control("faults", json!({"mode": "outage503"})).await;
    for i in 0..3 {
        let v = w.engine.check_now(&view.id).await.expect("check runs");
        assert_ne!(v.health, Health::NeedsReconnect);
        if i < 2 {
            assert_ne!(v.health, Health::Offline, "one blip is not an alert");
        } else {
            assert_eq!(v.health, Health::Offline);
        }
    }
    w.control("faults", json!({"mode": "none"})).await;
    let back = w.engine.check_now(&view.id).await.expect("check runs");
    assert_eq!(back.health, Health::Healthy);
    assert_eq!(
        transitions(&drain(&mut rx)),
        vec![TransitionKind::Offline, TransitionKind::Recovered]
    );
    let history = w.engine.history(&view.id, 10).await.expect("history");
    assert_eq!(history.len(), 5);
    assert_eq!(history[1].outcome, "service_down");
    w.finish().await;
}

#[tokio::test]
async fn a_downgraded_user_needs_reconnect_with_the_permission_reason() {
    let w = world().await;
    let view = w.connect_demo().await;
    let user = w.sandbox.demo().user_id;
    w.control(&format!("users/{user}/role"), json!({"role": "tradesman"}))
        .await;
    let after = w.engine.check_now(&view.id).await.expect("check runs");
    assert_eq!(after.health, Health::NeedsReconnect);
    assert!(
        after.reason.contains("Admin or Full User"),
        "{}",
        after.reason
    );
    w.finish().await;
}

#[tokio::test]
async fn a_token_352_days_old_is_expiring() {
    let start = Utc::now();
    let clock = Arc::new(ManualClock::new(start));
    let w = world_with_clock(clock.clone()).await;
    // Created long ago, said the wizard.
    let old = w
        .engine
        .connect(ConnectRequest {
            token_created: Some((start - Duration::days(352)).date_naive()),
            ..w.request("Old token", &w.sandbox.demo().token)
        })
        .await
        .expect("connects");
    assert_eq!(old.health, Health::Expiring, "{}", old.reason);

    // Or time passes: both clocks move 352 days; the token still works.
    let (token, _) = w.new_company("Kea Electrical").await;
    let fresh = w
        .engine
        .connect(w.request("Kea", &token))
        .await
        .expect("connects");
    assert_eq!(fresh.health, Health::Healthy);
    w.control("clock", json!({"advanceDays": 352})).await;
    clock.advance(Duration::days(352));
    let later = w.engine.check_now(&fresh.id).await.expect("check runs");
    assert_eq!(later.health, Health::Expiring, "{}", later.reason);
    w.finish().await;
}

#[tokio::test]
async fn reconnect_keeps_the_id_and_history_and_refuses_another_company() {
    let w = world().await;
    let view = w.connect_demo().await;
    // A new token replaces the old one (one active token per user).
    let issued = w
        .control("tokens", json!({"userId": w.sandbox.demo().user_id}))
        .await;
    let new_token = issued["token"].as_str().expect("token").to_string();
    let broken = w.engine.check_now(&view.id).await.expect("check runs");
    assert_eq!(broken.health, Health::NeedsReconnect);

    let (other_token, _) = w.new_company("Pukeko Drainage").await;
    let error = w
        .engine
        .reconnect(ReconnectRequest {
            connection_id: view.id.clone(),
            token: Secret::new(other_token),
            token_created: None,
            allow_different_account: false,
            attempt_id: None,
        })
        .await
        .expect_err("another company");
    assert_eq!(error.code, AppErrorCode::DifferentAccount);
    assert_eq!(
        w.keyring_entry(&view.id).ok(),
        Some(w.sandbox.demo().token.clone()),
        "secret untouched"
    );

    let fixed = w
        .engine
        .reconnect(ReconnectRequest {
            connection_id: view.id.clone(),
            token: Secret::new(new_token.clone()),
            token_created: None,
            allow_different_account: false,
            attempt_id: None,
        })
        .await
        .expect("reconnects");
    assert_eq!(fixed.id, view.id);
    assert_eq!(fixed.name, view.name);
    assert_eq!(fixed.health, Health::Healthy);
    assert_eq!(w.keyring_entry(&view.id).ok(), Some(new_token));
    assert_eq!(
        w.engine.history(&view.id, 50).await.expect("history").len(),
        3
    );
    assert_eq!(w.engine.list_connections().await.expect("list").len(), 1);
    w.finish().await;
}

#[tokio::test]
async fn disconnect_removes_the_secret_and_frees_the_credits() {
    let w = world().await;
    let view = w.connect_demo().await;
    assert_eq!(w.engine.credits().await.expect("credits").used, 1);
    let gone = w.engine.disconnect(&view.id).await.expect("disconnects");
    assert_eq!(gone.lifecycle, Lifecycle::Disconnected);
    assert!(matches!(
        w.keyring_entry(&view.id),
        Err(keyring::Error::NoEntry)
    ));
    assert_eq!(w.engine.credits().await.expect("credits").used, 0);
    assert!(!w
        .engine
        .history(&view.id, 10)
        .await
        .expect("history")
        .is_empty());
    let error = w
        .engine
        .browse(&view.id, "jobs", ListQuery::default())
        .await
        .expect_err("disconnected");
    assert_eq!(error.code, AppErrorCode::InvalidInput);
    // The same company can be connected again.
    w.connect_demo().await;
    w.finish().await;
}

#[tokio::test]
async fn credits_and_duplicates_are_refused_in_plain_words() {
    let w = world().await;
    w.connect_demo().await;
    let error = w
        .engine
        .connect(w.request("Again", &w.sandbox.demo().token))
        .await
        .expect_err("duplicate");
    assert_eq!(error.code, AppErrorCode::DuplicateConnection);
    let mut settings = w.engine.settings().await.expect("settings");
    settings.credits_allowance = 1;
    w.engine.update_settings(settings).await.expect("saved");
    let (token, _) = w.new_company("Weka Gas").await;
    let error = w
        .engine
        .connect(w.request("Weka", &token))
        .await
        .expect_err("no credits");
    assert_eq!(error.code, AppErrorCode::CreditsExhausted);
    assert_eq!(w.engine.list_connections().await.expect("list").len(), 1);
    w.finish().await;
}

#[tokio::test]
async fn a_rate_limited_check_is_not_a_credential_failure() {
    let w = world().await;
    let view = w.connect_demo().await;
    w.control("rate-limit", json!({"perMinute": 1, "enabled": true}))
        .await;
    let mut limited = None;
    for _ in 0..5 {
        let v = w.engine.check_now(&view.id).await.expect("check runs");
        assert_ne!(v.health, Health::NeedsReconnect);
        let last = w.engine.history(&view.id, 1).await.expect("history");
        if last[0].outcome == "rate_limited" {
            limited = Some(v);
            break;
        }
    }
    let v = limited.expect("the sandbox rate-limited a check");
    // Retry-After is honoured: the next check is not before the window resets.
    assert!(v.next_check.expect("scheduled") > Utc::now());
    w.finish().await;
}
