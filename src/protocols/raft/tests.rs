//! Unit tests, one per rule of Figure 2, driving a single server's handlers directly and reading
//! the effects it recorded (raft-rs's habit of naming tests after the paper's rules).

use super::*;
use crate::sim::protocol::Effect;
use crate::sim::rng::Rng;

/// One server of a `nodes`-server cluster, plus the effects of the last handler call.
struct Harness {
    cfg: Raft,
    node: RaftNode,
    rng: Rng,
    nodes: u32,
    effects: Vec<Effect<Raft>>,
}

impl Harness {
    fn new(id: NodeId, nodes: u32, durable: Durable) -> Self {
        let cfg = Raft::default();
        let mut rng = Rng::stream(1, "test");
        let mut effects = Vec::new();
        let node = cfg.boot(id, &durable, &mut Ctx::new(0, Addr::Node(id), nodes, &mut rng, &mut effects));
        Harness { cfg, node, rng, nodes, effects }
    }

    fn with_log(id: NodeId, nodes: u32, term: u64, terms: &[u64]) -> Self {
        let log = terms.iter().enumerate().map(|(i, &t)| Entry::new(t, Command::Set { key: "k".into(), value: i.to_string() })).collect();
        Self::new(id, nodes, Durable { term, voted_for: None, log })
    }

    fn deliver(&mut self, from: Addr, msg: Msg) {
        self.effects.clear();
        let mut ctx = Ctx::new(0, Addr::Node(self.node.id), self.nodes, &mut self.rng, &mut self.effects);
        self.cfg.on_message(&mut self.node, from, msg, &mut ctx);
    }

    fn timer(&mut self, t: RaftTimer) {
        self.effects.clear();
        let mut ctx = Ctx::new(0, Addr::Node(self.node.id), self.nodes, &mut self.rng, &mut self.effects);
        self.cfg.on_timer(&mut self.node, t, &mut ctx);
    }

    fn sent(&self) -> Vec<(Addr, Msg)> {
        self.effects.iter().filter_map(|e| if let Effect::Send(to, m) = e { Some((*to, m.clone())) } else { None }).collect()
    }

    fn persisted_before_first_send(&self) -> bool {
        let p = self.effects.iter().position(|e| matches!(e, Effect::Persist));
        let s = self.effects.iter().position(|e| matches!(e, Effect::Send(..)));
        matches!((p, s), (Some(p), Some(s)) if p < s)
    }

    fn make_leader(&mut self) {
        self.timer(RaftTimer::Election);
        let term = self.node.term;
        for peer in 1..=self.nodes {
            if peer != self.node.id && self.node.role != Role::Leader {
                self.deliver(Addr::Node(peer), Msg::RequestVoteReply { term, granted: true });
            }
        }
        assert_eq!(self.node.role, Role::Leader);
    }
}

fn ae(term: u64, prev: (u64, u64), entries: &[u64], commit: u64) -> Msg {
    Msg::AppendEntries {
        term,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries: entries.iter().map(|&t| Entry::new(t, Command::Set { key: "k".into(), value: format!("new{t}") })).collect(),
        leader_commit: commit,
    }
}

#[test]
fn test_election_timeout_makes_candidate_that_votes_for_itself_and_persists() {
    let mut h = Harness::new(1, 5, Durable::default());
    h.timer(RaftTimer::Election);
    assert_eq!((h.node.role, h.node.term, h.node.voted_for), (Role::Candidate, 1, Some(1)));
    let sent = h.sent();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|(_, m)| matches!(m, Msg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0 })));
    assert!(h.persisted_before_first_send());
    assert!(h.effects.iter().any(|e| matches!(e, Effect::SetTimer(RaftTimer::Election, _))));
}

