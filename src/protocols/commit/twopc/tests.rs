//! Unit tests, one per transition of Bernstein et al.'s Figure 7-2, the cooperative termination
//! protocol and recovery, driving one node's handlers directly and reading what it recorded.

use std::collections::BTreeMap;

use super::*;
use crate::protocols::commit::harness::Harness;
use crate::protocols::commit::{Decision, Entry, TxState, Vote, VotePlan};
use crate::sim::Addr;

const N: u32 = 4;

fn coordinator() -> Harness<TwoPc> {
    Harness::new(TwoPc { nodes: N, ..TwoPc::default() }, 1, N)
}

fn participant(id: NodeId) -> Harness<TwoPc> {
    Harness::new(TwoPc { nodes: N, ..TwoPc::default() }, id, N)
}

fn prepare(tx: u64, plan: VotePlan) -> Msg {
    Msg::Prepare { tx, participants: vec![2, 3, 4], plan }
}

/// A coordinator that has started T1 for client C1's request #1.
fn started() -> Harness<TwoPc> {
    let mut h = coordinator();
    h.client_sends(10, 1, Msg::Begin { seq: 1, request: Begin::default() });
    h
}

/// A participant (S2) that voted yes on T1 at 20 ms.
fn prepared() -> Harness<TwoPc> {
    let mut h = participant(2);
    h.deliver(20, 1, prepare(1, VotePlan::Forced(Vote::Yes)));
    h
}

#[test]
fn test_coordinator_logs_start_before_sending_prepare_to_every_participant() {
    let h = started();
    assert!(h.logged_before_sending());
    assert_eq!(h.wal.records[0].entry, Entry::Start { participants: vec![2, 3, 4], origin: Some((1, 1)) });
    let to: Vec<NodeId> = h.sent_to_nodes().iter().filter(|(_, m)| matches!(m, Msg::Prepare { tx: 1, .. })).map(|(n, _)| *n).collect();
    assert_eq!(to, [2, 3, 4]);
    assert_eq!(h.timers_set(), [TwoPcTimer::Votes(1)]);
    assert_eq!(h.state(1), TxState::Init);
}

#[test]
fn test_forced_votes_travel_in_each_participants_prepare() {
    let mut h = coordinator();
    h.request(0, Begin { votes: BTreeMap::from([(3, Vote::No)]), ..Begin::default() });
    let plans: Vec<(NodeId, VotePlan)> = h.sent_to_nodes().into_iter().filter_map(|(n, m)| if let Msg::Prepare { plan, .. } = m { Some((n, plan)) } else { None }).collect();
    assert_eq!(plans, [(2, VotePlan::Forced(Vote::Yes)), (3, VotePlan::Forced(Vote::No)), (4, VotePlan::Forced(Vote::Yes))]);
}

#[test]
fn test_participant_logs_prepared_before_voting_yes_and_takes_locks() {
    let h = prepared();
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::Prepared, "the Yes is on disk before it is sent");
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Vote { tx: 1, vote: Vote::Yes })]);
    assert!(h.core().table.get(1).unwrap().holds_locks());
    assert_eq!(h.timers_set(), [TwoPcTimer::Uncertain(1)]);
}

#[test]
fn test_participant_voting_no_logs_abort_before_sending_and_decides_alone() {
    let mut h = participant(3);
    h.deliver(20, 1, prepare(1, VotePlan::Forced(Vote::No)));
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Vote { tx: 1, vote: Vote::No })]);
    assert!(h.timers_set().is_empty(), "nothing to wait for");
}

#[test]
fn test_repeated_prepare_gets_the_same_vote() {
    let mut h = prepared();
    h.deliver(40, 1, prepare(1, VotePlan::Forced(Vote::No)));
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Vote { tx: 1, vote: Vote::Yes })], "a vote is never changed");
    assert_eq!(h.core().log.len(), 1);
}

#[test]
fn test_coordinator_commits_only_after_every_yes_and_logs_before_sending() {
    let mut h = started();
    h.deliver(30, 2, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.deliver(31, 3, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.deliver(31, 3, Msg::Vote { tx: 1, vote: Vote::Yes });
    assert_eq!(h.state(1), TxState::Init, "two of three votes, one of them twice");
    assert!(h.sent().is_empty());
    h.deliver(32, 4, Msg::Vote { tx: 1, vote: Vote::Yes });
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(h.logged_before_sending());
    let sent = h.sent();
    for p in [2, 3, 4] {
        assert!(sent.contains(&(Addr::Node(p), Msg::Commit { tx: 1 })), "{sent:?}");
    }
    assert!(sent.contains(&(Addr::Client(1), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Commit })));
}

#[test]
fn test_coordinator_aborts_at_the_first_no() {
    let mut h = started();
    h.deliver(30, 3, Msg::Vote { tx: 1, vote: Vote::No });
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.logged_before_sending());
    assert!(h.sent_to_nodes().contains(&(2, Msg::Abort { tx: 1 })));
    h.deliver(31, 2, Msg::Vote { tx: 1, vote: Vote::Yes });
    assert!(h.sent().is_empty(), "late votes change nothing");
}

