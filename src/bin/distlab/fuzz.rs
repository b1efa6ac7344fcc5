//! `distlab fuzz`: random fault schedules until an invariant breaks, then a reproducer.

use std::path::{Path, PathBuf};
use std::time::Instant;

use distlab::scenario::fuzz::Generator;
use distlab::scenario::json::ms_value;
use distlab::scenario::{BuildOptions, Faults, FuzzSpec, Scenario, protocol_names};
use distlab::sim::{Micros, TraceMode, Violation, When};

use crate::args::Flags;
use crate::progress::{Progress, human};
use crate::{CmdResult, Outcome};

const FLAGS: &[&str] = &["--protocol", "--seeds", "--first-seed", "--nodes", "--faults", "--until-ms", "--config", "--out"];

/// Reads the flags shared by `fuzz` and `bench` into a spec.
pub fn spec_from(flags: &Flags, default_protocol: Option<&str>, default_until_ms: u64) -> Result<FuzzSpec, String> {
    let protocol = match (flags.get("--protocol"), default_protocol) {
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => {
            return Err(format!("--protocol is required (one of: {})", protocol_names()));
        }
    };
    let mut spec = FuzzSpec::new(protocol, flags.num::<u32>("--nodes", "a number of nodes")?.unwrap_or(5));
    spec.until_us = flags.ms("--until-ms")?.unwrap_or(default_until_ms * 1000);
    if let Some(f) = flags.get("--faults") {
        spec.faults = Faults::parse(f).map_err(|e| format!("--faults: {e}"))?;
    }
    if let Some(c) = flags.get("--config") {
        spec.config = serde_json::from_str(c).map_err(|e| format!("--config: invalid JSON: {e}"))?;
    }
    Ok(spec)
}

/// A spec's generator, with errors phrased for the command line.
pub fn generator(spec: &FuzzSpec) -> Result<Generator, String> {
    spec.generator().map_err(|e| match e.path.as_str() {
        "nodes" => format!("--nodes: {}", e.message),
        "protocol" => format!("--protocol: {}", e.message),
        _ => format!("--config: {e}"),
    })
}

/// `distlab fuzz`.
pub fn fuzz(args: &[String]) -> CmdResult {
    let flags = Flags::parse(args, FLAGS, &[])?;
    flags.no_positional("fuzz")?;
    let spec = spec_from(&flags, None, 10_000)?;
    let seeds = flags.num::<u64>("--seeds", "a number of seeds")?.unwrap_or(100);
    let first = flags.num::<u64>("--first-seed", "a seed")?.unwrap_or(1);
    if first.checked_add(seeds).is_none() {
        return Err("--first-seed + --seeds overflows".into());
    }
    let out_dir = PathBuf::from(flags.get("--out").unwrap_or("."));
    let mut generator = generator(&spec)?;

    println!("fuzz {}: {seeds} seeds from {first}, {} nodes, faults {}, {} ms each", spec.protocol, spec.nodes, spec.faults, ms_value(spec.until_us));
    let started = Instant::now();
    let mut progress = Progress::new(seeds);
    let mut events = 0u64;
    let mut found = None;
    let mut ran = 0;
    for seed in first..first + seeds {
        let scenario = generator.scenario(seed);
        let mut built = scenario.build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).map_err(|e| e.to_string())?;
        let violated = built.run.run_until_violation(built.until_us);
        events += built.run.events();
        ran += 1;
        progress.update(ran, events);
        if violated {
            found = Some((scenario, built.run.first_violation().cloned().expect("violated")));
            break;
        }
    }
    progress.finish();
    let wall = started.elapsed().as_secs_f64();
    println!("ran {ran} seeds, {events} events in {wall:.2} s: {} events/s, {:.1} runs/s", human(events as f64 / wall.max(1e-9)), ran as f64 / wall.max(1e-9));
    let Some((scenario, v)) = found else {
        println!("every invariant held");
        return Ok(Outcome::Held);
    };
    println!("seed {} violated {} at {} ms (event {})", scenario.seed, v.invariant, ms_value(v.at_us), v.event);
    println!("  {}", v.detail);
    let (repro, exact) = reproducer(&scenario, &v);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("--out {}: {e}", out_dir.display()))?;
    let path = out_dir.join(format!("distlab-fuzz-{}-seed{}.json", scenario.protocol, scenario.seed));
    std::fs::write(&path, repro.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("reproduce: distlab run {}", display(&path));
    if !exact {
        eprintln!("distlab: warning: replaying the reproducer did not give the same violation");
    }
    Ok(Outcome::Violated)
}

fn display(p: &Path) -> String {
    p.strip_prefix(".").unwrap_or(p).display().to_string()
}

/// Whether a replay of `sc` (with the trace on, as `distlab run` does) shows violation `v`.
fn replays(sc: &Scenario, v: &Violation) -> bool {
    let Ok(mut built) = Scenario::parse(&sc.to_json(), None).and_then(|s| s.build(&BuildOptions::default())) else {
        return false;
    };
    built.run_to_end();
    built.run.first_violation() == Some(v)
}

/// The failing scenario cut short just after the violation (later actions dropped), if that
/// still replays it; else the whole scenario. The flag says whether the result replays.
fn reproducer(sc: &Scenario, v: &Violation) -> (Scenario, bool) {
    let until: Micros = v.at_us.div_ceil(1000) * 1000;
    let mut short = sc.clone();
    short.schedule.retain(|s| !matches!(s.when, When::At(t) | When::After { at_us: t, .. } if t > until));
    short.until_us = until.min(sc.until_us);
    let note = format!("; violates {} at {} ms", v.invariant, ms_value(v.at_us));
    for candidate in [short, sc.clone()] {
        if replays(&candidate, v) {
            let mut c = candidate;
            c.description = Some(format!("{}{note}", c.description.unwrap_or_default()));
            return (c, true);
        }
    }
    (sc.clone(), false)
}