#[test]
fn test_candidate_with_majority_becomes_leader_and_sends_heartbeats() {
    let mut h = Harness::new(1, 5, Durable::default());
    h.timer(RaftTimer::Election);
    h.deliver(Addr::Node(2), Msg::RequestVoteReply { term: 1, granted: true });
    assert_eq!(h.node.role, Role::Candidate, "2 of 5 votes is no majority");
    h.deliver(Addr::Node(2), Msg::RequestVoteReply { term: 1, granted: true });
    assert_eq!(h.node.role, Role::Candidate, "a repeated vote counts once");
    h.deliver(Addr::Node(3), Msg::RequestVoteReply { term: 1, granted: false });
    h.deliver(Addr::Node(4), Msg::RequestVoteReply { term: 1, granted: true });
    assert_eq!(h.node.role, Role::Leader);
    assert_eq!(h.sent().iter().filter(|(_, m)| matches!(m, Msg::AppendEntries { entries, .. } if entries.is_empty())).count(), 4);
}

#[test]
fn test_single_server_cluster_elects_itself_and_commits_alone() {
    let mut h = Harness::new(1, 1, Durable::default());
    h.timer(RaftTimer::Election);
    assert_eq!(h.node.role, Role::Leader);
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: "set a 1".parse().unwrap() });
    assert_eq!(h.node.commit_index, 1);
    assert_eq!(h.node.kv.data.get("a").map(String::as_str), Some("1"));
}

#[test]
fn test_vote_granted_once_per_term() {
    let mut h = Harness::new(1, 5, Durable::default());
    h.deliver(Addr::Node(2), Msg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0 });
    assert_eq!(h.sent(), vec![(Addr::Node(2), Msg::RequestVoteReply { term: 1, granted: true })]);
    assert!(h.persisted_before_first_send(), "votedFor is saved before the reply");
    h.deliver(Addr::Node(3), Msg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0 });
    assert_eq!(h.sent(), vec![(Addr::Node(3), Msg::RequestVoteReply { term: 1, granted: false })]);
    // The same candidate asking again (a duplicate) gets the same answer.
    h.deliver(Addr::Node(2), Msg::RequestVote { term: 1, last_log_index: 0, last_log_term: 0 });
    assert_eq!(h.sent(), vec![(Addr::Node(2), Msg::RequestVoteReply { term: 1, granted: true })]);
}

#[test]
fn test_vote_refused_to_candidate_with_less_up_to_date_log() {
    // Our last entry is (index 3, term 2).
    let mut h = Harness::with_log(1, 5, 2, &[1, 1, 2]);
    h.deliver(Addr::Node(2), Msg::RequestVote { term: 3, last_log_index: 5, last_log_term: 1 });
    assert!(matches!(h.sent()[0].1, Msg::RequestVoteReply { granted: false, term: 3 }), "lower last term loses despite a longer log");
    h.deliver(Addr::Node(3), Msg::RequestVote { term: 3, last_log_index: 2, last_log_term: 2 });
    assert!(matches!(h.sent()[0].1, Msg::RequestVoteReply { granted: false, .. }), "same last term, shorter log");
    h.deliver(Addr::Node(4), Msg::RequestVote { term: 3, last_log_index: 3, last_log_term: 2 });
    assert!(matches!(h.sent()[0].1, Msg::RequestVoteReply { granted: true, .. }), "equal logs are up-to-date");
}

#[test]
fn test_higher_term_in_any_message_converts_leader_to_follower() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.make_leader();
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term: 7, success: false, match_index: 0, conflict_index: 0, conflict_term: None });
    assert_eq!((h.node.role, h.node.term, h.node.voted_for), (Role::Follower, 7, None));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::Persist)));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::CancelTimer(RaftTimer::Heartbeat))));
}

#[test]
fn test_append_entries_from_stale_term_is_rejected() {
    let mut h = Harness::new(1, 3, Durable { term: 5, voted_for: None, log: vec![] });
    h.deliver(Addr::Node(2), ae(4, (0, 0), &[4], 0));
    assert!(matches!(h.sent()[0].1, Msg::AppendEntriesReply { term: 5, success: false, .. }));
    assert!(h.node.log.is_empty());
}

#[test]
fn test_candidate_steps_down_on_append_entries_of_its_term() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.timer(RaftTimer::Election);
    h.deliver(Addr::Node(2), ae(1, (0, 0), &[], 0));
    assert_eq!((h.node.role, h.node.leader_hint), (Role::Follower, Some(2)));
}

