//! Unit tests, one per transition of three-phase commit, its termination rules (TR1-TR4), the
//! election and recovery, driving one node's handlers directly and reading what it recorded.

use std::collections::BTreeSet;

use super::*;
use crate::protocols::commit::harness::Harness;
use crate::protocols::commit::{Decision, Entry, TxState, Vote, VotePlan};
use crate::sim::Addr;

const N: u32 = 4;

fn node(id: NodeId) -> Harness<ThreePc> {
    Harness::new(ThreePc { nodes: N, ..ThreePc::default() }, id, N)
}

fn can_commit(tx: u64) -> Msg {
    Msg::CanCommit { tx, participants: vec![2, 3, 4], plan: VotePlan::Forced(Vote::Yes) }
}

/// A coordinator that has started T1 for client C1's request #1.
fn started() -> Harness<ThreePc> {
    let mut h = node(1);
    h.client_sends(10, 1, Msg::Begin { seq: 1, request: Begin::default() });
    h
}

/// A coordinator that has pre-committed T1.
fn precommitting() -> Harness<ThreePc> {
    let mut h = started();
    for p in [2, 3, 4] {
        h.deliver(30, p, Msg::Vote { tx: 1, vote: Vote::Yes });
    }
    h
}

/// Participant `id`, voted yes on T1 at 20 ms.
fn prepared(id: NodeId) -> Harness<ThreePc> {
    let mut h = node(id);
    h.deliver(20, 1, can_commit(1));
    h
}

fn sent_to(h: &Harness<ThreePc>) -> Vec<NodeId> {
    h.sent_to_nodes().iter().map(|(n, _)| *n).collect()
}

#[test]
fn test_coordinator_logs_start_before_can_commit_to_every_participant() {
    let h = started();
    assert!(h.logged_before_sending());
    assert_eq!(sent_to(&h), [2, 3, 4]);
    assert!(h.sent_to_nodes().iter().all(|(_, m)| matches!(m, Msg::CanCommit { tx: 1, .. })));
    assert_eq!(h.timers_set(), [ThreePcTimer::Votes(1)]);
}

#[test]
fn test_participant_logs_prepared_before_voting_yes() {
    let h = prepared(2);
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::Prepared);
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Vote { tx: 1, vote: Vote::Yes })]);
    assert_eq!(h.timers_set(), [ThreePcTimer::Uncertain(1)]);
}

#[test]
fn test_coordinator_precommits_after_every_yes_and_logs_before_sending() {
    let h = precommitting();
    assert_eq!(h.durable_state(1), TxState::PreCommitted);
    assert!(h.logged_before_sending());
    assert_eq!(h.sent_to_nodes(), [(2, Msg::PreCommit { tx: 1 }), (3, Msg::PreCommit { tx: 1 }), (4, Msg::PreCommit { tx: 1 })]);
    assert_eq!(h.timers_set(), [ThreePcTimer::Acks(1)]);
}

#[test]
fn test_coordinator_aborts_at_a_no_or_when_votes_are_missing() {
    let mut h = started();
    h.deliver(30, 3, Msg::Vote { tx: 1, vote: Vote::No });
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.sent_to_nodes().contains(&(2, Msg::Abort { tx: 1 })));
    let mut h = started();
    h.deliver(30, 2, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.timer(210, ThreePcTimer::Votes(1));
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.logged_before_sending());
}

#[test]
fn test_participant_logs_precommitted_before_acknowledging_and_waits_afresh() {
    let mut h = prepared(3);
    h.deliver(50, 1, Msg::PreCommit { tx: 1 });
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::PreCommitted);
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Ack { tx: 1 })]);
    assert_eq!(h.timers_set(), [ThreePcTimer::Uncertain(1)]);
    assert!(h.core().table.get(1).unwrap().holds_locks());
}

#[test]
fn test_coordinator_commits_after_every_ack_and_logs_before_do_commit() {
    let mut h = precommitting();
    h.deliver(60, 2, Msg::Ack { tx: 1 });
    h.deliver(61, 3, Msg::Ack { tx: 1 });
    assert_eq!(h.state(1), TxState::PreCommitted);
    h.deliver(62, 4, Msg::Ack { tx: 1 });
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(h.logged_before_sending());
    let sent = h.sent();
    assert!(sent.contains(&(Addr::Node(4), Msg::DoCommit { tx: 1 })));
    assert!(sent.contains(&(Addr::Client(1), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Commit })));
}

#[test]
fn test_coordinator_commits_at_the_ack_timeout_taking_silence_for_a_crash() {
    let mut h = precommitting();
    h.deliver(60, 2, Msg::Ack { tx: 1 });
    h.timer(230, ThreePcTimer::Acks(1));
    assert_eq!(h.durable_state(1), TxState::Committed);
}

