//! The browser lab's guided scenarios, run from the shipped files: each test checks that the run
//! really shows what its guide tells students to watch, at the times the guide names.
#![cfg(not(target_arch = "wasm32"))]

use distlab::protocols::raft::{Entry, Raft, Role};
use distlab::scenario::{Scenario, protocol::setup};
use distlab::sim::{Engine, Micros, NodeId, TraceMode, ms};

fn scenario(file: &str) -> Scenario {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"))
}

fn engine(file: &str) -> (Engine<Raft>, Micros) {
    let sc = scenario(file);
    let setup = setup::<Raft>(&sc, sc.seed, TraceMode::Hash).unwrap_or_else(|e| panic!("{e}"));
    (Engine::new(setup), sc.until_us)
}

/// (role, term) of a running server.
fn role(e: &Engine<Raft>, id: NodeId) -> (Role, u64) {
    let n = e.nodes()[id as usize - 1].state().unwrap_or_else(|| panic!("S{id} is down"));
    (n.role, n.term)
}

fn leaders(e: &Engine<Raft>) -> Vec<(NodeId, u64)> {
    e.nodes().iter().filter_map(|n| n.state()).filter(|n| n.role == Role::Leader).map(|n| (n.id, n.term)).collect()
}

fn commands(log: &[Entry]) -> Vec<String> {
    log.iter().map(|e| e.command.to_string()).collect()
}

fn committed(e: &Engine<Raft>) -> Vec<String> {
    e.checker().committed().map(|c| c.command.to_string()).collect()
}