#[test]
fn test_consistency_check_reports_missing_entries() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 1]);
    h.deliver(Addr::Node(2), ae(3, (5, 3), &[3], 0));
    assert!(matches!(h.sent()[0].1, Msg::AppendEntriesReply { success: false, conflict_index: 3, conflict_term: None, .. }));
}

#[test]
fn test_consistency_check_reports_first_index_of_conflicting_term() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 2, 2, 2]);
    h.deliver(Addr::Node(2), ae(3, (4, 3), &[3], 0));
    assert!(matches!(h.sent()[0].1, Msg::AppendEntriesReply { success: false, conflict_index: 2, conflict_term: Some(2), .. }));
    assert_eq!(h.node.log.len(), 4, "a failed check changes nothing");
}

#[test]
fn test_conflicting_entries_are_deleted_and_new_ones_appended() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 2, 2]);
    h.deliver(Addr::Node(2), ae(3, (1, 1), &[3, 3], 0));
    assert_eq!(h.node.log.iter().map(|e| e.term).collect::<Vec<_>>(), vec![1, 3, 3]);
    assert!(matches!(h.sent()[0].1, Msg::AppendEntriesReply { success: true, match_index: 3, .. }));
    assert!(h.persisted_before_first_send());
}

#[test]
fn test_stale_shorter_append_entries_does_not_truncate() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 3, 3]);
    let before = h.node.log.clone();
    // A delayed AppendEntries carrying only the entry at index 2 (same term as ours).
    h.deliver(Addr::Node(2), Msg::AppendEntries { term: 3, prev_log_index: 1, prev_log_term: 1, entries: vec![before[1].clone()], leader_commit: 0 });
    assert_eq!(h.node.log, before);
    assert!(matches!(h.sent()[0].1, Msg::AppendEntriesReply { success: true, match_index: 2, .. }));
}

#[test]
fn test_follower_commit_is_min_of_leader_commit_and_last_new_entry() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 1, 1, 1]);
    h.deliver(Addr::Node(2), ae(3, (2, 1), &[], 4));
    assert_eq!(h.node.commit_index, 2, "only up to what this AppendEntries proved to match");
    assert_eq!(h.node.last_applied, 2);
}

#[test]
fn test_leader_backs_up_next_index_past_conflicting_term() {
    let mut h = Harness::with_log(1, 3, 5, &[1, 1, 4, 4, 5]);
    h.make_leader();
    // Follower 2 has term 3 entries from index 2 on, a term the leader never had.
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term: h.node.term, success: false, match_index: 0, conflict_index: 2, conflict_term: Some(3) });
    assert_eq!(h.node.next_index[1], 2);
    // Follower 3 conflicts in term 4, which the leader has up to index 4.
    h.deliver(Addr::Node(3), Msg::AppendEntriesReply { term: h.node.term, success: false, match_index: 0, conflict_index: 3, conflict_term: Some(4) });
    assert_eq!(h.node.next_index[2], 5);
    assert!(matches!(h.sent()[0], (Addr::Node(3), Msg::AppendEntries { prev_log_index: 4, prev_log_term: 4, .. })));
}

#[test]
fn test_leader_commits_only_entries_of_its_own_term_by_counting() {
    // Figure 8: entry 2 of term 2 sits on a majority, but counting must not commit it.
    let mut h = Harness::with_log(1, 3, 3, &[1, 2]);
    h.make_leader();
    let term = h.node.term;
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 2, conflict_index: 0, conflict_term: None });
    assert_eq!(h.node.commit_index, 0);
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: "set a 1".parse().unwrap() });
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 3, conflict_index: 0, conflict_term: None });
    assert_eq!(h.node.commit_index, 3, "an own-term entry commits, and the older ones with it");
}

#[test]
fn test_planted_bug_commits_previous_term_entry_by_counting() {
    let mut h = Harness::with_log(1, 3, 3, &[1, 2]);
    h.cfg.planted_bug = Some(PlantedBug::CommitPreviousTerm);
    h.make_leader();
    let term = h.node.term;
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 2, conflict_index: 0, conflict_term: None });
    assert_eq!(h.node.commit_index, 2);
}

