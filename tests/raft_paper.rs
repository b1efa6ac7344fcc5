//! Scenario tests named after the extended Raft paper's figures, run from the shipped scenario
//! files (the same files the CLI and the browser lab load).
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::raft::{Raft, Role};
use distlab::scenario::{Scenario, protocol::setup};
use distlab::sim::{Engine, TraceMode};

fn engine(file: &str) -> (Engine<Raft>, u64) {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let sc = Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let setup = setup::<Raft>(&sc, sc.seed, TraceMode::Hash).unwrap_or_else(|e| panic!("{e}"));
    (Engine::new(setup), sc.until_us)
}

fn terms(log: &[distlab::protocols::raft::Entry]) -> Vec<u64> {
    log.iter().map(|e| e.term).collect()
}

/// Figure 7: the leader of term 8 brings followers (a)-(f) — missing entries, extra uncommitted
/// entries, both — to its own log, using the consistency check and nextIndex backtracking.
#[test]
fn figure_7_leader_of_term_8_repairs_followers_a_to_f() {
    let (mut e, until) = engine("raft-figure7.json");
    let leader_log = terms(&e.nodes()[0].durable().log);
    assert_eq!(leader_log, [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
    // Followers start different: (c) and (d) have extra entries, (f) has whole foreign terms.
    assert_eq!(terms(&e.nodes()[4].durable().log), [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]);
    e.run_until(400_000);
    let s1 = e.nodes()[0].state().unwrap();
    assert_eq!((s1.role, s1.term), (Role::Leader, 8), "S1 wins term 8 with votes of (a), (b), (e), (f)");
    for n in e.nodes() {
        let log = terms(&n.state().unwrap().log);
        assert_eq!(log[..10], leader_log[..], "S{} holds the leader's 10 entries by 400 ms", n.id);
    }
    // (c) and (d) keep their extra, uncommitted entries until an entry of term 8 conflicts with
    // them: a follower deletes only what conflicts.
    assert_eq!(terms(&e.nodes()[3].state().unwrap().log).len(), 11);
    assert_eq!(terms(&e.nodes()[4].state().unwrap().log).len(), 12);
    assert_eq!(s1.commit_index, 0, "no entry of term 8 yet, so nothing commits (Figure 8's rule)");
    e.run_until(until);
    let s1 = e.nodes()[0].state().unwrap();
    assert_eq!(s1.commit_index, 11, "the client's term-8 entry commits all before it");
    for n in e.nodes() {
        assert_eq!(n.state().unwrap().log, s1.log);
    }
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

/// Figure 8, done right: S1 (term 4) replicates the term-2 entry to a majority but must not
/// count it committed; S5 (term 5) then legitimately overwrites it with its term-3 entry.
#[test]
fn figure_8_leader_does_not_commit_previous_term_entry_by_counting() {
    let (mut e, until) = engine("raft-figure8.json");
    e.run_until(190_000);
    let s1 = e.nodes()[0].state().unwrap();
    assert_eq!((s1.role, s1.term), (Role::Leader, 4));
    let on_majority = e.nodes().iter().filter_map(|n| n.state()).filter(|n| n.log.len() >= 2 && n.log[1].term == 2).count();
    assert!(on_majority >= 3, "the term-2 entry is on a majority ({on_majority})");
    assert_eq!(s1.commit_index, 0, "and yet it is not committed");
    e.run_until(until);
    let s5 = e.nodes()[4].state().unwrap();
    assert_eq!((s5.role, s5.term), (Role::Leader, 5));
    for id in [2, 3, 4, 5] {
        let log = &e.nodes()[id - 1].state().unwrap().log;
        assert_eq!(terms(log)[..2], [1, 3], "S{id} holds S5's entry at index 2");
    }
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
    let committed: Vec<String> = e.checker().committed().map(|c| c.command.to_string()).collect();
    assert_eq!(committed, ["set x 1", "set x 3", "set y 1"]);
}

/// Figure 8 with the planted bug (commit by counting replicas of an older term): S1 commits the
/// term-2 entry, S5 overwrites it, and the checker names the broken property.
#[test]
fn figure_8_planted_bug_is_caught_by_the_checker() {
    let (mut e, until) = engine("raft-figure8-planted-bug.json");
    e.run_until(190_000);
    assert_eq!(e.nodes()[0].state().unwrap().commit_index, 2, "the bug commits the term-2 entry");
    assert!(e.first_violation().is_none());
    e.run_until(until);
    let v = e.first_violation().expect("the checker must catch the lost committed entry");
    assert_eq!(v.invariant, "Leader Completeness");
    assert!(v.detail.to_string().contains("S5 leads term 5 without entry 2"), "{}", v.detail);
    assert!(v.nodes.contains(&5) && v.nodes.contains(&1));
    let sms = &e.violations()[4];
    assert!(sms.is_some(), "S5 goes on to commit a different entry at index 2: State Machine Safety");
}
