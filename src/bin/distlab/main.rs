//! `distlab`, the native command line: run a scenario file, stream its trace, fuzz random fault
//! schedules, benchmark the simulator.
//!
//! Exit codes: 0 when every invariant holds, 1 when one is violated (`run`, `trace`, `fuzz`),
//! 2 on bad input (arguments, unreadable files, invalid scenarios), with the message on stderr.

mod args;
mod bench;
mod bench_balancer;
mod bench_commit;
mod compare;
mod fuzz;
mod out;
mod progress;
mod run;
mod seek;

use std::process::ExitCode;

/// What a command concluded.
pub enum Outcome {
    /// Every invariant held.
    Held,
    /// An invariant was violated.
    Violated,
}

/// A command's result; the error is a bad-input message.
pub type CmdResult = Result<Outcome, String>;

const USAGE: &str = "\
distlab: distributed algorithms in a deterministic network simulator

USAGE:
  distlab run FILE [--seed N] [--until-ms T]
      Runs a scenario file and prints one JSON report: protocol, seed, end_ms, events,
      trace_hash, invariants, nodes, outcome.
  distlab trace FILE [--seed N] [--until-ms T]
      Runs a scenario file and prints every trace line as it happens; the trace hash goes
      to stderr.
  distlab compare FILE [--seed N] [--until-ms T]
      Runs a raft or multipaxos scenario as both protocols, with the same seed, client
      workload and faults (config cut to the shared timing keys), and prints for each:
      messages (total and by type), commands committed, commit latency p50/p95/max,
      leaders elected, the first violation.
  distlab check FILE...
      Checks scenario files and reports the first error of each.
  distlab guide FILE...
      Walks each file's guide step by step against its run: every claim of a step's
      \"expect\" must hold at the step's first and last moment, and every server and term its
      text names must have a claim. One line per step; exit 1 if a step fails.
  distlab fuzz --protocol P [--seeds N] [--first-seed S] [--nodes K] [--faults LIST]
               [--until-ms T] [--config JSON] [--out DIR]
      Runs N random fault schedules (seeds S..S+N-1) and stops at the first invariant
      violation, writing a scenario file that reproduces it to DIR
      (distlab-fuzz-P-seedN.json). Defaults: --seeds 100 --first-seed 1 --nodes 5
      --faults all --until-ms 10000 --out . ; LIST is all, none, or some of
      crash,partition,loss,duplicate,pause,timeout. --config is the protocol's config
      object, e.g. '{\"planted_bug\": \"commit_previous_term\"}'.
  distlab bench [--protocol P] [--seconds S] [--nodes K] [--faults LIST] [--until-ms T] [--json] [--time-travel]
      Runs fuzz-like schedules with the trace off for S seconds (default 5) on one core and
      prints simulated events per second and runs per second.
  distlab bench --protocol balancer [--requests N] [--backends K] [--strategy LIST] [--json]
      Simulates N requests (default 1000000) over K backends (default 100) for each
      load-balancing strategy (or those in LIST), trace off, one core, and prints requests
      per second of wall time.
  distlab bench --transactions LIST [--protocol 2pc|3pc] [--json]
      Runs each number of transactions in LIST (default 1000,3000,10000), begun 1 µs apart
      on 5 servers of 2PC (or 3PC), trace off, one core, and prints the cost per event of
      each and its ratio to the first's: a ratio well above 1 means work that grows with the
      transactions under way.
  distlab help
      Prints this.

Scenario files are JSON; see scenarios/ for examples. Protocols: ";

fn usage() -> String {
    format!("{USAGE}{}\n\nEXIT CODES: 0 all invariants hold, 1 an invariant was violated, 2 bad input.\n", distlab::scenario::protocol_names())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = argv.split_first() else {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    };
    let result = match command.as_str() {
        "help" | "--help" | "-h" => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        "run" => run::run(rest),
        "trace" => run::trace(rest),
        "check" => run::check(rest),
        "guide" => run::guide(rest),
        "fuzz" => fuzz::fuzz(rest),
        "compare" => compare::compare(rest),
        "bench" => bench::bench(rest),
        other => Err(format!("unknown command \"{other}\" (expected one of: run, trace, check, guide, compare, fuzz, bench, help)")),
    };
    match result {
        Ok(Outcome::Held) => ExitCode::SUCCESS,
        Ok(Outcome::Violated) => ExitCode::from(1),
        Err(message) => {
            eprintln!("distlab: {message}");
            if !message.contains(".json") {
                eprintln!("(run `distlab help` for usage)");
            }
            ExitCode::from(2)
        }
    }
}
