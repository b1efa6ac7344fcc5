//! Unit tests, one per handler, driving one server directly and reading the effects it
//! recorded.

use super::*;
use crate::sim::protocol::Effect;
use crate::sim::rng::Rng;

struct Harness {
    cfg: Paxos,
    node: PaxosNode,
    rng: Rng,
    effects: Vec<Effect<Paxos>>,
}

impl Harness {
    fn new(id: NodeId, cfg: Paxos) -> Self {
        let mut rng = Rng::stream(1, "test");
        let mut effects = Vec::new();
        let node = cfg.boot(id, &Durable::default(), &mut Ctx::new(0, Addr::Node(id), 5, &mut rng, &mut effects));
        Harness { cfg, node, rng, effects }
    }

    fn deliver(&mut self, from: NodeId, msg: Msg) {
        self.effects.clear();
        let mut ctx = Ctx::new(0, Addr::Node(self.node.id), 5, &mut self.rng, &mut self.effects);
        self.cfg.on_message(&mut self.node, Addr::Node(from), msg, &mut ctx);
    }

    fn request(&mut self, value: &str) {
        self.effects.clear();
        let mut ctx = Ctx::new(0, Addr::Node(self.node.id), 5, &mut self.rng, &mut self.effects);
        self.cfg.on_request(&mut self.node, Proposal { value: value.into() }, &mut ctx);
    }

    fn timer(&mut self, t: PaxosTimer) {
        self.effects.clear();
        let mut ctx = Ctx::new(0, Addr::Node(self.node.id), 5, &mut self.rng, &mut self.effects);
        self.cfg.on_timer(&mut self.node, t, &mut ctx);
    }

    fn sent(&self) -> Vec<(u32, Msg)> {
        self.effects.iter().filter_map(|e| if let Effect::Send(Addr::Node(to), m) = e { Some((*to, m.clone())) } else { None }).collect()
    }

    /// Whether the state was persisted before the first send.
    fn persisted_before_sending(&self) -> bool {
        let persist = self.effects.iter().position(|e| matches!(e, Effect::Persist));
        let send = self.effects.iter().position(|e| matches!(e, Effect::Send(..)));
        matches!((persist, send), (Some(p), Some(s)) if p < s)
    }
}

fn b(round: u64, node: u32) -> Ballot {
    Ballot::new(round, node)
}

#[test]
fn proposer_starts_a_round_above_any_used_persists_it_and_prepares_every_acceptor() {
    let mut h = Harness::new(1, Paxos::new(5));
    h.request("A");
    assert!(h.persisted_before_sending());
    assert_eq!(h.node.round, 1);
    let to: Vec<u32> = h.sent().iter().filter(|(_, m)| *m == Msg::Prepare { ballot: b(1, 1) }).map(|(t, _)| *t).collect();
    assert_eq!(to, vec![2, 3, 4, 5], "and its own acceptor through the inbox");
    assert_eq!(h.node.acceptor.promised, b(1, 1));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::SetTimer(PaxosTimer::Retry, _))));
    // A restarted proposer goes above its persisted round.
    let mut d = Durable::default();
    h.node.save(&mut d);
    let again = PaxosNode::boot(1, h.cfg.roles_of(1), &d);
    assert_eq!(again.round, 1);
    assert_eq!(again.value.as_deref(), Some("A"));
}

#[test]
fn proposer_with_a_majority_of_promises_proposes_the_highest_accepted_value() {
    let mut h = Harness::new(1, Paxos::new(5));
    h.request("A");
    h.deliver(2, Msg::Promise { ballot: b(1, 1), accepted: Some((b(1, 3), "C".into())) });
    assert!(h.sent().is_empty(), "two promises of five are not a majority");
    h.deliver(3, Msg::Promise { ballot: b(1, 1), accepted: None });
    // Its own acceptor had accepted nothing; S2 reported C in 1.3: C it is.
    assert!(h.sent().contains(&(4, Msg::Accept { ballot: b(1, 1), value: "C".into() })));
    assert!(matches!(&h.node.phase, Phase::Accepting { value, .. } if value == "C"));
}

