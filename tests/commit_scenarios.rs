//! The shipped 2PC and 3PC scenarios, run from their files (the same ones the CLI and the
//! browser lab load), asserting the states, decisions and blocking each one is about.
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::commit::threepc::ThreePc;
use distlab::protocols::commit::twopc::TwoPc;
use distlab::protocols::commit::{CommitFamily, Decision, Table, TxState, Vote, checker::table_of};
use distlab::scenario::{Scenario, protocol::setup};
use distlab::sim::{Engine, Micros, TraceMode, ms};

fn engine<P: CommitFamily + distlab::scenario::ScenarioProtocol>(file: &str) -> (Engine<P>, Micros) {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let sc = Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let setup = setup::<P>(&sc, sc.seed, TraceMode::Hash).unwrap_or_else(|e| panic!("{e}"));
    (Engine::new(setup), sc.until_us)
}

/// Node `id`'s table: running, or replayed from its stable log while it is down.
fn table<P: CommitFamily>(e: &Engine<P>, id: u32) -> Table {
    table_of(&e.nodes()[id as usize - 1]).into_owned()
}

/// Every node's state in transaction `tx`, node 1 first.
fn states<P: CommitFamily>(e: &Engine<P>, tx: u64) -> Vec<TxState> {
    (1..=e.nodes().len() as u32).map(|id| table(e, id).state(tx)).collect()
}

/// How long participant `id` was blocked in `tx`, up to now.
fn blocked_ms<P: CommitFamily>(e: &Engine<P>, id: u32, tx: u64) -> u64 {
    table(e, id).get(tx).and_then(|t| t.blocked_us(e.now())).unwrap_or(0) / 1000
}

fn holds<P: CommitFamily>(e: &Engine<P>) {
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

use TxState::{Aborted as A, Committed as C, Init as I, PreCommitted as PC, Prepared as P};

#[test]
fn two_pc_all_yes_commits_every_transaction_everywhere() {
    let (mut e, until) = engine::<TwoPc>("2pc-all-yes.json");
    e.run_until(until);
    holds(&e);
    for tx in 1..=3 {
        assert_eq!(states(&e, tx), [C, C, C, C], "T{tx}");
        for p in 2..=4 {
            assert!(blocked_ms(&e, p, tx) < 100, "S{p} T{tx}: uncertain only for a round trip");
        }
    }
    let s1 = table(&e, 1);
    assert!(s1.iter().all(|t| t.ended), "every decision acknowledged: end logged");
    assert!((2..=4).all(|p| table(&e, p).iter().all(|t| !t.holds_locks())));
    let answered: usize = e.clients().iter().map(|c| c.state.answered.len()).sum();
    assert_eq!(answered, 3);
    assert_eq!(e.checker().decision(2), Some(Decision::Commit));
}

#[test]
fn two_pc_one_no_vote_aborts_everywhere() {
    let (mut e, until) = engine::<TwoPc>("2pc-one-votes-no.json");
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, A, A]);
    let votes: Vec<Option<Vote>> = (2..=4).map(|p| table(&e, p).get(1).unwrap().vote).collect();
    assert_eq!(votes, [Some(Vote::Yes), Some(Vote::No), Some(Vote::Yes)]);
}

#[test]
fn two_pc_participant_crash_before_voting_aborts_at_the_vote_timeout() {
    let (mut e, until) = engine::<TwoPc>("2pc-participant-crash-before-voting.json");
    e.run_until(ms(900));
    assert!(!e.nodes()[2].up());
    assert_eq!(states(&e, 1), [A, A, I, A], "S3 knows nothing; the others aborted");
    assert!(!table(&e, 1).get(1).unwrap().ended, "S1 still waits for S3's acknowledgement");
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, A, A], "S3 learns the abort once back");
    assert_eq!(table(&e, 3).get(1).unwrap().vote, None, "it never voted: it only learnt the abort");
    assert!(table(&e, 1).get(1).unwrap().ended);
}

