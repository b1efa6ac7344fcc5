//! A Multi-Paxos server: acceptor and replica (learner + key-value state machine) here; the
//! proposer/leader side in [`super::leader`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use super::super::acceptor::{Acceptor, Answer};
use super::super::ballot::Ballot;
use super::messages::{Entry, MpNote, MpTimer, Msg};
use super::round_trip::RoundTrip;
use super::{Durable, MultiPaxos};
use crate::protocols::kv::{ClientOutcome, Kv};
use crate::sim::{Addr, Ctx, Micros, NodeId};

/// A server's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Role {
    /// Accepts and learns from a leader.
    Follower,
    /// Running phase 1.
    Candidate,
    /// Phase 1 done: runs phase 2 per command.
    Leader,
}

impl Role {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// A leader's proposal not yet decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// What it proposes in the slot.
    pub entry: Entry,
    /// The acceptors that accepted it in the leader's ballot.
    pub acks: BTreeSet<NodeId>,
    /// Per acceptor yet to answer (the leader itself never waits): when its Accept last left,
    /// and whether that was a resend, whose answer measures no round trip.
    pub sent: BTreeMap<NodeId, (Micros, bool)>,
}

/// A running server.
#[derive(Clone, Debug)]
pub struct MpNode {
    /// Its id.
    pub id: NodeId,
    /// Follower, candidate or leader.
    pub role: Role,
    /// The ballot it campaigns with or leads (its own).
    pub ballot: Ballot,
    /// Durable: the highest round it used.
    pub round: u64,
    /// The leader it follows, as far as it knows.
    pub leader_hint: Option<NodeId>,
    /// Durable: the acceptor (one promise for all slots, accepted proposals per slot).
    pub acceptor: Acceptor<Entry>,
    /// Durable: decided slots it knows of.
    pub learned: BTreeMap<u64, Entry>,
    /// Highest slot applied to the state machine (all below it too).
    pub applied: u64,
    /// The state machine.
    pub kv: Kv,
    /// Candidate: promises so far, with what each acceptor had accepted.
    pub promises: BTreeMap<NodeId, Vec<(u64, Ballot, Entry)>>,
    /// Candidate/leader: the first slot its phase 1 covered.
    pub from_slot: u64,
    /// Leader: the next free slot.
    pub next_slot: u64,
    /// Leader: proposals not yet decided, per slot.
    pub pending: BTreeMap<u64, Pending>,
    /// Leader: per acceptor, the round trip measured to it and the resend timeout it sets.
    pub round_trips: BTreeMap<NodeId, RoundTrip>,
    /// The highest round seen in a refusal or a message.
    pub highest_seen: u64,
    /// Values it proposed since boot (for the checker).
    pub proposed: Vec<Entry>,
    /// Ballots it started since boot (for the checker).
    pub started: Vec<Ballot>,
    inbox: VecDeque<Msg>,
}

impl MpNode {
    /// A server booting from its durable state: a follower that re-applies what it had learned.
    pub fn boot(id: NodeId, d: &Durable) -> Self {
        let mut n = MpNode {
            id,
            role: Role::Follower,
            ballot: Ballot::ZERO,
            round: d.round,
            leader_hint: None,
            acceptor: d.acceptor.clone(),
            learned: d.learned.clone(),
            applied: 0,
            kv: Kv::default(),
            promises: BTreeMap::new(),
            from_slot: 1,
            next_slot: 1,
            pending: BTreeMap::new(),
            round_trips: BTreeMap::new(),
            highest_seen: 0,
            proposed: Vec::new(),
            started: Vec::new(),
            inbox: VecDeque::new(),
        };
        while let Some(e) = n.learned.get(&(n.applied + 1)) {
            n.kv.apply(&e.command, e.origin);
            n.applied += 1;
        }
        n
    }

    /// Copies the durable part out.
    pub fn save(&self, d: &mut Durable) {
        d.acceptor.clone_from(&self.acceptor);
        d.round = self.round;
        d.learned.clone_from(&self.learned);
    }

    /// A majority of all servers.
    pub fn majority(nodes: u32) -> usize {
        nodes as usize / 2 + 1
    }

    /// The end of the contiguous run of learned slots from 1 (0 if slot 1 is not learned).
    pub fn prefix(&self) -> u64 {
        let mut s = self.applied;
        while self.learned.contains_key(&(s + 1)) {
            s += 1;
        }
        s
    }

    /// Sends to a server; to itself through the inbox.
    pub(super) fn send(&mut self, to: NodeId, msg: Msg, ctx: &mut Ctx<MultiPaxos>) {
        if to == self.id {
            self.inbox.push_back(msg);
        } else {
            ctx.send_node(to, msg);
        }
    }

    /// Sends to every server, itself included.
    pub(super) fn broadcast(&mut self, msg: Msg, ctx: &mut Ctx<MultiPaxos>) {
        for to in 1..=ctx.nodes() {
            self.send(to, msg.clone(), ctx);
        }
    }

    /// Handles a message from a server, then what it sent itself meanwhile.
    pub fn on_message(&mut self, from: NodeId, msg: Msg, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        self.dispatch(from, msg, cfg, ctx);
        self.drain(cfg, ctx);
    }

    pub(super) fn drain(&mut self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        while let Some(msg) = self.inbox.pop_front() {
            self.dispatch(self.id, msg, cfg, ctx);
        }
    }

