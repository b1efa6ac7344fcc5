//! Property tests: Raft's five safety invariants hold under random fault schedules (crashes,
//! restarts, partitions, isolation, pauses, loss, duplication, reordering).
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::raft::{Command, Raft};
use distlab::sim::{Action, Engine, LinkProfile, Scheduled, Setup, Target, TraceMode, When, ms};
use proptest::prelude::*;

const NODES: u32 = 5;

fn action() -> impl Strategy<Value = Action<Command>> {
    let node = 1..=NODES;
    prop_oneof![
        node.clone().prop_map(|n| Action::Crash(Target::Node(n))),
        Just(Action::Crash(Target::Leader)),
        node.clone().prop_map(|n| Action::Restart(Target::Node(n))),
        node.clone().prop_map(|n| Action::Pause(Target::Node(n))),
        node.clone().prop_map(|n| Action::Resume(Target::Node(n))),
        node.clone().prop_map(|n| Action::Timeout(Target::Node(n))),
        node.clone().prop_map(|n| Action::Isolate(Target::Node(n))),
        proptest::sample::subsequence((1..=NODES).collect::<Vec<_>>(), 1..NODES as usize).prop_map(|side| {
            let rest = (1..=NODES).filter(|n| !side.contains(n)).collect();
            Action::Partition(vec![side, rest])
        }),
        Just(Action::Heal),
        (node.clone(), node.clone()).prop_map(|(a, b)| Action::Hold(a, b)),
        (node.clone(), node.clone()).prop_map(|(a, b)| Action::Release(a, b)),
        (0u32..300_000).prop_map(Action::Loss),
        (0u32..200_000).prop_map(Action::Duplicate),
        (0u32..50, 0u32..5).prop_map(|(k, v)| Action::Client { request: format!("set k{k} {v}").parse().unwrap(), to: None, client: 1 }),
        (0u32..50, node).prop_map(|(k, n)| Action::Client { request: format!("set d{k} 1").parse().unwrap(), to: Some(Target::Node(n)), client: 1 }),
    ]
}

fn run(seed: u64, faults: Vec<(u64, Action<Command>)>, protocol: Raft) -> Engine<Raft> {
    let mut schedule: Vec<Scheduled<Command>> = faults.into_iter().map(|(at, action)| Scheduled { when: When::At(ms(at)), action }).collect();
    // Whatever happened, end with a whole, healthy network, so the run also exercises recovery.
    schedule.push(Scheduled { when: When::At(ms(8_000)), action: Action::Heal });
    schedule.push(Scheduled { when: When::At(ms(8_000)), action: Action::Loss(0) });
    for n in 1..=NODES {
        schedule.push(Scheduled { when: When::At(ms(8_000)), action: Action::Restart(Target::Node(n)) });
        schedule.push(Scheduled { when: When::At(ms(8_000)), action: Action::Resume(Target::Node(n)) });
        schedule.push(Scheduled { when: When::At(ms(8_000)), action: Action::Release(n, n % NODES + 1) });
    }
    let setup = Setup { protocol, nodes: NODES, seed, network: LinkProfile::default(), initial: Vec::new(), schedule, trace: TraceMode::Off };
    let mut e = Engine::new(setup);
    e.run_until(ms(10_000));
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn safety_holds_under_random_faults(seed in any::<u64>(), faults in proptest::collection::vec((0u64..8_000, action()), 0..40)) {
        let e = run(seed, faults, Raft::default());
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