#[test]
fn two_pc_blocks_while_the_coordinator_is_down_before_deciding() {
    let (mut e, until) = engine::<TwoPc>("2pc-coordinator-crash-before-decision.json");
    e.run_until(ms(1900));
    assert!(!e.nodes()[0].up());
    assert_eq!(states(&e, 1), [I, P, P, P], "everyone uncertain, nobody can tell");
    for p in 2..=4 {
        let n = e.nodes()[p - 1].state().unwrap();
        assert!(n.asking.contains(&1), "S{p} runs the termination protocol");
        assert!(n.core.table.get(1).unwrap().holds_locks(), "S{p} holds the locks");
    }
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, A, A], "the recovered coordinator aborts");
    for p in 2..=4 {
        assert!(blocked_ms(&e, p, 1) >= 1900, "S{p} blocked {} ms", blocked_ms(&e, p, 1));
    }
}

#[test]
fn two_pc_blocks_while_the_coordinator_is_down_after_logging_commit() {
    let (mut e, until) = engine::<TwoPc>("2pc-coordinator-crash-after-commit.json");
    e.run_until(ms(2900));
    assert_eq!(states(&e, 1), [C, P, P, P], "the decision is in S1's log, and only there");
    assert!(!e.nodes()[0].up());
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [C, C, C, C]);
    for p in 2..=4 {
        let b = blocked_ms(&e, p, 1);
        assert!((2900..3100).contains(&b), "S{p} blocked {b} ms");
    }
}

#[test]
fn two_pc_cooperative_termination_learns_the_decision_from_a_peer() {
    let (mut e, until) = engine::<TwoPc>("2pc-cooperative-termination.json");
    e.run_until(until);
    holds(&e);
    assert!(!e.nodes()[0].up(), "the coordinator never comes back");
    assert_eq!(states(&e, 1), [C, C, C, C]);
    for p in [3, 4] {
        let b = blocked_ms(&e, p, 1);
        assert!((300..500).contains(&b), "S{p} waited its timeout, then asked S2: {b} ms");
    }
}

#[test]
fn two_pc_concurrent_transactions_stay_atomic() {
    let (mut e, until) = engine::<TwoPc>("2pc-concurrent.json");
    e.run_until(until);
    holds(&e);
    let s1 = table(&e, 1);
    assert_eq!(s1.len(), 8);
    let mut decisions = Vec::new();
    for t in s1.iter() {
        let d = t.decision().expect("every transaction decided");
        assert!(states(&e, t.id).iter().all(|&s| s == d.state()), "T{}: {:?}", t.id, states(&e, t.id));
        decisions.push(d);
    }
    use Decision::{Abort as Ab, Commit as Co};
    assert_eq!(decisions, [Ab, Co, Co, Co, Ab, Ab, Co, Co]);
    assert_eq!(table(&e, 4).get(1).unwrap().vote, Some(Vote::No), "T1 aborts on S4's no");
    let b = blocked_ms(&e, 4, 4);
    assert!((600..700).contains(&b), "S4 voted yes on T4, crashed, and finished it after restarting: {b} ms");
    assert_eq!(table(&e, 4).get(5).unwrap().vote, None, "S4 was down for T5's vote, which timed out");
    assert!((2..=6).all(|p| table(&e, p).iter().all(|t| !t.holds_locks())), "no lock left behind");
}

#[test]
fn three_pc_all_yes_commits_through_precommit() {
    let (mut e, until) = engine::<ThreePc>("3pc-all-yes.json");
    e.run_until(until);
    holds(&e);
    for tx in 1..=3 {
        assert_eq!(states(&e, tx), [C, C, C, C]);
    }
    let names: Vec<&str> = table_of(&e.nodes()[1]).into_owned().iter().map(|t| t.state.as_str()).collect();
    assert_eq!(names, ["committed"; 3]);
    let log: Vec<&str> = e.nodes()[1].durable().records.iter().filter(|r| r.tx == 1).map(|r| r.entry.name()).collect();
    assert_eq!(log, ["prepared", "precommitted", "commit"]);
}

