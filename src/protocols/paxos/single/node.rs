//! A single-decree Paxos server: whichever of the three roles the scenario gives it, an inbox
//! for messages between its own roles, and the acceptor's handlers (the proposer's are in
//! [`super::proposer`], the learner's in [`super::learner`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::super::acceptor::{Acceptor, Answer};
use super::super::ballot::Ballot;
use super::messages::Msg;
use super::{Announce, Durable, Paxos};
use crate::sim::{Addr, ClientId, Ctx, NodeId};

/// Where a proposer's current round stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No round running: none started yet, or the last one was refused (the retry timer will
    /// start the next).
    Idle,
    /// Phase 1: prepares sent, promises collected (with what each acceptor had accepted).
    Preparing { ballot: Ballot, promises: BTreeMap<NodeId, Option<(Ballot, String)>> },
    /// Phase 2: accept requests sent for `value`, acceptances collected.
    Accepting { ballot: Ballot, value: String, accepted: BTreeSet<NodeId> },
    /// It knows the chosen value; it stops.
    Done { value: String },
}

impl Phase {
    /// The name used in views.
    pub fn as_str(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Preparing { .. } => "preparing",
            Phase::Accepting { .. } => "accepting",
            Phase::Done { .. } => "done",
        }
    }
    /// The ballot of the running round.
    pub fn ballot(&self) -> Option<Ballot> {
        match self {
            Phase::Preparing { ballot, .. } | Phase::Accepting { ballot, .. } => Some(*ballot),
            _ => None,
        }
    }
}

/// The roles of one server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeRoles {
    /// Proposes values.
    pub proposer: bool,
    /// Votes.
    pub acceptor: bool,
    /// Learns the chosen value.
    pub learner: bool,
}

impl NodeRoles {
    /// `["proposer", "acceptor", "learner"]`, those it has.
    pub fn names(self) -> Vec<&'static str> {
        [(self.proposer, "proposer"), (self.acceptor, "acceptor"), (self.learner, "learner")].into_iter().filter(|(on, _)| *on).map(|(_, n)| n).collect()
    }
}

/// A running server.
#[derive(Clone, Debug)]
pub struct PaxosNode {
    /// Its id.
    pub id: NodeId,
    /// Its roles.
    pub roles: NodeRoles,
    /// Durable: the acceptor's promise and accepted proposal (slot 1).
    pub acceptor: Acceptor<String>,
    /// Durable: the highest round this proposer used.
    pub round: u64,
    /// Durable: the value this proposer was asked to propose.
    pub value: Option<String>,
    /// Durable: what this learner learned (slot 1 only).
    pub learned: BTreeMap<u64, String>,
    /// The proposer's current round.
    pub phase: Phase,
    /// The highest round seen in a refusal: the next round goes above it.
    pub highest_seen: u64,
    /// Rounds started since boot.
    pub attempts: u32,
    /// The learner's count of acceptances: per ballot, its value and who accepted it.
    pub tally: BTreeMap<Ballot, (String, BTreeSet<NodeId>)>,
    /// The learner: the highest ballot it has heard of since boot (news of a round).
    pub heard: Ballot,
    /// The learner: times it asked since it last heard of a new ballot (its back-off).
    pub asks: u32,
    /// Clients waiting for this proposer's outcome.
    pub waiting: Vec<(ClientId, u64)>,
    /// Values this server was asked to propose since boot (for the checker).
    pub proposed: Vec<String>,
    /// Ballots this server started since boot (for the checker).
    pub started: Vec<Ballot>,
    /// Messages from this server to itself, handled before the handler returns.
    inbox: VecDeque<Msg>,
}

impl PaxosNode {
    /// A server booting from its durable state.
    pub fn boot(id: NodeId, roles: NodeRoles, d: &Durable) -> Self {
        PaxosNode {
            id,
            roles,
            acceptor: d.acceptor.clone(),
            round: d.round,
            value: d.value.clone(),
            learned: d.learned.clone(),
            phase: match d.learned.get(&1) {
                Some(v) if roles.proposer => Phase::Done { value: v.clone() },
                _ => Phase::Idle,
            },
            highest_seen: 0,
            attempts: 0,
            tally: BTreeMap::new(),
            heard: Ballot::ZERO,
            asks: 0,
            waiting: Vec::new(),
            proposed: Vec::new(),
            started: Vec::new(),
            inbox: VecDeque::new(),
        }
    }