#[test]
fn test_participant_commits_on_do_commit() {
    let mut h = prepared(2);
    h.deliver(50, 1, Msg::PreCommit { tx: 1 });
    h.deliver(90, 1, Msg::DoCommit { tx: 1 });
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(!h.core().table.get(1).unwrap().holds_locks());
}

#[test]
fn test_lowest_participant_times_out_and_becomes_the_backup_coordinator() {
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    assert_eq!(h.sent_to_nodes(), [(3, Msg::StateRequest { tx: 1 }), (4, Msg::StateRequest { tx: 1 })]);
    assert_eq!(h.timers_set(), [ThreePcTimer::Gather(1)]);
    assert!(matches!(h.node.term.get(&1), Some(Term::Gathering { .. })));
}

#[test]
fn test_higher_participant_elects_bully_style() {
    let mut h = prepared(4);
    h.timer(620, ThreePcTimer::Uncertain(1));
    assert_eq!(h.sent_to_nodes(), [(2, Msg::Elect { tx: 1 }), (3, Msg::Elect { tx: 1 })]);
    assert_eq!(h.node.term.get(&1), Some(&Term::Electing));
    h.deliver(640, 3, Msg::Alive { tx: 1 });
    assert_eq!(h.node.term.get(&1), Some(&Term::Waiting), "a lower one lives: leave it to it");
    h.deliver(660, 2, Msg::StateRequest { tx: 1 });
    assert_eq!(h.sent_to_nodes(), [(2, Msg::StateReply { tx: 1, state: TxState::Prepared })]);
    assert_eq!(h.node.term.get(&1), Some(&Term::Following(2)));
    h.timer(1300, ThreePcTimer::Election(1));
    assert_eq!(h.node.term.get(&1), Some(&Term::Electing), "the backup fell silent: elect again");
    h.timer(1400, ThreePcTimer::Election(1));
    assert!(matches!(h.node.term.get(&1), Some(Term::Gathering { .. })), "no one lower answered: lead");
}

#[test]
fn test_an_elect_from_above_is_answered_and_starts_an_election_here() {
    let mut h = prepared(3);
    h.deliver(630, 4, Msg::Elect { tx: 1 });
    assert_eq!(h.sent_to_nodes(), [(4, Msg::Alive { tx: 1 }), (2, Msg::Elect { tx: 1 })]);
    assert_eq!(h.node.term.get(&1), Some(&Term::Electing));
}

#[test]
fn test_tr3_backup_aborts_when_everyone_is_uncertain() {
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    h.deliver(640, 3, Msg::StateReply { tx: 1, state: TxState::Prepared });
    assert_eq!(h.state(1), TxState::Prepared);
    h.deliver(641, 4, Msg::StateReply { tx: 1, state: TxState::Prepared });
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.logged_before_sending());
    assert_eq!(sent_to(&h), [1, 3, 4], "the old coordinator is told too");
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::Abort { tx: 1 }));
}

#[test]
fn test_tr4_backup_precommits_the_uncertain_then_commits() {
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    h.deliver(640, 3, Msg::StateReply { tx: 1, state: TxState::PreCommitted });
    h.deliver(641, 4, Msg::StateReply { tx: 1, state: TxState::Prepared });
    assert_eq!(h.durable_state(1), TxState::PreCommitted, "the backup pre-commits itself first");
    assert_eq!(h.sent_to_nodes(), [(4, Msg::PreCommit { tx: 1 })]);
    assert_eq!(h.node.term.get(&1), Some(&Term::Committing { waiting: BTreeSet::from([4]) }));
    h.deliver(660, 4, Msg::Ack { tx: 1 });
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::DoCommit { tx: 1 }));
}

#[test]
fn test_tr1_tr2_a_decided_participant_decides_for_the_backup() {
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    h.deliver(640, 4, Msg::DecisionReply { tx: 1, decision: Decision::Commit });
    assert_eq!(h.state(1), TxState::Committed);
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    h.deliver(640, 3, Msg::StateReply { tx: 1, state: TxState::Aborted });
    assert_eq!(h.state(1), TxState::Aborted);
}

#[test]
fn test_alone_the_rules_are_the_classic_timeouts() {
    // Uncertain and alone: abort.
    let mut h = prepared(2);
    h.timer(620, ThreePcTimer::Uncertain(1));
    h.timer(720, ThreePcTimer::Gather(1));
    assert_eq!(h.state(1), TxState::Aborted);
    // Pre-committed and alone: commit.
    let mut h = prepared(2);
    h.deliver(50, 1, Msg::PreCommit { tx: 1 });
    h.timer(650, ThreePcTimer::Uncertain(1));
    h.timer(750, ThreePcTimer::Gather(1));
    assert_eq!(h.state(1), TxState::Committed);
}