#[test]
fn test_stale_success_reply_never_moves_match_index_back() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.make_leader();
    let term = h.node.term;
    for i in 0..3 {
        h.deliver(Addr::Client(1), Msg::ClientRequest { seq: i + 1, command: "set a 1".parse().unwrap() });
    }
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 3, conflict_index: 0, conflict_term: None });
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 1, conflict_index: 0, conflict_term: None });
    assert_eq!((h.node.match_index[1], h.node.next_index[1]), (3, 4));
}

#[test]
fn test_follower_redirects_client_to_known_leader() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.deliver(Addr::Node(2), ae(1, (0, 0), &[], 0));
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: "get x".parse().unwrap() });
    assert_eq!(h.sent(), vec![(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: messages::ClientOutcome::NotLeader(Some(2)) })]);
}

#[test]
fn test_leader_answers_client_once_applied_and_dedups_retries() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.make_leader();
    let term = h.node.term;
    let set = Msg::ClientRequest { seq: 1, command: "set x 5".parse().unwrap() };
    h.deliver(Addr::Client(1), set.clone());
    h.deliver(Addr::Client(1), set.clone());
    assert_eq!(h.node.log.len(), 1, "a retry of a pending request is not appended twice");
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 1, conflict_index: 0, conflict_term: None });
    assert!(h.sent().contains(&(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: messages::ClientOutcome::Done(crate::protocols::kv::Answer::Ok) })));
    h.deliver(Addr::Client(1), set);
    assert_eq!(h.node.log.len(), 1);
    assert_eq!(h.sent(), vec![(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: messages::ClientOutcome::Done(crate::protocols::kv::Answer::Ok) })]);
}

#[test]
fn test_restart_keeps_only_durable_state() {
    let mut h = Harness::new(1, 3, Durable::default());
    h.make_leader();
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: "set x 5".parse().unwrap() });
    let mut durable = Durable::default();
    h.cfg.save(&mut h.node, &mut durable);
    assert_eq!((durable.term, durable.voted_for, durable.log.len()), (1, Some(1), 1));
    let rebooted = Harness::new(1, 3, durable);
    assert_eq!((rebooted.node.role, rebooted.node.term, rebooted.node.commit_index, rebooted.node.log.len()), (Role::Follower, 1, 0, 1));
    assert!(rebooted.node.kv.data.is_empty());
}

#[test]
fn test_retry_of_earlier_term_entry_is_appended_in_the_leaders_term() {
    // The request reached the log in term 1 but never committed; the new leader of term 2
    // could wait forever for it to commit, so the retry gets an entry of the current term.
    let mut durable = Durable { term: 1, voted_for: None, log: vec![Entry { term: 1, command: std::rc::Rc::new("set x 1".parse().unwrap()), origin: Some((1, 1)) }] };
    durable.term = 1;
    let mut h = Harness::new(1, 3, durable);
    h.make_leader();
    let term = h.node.term;
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: "set x 1".parse().unwrap() });
    assert_eq!(h.node.log.len(), 2);
    h.deliver(Addr::Node(2), Msg::AppendEntriesReply { term, success: true, match_index: 2, conflict_index: 0, conflict_term: None });
    assert_eq!(h.node.commit_index, 2);
    assert_eq!(h.node.kv.sessions.get(&1), Some(&(1, crate::protocols::kv::Answer::Ok)), "applied once");
    assert!(h.sent().contains(&(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: messages::ClientOutcome::Done(crate::protocols::kv::Answer::Ok) })));
}

#[test]
#[should_panic(expected = "an election past the largest term would wrap to 0")]
fn test_an_election_past_the_largest_term_fails_loudly_instead_of_wrapping_to_term_0() {
    // Scenarios start terms at most at 2^53, so no run gets here; if one did, a candidate of
    // term 0 would collect votes from servers that have forgotten nothing.
    let mut h = Harness::new(1, 3, Durable { term: u64::MAX, ..Durable::default() });
    h.timer(RaftTimer::Election);
}
