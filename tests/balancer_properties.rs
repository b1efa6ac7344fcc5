//! Property tests of the balancer under random schedules: every strategy, backends crashing
//! and restarting, pausing, cut off from the balancer, joining and leaving, slowing down,
//! weights changing, bursts, links cut and held, message loss and duplication. Whatever
//! happens, every request is answered or failed exactly once and none is lost; once the faults
//! are repaired every request is answered and the counts add up. The planted bugs are caught,
//! and the same seed replays the same trace.
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::balancer::strategy::{NAMES, StrategyConfig};
use distlab::protocols::balancer::workload::{Arrivals, Keys};
use distlab::protocols::balancer::{Balancer, Node, Op, PlantedBug};
use distlab::sim::{Action, Engine, Target, TraceMode, ms};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

#[path = "support/faults.rs"]
mod faults;
use faults::{Kind, Schedules};

const BACKENDS: u32 = 5;
const NODES: u32 = BACKENDS + 1;
const REQUESTS: u64 = 1500;

/// Faults of the backends (the balancer, S1, stays up; its links may fail) for 6 s, then 6 s
/// on a whole, healthy network with every backend up, for the run to drain.
const SCHEDULES: Schedules = Schedules {
    nodes: NODES,
    targets: 2..=NODES,
    kinds: &[Kind::Crash, Kind::Pause, Kind::Partition, Kind::Cut, Kind::Hold, Kind::Loss, Kind::Duplicate],
    span_ms: 6_000,
    until_ms: 12_000,
    count: 0..30,
};

fn model(strategy: &str, bug: Option<PlantedBug>) -> Balancer {
    let mut p = Balancer::new(StrategyConfig::by_name(strategy).unwrap(), BACKENDS as usize);
    if let StrategyConfig::Maglev { table_size } = &mut p.strategy {
        *table_size = 251;
    }
    for b in &mut p.backends {
        b.slots = 2;
        b.timeout_us = Some(ms(400));
        b.queue_limit = Some(50);
    }
    p.backends[4].member = false;
    p.workload.arrivals = Arrivals::Poisson { rate_milli_per_s: 300_000 };
    p.workload.requests = Some(REQUESTS);
    p.workload.keys = Keys::Uniform { count: 200 };
    p.request_timeout_us = ms(300);
    p.health.interval_us = ms(200);
    p.planted_bug = bug;
    p
}

fn backend() -> impl Strategy<Value = u32> {
    2..=NODES
}

/// Faults, and operators' requests on the backends: membership, weights, bursts of requests,
/// slowdowns.
fn arms() -> Vec<BoxedStrategy<Action<Op>>> {
    let to_s1 = |op| Action::Client { request: op, to: Some(Target::Node(1)), client: 1 };
    let mut arms = SCHEDULES.arms();
    arms.extend([
        backend().prop_map(move |n| to_s1(Op::Add(n))).boxed(),
        backend().prop_map(move |n| to_s1(Op::Remove(n))).boxed(),
        (backend(), 1u32..6).prop_map(move |(n, w)| to_s1(Op::Weight(n, w))).boxed(),
        (1u32..80).prop_map(move |k| to_s1(Op::Burst(k))).boxed(),
        (1u32..80).prop_map(|k| Action::Client { request: Op::Burst(k), to: None, client: 1 }).boxed(),
        (backend(), prop_oneof![Just(500u32), Just(1000), Just(3000), Just(8000)]).prop_map(|(n, f)| Action::Client { request: Op::Slow(n, f), to: Some(Target::Node(n)), client: 1 }).boxed(),
    ]);
    arms
}

fn run(p: Balancer, seed: u64, actions: Vec<(u64, Action<Op>)>, trace: TraceMode) -> Engine<Balancer> {
    SCHEDULES.run(p, seed, actions, trace)
}

