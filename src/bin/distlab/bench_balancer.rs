//! `distlab bench --protocol balancer`: a million requests over a hundred backends, for each
//! strategy, trace off, one core; prints simulated requests per second of wall time.

use std::time::Instant;

use distlab::protocols::balancer::strategy::{NAMES, StrategyConfig};
use distlab::protocols::balancer::{Node, bench_model, run_to_completion};
use serde_json::json;

use crate::args::Flags;
use crate::progress::human;
use crate::{CmdResult, Outcome};

/// Runs the benchmark with `flags` (`--requests`, `--backends`, `--strategy`, `--json`).
pub fn bench(flags: &Flags) -> CmdResult {
    let requests = flags.num::<u64>("--requests", "a number of requests")?.unwrap_or(1_000_000);
    let backends = flags.num::<usize>("--backends", "a number of backends")?.unwrap_or(100);
    if !(1..=200).contains(&backends) || requests == 0 {
        return Err("--backends must be 1..=200 and --requests positive".into());
    }
    let names: Vec<&str> = match flags.get("--strategy") {
        Some(s) => s.split(',').map(str::trim).collect(),
        None => NAMES.to_vec(),
    };
    super::bench::note_if_debug_build("bench --protocol balancer");
    let json_out = flags.switch("--json");
    if !json_out {
        println!("bench balancer: {requests} requests over {backends} backends (8 slots, exponential 10 ms, 60 % load), trace off, one core");
    }
    let mut rows = Vec::new();
    for name in names {
        let strategy = StrategyConfig::by_name(name).ok_or_else(|| format!("--strategy: unknown strategy \"{name}\" (expected one of: {})", NAMES.join(", ")))?;
        let model = bench_model(strategy, backends, requests);
        let started = Instant::now();
        let e = run_to_completion(model, 1, 3_600_000_000);
        let wall = started.elapsed().as_secs_f64();
        let lb = e.nodes()[0].state().and_then(Node::lb).ok_or("the balancer is down")?;
        let answered = lb.served + lb.failed;
        if answered < requests {
            return Err(format!("{name}: only {answered} of {requests} requests answered"));
        }
        let p99 = lb.latency.percentile(990) as f64 / 1000.0;
        if json_out {
            rows.push(json!({"strategy": name, "requests": requests, "backends": backends, "events": e.events(), "wall_s": wall, "requests_per_s": (requests as f64 / wall).round(), "events_per_s": (e.events() as f64 / wall).round(), "virtual_s": e.now() as f64 / 1e6, "p99_ms": p99, "failed": lb.failed}));
        } else {
            println!("  {name:<20} {wall:>6.2} s  {:>7} requests/s  {:>7} events/s  p99 {p99:.1} ms", human(requests as f64 / wall), human(e.events() as f64 / wall));
        }
    }
    if json_out {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(Outcome::Held)
}
