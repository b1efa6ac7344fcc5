//! Property tests of Paxos and Multi-Paxos under random faults — crashes and restarts (any
//! server, the "leader" included), pauses, partitions, isolation, cut and held links, loss and
//! duplication — with proposals and client commands sprinkled in: no invariant is ever
//! violated (Agreement above all). Non-vacuity: such runs do choose values. And the planted
//! bug (a proposer that ignores the values reported in promises) is caught by random schedules.
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::kv::Command;
use distlab::protocols::paxos::multi::{MultiPaxos, committed};
use distlab::protocols::paxos::single::{Paxos, Proposal};
use distlab::scenario::{BuildOptions, Faults, FuzzSpec};
use distlab::sim::{Action, Checked, Engine, Target, TraceMode, ms};
use proptest::prelude::*;

#[path = "support/faults.rs"]
mod faults;
use faults::{Kind, Schedules, timed};

const NODES: u32 = 5;

/// Any fault on any server for 6 s, then 3 s on a whole, healthy network with every server up.
const SCHEDULES: Schedules = Schedules { nodes: NODES, targets: 1..=NODES, kinds: Kind::ALL, span_ms: 6_000, until_ms: 9_000, count: 0..40 };

fn proposal() -> impl Strategy<Value = Action<Proposal>> {
    let value = proptest::sample::select(vec!["A", "B", "C", "D"]).prop_map(|v| Proposal { value: v.to_string() });
    prop_oneof![
        (value.clone(), 1..=NODES).prop_map(|(request, n)| Action::Client { request, to: Some(Target::Node(n)), client: 1 }),
        (value, 1..=3u32).prop_map(|(request, client)| Action::Client { request, to: None, client }),
    ]
}

fn command() -> impl Strategy<Value = Action<Command>> {
    let cmd = (proptest::sample::select(vec!["x", "y"]), 1..50u32, 0..3u8).prop_map(|(k, v, op)| match op {
        0 => Command::Get { key: k.into() },
        _ => Command::Set { key: k.into(), value: v.to_string() },
    });
    (cmd, 1..=3u32).prop_map(|(request, client)| Action::Client { request, to: None, client })
}

fn run<P: Checked>(protocol: P, seed: u64, actions: Vec<(u64, Action<P::Request>)>) -> Engine<P> {
    SCHEDULES.run(protocol, seed, actions, TraceMode::Off)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Single-decree Paxos: whatever fails, at most one value is chosen, only a proposed one,
    /// learners learn only it, acceptors keep their promises.
    #[test]
    fn paxos_never_violates_agreement_under_random_faults(
        seed in any::<u64>(),
        faults in SCHEDULES.faults::<Proposal>(),
        proposals in timed(SCHEDULES.span_ms, proposal(), 1..8),
    ) {
        let e = run(Paxos::new(NODES), seed, [faults, proposals].concat());
        prop_assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
    }

    /// Multi-Paxos: the same, per slot, and no two servers apply different commands at a slot.
    #[test]
    fn multi_paxos_never_violates_agreement_under_random_faults(
        seed in any::<u64>(),
        faults in SCHEDULES.faults::<Command>(),
        commands in timed(SCHEDULES.span_ms, command(), 5..30),
    ) {
        let e = run(MultiPaxos::default(), seed, [faults, commands].concat());
        prop_assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
    }
}

/// The runs above are not vacuous: with crashes of the proposer or leader along the way,
/// values are chosen and learned, and commands are committed.
#[test]
fn random_fault_runs_choose_values() {
    let mut chosen_and_learned = 0;
    let mut committed_many = 0;
    for seed in 0..30u64 {
        let actions: Vec<(u64, Action<Proposal>)> = vec![
            (0, Action::Client { request: Proposal { value: "A".into() }, to: Some(Target::Node(1)), client: 1 }),
            (40 + seed * 3, Action::Crash(Target::Node(1))),
            (60, Action::Client { request: Proposal { value: "B".into() }, to: Some(Target::Node(2)), client: 1 }),
            (300, Action::Restart(Target::Node(1))),
        ];
        let e = run(Paxos::new(NODES), seed, actions);
        assert!(e.first_violation().is_none());
        let learned = e.checker().learned_at().get(&1).map_or(0, |m| m.len());
        if e.checker().chosen().len() == 1 && learned == NODES as usize {
            chosen_and_learned += 1;
        }
        let mut commands: Vec<(u64, Action<Command>)> =
            (0..20).map(|i| (200 + i * 250, Action::Client { request: Command::Set { key: "x".into(), value: i.to_string() }, to: None, client: 1 + (i % 3) as u32 })).collect();
        commands.extend([
            (1_000 + seed * 37, Action::Crash(Target::Leader)),
            (2_500, Action::Restart(Target::Node(1))),
            (2_500, Action::Restart(Target::Node(2))),
            (2_500, Action::Restart(Target::Node(3))),
            (2_500, Action::Restart(Target::Node(4))),
            (2_500, Action::Restart(Target::Node(5))),
        ]);
        let e = run(MultiPaxos::default(), seed, commands);
        assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
        if committed(e.checker()).len() >= 18 && e.checker().leaders().len() >= 2 {
            committed_many += 1;
        }
    }
    assert!(chosen_and_learned >= 28, "only {chosen_and_learned} of 30 Paxos runs chose a value every learner learned");
    assert!(committed_many >= 25, "only {committed_many} of 30 Multi-Paxos runs committed 18 of 20 commands across a leader change");
}

/// The planted bug is found by random schedules (the fuzzer's, as `distlab fuzz` draws them)
/// within a few seeds, for both protocols; without it the same seeds hold.
#[test]
fn the_planted_bug_is_caught_by_random_schedules() {
    for (protocol, faults) in [("paxos", "crash,loss"), ("multipaxos", "crash,partition")] {
        let mut spec = FuzzSpec::new(protocol, NODES);
        spec.faults = Faults::parse(faults).unwrap();
        spec.until_us = ms(5_000);
        let mut clean = spec.generator().unwrap();
        spec.config = serde_json::json!({"planted_bug": "ignore_promised_values"});
        let mut buggy = spec.generator().unwrap();
        let mut caught = None;
        for seed in 1..=30 {
            let mut run = clean.scenario(seed).build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).unwrap();
            assert!(!run.run_to_end(), "{protocol} seed {seed} must hold without the bug: {:?}", run.run.first_violation());
            let mut run = buggy.scenario(seed).build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).unwrap();
            if run.run_to_end() {
                caught = run.run.first_violation().map(|v| (seed, v.invariant));
                break;
            }
        }
        let (seed, caught) = caught.unwrap_or_else(|| panic!("{protocol}: the planted bug went unnoticed for 30 seeds"));
        assert!(["Agreement", "Learn Only Chosen", "State Machine Safety"].contains(&caught), "{protocol} seed {seed}: {caught}");
    }
}
