//! The proposer side of Multi-Paxos: a candidate runs phase 1 once for every slot from the
//! first it does not know decided; as leader it recovers what acceptors reported for those
//! slots (the highest-ballot value per slot, as single-decree Paxos requires), fills the gaps
//! with no-ops so the log has no holes, and then runs only phase 2 per client command.

use std::collections::BTreeMap;

use super::super::ballot::Ballot;
use super::MultiPaxos;
use super::messages::{Entry, MpNote, MpTimer, Msg};
use super::node::{MpNode, Pending, Role};
use super::round_trip::RoundTrip;
use crate::protocols::kv::{ClientOutcome, Command};
use crate::sim::{Addr, ClientId, Ctx, NodeId};

impl MpNode {
    /// Called at boot: wait for a leader.
    pub fn start(&self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        self.reset_election_timer(cfg, ctx);
    }

    /// No leader heard from: phase 1 with a ballot above every round used or seen, persisted
    /// before the prepares leave.
    pub fn on_election_timeout(&mut self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if self.role == Role::Leader {
            return;
        }
        // As a single-decree proposer's rounds (`single::proposer`): a wrapped round would be 0.
        self.round = self.round.max(self.highest_seen).max(self.acceptor.promised.round).checked_add(1).expect("a round below 2^64 - 1: a ballot past the largest round would wrap to 0");
        self.ballot = Ballot::new(self.round, self.id);
        self.role = Role::Candidate;
        self.leader_hint = None;
        self.promises.clear();
        self.from_slot = self.prefix() + 1;
        self.started.push(self.ballot);
        ctx.persist();
        ctx.note(MpNote::Candidate { ballot: self.ballot });
        self.reset_election_timer(cfg, ctx);
        self.broadcast(Msg::Prepare { ballot: self.ballot, from_slot: self.from_slot }, ctx);
        self.drain(cfg, ctx);
    }

    /// A promise: with a majority, lead.
    pub fn on_promise(&mut self, from: NodeId, ballot: Ballot, accepted: Vec<(u64, Ballot, Entry)>, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if self.role != Role::Candidate || ballot != self.ballot {
            return;
        }
        self.promises.insert(from, accepted);
        if self.promises.len() >= Self::majority(ctx.nodes()) {
            self.become_leader(cfg, ctx);
        }
    }

    fn become_leader(&mut self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        self.role = Role::Leader;
        self.leader_hint = Some(self.id);
        ctx.cancel_timer(MpTimer::Election);
        // Per slot, the value of the highest ballot any promise reported.
        let mut recovered: BTreeMap<u64, (Ballot, Entry)> = BTreeMap::new();
        for (s, b, e) in std::mem::take(&mut self.promises).into_values().flatten() {
            if recovered.get(&s).is_none_or(|(rb, _)| b > *rb) {
                recovered.insert(s, (b, e));
            }
        }
        if cfg.ignore_promised_values {
            recovered.clear();
        }
        let last = recovered.keys().chain(self.learned.keys()).copied().max().unwrap_or(0).max(self.from_slot - 1);
        let (mut kept, mut noops) = (0, 0);
        self.pending.clear();
        let mut proposals = Vec::new();
        for s in self.from_slot..=last {
            let entry = match (self.learned.get(&s), recovered.remove(&s)) {
                (Some(e), _) => e.clone(),
                (None, Some((_, e))) => {
                    kept += 1;
                    e
                }
                (None, None) => {
                    noops += 1;
                    let e = Entry::noop();
                    self.proposed.push(e.clone());
                    e
                }
            };
            proposals.push((s, entry));
        }
        self.next_slot = last + 1;
        ctx.note(MpNote::Leader { ballot: self.ballot, recovered: kept, noops });
        for (s, e) in proposals {
            self.propose(s, e, ctx);
        }
        self.send_heartbeats(ctx);
        ctx.set_timer(MpTimer::Heartbeat, cfg.heartbeat_us);
    }

    /// Phase 2a for one slot, to every acceptor (itself included).
    fn propose(&mut self, slot: u64, entry: Entry, ctx: &mut Ctx<MultiPaxos>) {
        let now = ctx.now();
        let sent = (1..=ctx.nodes()).filter(|&p| p != self.id).map(|p| (p, (now, false))).collect();
        self.pending.insert(slot, Pending { entry: entry.clone(), acks: Default::default(), sent });
        let commit = self.prefix();
        self.broadcast(Msg::Accept { ballot: self.ballot, slot, entry, commit }, ctx);
    }

