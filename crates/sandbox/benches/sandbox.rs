//! `cargo bench -p patchbay-sandbox --bench sandbox`
//!
//! Prints one `name: value` line per figure:
//! - `sandbox_generate_100k_jobs_s`: seconds to generate a 100,000-job company
//!   (with its customers, sites, quotes, invoices, time entries, notes …).
//! - `sandbox_requests_per_s`: small authenticated GETs (`GET /jobs/{id}` with a
//!   bearer token) over loopback, rate limiting off, several keep-alive clients.
//! - `sandbox_requests_vs_version_ratio`: the above divided by the same load on
//!   `GET /version` (no auth, no data) measured in the same run.
//!
//! The load generator speaks raw HTTP/1.1 on keep-alive sockets so the figure
//! measures the sandbox rather than a client library.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use patchbay_sandbox::{generate, GenerateOptions, Sandbox, SandboxOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 16;
const MEASURE: Duration = Duration::from_secs(4);
const BASELINE: Duration = Duration::from_secs(2);

fn main() {
    let generate_secs = time_generation();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench: cannot build a runtime: {error}");
            std::process::exit(1);
        }
    };
    let (requests_per_s, version_per_s) = runtime.block_on(load());
    println!("sandbox_requests_per_s: {requests_per_s:.0}");
    println!("sandbox_generate_100k_jobs_s: {generate_secs:.3}");
    if version_per_s > 0.0 {
        println!(
            "sandbox_requests_vs_version_ratio: {:.3}",
            requests_per_s / version_per_s
        );
    }
}

fn time_generation() -> f64 {
    let options = GenerateOptions {
        seed: 7,
        jobs: 100_000,
        anchor: Utc::now(),
        company_id: 1,
        company_name: "Bench Co".to_owned(),
        first_user_id: 1,
    };
    let started = Instant::now();
    let data = generate(&options);
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(data.jobs.len(), 100_000);
    eprintln!(
        "bench: generated {} jobs, {} customers, {} sites, {} quotes, {} invoices, {} time entries, {} notes",
        data.jobs.len(),
        data.customers.len(),
        data.sites.len(),
        data.quotes.len(),
        data.invoices.len(),
        data.time_entries.len(),
        data.notes.len()
    );
    secs
}

async fn load() -> (f64, f64) {
    let sandbox = match Sandbox::start(SandboxOptions {
        port: 0,
        demo_jobs: 2000,
        rate_limit_enabled: false,
        ..SandboxOptions::default()
    })
    .await
    {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("bench: sandbox did not start: {error}");
            std::process::exit(1);
        }
    };
    let addr = sandbox.addr();
    let token = sandbox.demo().token.clone();
    let authed = format!(
        "GET /jobs/10042 HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    let version =
        format!("GET /version HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n");
    // Warm up, then measure.
    let _ = drive(addr, &authed, Duration::from_millis(300)).await;
    let requests_per_s = drive(addr, &authed, MEASURE).await;
    let version_per_s = drive(addr, &version, BASELINE).await;
    sandbox.shutdown().await;
    (requests_per_s, version_per_s)
}

/// Run `CLIENTS` keep-alive connections sending `request` for `duration`;
/// answer the rate of 200 responses per second.
async fn drive(addr: SocketAddr, request: &str, duration: Duration) -> f64 {
    let request = Arc::new(request.as_bytes().to_vec());
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let request = request.clone();
        tasks.push(tokio::spawn(client(addr, request, deadline)));
    }
    let mut ok = 0u64;
    let mut failed = 0u64;
    for task in tasks {
        match task.await {
            Ok((good, bad)) => {
                ok += good;
                failed += bad;
            }
            Err(_) => failed += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if failed > 0 {
        eprintln!("bench: {failed} requests failed");
    }
    ok as f64 / secs
}

async fn client(addr: SocketAddr, request: Arc<Vec<u8>>, deadline: Instant) -> (u64, u64) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, 1);
    };
    let _ = stream.set_nodelay(true);
    let mut buffer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let (mut ok, mut failed) = (0u64, 0u64);
    while Instant::now() < deadline {
        if stream.write_all(&request).await.is_err() {
            return (ok, failed + 1);
        }
        loop {
            if let Some((status_ok, length)) = complete_response(&buffer) {
                buffer.drain(..length);
                if status_ok {
                    ok += 1;
                } else {
                    failed += 1;
                }
                break;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return (ok, failed + 1),
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    }
    (ok, failed)
}

/// If `buffer` starts with a whole response: (was it 200, its length in bytes).
fn complete_response(buffer: &[u8]) -> Option<(bool, usize)> {
    let head_end = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    if buffer.len() < head_end + length {
        return None;
    }
    Some((head.starts_with("HTTP/1.1 200"), head_end + length))
}
