//! Unit tests, one per handler, driving one server directly and reading the effects it
//! recorded.

use super::*;
use crate::protocols::kv::{Answer, ClientOutcome};
use crate::sim::protocol::Effect;
use crate::sim::rng::Rng;

struct Harness {
    cfg: MultiPaxos,
    node: MpNode,
    rng: Rng,
    effects: Vec<Effect<MultiPaxos>>,
    now: Micros,
}

impl Harness {
    fn new(id: NodeId, durable: Durable) -> Self {
        let cfg = MultiPaxos::default();
        let mut rng = Rng::stream(1, "test");
        let mut effects = Vec::new();
        let node = cfg.boot(id, &durable, &mut Ctx::new(0, Addr::Node(id), 5, &mut rng, &mut effects));
        Harness { cfg, node, rng, effects, now: 0 }
    }

    fn deliver(&mut self, from: Addr, msg: Msg) {
        self.effects.clear();
        let mut ctx = Ctx::new(self.now, Addr::Node(self.node.id), 5, &mut self.rng, &mut self.effects);
        self.cfg.on_message(&mut self.node, from, msg, &mut ctx);
    }

    fn timer(&mut self, t: MpTimer) {
        self.effects.clear();
        let mut ctx = Ctx::new(self.now, Addr::Node(self.node.id), 5, &mut self.rng, &mut self.effects);
        self.cfg.on_timer(&mut self.node, t, &mut ctx);
    }

    fn sent(&self) -> Vec<(Addr, Msg)> {
        self.effects.iter().filter_map(|e| if let Effect::Send(to, m) = e { Some((*to, m.clone())) } else { None }).collect()
    }

    /// Makes this server leader of ballot (1, id) with promises from 2 and 3 reporting `accepted`.
    fn lead(&mut self, accepted: Vec<(u64, Ballot, Entry)>) {
        self.timer(MpTimer::Election);
        let ballot = self.node.ballot;
        self.deliver(Addr::Node(2), Msg::Promise { ballot, accepted });
        self.deliver(Addr::Node(3), Msg::Promise { ballot, accepted: vec![] });
    }
}

fn b(round: u64, node: u32) -> Ballot {
    Ballot::new(round, node)
}

fn set(k: &str, v: &str) -> Entry {
    Entry { command: Command::Set { key: k.into(), value: v.into() }, origin: None }
}

#[test]
fn election_timeout_runs_phase_one_once_for_every_slot_from_the_first_undecided() {
    let d = Durable { learned: [(1, set("x", "1"))].into(), ..Durable::default() };
    let mut h = Harness::new(1, d);
    h.timer(MpTimer::Election);
    assert_eq!(h.node.role, Role::Candidate);
    assert_eq!(h.node.ballot, b(1, 1));
    assert!(h.sent().contains(&(Addr::Node(4), Msg::Prepare { ballot: b(1, 1), from_slot: 2 })));
    let persist = h.effects.iter().position(|e| matches!(e, Effect::Persist)).unwrap();
    let send = h.effects.iter().position(|e| matches!(e, Effect::Send(..))).unwrap();
    assert!(persist < send, "the round is on disk before a prepare leaves");
}

#[test]
fn new_leader_reproposes_the_highest_reported_value_and_fills_gaps_with_noops() {
    let mut h = Harness::new(1, Durable::default());
    h.lead(vec![(1, b(1, 4), set("x", "1")), (3, b(1, 4), set("y", "3"))]);
    assert_eq!(h.node.role, Role::Leader);
    let accepts: Vec<(u64, Entry)> =
        h.sent().into_iter().filter(|(to, _)| *to == Addr::Node(5)).filter_map(|(_, m)| if let Msg::Accept { slot, entry, .. } = m { Some((slot, entry)) } else { None }).collect();
    assert_eq!(accepts, vec![(1, set("x", "1")), (2, Entry::noop()), (3, set("y", "3"))]);
    assert_eq!(h.node.next_slot, 4);
}

#[test]
fn the_planted_bug_ignores_what_promises_report() {
    let mut h = Harness::new(1, Durable::default());
    h.cfg.ignore_promised_values = true;
    h.lead(vec![(1, b(1, 4), set("x", "1"))]);
    assert!(h.sent().iter().all(|(_, m)| !matches!(m, Msg::Accept { .. })), "nothing to re-propose: slot 1 is lost");
}

#[test]
fn leader_decides_a_slot_with_a_majority_and_answers_the_client() {
    let mut h = Harness::new(1, Durable::default());
    h.lead(vec![]);
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: Command::Set { key: "x".into(), value: "5".into() } });
    assert!(h.sent().iter().any(|(to, m)| *to == Addr::Node(2) && matches!(m, Msg::Accept { slot: 1, .. })));
    h.deliver(Addr::Node(2), Msg::Accepted { ballot: b(1, 1), slot: 1 });
    assert!(h.node.learned.is_empty(), "itself and S2: two of five");
    h.deliver(Addr::Node(3), Msg::Accepted { ballot: b(1, 1), slot: 1 });
    assert_eq!(h.node.applied, 1);
    assert!(h.sent().contains(&(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: ClientOutcome::Done(Answer::Ok) })));
}

#[test]
fn follower_redirects_clients_to_the_leader_it_knows() {
    let mut h = Harness::new(2, Durable::default());
    h.deliver(Addr::Node(1), Msg::Heartbeat { ballot: b(1, 1), commit: 0 });
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: Command::Get { key: "x".into() } });
    assert_eq!(h.sent(), vec![(Addr::Client(1), Msg::ClientReply { seq: 1, outcome: ClientOutcome::NotLeader(Some(1)) })]);
}

