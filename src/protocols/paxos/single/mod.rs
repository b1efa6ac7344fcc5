//! # Single-decree Paxos
//!
//! Lamport, "Paxos Made Simple" (2001): a set of servers agree on one value although messages
//! are lost, delayed, duplicated and reordered and servers crash and restart. Three roles, which
//! a server may combine (the scenario's `roles`, by default every role on every server):
//!
//! - **Proposers** ([`proposer`]) pick a ballot (round, own id) above any they have used or
//!   seen, and run two phases. *Phase 1*: Prepare(b) to every acceptor; a majority of Promises
//!   lets the proposer propose — and each promise carries the highest-ballot proposal that
//!   acceptor accepted, the proposer must propose the value of the highest of those (its own
//!   value only if none was reported). *Phase 2*: Accept(b, v) to every acceptor.
//! - **Acceptors** ([`super::acceptor`]) promise a ballot unless they promised a higher one,
//!   and accept a proposal unless they promised a higher ballot. Their promise and accepted
//!   proposal are persisted before they answer: an acceptor that forgot would break safety.
//!   A refusal is a Nack naming the promised ballot, so the proposer can beat it next time.
//! - **Learners** ([`learner`]) learn v once a majority of acceptors accepted the same ballot
//!   with v — from every acceptor's Accepted (`"announce": "acceptors"`, the default) or from
//!   the proposer that saw that majority (`"announce": "proposer"`, fewer messages, but a
//!   proposer crash can leave a chosen value unannounced until another round finds it).
//!
//! **Learning when messages are lost** (section 2.3: "because of message loss, a value could be
//! chosen with no learner ever finding out"; "the learner could ask the acceptors"). Once every
//! proposer knows the outcome no round runs again, so a learner that missed the Accepted of the
//! round that chose v would wait forever. A learner that does not know the outcome therefore
//! keeps a catch-up timer ([`learner`]): `catchup_ms` (500) after it last heard of a ballot
//! higher than any before — while rounds climb it waits for them — or 16 times that if it has
//! heard of none, it asks every server (Ask). A server that knows v answers Decide; an
//! acceptor that does not know answers with the proposal it accepted, counted like any
//! Accepted. Still in doubt, it asks again after twice the wait (up to 16 times `catchup_ms`). So
//! once the network lets messages through, at any loss rate below 100 %, every learner that is
//! up learns the chosen value; a run without loss learns in time and never asks, and its trace
//! is what it was before learners asked.
//!
//! **Chosen is a global fact.** v is chosen the instant the majority-th acceptor accepts it.
//! Nobody knows yet: the Accepted messages are still in flight. The checker
//! ([`super::checker::PaxosChecker`]) sees it at once and stamps the moment; the learners'
//! moments come later.
//!
//! **Safety** (checked after every event): Nontriviality, Agreement, learners learn only the
//! chosen value, and acceptors keep their promises. **Liveness** is not guaranteed: two
//! proposers can preempt each other forever (section 2.4); randomized back-off (see
//! [`proposer`]) makes it end with probability 1, and `"backoff": "fixed"` lets a scenario stage
//! the duel.

pub mod client;
pub mod learner;
pub mod messages;
pub mod node;
pub mod proposer;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Value, json};

pub use client::PaxosClient;
pub use messages::{Msg, PaxosNote, PaxosTimer};
pub use node::{NodeRoles, PaxosNode, Phase};

use super::acceptor::Acceptor;
use super::ballot::Ballot;
use super::checker::{Observed, PaxosChecker};
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId, NodeSlot, Protocol, World, ms};
use crate::sim::{Checked, Report};

/// How a proposer waits between rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backoff {
    /// Exactly `retry_us` after a round starts: proposers can duel forever.
    Fixed,
    /// `retry_us` plus a random back-off up to `backoff_us`, doubling with each failed round.
    Random,
}

/// Who tells the learners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announce {
    /// Every acceptor sends its Accepted to every learner.
    Acceptors,
    /// Acceptors answer the proposer only; it sends Decide to the learners.
    Proposer,
}

/// A deliberately wrong rule, for showing that the checker catches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedBug {
    /// The proposer proposes its own value even when promises reported an accepted one.
    IgnorePromisedValues,
}