    /// Copies the durable part out.
    pub fn save(&self, d: &mut Durable) {
        d.acceptor.clone_from(&self.acceptor);
        d.round = self.round;
        d.value.clone_from(&self.value);
        d.learned.clone_from(&self.learned);
    }

    /// A majority of the acceptors.
    pub fn majority(cfg: &Paxos) -> usize {
        cfg.acceptors.len() / 2 + 1
    }

    /// Sends `msg` to server `to`; to itself, through the inbox (no network hop, as a server's
    /// own roles share its memory).
    pub(super) fn send(&mut self, to: NodeId, msg: Msg, ctx: &mut Ctx<Paxos>) {
        if to == self.id {
            self.inbox.push_back(msg);
        } else {
            ctx.send_node(to, msg);
        }
    }

    /// Handles a message from a server, then whatever this server sent itself meanwhile.
    pub fn on_message(&mut self, from: NodeId, msg: Msg, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        self.dispatch(from, msg, cfg, ctx);
        self.drain(cfg, ctx);
    }

    /// Handles the messages this server sent itself.
    pub(super) fn drain(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        while let Some(msg) = self.inbox.pop_front() {
            self.dispatch(self.id, msg, cfg, ctx);
        }
    }

    fn dispatch(&mut self, from: NodeId, msg: Msg, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if let Some(ballot) = msg.ballot() {
            self.heard_of(ballot, cfg, ctx);
        }
        match msg {
            Msg::Prepare { ballot } => self.on_prepare(from, ballot, ctx),
            Msg::Accept { ballot, value } => self.on_accept(from, ballot, value, cfg, ctx),
            Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, cfg, ctx),
            Msg::Accepted { ballot, value } => {
                if self.roles.proposer {
                    self.on_accepted_as_proposer(from, ballot, &value, cfg, ctx);
                }
                if self.roles.learner {
                    self.on_accepted_as_learner(from, ballot, value, cfg, ctx);
                }
            }
            Msg::Nack { ballot, promised } => self.on_nack(ballot, promised, ctx),
            Msg::Decide { value } => self.on_decide(value, cfg, ctx),
            Msg::Ask => self.on_ask(from, ctx),
            // Client traffic comes through `on_client_propose`; `Chosen` is for clients.
            Msg::Propose { .. } | Msg::Chosen { .. } => {}
        }
    }

    /// Acceptor, phase 1b: promise `ballot` unless a higher one was promised; persist, then
    /// answer with the highest-ballot proposal accepted.
    pub fn on_prepare(&mut self, from: NodeId, ballot: Ballot, ctx: &mut Ctx<Paxos>) {
        if !self.roles.acceptor {
            return;
        }
        match self.acceptor.prepare(ballot, 1) {
            Answer::Yes { changed, report } => {
                if changed {
                    ctx.persist();
                }
                let accepted = report.into_iter().next().map(|(_, b, v)| (b, v));
                self.send(from, Msg::Promise { ballot, accepted }, ctx);
            }
            Answer::No { promised } => self.send(from, Msg::Nack { ballot, promised }, ctx),
        }
    }

    /// Acceptor, phase 2b: accept unless a higher ballot was promised; persist, then tell the
    /// proposer, and the learners too unless the proposer announces.
    pub fn on_accept(&mut self, from: NodeId, ballot: Ballot, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if !self.roles.acceptor {
            return;
        }
        match self.acceptor.accept(ballot, 1, value.clone()) {
            Answer::Yes { changed, .. } => {
                if changed {
                    ctx.persist();
                }
                let mut to: BTreeSet<NodeId> = BTreeSet::from([from]);
                if cfg.announce == Announce::Acceptors {
                    to.extend(cfg.learners.iter().copied());
                }
                for t in to {
                    self.send(t, Msg::Accepted { ballot, value: value.clone() }, ctx);
                }
            }
            Answer::No { promised } => self.send(from, Msg::Nack { ballot, promised }, ctx),
        }
    }

    /// Replies to every waiting client with the chosen value.
    pub(super) fn answer_clients(&mut self, value: &str, ctx: &mut Ctx<Paxos>) {
        for (client, seq) in std::mem::take(&mut self.waiting) {
            ctx.send(Addr::Client(client), Msg::Chosen { seq, value: value.to_string() });
        }
    }
}