#[test]
fn test_a_backup_steps_down_for_a_lower_numbered_one() {
    let mut h = prepared(3);
    h.deliver(630, 4, Msg::Elect { tx: 1 });
    h.timer(730, ThreePcTimer::Election(1));
    assert!(matches!(h.node.term.get(&1), Some(Term::Gathering { .. })), "S2 did not answer in time");
    h.deliver(740, 2, Msg::StateRequest { tx: 1 });
    assert_eq!(h.node.term.get(&1), Some(&Term::Following(2)));
    assert_eq!(h.sent_to_nodes(), [(2, Msg::StateReply { tx: 1, state: TxState::Prepared })]);
    h.timer(750, ThreePcTimer::Gather(1));
    assert_eq!(h.state(1), TxState::Prepared, "no longer the backup: it does not decide");
}

#[test]
fn test_participant_that_never_voted_aborts_when_the_termination_asks() {
    for msg in [Msg::Elect { tx: 1 }, Msg::StateRequest { tx: 1 }, Msg::DecisionRequest { tx: 1 }] {
        let mut h = node(2);
        h.deliver(600, 4, msg.clone());
        assert_eq!(h.durable_state(1), TxState::Aborted, "{msg}");
        assert_eq!(h.sent_to_nodes(), [(4, Msg::DecisionReply { tx: 1, decision: Decision::Abort })]);
    }
}

#[test]
fn test_recovered_participant_asks_and_stays_out_of_the_termination() {
    let mut h = prepared(2);
    h.deliver(50, 1, Msg::PreCommit { tx: 1 });
    h.crash_and_restart(500);
    assert_eq!(h.state(1), TxState::PreCommitted);
    assert_eq!(sent_to(&h), [1, 3, 4]);
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::DecisionRequest { tx: 1 }));
    assert_eq!(h.timers_set(), [ThreePcTimer::Ask(1)]);
    h.deliver(600, 4, Msg::Elect { tx: 1 });
    h.deliver(601, 3, Msg::StateRequest { tx: 1 });
    assert!(h.sent().is_empty(), "silent: the decision may have been made without it");
    h.timer(1200, ThreePcTimer::Uncertain(1));
    assert!(h.sent().is_empty() && h.state(1) == TxState::PreCommitted, "it never decides alone");
    h.timer(700, ThreePcTimer::Ask(1));
    assert_eq!(h.sent_to_nodes().len(), 3, "it asks again");
    h.deliver(710, 3, Msg::DecisionReply { tx: 1, decision: Decision::Commit });
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(h.node.recovering.is_empty());
}

#[test]
fn test_recovered_coordinator_aborts_unless_it_had_precommitted() {
    let mut h = started();
    h.crash_and_restart(500);
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.sent_to_nodes().contains(&(3, Msg::Abort { tx: 1 })));
    let mut h = precommitting();
    h.crash_and_restart(500);
    assert_eq!(h.state(1), TxState::PreCommitted, "someone may have committed: it must ask");
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::DecisionRequest { tx: 1 }));
    h.deliver(600, 2, Msg::DecisionReply { tx: 1, decision: Decision::Commit });
    assert_eq!(h.state(1), TxState::Committed);
    assert!(h.sent().contains(&(Addr::Client(1), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Commit })));
}

#[test]
fn test_planted_bug_commits_on_timeout_while_uncertain() {
    let mut h = Harness::new(ThreePc { nodes: N, planted_bug: Some(PlantedBug::CommitOnTimeout), ..ThreePc::default() }, 3, N);
    h.deliver(20, 1, can_commit(1));
    h.timer(620, ThreePcTimer::Uncertain(1));
    assert_eq!(h.state(1), TxState::Committed);
    let mut ok = prepared(3);
    ok.timer(620, ThreePcTimer::Uncertain(1));
    assert_eq!(ok.state(1), TxState::Prepared, "without the bug it elects a coordinator");
}

#[test]
fn test_the_log_holds_what_the_node_went_through() {
    let mut h = prepared(2);
    h.deliver(50, 1, Msg::PreCommit { tx: 1 });
    h.deliver(90, 1, Msg::DoCommit { tx: 1 });
    let names: Vec<&str> = h.wal.records.iter().map(|r| r.entry.name()).collect();
    assert_eq!(names, ["prepared", "precommitted", "commit"]);
    assert_eq!(h.wal.records[0].entry, Entry::Prepared { coordinator: 1, participants: vec![2, 3, 4] });
}