#[test]
fn the_planted_bug_proposes_the_own_value_regardless() {
    let mut cfg = Paxos::new(5);
    cfg.planted_bug = Some(PlantedBug::IgnorePromisedValues);
    let mut h = Harness::new(1, cfg);
    h.request("A");
    h.deliver(2, Msg::Promise { ballot: b(1, 1), accepted: Some((b(1, 3), "C".into())) });
    h.deliver(3, Msg::Promise { ballot: b(1, 1), accepted: None });
    assert!(h.sent().contains(&(4, Msg::Accept { ballot: b(1, 1), value: "A".into() })));
}

#[test]
fn acceptor_promises_persists_and_reports_or_refuses_a_lower_ballot() {
    let mut h = Harness::new(3, Paxos::new(5));
    h.deliver(2, Msg::Accept { ballot: b(1, 2), value: "B".into() });
    h.deliver(1, Msg::Prepare { ballot: b(2, 1) });
    assert!(h.persisted_before_sending());
    assert_eq!(h.sent(), vec![(1, Msg::Promise { ballot: b(2, 1), accepted: Some((b(1, 2), "B".into())) })]);
    h.deliver(5, Msg::Prepare { ballot: b(1, 5) });
    assert_eq!(h.sent(), vec![(5, Msg::Nack { ballot: b(1, 5), promised: b(2, 1) })]);
    h.deliver(2, Msg::Accept { ballot: b(1, 2), value: "B".into() });
    assert_eq!(h.sent(), vec![(2, Msg::Nack { ballot: b(1, 2), promised: b(2, 1) })]);
}

#[test]
fn acceptor_accepts_persists_and_tells_the_proposer_and_every_learner() {
    let mut h = Harness::new(3, Paxos::new(5));
    h.deliver(1, Msg::Accept { ballot: b(1, 1), value: "A".into() });
    assert!(h.persisted_before_sending());
    let to: Vec<u32> = h.sent().iter().map(|(t, _)| *t).collect();
    assert_eq!(to, vec![1, 2, 4, 5]);
    // With the proposer announcing, only the proposer hears.
    let mut cfg = Paxos::new(5);
    cfg.announce = Announce::Proposer;
    let mut h = Harness::new(3, cfg);
    h.deliver(1, Msg::Accept { ballot: b(1, 1), value: "A".into() });
    assert_eq!(h.sent(), vec![(1, Msg::Accepted { ballot: b(1, 1), value: "A".into() })]);
}

#[test]
fn learner_learns_from_a_majority_of_the_same_ballot_only() {
    let mut h = Harness::new(4, Paxos::new(5));
    h.deliver(1, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    h.deliver(2, Msg::Accepted { ballot: b(2, 2), value: "B".into() });
    h.deliver(3, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    assert!(h.node.learned.is_empty(), "1.1 has two votes, 2.2 one");
    h.deliver(5, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    assert_eq!(h.node.learned.get(&1).map(String::as_str), Some("A"));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::Note(PaxosNote::Learned { .. }))));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::Persist)));
}

#[test]
fn proposer_seeing_a_majority_stops_and_announces_when_it_is_the_announcer() {
    let mut cfg = Paxos::new(5);
    cfg.announce = Announce::Proposer;
    let mut h = Harness::new(1, cfg);
    h.request("A");
    for from in [2, 3] {
        h.deliver(from, Msg::Promise { ballot: b(1, 1), accepted: None });
    }
    h.deliver(2, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    h.deliver(3, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    assert_eq!(h.node.phase, Phase::Done { value: "A".into() });
    assert!(h.sent().contains(&(5, Msg::Decide { value: "A".into() })));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::CancelTimer(PaxosTimer::Retry))));
}