#[test]
fn three_pc_one_no_vote_aborts_everywhere() {
    let (mut e, until) = engine::<ThreePc>("3pc-one-votes-no.json");
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, A, A]);
    assert!(e.nodes()[1].durable().records.iter().all(|r| r.entry.name() != "precommitted"));
}

#[test]
fn three_pc_participant_crash_before_voting_aborts_at_the_vote_timeout() {
    let (mut e, until) = engine::<ThreePc>("3pc-participant-crash-before-voting.json");
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, I, A], "S3 never heard of T1 and would abort it if asked");
}

#[test]
fn three_pc_terminates_without_the_coordinator_before_the_decision() {
    let (mut e, until) = engine::<ThreePc>("3pc-coordinator-crash-before-decision.json");
    e.run_until(ms(1900));
    assert!(!e.nodes()[0].up());
    assert_eq!(states(&e, 1), [I, A, A, A], "the participants abort on their own (TR3)");
    for p in 2..=4 {
        assert!(blocked_ms(&e, p, 1) < 1000, "S{p} blocked {} ms", blocked_ms(&e, p, 1));
    }
    e.run_until(until);
    holds(&e);
    assert_eq!(states(&e, 1), [A, A, A, A], "the recovered coordinator agrees");
}

#[test]
fn three_pc_terminates_without_the_coordinator_after_it_logged_commit() {
    let (mut e, until) = engine::<ThreePc>("3pc-coordinator-crash-after-commit.json");
    e.run_until(ms(2900));
    assert!(!e.nodes()[0].up());
    assert_eq!(states(&e, 1), [C, C, C, C], "the participants commit without S1 (TR4)");
    let (mut two, _) = engine::<TwoPc>("2pc-coordinator-crash-after-commit.json");
    two.run_until(ms(2900));
    for p in 2..=4 {
        let b3 = blocked_ms(&e, p, 1);
        assert!(b3 < 1000, "S{p} blocked {b3} ms");
        assert!(blocked_ms(&two, p, 1) > 2 * b3, "2PC blocks longer than 3PC at S{p}");
    }
    e.run_until(until);
    holds(&e);
}

#[test]
fn three_pc_partition_flaw_breaks_atomicity_and_the_checker_reports_it() {
    let (mut e, until) = engine::<ThreePc>("3pc-partition-flaw.json");
    e.run_until(until);
    let v = e.first_violation().expect("3PC under a partition must break atomicity");
    assert_eq!(v.invariant, "Atomicity");
    assert!(v.detail.to_string().starts_with("T1 is committed at S2 but aborted at S3"), "{}", v.detail);
    assert_eq!(v.nodes, [3, 2]);
    assert_eq!(states(&e, 1), [PC, C, A, A], "the pre-committed side commits, the uncertain side aborts");
    assert!(e.violations()[1].is_none() && e.violations()[2].is_none(), "Validity and Stability hold: every vote was yes");
}

#[test]
fn the_planted_bug_breaks_two_pc_where_the_coordinator_died_before_deciding() {
    let path = format!("{}/scenarios/2pc-coordinator-crash-before-decision.json", env!("CARGO_MANIFEST_DIR"));
    let mut sc = Scenario::load(std::path::Path::new(&path)).unwrap();
    sc.config = serde_json::json!({"planted_bug": "commit_on_timeout"});
    let mut e = Engine::new(setup::<TwoPc>(&sc, sc.seed, TraceMode::Hash).unwrap());
    e.run_until(sc.until_us);
    let v = e.first_violation().expect("uncertain participants that commit alone break atomicity");
    assert_eq!(v.invariant, "Atomicity");
    assert!(v.detail.to_string().contains("aborted at S1"), "{}", v.detail);
}
