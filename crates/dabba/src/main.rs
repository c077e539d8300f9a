//! `dabba`: one binary to serve, migrate, seed and benchmark. Thin on purpose: it reads the
//! configuration, builds the pieces and hands over to the library crates.

mod bench;
mod config;
mod seed;
mod serve;
mod simulate;

use anyhow::Result;
use clap::{Parser, Subcommand};
use config::ConfigArgs;

// No `Debug` on the command line types: they hold secrets (passwords, the JWT secret, URLs).
#[derive(Parser)]
#[command(name = "dabba", version, about = "Dabba: an open-source food delivery platform")]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (migrates the database first).
    Serve {
        /// On an empty database, seed a small demo city and print logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Administer accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write a synthetic city (deterministic for a given --seed).
    Seed {
        #[arg(long, default_value_t = 1000)]
        restaurants: usize,
        #[arg(long, default_value_t = 100)]
        customers: usize,
        #[arg(long, default_value_t = 50)]
        riders: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Load-test a server started on a seeded city; prints a table and writes JSON.
    Bench(bench::BenchArgs),
    /// The client side of the `tracking` benchmark (started by `dabba bench`).
    #[command(hide = true)]
    BenchWatchers(bench::watchers::WatchersArgs),
    /// Replay Meal Delivery Routing Problem instances under a dispatch policy; writes the
    /// solutions the published evaluator reads and prints the figures.
    Simulate(simulate::SimulateArgs),
    /// The double-entry ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every invariant (balanced transactions, zero total, orders explained, wallets and
    /// refunds agree); exits non-zero and lists the problems if any fails.
    Check,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an ADMIN account (admins cannot register through the API).
    Create {
        #[arg(long)]
        phone: String,
        /// The password (or DABBA_ADMIN_PASSWORD, which keeps it out of shell history).
        #[arg(long, env = "DABBA_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[arg(long)]
        email: Option<String>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let log_given = cli.config.log.is_some();
    let mut settings = cli.config.resolve()?;
    if matches!(cli.command, Command::Bench(_) | Command::BenchWatchers(_)) && !log_given {
        // An access-log line per request would measure the terminal, not the server.
        settings.log = "warn".into();
    }
    serve::init_logging(&settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { demo } => serve::serve(settings, demo).await,
            Command::Migrate => {
                let store = serve::open_store(&settings).await?;
                store.close().await;
                println!("migrations applied to {}", settings.database_url);
                Ok(())
            }
            Command::Admin { command: AdminCommand::Create { phone, password, name, email } } => {
                let store = serve::open_store(&settings).await?;
                let user = serve::create_admin(store.as_ref(), &name, &phone, &password, email.as_deref()).await?;
                store.close().await;
                println!("admin {} created with id {}", user.phone, user.user_id);
                Ok(())
            }
            Command::Seed { restaurants, customers, riders, seed } => {
                let store = serve::open_store(&settings).await?;
                let plan = seed::Plan { restaurants, customers, riders, seed };
                let started = std::time::Instant::now();
                seed::run(store.as_ref(), plan, true).await?;
                store.close().await;
                println!(
                    "seeded {restaurants} restaurants, {customers} customers, {riders} riders in {:.1}s (password {:?})",
                    started.elapsed().as_secs_f64(),
                    seed::DEMO_PASSWORD
                );
                Ok(())
            }
            Command::Bench(args) => bench::run(settings, args).await,
            Command::BenchWatchers(args) => bench::watchers::run(args).await,
            Command::Simulate(args) => simulate::run(args),
            Command::Ledger { command: LedgerCommand::Check } => {
                let store = serve::open_store(&settings).await?;
                let report = dabba_api::payments::check::check(&store.ledger_snapshot().await?);
                store.close().await;
                println!("{}", serde_json::to_string_pretty(&report)?);
                if !report.ok {
                    anyhow::bail!("the ledger check found {} problem(s)", report.problems.len());
                }
                Ok(())
            }
        }
    })
}
