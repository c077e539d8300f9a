//! `dabba simulate --mdrp DIR`: replays Meal Delivery Routing Problem instances under a
//! dispatch policy, writes each solution as the published evaluator reads it and prints the
//! figures. A folder of instances runs them all, on every core, and prints their averages.
//! `dabba simulate --city`: a day in the seeded city under each policy ([`city`]).

pub mod city;

use anyhow::{Context, Result, bail};
use dabba_dispatch::batch::Batch;
use dabba_dispatch::greedy::Greedy;
use dabba_dispatch::mdrp::Instance;
use dabba_dispatch::metrics::{Metrics, measure};
use dabba_dispatch::sim::{Policy, simulate};
use dabba_dispatch::travel::Euclid;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// An MDRP instance folder (orders.txt, restaurants.txt, couriers.txt,
    /// instance_parameters.txt), or a folder of them.
    #[arg(long, required_unless_present = "city", requires = "out")]
    mdrp: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PolicyName::Greedy)]
    policy: PolicyName,
    /// Where to write each instance's solution files (one folder per instance).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A day in the seeded city instead: the same orders and riders under each policy, with and
    /// without learned preparation times and speeds.
    #[arg(long, conflicts_with = "mdrp")]
    city: bool,
    /// City: kitchens taken from the seeded 50,000-restaurant city.
    #[arg(long, default_value_t = 5_000)]
    kitchens: usize,
    /// City: orders over the day.
    #[arg(long, default_value_t = 20_000)]
    orders: usize,
    /// City: riders over the day (night, morning, lunch, long, dinner and late shifts).
    #[arg(long, default_value_t = 3_000)]
    riders: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
enum PolicyName {
    /// Each order at once to the courier who can pick it up soonest, one at a time.
    Greedy,
    /// Rounds of bundling and min-cost matching, sending only what cannot wait.
    Batch,
}

/// An MDRP run's arguments, given.
struct Mdrp {
    mdrp: PathBuf,
    out: PathBuf,
    policy: PolicyName,
}

fn read(dir: &Path) -> Result<Instance> {
    let file = |name: &str| {
        std::fs::read_to_string(dir.join(name)).with_context(|| format!("reading {}", dir.join(name).display()))
    };
    Instance::parse(
        &file("orders.txt")?,
        &file("restaurants.txt")?,
        &file("couriers.txt")?,
        &file("instance_parameters.txt")?,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
}

/// Solves one instance and writes its three files into `out`.
fn run_one(dir: &Path, policy: PolicyName, out: &Path) -> Result<Metrics> {
    let inst = read(dir)?;
    let travel = Euclid { meters_per_minute: inst.meters_per_minute };
    let mut p: Box<dyn Policy> = match policy {
        PolicyName::Greedy => Box::new(Greedy::for_instance(&inst)),
        PolicyName::Batch => Box::new(Batch::for_instance(&inst)),
    };
    let sol = simulate(&inst, &travel, p.as_mut());
    std::fs::create_dir_all(out)?;
    let (assignments, orders, couriers) = sol.files(&inst);
    std::fs::write(out.join("solution_info_assignments.txt"), assignments)?;
    std::fs::write(out.join("solution_info_orders.txt"), orders)?;
    std::fs::write(out.join("solution_info_couriers.txt"), couriers)?;
    Ok(measure(&inst, &sol))
}

fn row(name: &str, m: &Metrics) -> String {
    format!(
        "| {name} | {} | {:.2}% | {:.2} | {:.1} | {:.2} | {:.2} | {:.2} |",
        m.orders,
        100.0 * m.undelivered_share(),
        m.click_to_door_mean,
        m.click_to_door_p90,
        m.ready_to_pickup_mean,
        m.cost_per_order,
        m.orders_per_bundle
    )
}

pub fn run(args: SimulateArgs) -> Result<()> {
    if args.city {
        city::report(args.seed, args.kitchens, args.orders, args.riders);
        return Ok(());
    }
    let (Some(mdrp), Some(out)) = (args.mdrp.clone(), args.out.clone()) else {
        bail!("--mdrp DIR and --out DIR, or --city");
    };
    let args = Mdrp { mdrp, out, policy: args.policy };
    let single = args.mdrp.join("orders.txt").is_file();
    let mut dirs: Vec<PathBuf> = if single {
        vec![args.mdrp.clone()]
    } else {
        std::fs::read_dir(&args.mdrp)
            .with_context(|| format!("reading {}", args.mdrp.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("orders.txt").is_file())
            .collect()
    };
    dirs.sort();
    if dirs.is_empty() {
        bail!("{} holds no MDRP instance (a folder with orders.txt)", args.mdrp.display());
    }
    // Instances are independent: one thread per core takes the next.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<(String, Metrics)>> = Default::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(dirs.len());
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(dir) = dirs.get(i) else { return Ok(()) };
                        let name = dir
                            .file_name()
                            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
                        let out = if single { args.out.clone() } else { args.out.join(&name) };
                        let m = run_one(dir, args.policy, &out)?;
                        results.lock().unwrap_or_else(|p| p.into_inner()).push((name, m));
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| anyhow::anyhow!("a simulation thread panicked"))??;
        }
        Ok(())
    })?;
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));
    println!("policy {:?}; solutions in {}", args.policy, args.out.display());
    println!(
        "| instance | orders | undelivered | click-to-door mean min | p90 min | ready-to-pickup min | cost per order $ | orders per bundle |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, m) in &results {
        println!("{}", row(name, m));
    }
    if results.len() > 1 {
        let n = results.len() as f64;
        let avg = |f: &dyn Fn(&Metrics) -> f64| results.iter().map(|(_, m)| f(m)).sum::<f64>() / n;
        let undelivered = avg(&|m| m.undelivered_share());
        let mean = Metrics {
            orders: results.iter().map(|(_, m)| m.orders).sum(),
            delivered: 0,
            click_to_door_mean: avg(&|m| m.click_to_door_mean),
            click_to_door_p90: avg(&|m| m.click_to_door_p90),
            ready_to_pickup_mean: avg(&|m| m.ready_to_pickup_mean),
            cost_per_order: avg(&|m| m.cost_per_order),
            orders_per_bundle: avg(&|m| m.orders_per_bundle),
        };
        println!(
            "| **average of {}** | {} | {:.2}% | {:.2} | {:.1} | {:.2} | {:.2} | {:.2} |",
            results.len(),
            mean.orders,
            100.0 * undelivered,
            mean.click_to_door_mean,
            mean.click_to_door_p90,
            mean.ready_to_pickup_mean,
            mean.cost_per_order,
            mean.orders_per_bundle
        );
    }
    Ok(())
}
