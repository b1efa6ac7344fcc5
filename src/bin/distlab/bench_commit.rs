//! `distlab bench --transactions LIST`: atomic commit with many transactions under way at
//! once, one begun every µs by one client on 5 servers (as `2pc-10000` in issue 22's
//! reproducers), trace off, the checker after every event. Prints each size's cost per event
//! and how it compares with the smallest size's: a cost that grows with the number of
//! transactions (a step that walks all of them at every event) shows as a ratio well above 1.

use std::time::Instant;

use distlab::scenario::{BuildOptions, Scenario};
use distlab::sim::{Action, Scheduled, TraceMode, When, ms};
use serde_json::json;

use crate::args::Flags;
use crate::progress::human;
use crate::{CmdResult, Outcome};

/// The sizes run when `--transactions` names none.
const DEFAULT_SIZES: [u64; 3] = [1_000, 3_000, 10_000];

/// The most transactions one size may have (a run of 100,000 takes seconds, not hours).
pub const MAX_TRANSACTIONS: u64 = 100_000;

/// A scenario of `n` transactions on 5 servers of `protocol`, begun 1 µs apart by client C1,
/// every participant voting Yes, run for 5 s of virtual time.
pub fn many_transactions(protocol: &str, n: u64) -> Scenario {
    let mut sc = Scenario::new(protocol, 5);
    sc.schedule = (0..n).map(|i| Scheduled { when: When::At(i), action: Action::Client { request: json!({}), to: None, client: 1 } }).collect();
    sc.until_us = ms(5_000);
    sc
}

fn sizes(flags: &Flags) -> Result<Vec<u64>, String> {
    let Some(list) = flags.get("--transactions") else {
        return Ok(DEFAULT_SIZES.to_vec());
    };
    list.split(',')
        .map(|s| match s.trim().parse::<u64>() {
            Ok(n) if (1..=MAX_TRANSACTIONS).contains(&n) => Ok(n),
            _ => Err(format!("--transactions: \"{}\" is not a number of transactions in 1..={MAX_TRANSACTIONS}", s.trim())),
        })
        .collect()
}

/// Runs the benchmark with `flags` (`--protocol 2pc|3pc`, `--transactions`, `--json`).
pub fn bench(flags: &Flags) -> CmdResult {
    let protocol = flags.get("--protocol").unwrap_or("2pc");
    if protocol != "2pc" && protocol != "3pc" {
        return Err(format!("--transactions is only for --protocol 2pc or 3pc, not {protocol}"));
    }
    let sizes = sizes(flags)?;
    super::bench::note_if_debug_build("bench --transactions ...");
    let json_out = flags.switch("--json");
    if !json_out {
        println!("bench {protocol}: transactions begun 1 µs apart on 5 servers, 5 s of virtual time, trace off, checker after every event, one core");
    }
    let mut rows = Vec::new();
    let mut first_cost: Option<f64> = None;
    for n in sizes {
        let mut built = many_transactions(protocol, n).build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).map_err(|e| e.to_string())?;
        let started = Instant::now();
        if built.run_to_end() {
            let v = built.run.first_violation().map(|v| v.invariant).unwrap_or_default();
            return Err(format!("{n} transactions: {v} was violated"));
        }
        let wall = started.elapsed().as_secs_f64();
        let events = built.run.events();
        let us_per_event = wall * 1e6 / events.max(1) as f64;
        let ratio = us_per_event / *first_cost.get_or_insert(us_per_event);
        if json_out {
            rows.push(json!({"protocol": protocol, "transactions": n, "events": events, "wall_s": wall, "events_per_s": (events as f64 / wall.max(1e-9)).round(), "us_per_event": us_per_event, "cost_ratio": ratio}));
        } else {
            println!("  {n:>6} transactions {events:>9} events {wall:>7.2} s  {:>6} events/s  {us_per_event:>6.2} µs/event (×{ratio:.2} the first size's)", human(events as f64 / wall.max(1e-9)));
        }
    }
    if json_out {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(Outcome::Held)
}
