//! The activity log as a CSV file (RFC 4180 quoting; cells that a spreadsheet would run as
//! a formula are defused with a leading apostrophe).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use patchbay_core::{AppError, AppErrorCode, AuditEvent};

const HEADER: [&str; 6] = [
    "time_utc",
    "actor",
    "connection_id",
    "kind",
    "summary",
    "data",
];

/// Quotes one cell when needed: commas, quotes, line breaks, or leading/trailing spaces.
fn cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    let needs_quotes = defused.contains([',', '"', '\n', '\r'])
        || defused.starts_with(' ')
        || defused.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The CSV text for these events (newest first, as the log shows them).
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = row(&HEADER.map(String::from));
    for event in events {
        let data = if event.data.is_null() {
            String::new()
        } else {
            event.data.to_string()
        };
        out.push_str(&row(&[
            event.at.to_rfc3339(),
            event.actor.clone(),
            event.connection_id.clone().unwrap_or_default(),
            event.kind.clone(),
            event.summary.clone(),
            data,
        ]));
    }
    out
}

/// Writes the CSV into `dir` as `patchbay-activity-<time>.csv` and returns its absolute path.
pub fn write(dir: &Path, events: &[AuditEvent], now: DateTime<Utc>) -> Result<PathBuf, AppError> {
    let failed = |error: std::io::Error| {
        AppError::new(
            AppErrorCode::StorageFailed,
            "Patchbay couldn't save the activity log as a file.",
        )
        .hint("Check that the Downloads folder exists and has free space, then try again.")
        .detail(format!("{}: {error}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let path = dir.join(format!(
        "patchbay-activity-{}.csv",
        now.format("%Y%m%d-%H%M%S")
    ));
    std::fs::write(&path, to_csv(events)).map_err(failed)?;
    Ok(std::path::absolute(&path).unwrap_or(path))
}

/// Where exports go: the user's Downloads folder when it exists, else the data folder.
pub fn export_dir(data_dir: &Path) -> PathBuf {
    dirs::download_dir()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| data_dir.join("exports"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(summary: &str) -> AuditEvent {
        AuditEvent {
            id: 1,
            at: DateTime::parse_from_rfc3339("2026-12-04T10:42:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            actor: "monitor".to_string(),
            connection_id: Some("c1".to_string()),
            kind: "connection.offline".to_string(),
            summary: summary.to_string(),
            data: serde_json::json!({"from": "healthy"}),
        }
    }

    #[test]
    fn plain_cells_are_not_quoted() {
        assert_eq!(cell("monitor"), "monitor");
    }

    #[test]
    fn commas_quotes_and_newlines_are_quoted() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }

    #[test]
    fn a_log_becomes_header_plus_one_row_per_event() {
        let csv = to_csv(&[event("Smith Plumbing, Fergus: offline")]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "time_utc,actor,connection_id,kind,summary,data");
        assert_eq!(
            lines[1],
            "2026-12-04T10:42:00+00:00,monitor,c1,connection.offline,\"Smith Plumbing, Fergus: offline\",\"{\"\"from\"\":\"\"healthy\"\"}\""
        );
        assert_eq!(lines[2], "");
    }

    #[test]
    fn write_creates_the_file_and_returns_an_absolute_path() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { panic!("no temp dir") };
        let path = write(&dir.path().join("exports"), &[event("x")], Utc::now());
        let Ok(path) = path else {
            panic!("not written: {path:?}")
        };
        assert!(path.is_absolute());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.starts_with("time_utc,"));
    }
}