#[test]
fn test_coordinator_aborts_when_votes_are_missing_at_the_timeout() {
    let mut h = started();
    h.deliver(30, 2, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.timer(310, TwoPcTimer::Votes(1));
    assert_eq!(h.durable_state(1), TxState::Aborted);
    h.deliver(320, 3, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.deliver(321, 4, Msg::Vote { tx: 1, vote: Vote::Yes });
    assert_eq!(h.state(1), TxState::Aborted, "a decision is final");
}

#[test]
fn test_coordinator_resends_the_decision_until_every_ack_then_logs_end() {
    let mut h = started();
    for p in [2, 3, 4] {
        h.deliver(30, p, Msg::Vote { tx: 1, vote: Vote::Yes });
    }
    h.deliver(40, 2, Msg::Ack { tx: 1 });
    h.timer(230, TwoPcTimer::Resend(1));
    assert_eq!(h.sent_to_nodes(), [(3, Msg::Commit { tx: 1 }), (4, Msg::Commit { tx: 1 })]);
    assert_eq!(h.timers_set(), [TwoPcTimer::Resend(1)]);
    h.deliver(240, 3, Msg::Ack { tx: 1 });
    h.deliver(241, 4, Msg::Ack { tx: 1 });
    assert!(h.core().table.get(1).unwrap().ended);
    assert_eq!(h.wal.records.last().unwrap().entry, Entry::End);
    h.timer(430, TwoPcTimer::Resend(1));
    assert!(h.sent().is_empty());
}

#[test]
fn test_participant_logs_the_decision_releases_locks_and_acknowledges() {
    let mut h = prepared();
    h.deliver(50, 1, Msg::Commit { tx: 1 });
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::Committed);
    assert!(!h.core().table.get(1).unwrap().holds_locks());
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Ack { tx: 1 })]);
    assert_eq!(h.core().table.get(1).unwrap().blocked_us(9_999), Some(30), "uncertain from 20 to 50");
    h.deliver(250, 1, Msg::Commit { tx: 1 });
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Ack { tx: 1 })], "a repeated decision is acknowledged again");
}

#[test]
fn test_commit_for_a_transaction_never_voted_on_is_refused() {
    let mut h = participant(3);
    h.deliver(50, 1, Msg::Commit { tx: 9 });
    assert_eq!(h.state(9), TxState::Init);
    assert!(h.sent().is_empty());
    h.deliver(60, 1, Msg::Abort { tx: 9 });
    assert_eq!(h.durable_state(9), TxState::Aborted, "an abort is remembered");
    h.deliver(70, 1, prepare(9, VotePlan::Forced(Vote::Yes)));
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Vote { tx: 9, vote: Vote::No })], "so a late Prepare gets a No");
}

#[test]
fn test_uncertain_participant_asks_everyone_on_timeout_and_again_later() {
    let mut h = prepared();
    h.timer(320, TwoPcTimer::Uncertain(1));
    let to: Vec<NodeId> = h.sent_to_nodes().iter().map(|(n, _)| *n).collect();
    assert_eq!(to, [1, 3, 4]);
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::DecisionRequest { tx: 1 }));
    assert_eq!(h.timers_set(), [TwoPcTimer::Uncertain(1)]);
    assert_eq!(h.state(1), TxState::Prepared, "it may not decide alone");
    assert!(h.node.asking.contains(&1));
    h.deliver(340, 4, Msg::DecisionReply { tx: 1, decision: Decision::Abort });
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert_eq!(h.sent_to_nodes(), [(1, Msg::Ack { tx: 1 })]);
    assert!(h.node.asking.is_empty());
}

#[test]
fn test_decided_participant_answers_a_decision_request() {
    let mut h = prepared();
    h.deliver(50, 1, Msg::Commit { tx: 1 });
    h.deliver(60, 3, Msg::DecisionRequest { tx: 1 });
    assert_eq!(h.sent_to_nodes(), [(3, Msg::DecisionReply { tx: 1, decision: Decision::Commit })]);
}

#[test]
fn test_participant_that_has_not_voted_aborts_when_asked() {
    let mut h = participant(4);
    h.deliver(60, 3, Msg::DecisionRequest { tx: 1 });
    assert!(h.logged_before_sending());
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert_eq!(h.sent_to_nodes(), [(3, Msg::DecisionReply { tx: 1, decision: Decision::Abort })]);
}

