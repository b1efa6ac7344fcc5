//! `distlab bench`: the simulator's own speed on fuzz-like schedules, trace off, one core.

use std::time::{Duration, Instant};

use distlab::scenario::BuildOptions;
use distlab::scenario::json::ms_value;
use distlab::sim::TraceMode;
use serde_json::json;

use crate::args::Flags;
use crate::fuzz::{generator, spec_from};
use crate::progress::human;
use crate::{CmdResult, Outcome};

const FLAGS: &[&str] = &["--protocol", "--seconds", "--nodes", "--faults", "--until-ms", "--config", "--requests", "--backends", "--strategy", "--transactions"];

/// `distlab bench`.
pub fn bench(args: &[String]) -> CmdResult {
    let flags = Flags::parse(args, FLAGS, &["--json", "--time-travel"])?;
    flags.no_positional("bench")?;
    if flags.get("--transactions").is_some() {
        return crate::bench_commit::bench(&flags);
    }
    if flags.get("--protocol") == Some("balancer") {
        return crate::bench_balancer::bench(&flags);
    }
    for f in ["--requests", "--backends", "--strategy"] {
        if flags.get(f).is_some() {
            return Err(format!("{f} is only for --protocol balancer"));
        }
    }
    if flags.switch("--time-travel") {
        let spec = spec_from(&flags, Some("raft"), 600_000)?;
        crate::seek::time_travel(&spec)?;
        return Ok(Outcome::Held);
    }
    let spec = spec_from(&flags, Some("raft"), 10_000)?;
    let seconds = flags.num::<f64>("--seconds", "a number of seconds")?.unwrap_or(5.0);
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!("--seconds: {seconds} is not a duration in (0, 86400]"));
    }
    let mut generator = generator(&spec)?;
    note_if_debug_build("bench");
    let budget = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let (mut runs, mut events, mut violations, mut simulated_us) = (0u64, 0u64, 0u64, 0u64);
    let mut seed = 1;
    while runs == 0 || started.elapsed() < budget {
        let scenario = generator.scenario(seed);
        let mut built = scenario.build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).map_err(|e| e.to_string())?;
        if built.run.run_until_violation(built.until_us) {
            violations += 1;
        }
        events += built.run.events();
        simulated_us += built.run.now();
        runs += 1;
        seed += 1;
    }
    let wall = started.elapsed().as_secs_f64();
    let (eps, rps) = (events as f64 / wall, runs as f64 / wall);
    if flags.switch("--json") {
        let report = json!({
            "protocol": spec.protocol, "nodes": spec.nodes, "faults": spec.faults.to_string(), "until_ms": ms_value(spec.until_us),
            "runs": runs, "events": events, "violations": violations, "wall_s": wall,
            "events_per_s": eps.round(), "runs_per_s": rps, "simulated_s_per_s": simulated_us as f64 / 1e6 / wall,
        });
        println!("{report}");
    } else {
        println!("bench {}: {} nodes, faults {}, {} ms runs, trace off, one core", spec.protocol, spec.nodes, spec.faults, ms_value(spec.until_us));
        println!("  {runs} runs, {events} events in {wall:.2} s");
        println!("  {} events/s, {rps:.1} runs/s, {:.0}x real time", human(eps), simulated_us as f64 / 1e6 / wall);
        if violations > 0 {
            println!("  ({violations} runs stopped early at a violation)");
        }
    }
    Ok(Outcome::Held)
}

/// Says on standard error that a debug build's figures are not the real ones, and which release
/// command gives them (`args`: the benchmark's arguments after `distlab`).
pub fn note_if_debug_build(args: &str) {
    if cfg!(debug_assertions) {
        eprintln!("distlab: note: a debug build; `cargo run --release -- {args}` gives the real figures");
    }
}