/// §5.2: the first election timeout makes a candidate, which wins a majority and leads term 1;
/// its heartbeats keep everyone else a follower, and client writes commit (§5.3).
#[test]
fn election_section_5_2_first_timeout_wins_term_1_and_heartbeats_keep_it() {
    let (mut e, until) = engine("raft-election.json");
    e.run_until(ms(150));
    assert!(leaders(&e).is_empty(), "no timer has run out before 150 ms");
    e.run_until(ms(600));
    assert_eq!(leaders(&e), [(1, 1)]);
    for id in 2..=5 {
        assert_eq!(role(&e, id), (Role::Follower, 1), "S{id}");
    }
    e.run_until(until);
    assert_eq!(e.checker().leaders.len(), 1, "heartbeats prevent any other election: {:?}", e.checker().leaders);
    assert_eq!(committed(&e), ["set x 1", "set y 2", "get x"]);
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

/// §5.2: when the leader crashes, the survivors' timers run out and a leader of a higher term
/// is elected by a majority of the whole cluster; the restarted old leader rejoins as a follower.
#[test]
fn leader_crash_section_5_2_survivors_elect_a_higher_term_and_the_old_leader_rejoins() {
    let (mut e, until) = engine("raft-leader-crash.json");
    e.run_until(ms(790));
    assert_eq!(leaders(&e), [(5, 1)], "S5 leads term 1 before the crash");
    assert_eq!(committed(&e), ["set x 1"]);
    e.run_until(ms(1_000));
    assert!(!e.nodes()[4].up(), "S5 is down");
    assert_eq!(leaders(&e), [(3, 2)], "S3 leads term 2");
    e.run_until(ms(1_990));
    assert_eq!(committed(&e), ["set x 1", "set x 2", "set y 3"], "the client's retry reaches the new leader");
    e.run_until(until);
    assert_eq!(role(&e, 5), (Role::Follower, 2), "S5 restarts as a follower and learns term 2");
    let s3 = &e.nodes()[2].state().unwrap().log;
    assert_eq!(commands(&e.nodes()[4].state().unwrap().log), commands(s3), "S5 caught up");
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

/// §5.2: three servers stand in term 1 at once; each follower grants one vote per term, so the
/// votes split 2-2-1 and nobody wins. Randomized timeouts then let one candidate stand alone in
/// term 2 and win it.
#[test]
fn split_vote_section_5_2_no_leader_in_term_1_then_one_in_a_later_term() {
    let (mut e, until) = engine("raft-split-vote.json");
    // Every event up to 150 ms, checked one at a time: no leader at any moment.
    while e.next_due().is_some_and(|t| t <= ms(150)) {
        assert!(e.step());
        assert!(leaders(&e).is_empty(), "a leader at {} µs: {:?}", e.now(), leaders(&e));
    }
    for id in [1, 2, 5] {
        assert_eq!(role(&e, id), (Role::Candidate, 1), "S{id} stands in term 1");
    }
    let voted: Vec<Option<NodeId>> = e.nodes().iter().map(|n| n.durable().voted_for).collect();
    assert_eq!(voted, [Some(1), Some(2), Some(1), Some(2), Some(5)], "S3 votes for S1, S4 for S2, candidates for themselves");
    let tallies: Vec<usize> = [1, 2, 5].iter().map(|&c| voted.iter().filter(|v| **v == Some(c)).count()).collect();
    assert_eq!(tallies, [2, 2, 1], "nobody has 3 of 5");
    e.run_until(ms(300));
    let (&term, &(leader, _)) = e.checker().leaders.iter().next().expect("a leader by 300 ms");
    assert!(term >= 2, "the first leader is of a later term, not {term}");
    assert_eq!(leaders(&e), [(leader, term)]);
    e.run_until(until);
    assert!(!e.checker().leaders.contains_key(&1), "term 1 never has a leader");
    assert_eq!(committed(&e), ["set x 1"]);
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

/// §5.3: a leader cut off in a minority keeps appending but cannot commit; the majority elects a
/// leader of a higher term that commits at the same index; after the heal the old leader steps
/// down and its stale, uncommitted entry is overwritten.
#[test]
fn partition_section_5_3_minority_leader_cannot_commit_and_its_stale_entry_is_overwritten() {
    let (mut e, until) = engine("raft-partition.json");
    e.run_until(ms(1_990));
    let s1 = e.nodes()[0].state().unwrap();
    assert_eq!((s1.role, s1.term), (Role::Leader, 1), "S1 still believes it leads term 1");
    assert_eq!(commands(&s1.log), ["set x 1", "set x 2"]);
    assert_eq!(s1.commit_index, 1, "set x 2 reached S2 only: no majority, no commit");
    assert_eq!(commands(&e.nodes()[1].state().unwrap().log), ["set x 1", "set x 2"], "S2 holds the stale entry too");
    let s4 = e.nodes()[3].state().unwrap();
    assert_eq!((s4.role, s4.term, s4.commit_index), (Role::Leader, 2, 2));
    assert_eq!(commands(&s4.log), ["set x 1", "set x 3"]);
    e.run_until(until);
    assert_eq!(role(&e, 1), (Role::Follower, 2), "S1 steps down on hearing term 2");
    for id in 1..=5 {
        let log = &e.nodes()[id - 1].state().unwrap().log;
        assert_eq!(commands(&log[..2]), ["set x 1", "set x 3"], "S{id}");
        assert_eq!(log[1].term, 2, "S{id} holds S4's entry at index 2");
    }
    assert_eq!(committed(&e), ["set x 1", "set x 3", "get x"]);
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
}

/// §5.4.1: in Figure 7, the candidate wins only the votes of followers whose logs are no more up
/// to date than its own: (a), (b), (e), (f), not (c) or (d).
#[test]
fn figure_7_section_5_4_1_more_up_to_date_followers_refuse_their_vote() {
    let (mut e, _) = engine("raft-figure7.json");
    e.run_until(ms(30));
    assert_eq!(role(&e, 1), (Role::Leader, 8));
    let voted: Vec<Option<NodeId>> = e.nodes().iter().map(|n| n.durable().voted_for).collect();
    assert_eq!(voted, [Some(1), Some(1), Some(1), None, None, Some(1), Some(1)]);
}