/// Single-decree Paxos's configuration; also the [`Protocol`] value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paxos {
    /// Servers that propose, in order.
    pub proposers: Vec<NodeId>,
    /// Servers that vote, in order; a majority of them chooses.
    pub acceptors: Vec<NodeId>,
    /// Servers that learn, in order.
    pub learners: Vec<NodeId>,
    /// A proposer's retry timer, armed when a round starts.
    pub retry_us: Micros,
    /// Fixed or randomized back-off.
    pub backoff: Backoff,
    /// The largest random back-off of a first retry (doubled per failed round, up to 16 times).
    pub backoff_us: Micros,
    /// Who tells the learners.
    pub announce: Announce,
    /// How long a client waits before trying another proposer.
    pub client_timeout_us: Micros,
    /// How long a learner that does not know the outcome waits, after hearing of a new
    /// ballot, before it asks the others (16 times that after a boot with no ballot heard of;
    /// doubled per question that did not teach it the value, up to 16 times; see [`learner`]).
    pub catchup_us: Micros,
    /// A rule broken on purpose.
    pub planted_bug: Option<PlantedBug>,
}

impl Paxos {
    /// Every role on each of `nodes` servers, default timings.
    pub fn new(nodes: u32) -> Self {
        let all: Vec<NodeId> = (1..=nodes).collect();
        Paxos {
            proposers: all.clone(),
            acceptors: all.clone(),
            learners: all,
            retry_us: ms(200),
            backoff: Backoff::Random,
            backoff_us: ms(100),
            announce: Announce::Acceptors,
            client_timeout_us: ms(500),
            catchup_us: ms(500),
            planted_bug: None,
        }
    }

    /// The roles of server `id`.
    pub fn roles_of(&self, id: NodeId) -> NodeRoles {
        NodeRoles { proposer: self.proposers.contains(&id), acceptor: self.acceptors.contains(&id), learner: self.learners.contains(&id) }
    }
}

/// What a server keeps on stable storage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durable {
    /// The acceptor's promise and accepted proposal.
    pub acceptor: Acceptor<String>,
    /// The proposer's highest round used.
    pub round: u64,
    /// The proposer's own value.
    pub value: Option<String>,
    /// What the learner learned (slot 1).
    pub learned: BTreeMap<u64, String>,
}

/// A request: propose a value (`"propose A"` in scenarios).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The value.
    pub value: String,
}

impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "propose {}", self.value)
    }
}

fn learned_json(learned: &BTreeMap<u64, String>) -> Value {
    Value::Array(learned.iter().map(|(s, v)| json!({"slot": s, "value": v})).collect())
}

fn acceptor_json(roles: NodeRoles, a: &Acceptor<String>) -> (Value, Value) {
    if roles.acceptor { a.json(|v| json!(v)) } else { (Value::Null, Value::Array(Vec::new())) }
}

impl Protocol for Paxos {
    type Msg = Msg;
    type Timer = PaxosTimer;
    type Note = PaxosNote;
    type Durable = Durable;
    type Node = PaxosNode;
    type Client = PaxosClient;
    type Request = Proposal;

    fn name(&self) -> &'static str {
        "paxos"
    }

    fn fresh_durable(&self, _id: NodeId) -> Durable {
        Durable::default()
    }

    fn boot(&self, id: NodeId, durable: &Durable, ctx: &mut Ctx<Self>) -> PaxosNode {
        let mut node = PaxosNode::boot(id, self.roles_of(id), durable);
        node.start(self, ctx);
        node.start_learner(self, ctx);
        node
    }

    fn on_message(&self, node: &mut PaxosNode, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        match (from, msg) {
            (Addr::Client(c), Msg::Propose { seq, value }) => node.on_client_propose(c, seq, value, self, ctx),
            (Addr::Node(f), msg) => node.on_message(f, msg, self, ctx),
            _ => {}
        }
    }

    fn on_timer(&self, node: &mut PaxosNode, timer: PaxosTimer, ctx: &mut Ctx<Self>) {
        match timer {
            PaxosTimer::Retry => node.on_retry(self, ctx),
            PaxosTimer::CatchUp => node.on_catch_up(self, ctx),
            PaxosTimer::ClientRetry => {}
        }
    }

    fn on_request(&self, node: &mut PaxosNode, request: Proposal, ctx: &mut Ctx<Self>) {
        node.on_request(request.value, self, ctx);
    }

    fn save(&self, node: &mut PaxosNode, durable: &mut Durable) {
        node.save(durable);
    }

    fn new_client(&self, id: ClientId) -> PaxosClient {
        PaxosClient::new(id)
    }

    fn client_submit(&self, client: &mut PaxosClient, request: Proposal, ctx: &mut Ctx<Self>) {
        client.submit(request, self, ctx);
    }

    fn client_on_message(&self, client: &mut PaxosClient, _from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        if let Msg::Chosen { seq, value } = msg {
            client.on_chosen(seq, value, self, ctx);
        }
    }

    fn client_on_timer(&self, client: &mut PaxosClient, timer: PaxosTimer, ctx: &mut Ctx<Self>) {
        if timer == PaxosTimer::ClientRetry {
            client.on_timeout(self, ctx);
        }
    }

    /// The proposer of the highest running round, if any ("crash leader" names it).
    fn leader(&self, nodes: &[Option<&PaxosNode>]) -> Option<NodeId> {
        nodes.iter().flatten().filter_map(|n| n.phase.ballot().map(|b| (b, n.id))).max().map(|(_, id)| id)
    }

    fn timeout_now_timer(&self, _node: &PaxosNode) -> Option<PaxosTimer> {
        Some(PaxosTimer::Retry)
    }
}