    fn dispatch(&mut self, from: NodeId, msg: Msg, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        match msg {
            Msg::Prepare { ballot, from_slot } => self.on_prepare(from, ballot, from_slot, cfg, ctx),
            Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, cfg, ctx),
            Msg::Accept { ballot, slot, entry, commit } => self.on_accept(from, ballot, slot, entry, commit, cfg, ctx),
            Msg::Accepted { ballot, slot } => self.on_accepted(from, ballot, slot, cfg, ctx),
            Msg::Nack { ballot, promised } => self.on_nack(ballot, promised, cfg, ctx),
            Msg::Heartbeat { ballot, commit } => self.on_heartbeat(from, ballot, commit, cfg, ctx),
            Msg::Behind { ballot, from: first } => self.on_behind(from, ballot, first, cfg, ctx),
            Msg::Decide { entries } => self.on_decide(entries, ctx),
            Msg::ClientRequest { .. } | Msg::ClientReply { .. } => {}
        }
    }

    pub(super) fn reset_election_timer(&self, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        let (lo, hi) = cfg.election_timeout_us;
        let after = ctx.rng().range_inclusive(lo, hi);
        ctx.set_timer(MpTimer::Election, after);
    }

    /// Follows the leader of `ballot` (a higher ballot than its own, if it led or campaigned).
    fn follow(&mut self, ballot: Ballot, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        self.highest_seen = self.highest_seen.max(ballot.round);
        if ballot.node == self.id {
            return;
        }
        if self.role != Role::Follower {
            self.role = Role::Follower;
            self.pending.clear();
            self.promises.clear();
            ctx.cancel_timer(MpTimer::Heartbeat);
            ctx.note(MpNote::Follower { ballot });
        }
        self.leader_hint = Some(ballot.node);
        self.reset_election_timer(cfg, ctx);
    }

    /// Acceptor, phase 1b for every slot from `from_slot` on.
    pub fn on_prepare(&mut self, from: NodeId, ballot: Ballot, from_slot: u64, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        match self.acceptor.prepare(ballot, from_slot) {
            Answer::Yes { changed, report } => {
                if changed {
                    ctx.persist();
                }
                if ballot.node != self.id {
                    // A higher ballot's candidate: stand aside (as a vote resets Raft's timer).
                    self.follow(ballot, cfg, ctx);
                    self.leader_hint = None;
                }
                self.send(from, Msg::Promise { ballot, accepted: report }, ctx);
            }
            Answer::No { promised } => self.send(from, Msg::Nack { ballot, promised }, ctx),
        }
    }

    /// Acceptor, phase 2b; and the decisions riding along.
    #[allow(clippy::too_many_arguments)]
    pub fn on_accept(&mut self, from: NodeId, ballot: Ballot, slot: u64, entry: Entry, commit: u64, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        match self.acceptor.accept(ballot, slot, entry) {
            Answer::Yes { changed, .. } => {
                if changed {
                    ctx.persist();
                }
                self.follow(ballot, cfg, ctx);
                self.send(from, Msg::Accepted { ballot, slot }, ctx);
                self.learn_upto(ballot, commit, ctx);
            }
            Answer::No { promised } => self.send(from, Msg::Nack { ballot, promised }, ctx),
        }
    }

    /// A leader's heartbeat: follow it, learn what it decided, ask for what is missing.
    pub fn on_heartbeat(&mut self, from: NodeId, ballot: Ballot, commit: u64, cfg: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
        if ballot < self.acceptor.promised {
            self.send(from, Msg::Nack { ballot, promised: self.acceptor.promised }, ctx);
            return;
        }
        self.follow(ballot, cfg, ctx);
        self.learn_upto(ballot, commit, ctx);
        if self.prefix() < commit {
            let first = self.prefix() + 1;
            self.send(from, Msg::Behind { ballot, from: first }, ctx);
        }
    }

    /// Slots up to the leader's `commit` are decided; this server knows their values if what
    /// it accepted there was accepted in the leader's ballot (values of one ballot are unique).
    fn learn_upto(&mut self, ballot: Ballot, commit: u64, ctx: &mut Ctx<MultiPaxos>) {
        let mut s = self.prefix() + 1;
        while s <= commit {
            if !self.learned.contains_key(&s) {
                match self.acceptor.accepted.get(&s) {
                    Some((b, e)) if *b == ballot => {
                        let e = e.clone();
                        self.learn(s, e, ctx);
                    }
                    _ => break,
                }
            }
            s += 1;
        }
        self.apply(ctx);
    }

    /// Decided slots sent by the leader.
    pub fn on_decide(&mut self, entries: Vec<(u64, Entry)>, ctx: &mut Ctx<MultiPaxos>) {
        for (s, e) in entries {
            if !self.learned.contains_key(&s) {
                self.learn(s, e, ctx);
            }
        }
        self.apply(ctx);
    }

    pub(super) fn learn(&mut self, slot: u64, entry: Entry, ctx: &mut Ctx<MultiPaxos>) {
        self.learned.insert(slot, entry);
        ctx.persist();
        ctx.note(MpNote::Learned { slot });
    }

    /// Applies decided slots in order; the leader answers the clients waiting on them.
    pub(super) fn apply(&mut self, ctx: &mut Ctx<MultiPaxos>) {
        while let Some(e) = self.learned.get(&(self.applied + 1)) {
            self.applied += 1;
            let result = self.kv.apply(&e.command, e.origin);
            if let (Role::Leader, Some((client, seq))) = (self.role, e.origin) {
                ctx.note(MpNote::Answered { seq, result: result.clone() });
                ctx.send(Addr::Client(client), Msg::ClientReply { seq, outcome: ClientOutcome::Done(result) });
            }
        }
    }
}
