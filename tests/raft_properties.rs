//! Property tests: Raft's five safety invariants hold under random fault schedules (crashes,
//! restarts, partitions, isolation, cut and held links, pauses, forced timeouts, loss,
//! duplication, reordering).
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::raft::{Command, Raft};
use distlab::sim::{Action, Engine, Target, TraceMode};
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

#[path = "support/faults.rs"]
mod faults;
use faults::{Kind, Schedules};

const NODES: u32 = 5;

/// Any fault on any server for 8 s, then 2 s on a whole, healthy network with every server up.
const SCHEDULES: Schedules = Schedules { nodes: NODES, targets: 1..=NODES, kinds: Kind::ALL, span_ms: 8_000, until_ms: 10_000, count: 0..40 };

/// The faults, and client commands among them: to whoever leads, or to a given server.
fn arms() -> Vec<BoxedStrategy<Action<Command>>> {
    let mut arms = SCHEDULES.arms();
    arms.push((0u32..50, 0u32..5).prop_map(|(k, v)| Action::Client { request: format!("set k{k} {v}").parse().unwrap(), to: None, client: 1 }).boxed());
    arms.push((0u32..50, 1..=NODES).prop_map(|(k, n)| Action::Client { request: format!("set d{k} 1").parse().unwrap(), to: Some(Target::Node(n)), client: 1 }).boxed());
    arms
}

fn run(seed: u64, actions: Vec<(u64, Action<Command>)>, protocol: Raft) -> Engine<Raft> {
    SCHEDULES.run(protocol, seed, actions, TraceMode::Off)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn safety_holds_under_random_faults(seed in any::<u64>(), actions in SCHEDULES.schedule(arms())) {
        let e = run(seed, actions, Raft::default());
        prop_assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
    }
}

/// Guards against a vacuous property: under the same kind of schedules, runs do elect leaders
/// and commit client commands, so the invariants are checked on real progress.
#[test]
fn random_fault_runs_make_progress() {
    let mut committed_runs = 0;
    for seed in 0..40u64 {
        let faults = (0..20)
            .map(|i| (i * 350, Action::Client { request: format!("set k{i} {i}").parse().unwrap(), to: None, client: 1 }))
            .chain([(2_000, Action::Crash(Target::Leader)), (4_000, Action::Restart(Target::Leader))])
            .collect();
        let e = run(seed, faults, Raft::default());
        assert!(e.first_violation().is_none());
        if e.checker().committed().count() >= 10 {
            committed_runs += 1;
        }
    }
    assert!(committed_runs >= 35, "only {committed_runs} of 40 runs committed 10 commands");
}