impl Checked for Paxos {
    type Checker = PaxosChecker<Paxos>;

    fn checker(&self, nodes: u32) -> PaxosChecker<Paxos> {
        let _ = nodes;
        PaxosChecker::new(nodes, self.acceptors.len())
    }
}

impl Report for Paxos {
    fn node_view(&self, n: &PaxosNode) -> Value {
        let (promised, accepted) = acceptor_json(n.roles, &n.acceptor);
        let mut v = json!({
            "roles": n.roles.names(),
            "promised": promised,
            "accepted": accepted,
            "learned": learned_json(&n.learned),
        });
        if n.roles.proposer {
            let mut p = json!({"value": n.value, "round": n.round, "phase": n.phase.as_str(), "ballot": n.phase.ballot().map(Ballot::json)});
            match &n.phase {
                Phase::Preparing { promises, .. } => p["promises"] = json!(promises.keys().collect::<Vec<_>>()),
                Phase::Accepting { value, accepted, .. } => {
                    p["proposing"] = json!(value);
                    p["accepts"] = json!(accepted);
                }
                Phase::Done { value } => p["chosen"] = json!(value),
                Phase::Idle => {}
            }
            v["proposer"] = p;
        }
        v
    }

    fn durable_view(&self, d: &Durable) -> Value {
        json!({"promised": d.acceptor.promised.json(), "accepted": d.acceptor.json(|v| json!(v)).1, "learned": learned_json(&d.learned), "proposer": {"value": d.value, "round": d.round, "phase": "down"}})
    }

    fn client_view(&self, c: &PaxosClient) -> Value {
        json!({
            "pending": c.current.as_ref().map(|(seq, v, attempts)| json!({"seq": seq, "value": v, "attempts": attempts})),
            "queued": c.queue,
            "answered": c.answered,
        })
    }

    fn outcome(&self, _world: &World<'_, Self>, checker: &PaxosChecker<Paxos>) -> Value {
        json!({
            "chosen": checker.chosen_json(|v| json!(v)),
            "ballots_started": checker.started_json(),
        })
    }
}

impl Observed for Paxos {
    type Value = String;
    const REPLICATED: bool = false;

    fn acceptor_of(slot: &NodeSlot<Self>) -> Option<&Acceptor<String>> {
        match slot.state() {
            Some(n) => n.roles.acceptor.then_some(&n.acceptor),
            None => Some(&slot.durable().acceptor).filter(|a| !a.promised.is_zero() || !a.accepted.is_empty()),
        }
    }

    fn learned_of(slot: &NodeSlot<Self>) -> &BTreeMap<u64, String> {
        match slot.state() {
            Some(n) => &n.learned,
            None => &slot.durable().learned,
        }
    }

    fn proposed_of(node: &PaxosNode) -> &[String] {
        &node.proposed
    }

    fn started_of(node: &PaxosNode) -> &[Ballot] {
        &node.started
    }

    /// What its acceptor had accepted, and the value its proposer was proposing.
    fn initial_values(slot: &NodeSlot<Self>) -> Vec<String> {
        let d = slot.durable();
        d.acceptor.accepted.values().map(|(_, v)| v.clone()).chain(d.value.clone()).collect()
    }
}
