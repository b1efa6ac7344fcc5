//! `distlab bench --time-travel`: how long going back to an earlier moment takes on a long run.
//!
//! A 5-node Raft run of `--until-ms` (default 10 virtual minutes) under the fuzzer's faults and
//! client load is recorded in a `Timeline`; then it seeks to 200 moments spread over the run,
//! alternately backwards and forwards, and reports the median and worst wall time of a seek.

use std::time::Instant;

use distlab::protocols::raft::Raft;
use distlab::scenario::protocol::setup;
use distlab::sim::rng::Rng;
use distlab::sim::timeline::SNAPSHOT_EVERY_EVENTS;
use distlab::sim::{Engine, Timeline, TraceMode};

use crate::fuzz::generator;
use distlab::scenario::fuzz::FuzzSpec;

/// Runs the benchmark and prints its figures.
pub fn time_travel(spec: &FuzzSpec) -> Result<(), String> {
    if spec.protocol != "raft" {
        return Err("--time-travel: measured on raft only".into());
    }
    let scenario = generator(spec)?.scenario(1);
    let setup = setup::<Raft>(&scenario, scenario.seed, TraceMode::Hash).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut timeline = Timeline::new(Engine::new(setup), SNAPSHOT_EVERY_EVENTS);
    timeline.run_until(scenario.until_us);
    let record_s = started.elapsed().as_secs_f64();
    let events = timeline.engine().events();
    let end_us = timeline.engine().now();
    let mut rng = Rng::stream(1, "seek-bench");
    let mut seeks_ms: Vec<f64> = Vec::with_capacity(200);
    for _ in 0..200 {
        let target_us = rng.below(end_us.max(1));
        let t = Instant::now();
        timeline.seek_time(target_us);
        seeks_ms.push(t.elapsed().as_secs_f64() * 1e3);
        if timeline.engine().now() != target_us {
            return Err(format!("a seek to {target_us} µs landed at {} µs", timeline.engine().now()));
        }
    }
    seeks_ms.sort_by(f64::total_cmp);
    println!(
        "time travel: raft, {} nodes, {:.0} s virtual, {events} events, {} snapshots (every {SNAPSHOT_EVERY_EVENTS} events), recorded in {record_s:.2} s",
        spec.nodes,
        end_us as f64 / 1e6,
        timeline.snapshots()
    );
    println!("  200 seeks to random moments: median {:.2} ms, p95 {:.2} ms, max {:.2} ms", seeks_ms[100], seeks_ms[190], seeks_ms[199]);
    Ok(())
}