    /// Phase 2b at the leader: a majority decides the slot. An answer to an Accept sent once
    /// measures the round trip to that acceptor.
    pub fn on_accepted(&mut self, from: NodeId, ballot: Ballot, slot: u64, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        let Some(p) = self.pending.get_mut(&slot) else {
            return;
        };
        if let Some((at, false)) = p.sent.remove(&from) {
            self.round_trips.entry(from).or_insert_with(|| RoundTrip::new(cfg.resend_us)).sample(ctx.now() - at, cfg.resend_us, cfg.heartbeat_us);
        }
        p.acks.insert(from);
        if p.acks.len() >= Self::majority(ctx.nodes()) {
            let p = self.pending.remove(&slot).expect("present");
            if !self.learned.contains_key(&slot) {
                self.learn(slot, p.entry, ctx);
            }
            self.apply(ctx);
        }
    }

    /// A refusal: a higher ballot exists; a leader or candidate of a lower one steps down.
    pub fn on_nack(&mut self, ballot: Ballot, promised: Ballot, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        self.highest_seen = self.highest_seen.max(promised.round);
        if self.role != Role::Follower && ballot == self.ballot && promised > ballot {
            self.role = Role::Follower;
            self.pending.clear();
            self.promises.clear();
            self.leader_hint = None;
            ctx.cancel_timer(MpTimer::Heartbeat);
            ctx.note(MpNote::Follower { ballot: promised });
            self.reset_election_timer(cfg, ctx);
        }
    }

    fn send_heartbeats(&mut self, ctx: &mut Ctx<MultiPaxos>) {
        let commit = self.prefix();
        for peer in (1..=ctx.nodes()).filter(|&p| p != self.id) {
            ctx.send_node(peer, Msg::Heartbeat { ballot: self.ballot, commit });
        }
    }

    /// The leader's heartbeat timer: heartbeats, and accept requests again to each acceptor
    /// that has not answered one within its resend timeout (a lost message, or a crashed
    /// acceptor), which then doubles until an answer measures the round trip anew.
    pub fn on_heartbeat_timer(&mut self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if self.role != Role::Leader {
            return;
        }
        self.send_heartbeats(ctx);
        let (now, commit, ballot) = (ctx.now(), self.prefix(), self.ballot);
        for peer in (1..=ctx.nodes()).filter(|&p| p != self.id) {
            let round_trip = self.round_trips.entry(peer).or_insert_with(|| RoundTrip::new(cfg.resend_us));
            let timeout = round_trip.timeout_us;
            let mut resent = false;
            for (&slot, p) in &mut self.pending {
                let Some(sent) = p.sent.get_mut(&peer) else {
                    continue;
                };
                if now - sent.0 >= timeout {
                    *sent = (now, true);
                    resent = true;
                    ctx.send_node(peer, Msg::Accept { ballot, slot, entry: p.entry.clone(), commit });
                }
            }
            if resent {
                round_trip.back_off(cfg.resend_us);
            }
        }
        ctx.set_timer(MpTimer::Heartbeat, cfg.heartbeat_us);
    }

    /// A follower is missing decided slots: send them (at most `max_decides_per_message`).
    pub fn on_behind(&mut self, from: NodeId, ballot: Ballot, first: u64, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        let entries: Vec<(u64, Entry)> = self.learned.range(first..).take(cfg.max_decides_per_message).map(|(s, e)| (*s, e.clone())).collect();
        if !entries.is_empty() {
            self.send(from, Msg::Decide { entries }, ctx);
        }
    }

    /// A client's command: only the leader proposes it, in the next free slot.
    pub fn on_client_request(&mut self, client: Option<(ClientId, u64)>, command: Command, ctx: &mut Ctx<MultiPaxos>) {
        if self.role != Role::Leader {
            match client {
                Some((c, seq)) => ctx.send(Addr::Client(c), Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(self.leader_hint.filter(|&h| h != self.id)) }),
                None => ctx.note(MpNote::NotLeader),
            }
            return;
        }
        if let Some((c, seq)) = client {
            if let Some(result) = self.kv.answered(c, seq) {
                ctx.send(Addr::Client(c), Msg::ClientReply { seq, outcome: ClientOutcome::Done(result.clone()) });
                return;
            }
            if self.pending.values().any(|p| p.entry.origin == Some((c, seq))) {
                return;
            }
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        let entry = Entry { command, origin: client };
        self.proposed.push(entry.clone());
        self.propose(slot, entry, ctx);
    }
}