#[test]
fn a_nack_ends_the_round_and_the_retry_goes_above_the_promised_round() {
    let mut h = Harness::new(1, Paxos::new(5));
    h.request("A");
    h.deliver(2, Msg::Nack { ballot: b(1, 1), promised: b(4, 5) });
    assert_eq!(h.node.phase, Phase::Idle);
    assert!(h.sent().is_empty(), "no retry before the timer");
    h.timer(PaxosTimer::Retry);
    assert!(h.sent().contains(&(2, Msg::Prepare { ballot: b(5, 1) })));
}

#[test]
fn fixed_back_off_retries_after_exactly_retry_ms_random_adds_to_it() {
    let mut cfg = Paxos::new(5);
    cfg.backoff = Backoff::Fixed;
    let mut h = Harness::new(1, cfg.clone());
    h.request("A");
    assert!(h.effects.iter().any(|e| matches!(e, Effect::SetTimer(PaxosTimer::Retry, t) if *t == cfg.retry_us)));
    let mut h = Harness::new(1, Paxos::new(5));
    h.request("A");
    let t = h.effects.iter().find_map(|e| if let Effect::SetTimer(PaxosTimer::Retry, t) = e { Some(*t) } else { None }).unwrap();
    assert!((h.cfg.retry_us..=h.cfg.retry_us + h.cfg.backoff_us).contains(&t));
}

#[test]
fn a_server_that_is_not_a_proposer_refuses_requests() {
    let mut cfg = Paxos::new(5);
    cfg.proposers = vec![1];
    let mut h = Harness::new(2, cfg);
    h.request("A");
    assert!(h.sent().is_empty());
    assert!(h.effects.iter().any(|e| matches!(e, Effect::Note(PaxosNote::NotProposer))));
}

#[test]
#[should_panic(expected = "a ballot past the largest round would wrap to 0")]
fn a_round_past_the_largest_fails_loudly_instead_of_wrapping_to_round_0() {
    let mut h = Harness::new(1, Paxos::new(5));
    h.node.round = u64::MAX;
    h.request("A");
}

impl Harness {
    /// When the catch-up timer was armed to fire, if it was in the last handler.
    fn catch_up_armed(&self) -> Option<Micros> {
        self.effects.iter().rev().find_map(|e| if let Effect::SetTimer(PaxosTimer::CatchUp, t) = e { Some(*t) } else { None })
    }
}

#[test]
fn a_learner_that_heard_of_no_round_waits_the_longest_before_asking_one_whose_acceptor_promised_the_shortest() {
    let h = Harness::new(4, Paxos::new(5));
    assert_eq!(h.catch_up_armed(), Some(h.cfg.catchup_us * 16));
    let d = Durable { acceptor: Acceptor { promised: b(1, 1), accepted: Default::default() }, ..Durable::default() };
    let mut rng = Rng::stream(1, "test");
    let mut effects = Vec::new();
    let cfg = Paxos::new(5);
    cfg.boot(4, &d, &mut Ctx::new(0, Addr::Node(4), 5, &mut rng, &mut effects));
    assert!(effects.iter().any(|e| matches!(e, Effect::SetTimer(PaxosTimer::CatchUp, t) if *t == cfg.catchup_us)));
    // A learner that knows never asks.
    let d = Durable { learned: [(1, "A".to_string())].into(), ..Durable::default() };
    let mut effects = Vec::new();
    cfg.boot(4, &d, &mut Ctx::new(0, Addr::Node(4), 5, &mut rng, &mut effects));
    assert!(!effects.iter().any(|e| matches!(e, Effect::SetTimer(PaxosTimer::CatchUp, _))));
}

