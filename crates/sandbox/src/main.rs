//! `patchbay-sandbox --port 47100 --seed 7 --jobs 2000`: serve the Fergus
//! sandbox in the foreground until Ctrl-C.

use clap::Parser;
use patchbay_sandbox::{Sandbox, SandboxOptions};

#[derive(Parser, Debug)]
#[command(
    name = "patchbay-sandbox",
    about = "A local emulator of the Fergus API (Patchbay's sandbox)"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 47100)]
    port: u16,
    /// Seed of the demo data (same seed, same data).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Jobs in the demo company.
    #[arg(long, default_value_t = 2000)]
    jobs: usize,
    /// Requests per minute per company.
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    /// Turn rate limiting off.
    #[arg(long)]
    no_rate_limit: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let options = SandboxOptions {
        port: args.port,
        seed: args.seed,
        demo_jobs: args.jobs,
        rate_limit_per_minute: args.rate_limit,
        rate_limit_enabled: !args.no_rate_limit,
    };
    let sandbox = match Sandbox::start(options).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!(
                "patchbay-sandbox: could not start on 127.0.0.1:{}: {error}",
                args.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let demo = sandbox.demo();
    let base = sandbox.base_url();
    println!("Fergus sandbox listening on {base}");
    println!("  demo company : {} (id {})", demo.name, demo.company_id);
    println!("  demo user id : {} (Admin)", demo.user_id);
    println!("  demo token   : {}", demo.token);
    println!("  settings page: {}", sandbox.settings_page_url());
    println!(
        "  try          : curl -H \"Authorization: Bearer {}\" {base}/company",
        demo.token
    );
    println!("  controls     : {base}/_sandbox/stats (see crates/sandbox/README.md)");
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    std::process::ExitCode::SUCCESS
}
