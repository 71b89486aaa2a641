//! `patchbay list | head` must not panic when the reader goes away: normal
//! output ignores a closed pipe.

use std::process::{Command, Stdio};

#[test]
fn output_into_a_closed_pipe_is_not_a_panic() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    // The read end is closed before the program starts, so every write to
    // stdout fails with EPIPE — deterministically, not by timing.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["systems", "--json"])
        .env("PATCHBAY_DATA_DIR", data_dir.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run patchbay");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_ne!(output.status.code(), Some(101), "stderr: {stderr}");
}
