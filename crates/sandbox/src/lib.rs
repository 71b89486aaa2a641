//! patchbay-sandbox: a faithful local emulator of the Fergus API.
//!
//! Start it in-process with [`Sandbox::start`] (tests use port 0) or run the
//! `patchbay-sandbox` binary. The Fergus API paths hang directly off
//! [`Sandbox::base_url`]; controls live under `/_sandbox/` (loopback only) and
//! the practice "Generate PAT" page under [`Sandbox::settings_page_url`].
//!
//! Decisions where Fergus is silent: `pageSize` above [`api::MAX_PAGE_SIZE`]
//! (1000) is served as 1000 (`paging.perPage` says so); `pageSize < 1`, a
//! negative `pageCursor` or a non-integer → 400 `Validation Failed`.
//! Rate-limit headers appear on every response to a request whose token names a
//! company, while rate limiting is enabled.

// Handlers return `Result<_, Response>` where the error is the finished HTTP
// answer; boxing it would buy nothing on a once-per-request path.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod controls;
pub mod data;
pub mod http;
pub mod page;
pub mod server;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use data::{generate, Dataset, GenerateOptions};
pub use state::State;

/// Name of the demo company created at start.
pub const DEMO_COMPANY_NAME: &str = "Tui Plumbing & Electrical Ltd";

#[derive(Clone, Debug)]
pub struct SandboxOptions {
    /// 0 = ephemeral.
    pub port: u16,
    pub seed: u64,
    /// Jobs in the demo company created at start.
    pub demo_jobs: usize,
    pub rate_limit_per_minute: u32,
    pub rate_limit_enabled: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            port: 0,
            seed: 7,
            demo_jobs: 2000,
            rate_limit_per_minute: 100,
            rate_limit_enabled: true,
        }
    }
}

#[derive(Clone)]
pub struct DemoCompany {
    pub company_id: i64,
    pub user_id: i64,
    pub token: String,
    pub name: String,
}

impl std::fmt::Debug for DemoCompany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCompany")
            .field("company_id", &self.company_id)
            .field("user_id", &self.user_id)
            .field("token", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

pub struct Sandbox {
    addr: SocketAddr,
    demo: DemoCompany,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl Sandbox {
    /// Bind 127.0.0.1:`port`, create the demo company (an Admin user and a fresh
    /// token) and serve in a background task.
    pub async fn start(options: SandboxOptions) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(
            options.rate_limit_per_minute.max(1),
            options.rate_limit_enabled,
        ));
        let worker = state.clone();
        let seed = options.seed;
        let jobs = options.demo_jobs;
        let created = tokio::task::spawn_blocking(move || {
            worker.create_company(DEMO_COMPANY_NAME, jobs, seed)
        })
        .await
        .map_err(std::io::Error::other)?;
        let demo = DemoCompany {
            company_id: created.company_id,
            user_id: created.user_id,
            token: created.token,
            name: created.name,
        };
        let (shutdown, receiver) = watch::channel(false);
        let server = tokio::spawn(server::serve(listener, state.clone(), receiver));
        Ok(Sandbox {
            addr,
            demo,
            state,
            shutdown,
            server,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn demo(&self) -> &DemoCompany {
        &self.demo
    }

    pub fn settings_page_url(&self) -> String {
        format!("{}{}", self.base_url(), page::SETTINGS_PATH)
    }

    /// The live state (for in-process inspection; prefer the HTTP controls).
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Stop accepting, drop open connections and wait for the server task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}