#[test]
fn news_of_a_higher_ballot_puts_off_the_question_news_of_the_same_does_not() {
    let mut h = Harness::new(4, Paxos::new(5));
    h.deliver(1, Msg::Prepare { ballot: b(1, 1) });
    assert_eq!(h.catch_up_armed(), Some(h.cfg.catchup_us));
    h.deliver(1, Msg::Accept { ballot: b(1, 1), value: "A".into() });
    assert_eq!(h.catch_up_armed(), None, "the same round is no news");
    h.deliver(5, Msg::Nack { ballot: b(1, 5), promised: b(2, 3) });
    assert_eq!(h.catch_up_armed(), Some(h.cfg.catchup_us), "a higher promise is");
}

#[test]
fn section_2_3_a_learner_in_doubt_asks_everyone_and_asks_again_later_and_later() {
    let mut cfg = Paxos::new(5);
    cfg.proposers = vec![1];
    let mut h = Harness::new(4, cfg);
    h.deliver(1, Msg::Prepare { ballot: b(1, 1) });
    let mut waits = Vec::new();
    for _ in 0..6 {
        h.timer(PaxosTimer::CatchUp);
        let to: Vec<u32> = h.sent().iter().filter(|(_, m)| *m == Msg::Ask).map(|(t, _)| *t).collect();
        assert_eq!(to, vec![1, 2, 3, 5], "and itself, through the inbox");
        waits.push(h.catch_up_armed().unwrap() / h.cfg.catchup_us);
    }
    assert_eq!(waits, vec![2, 4, 8, 16, 16, 16]);
    // Its own acceptor promised 1.1 and accepted nothing: it answered itself nothing.
    assert!(h.node.tally.is_empty());
}

#[test]
fn section_2_3_asked_a_server_that_knows_tells_the_value_an_acceptor_its_vote_others_nothing() {
    let mut h = Harness::new(3, Paxos::new(5));
    h.deliver(4, Msg::Ask);
    assert!(h.sent().is_empty(), "nothing accepted, nothing known");
    h.deliver(1, Msg::Accept { ballot: b(1, 1), value: "A".into() });
    h.deliver(4, Msg::Ask);
    assert_eq!(h.sent(), vec![(4, Msg::Accepted { ballot: b(1, 1), value: "A".into() })]);
    for from in [1, 2] {
        h.deliver(from, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    }
    assert_eq!(h.node.learned.get(&1).map(String::as_str), Some("A"));
    h.deliver(4, Msg::Ask);
    assert_eq!(h.sent(), vec![(4, Msg::Decide { value: "A".into() })]);
    // A proposer that saw its value chosen knows it, learner or not.
    let mut cfg = Paxos::new(5);
    cfg.learners = vec![4];
    let mut h = Harness::new(1, cfg);
    h.request("B");
    for from in [2, 3] {
        h.deliver(from, Msg::Promise { ballot: b(1, 1), accepted: None });
    }
    for from in [2, 3] {
        h.deliver(from, Msg::Accepted { ballot: b(1, 1), value: "B".into() });
    }
    h.deliver(4, Msg::Ask);
    assert_eq!(h.sent(), vec![(4, Msg::Decide { value: "B".into() })]);
}

#[test]
fn a_learner_counts_answers_as_votes_and_learning_stops_the_questions() {
    let mut h = Harness::new(4, Paxos::new(5));
    h.deliver(1, Msg::Prepare { ballot: b(1, 1) });
    h.timer(PaxosTimer::CatchUp);
    for from in [1, 2] {
        h.deliver(from, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    }
    assert!(h.node.learned.is_empty());
    h.deliver(5, Msg::Accepted { ballot: b(1, 1), value: "A".into() });
    assert_eq!(h.node.learned.get(&1).map(String::as_str), Some("A"));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::CancelTimer(PaxosTimer::CatchUp))));
    h.timer(PaxosTimer::CatchUp);
    assert!(h.sent().is_empty(), "a learner that knows asks nothing");
    // A Decide from anyone that knows is enough.
    let mut h = Harness::new(4, Paxos::new(5));
    h.deliver(2, Msg::Decide { value: "C".into() });
    assert_eq!(h.node.learned.get(&1).map(String::as_str), Some("C"));
}