#[test]
fn test_uncertain_participant_and_undecided_coordinator_cannot_help() {
    let mut h = prepared();
    h.deliver(60, 3, Msg::DecisionRequest { tx: 1 });
    assert!(h.sent().is_empty());
    let mut c = started();
    c.deliver(60, 3, Msg::DecisionRequest { tx: 1 });
    assert!(c.sent().is_empty());
}

#[test]
fn test_recovered_coordinator_aborts_what_it_had_not_decided() {
    let mut h = started();
    h.deliver(30, 2, Msg::Vote { tx: 1, vote: Vote::Yes });
    h.crash_and_restart(1000);
    assert_eq!(h.durable_state(1), TxState::Aborted);
    assert!(h.logged_before_sending());
    assert!(h.sent().contains(&(Addr::Client(1), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Abort })));
    assert!(h.sent_to_nodes().contains(&(4, Msg::Abort { tx: 1 })));
}

#[test]
fn test_recovered_coordinator_resends_unacknowledged_decisions() {
    let mut h = started();
    for p in [2, 3, 4] {
        h.deliver(30, p, Msg::Vote { tx: 1, vote: Vote::Yes });
    }
    h.crash_and_restart(1000);
    assert_eq!(h.state(1), TxState::Committed, "the decision survives the crash");
    let to: Vec<NodeId> = h.sent_to_nodes().iter().filter(|(_, m)| *m == Msg::Commit { tx: 1 }).map(|(n, _)| *n).collect();
    assert_eq!(to, [2, 3, 4]);
    assert_eq!(h.timers_set(), [TwoPcTimer::Resend(1)]);
}

#[test]
fn test_recovered_participant_is_uncertain_and_asks_at_once() {
    let mut h = prepared();
    h.crash_and_restart(500);
    assert_eq!(h.state(1), TxState::Prepared);
    assert!(h.core().table.get(1).unwrap().holds_locks(), "locks are taken again from the log");
    assert_eq!(h.sent_to_nodes().len(), 3);
    assert!(h.sent_to_nodes().iter().all(|(_, m)| *m == Msg::DecisionRequest { tx: 1 }));
    assert_eq!(h.core().table.get(1).unwrap().blocked_us(700), Some(680), "blocked since the Yes, across the crash");
}

#[test]
fn test_retried_begin_is_reported_and_never_started_twice() {
    let mut h = started();
    h.client_sends(500, 1, Msg::Begin { seq: 1, request: Begin::default() });
    assert!(h.sent().is_empty(), "still undecided: the client waits");
    assert_eq!(h.core().table.len(), 1);
    h.timer(600, TwoPcTimer::Votes(1));
    let outcomes = h.sent().into_iter().filter(|(to, _)| *to == Addr::Client(1)).count();
    assert_eq!(outcomes, 2, "the origin and the retry each get the outcome");
    h.client_sends(700, 1, Msg::Begin { seq: 1, request: Begin::default() });
    assert_eq!(h.sent(), [(Addr::Client(1), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Abort })]);
    h.client_sends(800, 2, Msg::Begin { seq: 1, request: Begin { id: Some(1), ..Begin::default() } });
    assert_eq!(h.sent(), [(Addr::Client(2), Msg::Outcome { seq: 1, tx: 1, decision: Decision::Abort })], "beginning a known id asks for its outcome");
    h.client_sends(900, 2, Msg::Begin { seq: 2, request: Begin::default() });
    assert_eq!(h.core().table.last_id(), 2);
}

#[test]
fn test_begin_at_a_participant_is_refused() {
    let mut h = participant(2);
    h.request(0, Begin::default());
    assert!(h.sent().is_empty() && h.core().log.is_empty());
}

#[test]
fn test_planted_bug_commits_on_timeout_while_uncertain() {
    let mut h = Harness::new(TwoPc { nodes: N, planted_bug: Some(PlantedBug::CommitOnTimeout), ..TwoPc::default() }, 2, N);
    h.deliver(20, 1, prepare(1, VotePlan::Forced(Vote::Yes)));
    h.timer(320, TwoPcTimer::Uncertain(1));
    assert_eq!(h.state(1), TxState::Committed);
    let mut ok = prepared();
    ok.timer(320, TwoPcTimer::Uncertain(1));
    assert_eq!(ok.state(1), TxState::Prepared, "without the bug it stays uncertain");
}

#[test]
#[should_panic(expected = "the next id would wrap to 0")]
fn test_a_transaction_after_the_largest_id_fails_loudly_instead_of_wrapping_to_t0() {
    let mut h = coordinator();
    h.request(0, Begin { id: Some(u64::MAX), ..Begin::default() });
    h.request(1, Begin::default());
}
