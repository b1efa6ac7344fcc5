//! `distlab compare FILE`: the scenario as Multi-Paxos and as Raft, same seed, workload and
//! faults; one JSON report of both.

use std::path::Path;

use distlab::scenario::Scenario;
use distlab::scenario::compare::compare as run_both;

use crate::args::Flags;
use crate::out::Out;
use crate::{CmdResult, Outcome};

/// `distlab compare FILE [--seed N] [--until-ms T]`.
pub fn compare(args: &[String]) -> CmdResult {
    let flags = Flags::parse(args, &["--seed", "--until-ms"], &[])?;
    let file = flags.one_file("compare")?;
    let seed = flags.num::<u64>("--seed", "a non-negative integer seed")?;
    let until_us = flags.ms("--until-ms")?;
    let scenario = Scenario::load(Path::new(file)).map_err(|e| e.to_string())?;
    let c = run_both(&scenario, seed, until_us).map_err(|e| e.to_string())?;
    let mut out = Out::new();
    out.line(&serde_json::to_string_pretty(&c).expect("comparisons serialize"));
    Ok(if c.runs.iter().any(|r| r.violation.is_some()) { Outcome::Violated } else { Outcome::Held })
}