fn lb(e: &Engine<Balancer>) -> &distlab::protocols::balancer::Lb {
    e.nodes()[0].state().and_then(Node::lb).expect("the balancer is up")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Every strategy, any faults: no request lost, none answered twice, none kept past its
    /// attempts; once repaired, every request is answered and the counts add up.
    #[test]
    fn every_request_is_answered_exactly_once_under_random_faults(
        seed in any::<u64>(),
        strategy in proptest::sample::select(NAMES.to_vec()),
        faults in SCHEDULES.schedule(arms()),
    ) {
        let e = run(model(strategy, None), seed, faults, TraceMode::Off);
        prop_assert!(e.first_violation().is_none(), "{strategy}: {:?}", e.first_violation());
        let lb = lb(&e);
        // Bursts draw from the same workload, whose total is capped: exactly REQUESTS arrive.
        prop_assert_eq!(lb.received, REQUESTS);
        prop_assert_eq!(lb.pending_count(), 0, "{}: requests still pending 6 s after the repairs", strategy);
        prop_assert_eq!(lb.served + lb.failed, lb.received);
        prop_assert_eq!(e.checker().answered(), lb.received, "the checker saw every answer once");
        let per_backend: u64 = lb.stats.iter().map(|s| s.served).sum();
        prop_assert_eq!(per_backend, lb.served);
        prop_assert_eq!(lb.latency.count(), lb.served);
        prop_assert_eq!(lb.loads.total_in_flight(), 0, "nothing outstanding once all is answered");
    }

    /// The balancer itself may crash and restart: it starts over with a new workload, and the
    /// invariants still hold across its lives.
    #[test]
    fn the_invariants_hold_across_balancer_crashes(
        seed in any::<u64>(),
        strategy in proptest::sample::select(NAMES.to_vec()),
        faults in Schedules { count: 0..20, ..SCHEDULES }.schedule(vec![Union::new(arms()).boxed(), Just(Action::Crash(Target::Node(1))).boxed(), Just(Action::Restart(Target::Node(1))).boxed()]),
    ) {
        let e = run(model(strategy, None), seed, faults, TraceMode::Off);
        prop_assert!(e.first_violation().is_none(), "{strategy}: {:?}", e.first_violation());
    }
}

/// Without faults every strategy serves every request (a refusal by a busy backend is retried
/// elsewhere).
#[test]
fn without_faults_every_strategy_serves_every_request() {
    for name in NAMES {
        let e = run(model(name, None), 3, Vec::new(), TraceMode::Off);
        let lb = lb(&e);
        assert!(e.first_violation().is_none());
        assert_eq!((lb.received, lb.served, lb.failed), (REQUESTS, REQUESTS, 0), "{name}");
    }
}

/// The planted bugs are caught by the checker within a few random schedules, and the same
/// schedules hold without them.
#[test]
fn the_planted_bugs_are_caught() {
    let cases = [
        (PlantedBug::LoseOnTimeout, "No request lost", Action::Crash(Target::Node(3))),
        (PlantedBug::AnswerLate, "Answered once", Action::Client { request: Op::Slow(3, 30_000), to: Some(Target::Node(3)), client: 1 }),
    ];
    for (bug, invariant, fault) in cases {
        let mut caught = None;
        for seed in 1..=10u64 {
            let faults = vec![(1_000 + seed * 37, fault.clone())];
            let clean = run(model("round_robin", None), seed, faults.clone(), TraceMode::Off);
            assert!(clean.first_violation().is_none(), "{bug:?} seed {seed} must hold without the bug");
            let buggy = run(model("round_robin", Some(bug)), seed, faults, TraceMode::Off);
            if let Some(v) = buggy.first_violation() {
                caught = Some(v.invariant);
                break;
            }
        }
        assert_eq!(caught, Some(invariant), "{bug:?}");
    }
}

/// Same seed, same trace; another seed, another trace; another strategy, the same requests.
#[test]
fn runs_replay_exactly() {
    let faults = vec![(1_000, Action::Crash(Target::Node(3))), (2_500, Action::Restart(Target::Node(3))), (3_000, Action::Loss(100_000))];
    let a = run(model("p2c", None), 8, faults.clone(), TraceMode::Hash);
    let b = run(model("p2c", None), 8, faults.clone(), TraceMode::Hash);
    let c = run(model("p2c", None), 9, faults, TraceMode::Hash);
    assert_eq!((a.trace_hash(), a.events()), (b.trace_hash(), b.events()));
    assert_ne!(a.trace_hash(), c.trace_hash());
    let keys = |e: &Engine<Balancer>| lb(e).first.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>();
    let d = run(model("maglev", None), 8, Vec::new(), TraceMode::Off);
    assert_eq!(keys(&a), keys(&d), "every strategy sees the same requests");
}