#[test]
fn acceptor_accepts_in_the_promised_ballot_and_learns_decided_slots_of_that_ballot() {
    let mut h = Harness::new(2, Durable::default());
    h.deliver(Addr::Node(1), Msg::Accept { ballot: b(1, 1), slot: 1, entry: set("x", "1"), commit: 0 });
    assert_eq!(h.sent(), vec![(Addr::Node(1), Msg::Accepted { ballot: b(1, 1), slot: 1 })]);
    assert!(h.node.learned.is_empty());
    h.deliver(Addr::Node(1), Msg::Heartbeat { ballot: b(1, 1), commit: 1 });
    assert_eq!(h.node.learned.get(&1), Some(&set("x", "1")));
    assert_eq!(h.node.kv.data.get("x").map(String::as_str), Some("1"));
}

#[test]
fn a_follower_behind_asks_and_learns_from_decide() {
    let mut h = Harness::new(2, Durable::default());
    h.deliver(Addr::Node(1), Msg::Heartbeat { ballot: b(1, 1), commit: 2 });
    assert_eq!(h.sent(), vec![(Addr::Node(1), Msg::Behind { ballot: b(1, 1), from: 1 })]);
    h.deliver(Addr::Node(1), Msg::Decide { entries: vec![(1, set("x", "1")), (2, set("x", "2"))] });
    assert_eq!(h.node.applied, 2);
}

#[test]
fn acceptor_refuses_a_lower_ballot_and_the_old_leader_steps_down() {
    let mut h = Harness::new(2, Durable::default());
    h.deliver(Addr::Node(3), Msg::Prepare { ballot: b(2, 3), from_slot: 1 });
    h.deliver(Addr::Node(1), Msg::Accept { ballot: b(1, 1), slot: 1, entry: set("x", "1"), commit: 0 });
    assert_eq!(h.sent(), vec![(Addr::Node(1), Msg::Nack { ballot: b(1, 1), promised: b(2, 3) })]);
    let mut old = Harness::new(1, Durable::default());
    old.lead(vec![]);
    old.deliver(Addr::Node(2), Msg::Nack { ballot: b(1, 1), promised: b(2, 3) });
    assert_eq!(old.node.role, Role::Follower);
    old.timer(MpTimer::Election);
    assert_eq!(old.node.ballot, b(3, 1), "the next ballot goes above the one that refused it");
}

#[test]
fn a_restarted_server_replays_what_it_learned() {
    let d = Durable { learned: [(1, set("x", "1")), (2, set("x", "2")), (4, set("y", "4"))].into(), ..Durable::default() };
    let h = Harness::new(3, d);
    assert_eq!(h.node.applied, 2, "slot 3 is a gap");
    assert_eq!(h.node.kv.data.get("x").map(String::as_str), Some("2"));
}

#[test]
#[should_panic(expected = "a ballot past the largest round would wrap to 0")]
fn an_election_past_the_largest_round_fails_loudly_instead_of_wrapping_to_round_0() {
    let mut h = Harness::new(1, Durable { round: u64::MAX, ..Durable::default() });
    h.timer(MpTimer::Election);
}

/// The Accepts a handler sent, as (acceptor, slot).
fn accepts(h: &Harness) -> Vec<(NodeId, u64)> {
    h.sent().into_iter().filter_map(|(to, m)| if let (Addr::Node(n), Msg::Accept { slot, .. }) = (to, m) { Some((n, slot)) } else { None }).collect()
}

#[test]
fn the_leader_resends_an_accept_only_when_an_answer_could_have_come_and_did_not() {
    let mut h = Harness::new(1, Durable::default());
    h.lead(vec![]);
    h.deliver(Addr::Client(1), Msg::ClientRequest { seq: 1, command: Command::Set { key: "x".into(), value: "5".into() } });
    assert_eq!(accepts(&h), vec![(2, 1), (3, 1), (4, 1), (5, 1)]);
    h.now = ms(40);
    h.deliver(Addr::Node(2), Msg::Accepted { ballot: b(1, 1), slot: 1 });
    assert_eq!(h.node.round_trips[&2].smoothed_us, Some(ms(40)), "an answer to one Accept measures the round trip");
    // The next heartbeat comes 50 ms after the Accepts left: too soon to give up on them.
    h.now = ms(50);
    h.timer(MpTimer::Heartbeat);
    assert_eq!(accepts(&h), vec![], "no Accept is resent a heartbeat after it left");
    // 100 ms (the resend timeout before a round trip is measured) after they left, S3, S4
    // and S5 have not answered: theirs go again; S2's answer came.
    h.now = ms(100);
    h.timer(MpTimer::Heartbeat);
    assert_eq!(accepts(&h), vec![(3, 1), (4, 1), (5, 1)]);
    // Each resend doubles the wait: 200 ms after the resend, not 100.
    for at in [150, 200, 250] {
        h.now = ms(at);
        h.timer(MpTimer::Heartbeat);
        assert_eq!(accepts(&h), vec![], "at {at} ms");
    }
    h.now = ms(300);
    h.timer(MpTimer::Heartbeat);
    assert_eq!(accepts(&h), vec![(3, 1), (4, 1), (5, 1)]);
    // An answer to a resent Accept measures nothing (which one does it answer?), and decides.
    h.now = ms(320);
    h.deliver(Addr::Node(3), Msg::Accepted { ballot: b(1, 1), slot: 1 });
    assert_eq!(h.node.round_trips[&3].smoothed_us, None);
    assert_eq!(h.node.applied, 1);
    assert!(h.node.pending.is_empty(), "a decided slot is not resent: followers learn it from the commit");
}
