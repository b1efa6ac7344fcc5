//! `distlab run`, `distlab trace` and `distlab check`: one scenario file at a time.

use std::path::Path;

use distlab::scenario::{BuildOptions, Built, Scenario};
use distlab::sim::TraceMode;

use crate::args::Flags;
use crate::out::Out;
use crate::{CmdResult, Outcome};

const RUN_FLAGS: &[&str] = &["--seed", "--until-ms"];

fn build(args: &[String], command: &str, trace: TraceMode) -> Result<Built, String> {
    let flags = Flags::parse(args, RUN_FLAGS, &[])?;
    let file = flags.one_file(command)?;
    let seed = flags.num::<u64>("--seed", "a non-negative integer seed")?;
    let until_us = flags.ms("--until-ms")?;
    let scenario = Scenario::load(Path::new(file)).map_err(|e| e.to_string())?;
    scenario.build(&BuildOptions { seed, until_us, trace }).map_err(|e| e.to_string())
}

fn outcome(built: &Built) -> Outcome {
    if built.run.first_violation().is_some() { Outcome::Violated } else { Outcome::Held }
}

/// `distlab run FILE`: one JSON report on stdout.
pub fn run(args: &[String]) -> CmdResult {
    let mut built = build(args, "run", TraceMode::Hash)?;
    built.run_to_end();
    let report = pretty_in_order(&built.run.report());
    let mut out = Out::new();
    out.line(&report);
    Ok(outcome(&built))
}

/// The order of a report's top-level keys (the rest follow, sorted).
const REPORT_ORDER: &[&str] = &["protocol", "seed", "end_ms", "events", "trace_hash", "messages", "invariants", "nodes", "clients", "outcome"];

/// A report as indented JSON, its top-level keys in [`REPORT_ORDER`] rather than sorted.
fn pretty_in_order(report: &serde_json::Value) -> String {
    let Some(map) = report.as_object() else {
        return report.to_string();
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| REPORT_ORDER.iter().position(|o| o == k).unwrap_or(REPORT_ORDER.len()));
    let fields: Vec<String> = keys
        .into_iter()
        .map(|k| {
            let value = serde_json::to_string_pretty(&map[k]).expect("reports serialize").replace('\n', "\n  ");
            format!("  {}: {value}", serde_json::Value::from(k.as_str()))
        })
        .collect();
    format!("{{\n{}\n}}", fields.join(",\n"))
}

/// `distlab trace FILE`: every trace line as it happens; the hash on stderr. When the reader
/// goes away (`distlab trace F | head`), the run stops there, quietly: the exit status says
/// whether an invariant broke in what ran, and no hash is printed (it would be an unfinished
/// run's).
pub fn trace(args: &[String]) -> CmdResult {
    let mut built = build(args, "trace", TraceMode::Lines)?;
    let until = built.until_us;
    let mut out = Out::new();
    let mut open = emit(&mut built, &mut out);
    // One instant at a time, so lines stream out while the run goes on.
    while open {
        match built.run.next_due() {
            Some(t) if t <= until => open = emit_until(&mut built, &mut out, t),
            _ => break,
        }
    }
    open = open && emit_until(&mut built, &mut out, until) && out.flush();
    if let Some(e) = out.error() {
        return Err(format!("cannot write the trace to standard output: {e}"));
    }
    if open {
        eprintln!("trace_hash {} events {}", built.run.trace_hash(), built.run.events());
    }
    Ok(outcome(&built))
}

/// Runs to `t` and prints what happened; false once stdout is closed.
fn emit_until(built: &mut Built, out: &mut Out, t: distlab::sim::Micros) -> bool {
    built.run.run_until(t);
    emit(built, out)
}

/// Prints the trace lines recorded since the last call; false once stdout is closed (the
/// caller stops the run).
fn emit(built: &mut Built, out: &mut Out) -> bool {
    // Silent events (a message's due time moving) are data for views, not lines of the trace.
    built.run.drain_trace().into_iter().filter(|l| !l.record.silent()).all(|line| out.line(&line.text))
}

/// `distlab check FILE...`: parses each file, reports the first error of each.
pub fn check(args: &[String]) -> CmdResult {
    let flags = Flags::parse(args, &[], &[])?;
    if flags.positional.is_empty() {
        return Err("check needs at least one scenario FILE".into());
    }
    let mut bad = Vec::new();
    for file in &flags.positional {
        match Scenario::load(Path::new(file)) {
            Ok(_) => println!("ok {file}"),
            Err(e) => bad.push(e.to_string()),
        }
    }
    if bad.is_empty() { Ok(Outcome::Held) } else { Err(bad.join("\ndistlab: ")) }
}

/// `distlab guide FILE...`: checks each step of each file's guide against its run (the claims
/// in its `expect`, at the step's first and last moment, and that every server and term its
/// text names has a claim) and its words (no file or field names), one line per step; exit 1
/// if anything fails.
pub fn guide(args: &[String]) -> CmdResult {
    let flags = Flags::parse(args, &[], &[])?;
    if flags.positional.is_empty() {
        return Err("guide needs at least one scenario FILE".into());
    }
    let mut failed = false;
    for file in &flags.positional {
        let scenario = Scenario::load(Path::new(file)).map_err(|e| e.to_string())?;
        let Some(guide) = &scenario.guide else {
            println!("{file}: no guide");
            failed = true;
            continue;
        };
        println!("{file}: {}", guide.title);
        for problem in distlab::scenario::guide_check::words(&scenario) {
            failed = true;
            println!("  FAIL {problem}");
        }
        for step in distlab::scenario::guide_check::check(&scenario)? {
            let moments: Vec<String> = step.moments_us.iter().map(|t| distlab::scenario::json::ms_value(*t).to_string()).collect();
            let claims = guide.steps[step.index].expect.len();
            if step.failures.is_empty() {
                println!("  ok   step {} ({} ms): {claims} claims hold", step.index + 1, moments.join("–"));
            } else {
                failed = true;
                println!("  FAIL step {} ({} ms):", step.index + 1, moments.join("–"));
                for f in &step.failures {
                    println!("         {f}");
                }
            }
        }
    }
    Ok(if failed { Outcome::Violated } else { Outcome::Held })
}
