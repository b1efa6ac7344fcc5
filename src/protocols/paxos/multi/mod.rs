//! # Multi-Paxos
//!
//! A replicated log in which each slot is an instance of Paxos, run under a distinguished
//! leader so that phase 1 is paid once for all slots (Lamport, "Paxos Made Simple", section 3;
//! leader take-over and gap filling as in van Renesse and Altinbuken, "Paxos Made Moderately
//! Complex", 2015, and Chandra, Griesemer and Redstone, "Paxos Made Live", 2007).
//!
//! **Leader election is phase 1.** A server that hears no leader for a randomized election
//! timeout becomes a candidate: it takes a ballot above every round it used or saw, persists
//! the round, and sends Prepare(b, from) where `from` is the first slot it does not know
//! decided. An acceptor's promise covers every slot at once; it answers with every proposal it
//! accepted from `from` on. A majority of promises makes the candidate leader.
//!
//! **Take-over.** For every slot from `from` up to the highest reported, the new leader
//! proposes, in its own ballot, the value of the highest-ballot proposal reported for that slot
//! — a value that may already be chosen must be kept — and a no-op where nothing was reported,
//! so the log has no gap and later slots can be applied. Then it serves clients: each command
//! gets the next slot and only phase 2 (Accept to all, a majority of Accepted decides it).
//!
//! **Learning.** Decisions ride on the next Accept or Heartbeat as the leader's decided prefix
//! `commit`; a follower learns slot s ≤ commit when what it accepted there was accepted in the
//! leader's ballot (a ballot proposes one value per slot). A follower still missing slots asks
//! (Behind), and the leader sends them (Decide). Heartbeats never stop while a leader leads, so
//! a follower that missed a slot's Accept, its decision, its Behind or the Decide learns the
//! slot from a later heartbeat: the distinguished learner of Paxos Made Simple (section 2.3)
//! announcing again until the follower has it — at any loss rate below 100 %, once the network
//! lets messages through, every server learns every chosen slot. Decided slots are persisted
//! and applied in order to the same key-value state machine as Raft's
//! ([`crate::protocols::kv`]); the leader answers the client, and client sessions make a
//! retried command apply once.
//!
//! **Resending.** A lost Accept (or Accepted) would leave its slot undecided, so the leader
//! sends an Accept again to an acceptor that has not answered it — but only once an answer could
//! have come: after a per-acceptor timeout that follows the measured round trip, as TCP's
//! retransmission timeout does (RFC 6298; [`round_trip`]), never below `resend_ms` (100), and
//! doubling with each resend. The leader looks on each heartbeat. On a network that loses
//! nothing a command costs one Accept to each other server and one Accepted back, no more; a
//! decided slot is never resent (followers learn it from `commit`).
//!
//! **Compared with Raft** (same client, same workload, [`crate::scenario::compare`]): Raft's
//! election restricts who may lead (an up-to-date log), so a new leader never re-proposes;
//! a Multi-Paxos leader may be anyone, and instead learns the unfinished slots in phase 1.
//!
//! **Safety** (checked after every event, [`super::checker`]): Nontriviality, Agreement per
//! slot, learners learn only chosen values, acceptors keep their promises, and no two servers
//! apply different commands at the same slot.

pub mod leader;
pub mod messages;
pub mod node;
pub mod round_trip;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Value, json};

pub use messages::{Entry, MpNote, MpTimer, Msg};
pub use node::{MpNode, Pending, Role};

use super::acceptor::Acceptor;
use super::ballot::Ballot;
use super::checker::{Observed, PaxosChecker};
use crate::protocols::kv::{Command, KvClient, KvService};
use crate::sim::time::to_ms_f64;
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId, NodeSlot, Protocol, World, ms};
use crate::sim::{Checked, Report};

/// Multi-Paxos's configuration; also the [`Protocol`] value. The timing keys and defaults are
/// Raft's, so that one scenario runs as either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiPaxos {
    /// Election timeouts are drawn uniformly from this range.
    pub election_timeout_us: (Micros, Micros),
    /// A leader's heartbeat interval (it looks at its unanswered accepts on each).
    pub heartbeat_us: Micros,
    /// The leader's resend timeout for an unanswered Accept before it has measured the round
    /// trip to that acceptor, and the least it ever waits ([`round_trip`]).
    pub resend_us: Micros,
    /// How long a client waits before retrying elsewhere.
    pub client_timeout_us: Micros,
    /// Upper bound on slots in one Decide.
    pub max_decides_per_message: usize,
    /// Planted bug: a new leader ignores the accepted values reported in promises (and fills
    /// every unfinished slot with a no-op).
    pub ignore_promised_values: bool,
}

impl Default for MultiPaxos {
    fn default() -> Self {
        MultiPaxos { election_timeout_us: (ms(150), ms(300)), heartbeat_us: ms(50), resend_us: ms(100), client_timeout_us: ms(500), max_decides_per_message: 64, ignore_promised_values: false }
    }
}

/// What a server keeps on stable storage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durable {
    /// The acceptor.
    pub acceptor: Acceptor<Entry>,
    /// The highest round used as a proposer.
    pub round: u64,
    /// The decided slots it knows.
    pub learned: BTreeMap<u64, Entry>,
}

fn entry_json(e: &Entry) -> Value {
    match e.origin {
        Some((c, seq)) => json!({"command": e.command.to_string(), "client": c, "seq": seq}),
        None => json!({"command": e.command.to_string()}),
    }
}

fn learned_json(learned: &BTreeMap<u64, Entry>) -> Value {
    Value::Array(learned.iter().map(|(s, e)| json!({"slot": s, "value": entry_json(e)})).collect())
}

impl KvService for MultiPaxos {
    fn client_timeout_us(&self) -> Micros {
        self.client_timeout_us
    }
    fn client_request(seq: u64, command: Command) -> Msg {
        Msg::ClientRequest { seq, command }
    }
    fn client_retry_timer() -> MpTimer {
        MpTimer::ClientRetry
    }
}

impl Protocol for MultiPaxos {
    type Msg = Msg;
    type Timer = MpTimer;
    type Note = MpNote;
    type Durable = Durable;
    type Node = MpNode;
    type Client = KvClient;
    type Request = Command;

    fn name(&self) -> &'static str {
        "multipaxos"
    }

    fn fresh_durable(&self, _id: NodeId) -> Durable {
        Durable::default()
    }

    fn boot(&self, id: NodeId, durable: &Durable, ctx: &mut Ctx<Self>) -> MpNode {
        let node = MpNode::boot(id, durable);
        node.start(self, ctx);
        node
    }

    fn on_message(&self, node: &mut MpNode, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        match (from, msg) {
            (Addr::Client(c), Msg::ClientRequest { seq, command }) => {
                node.on_client_request(Some((c, seq)), command, ctx);
                node.drain(self, ctx);
            }
            (Addr::Node(f), msg) => node.on_message(f, msg, self, ctx),
            _ => {}
        }
    }

    fn on_timer(&self, node: &mut MpNode, timer: MpTimer, ctx: &mut Ctx<Self>) {
        match timer {
            MpTimer::Election => node.on_election_timeout(self, ctx),
            MpTimer::Heartbeat => node.on_heartbeat_timer(self, ctx),
            MpTimer::ClientRetry => {}
        }
    }

    fn on_request(&self, node: &mut MpNode, request: Command, ctx: &mut Ctx<Self>) {
        node.on_client_request(None, request, ctx);
        node.drain(self, ctx);
    }

    fn save(&self, node: &mut MpNode, durable: &mut Durable) {
        node.save(durable);
    }

    fn new_client(&self, id: ClientId) -> KvClient {
        KvClient::new(id)
    }

    fn client_submit(&self, client: &mut KvClient, request: Command, ctx: &mut Ctx<Self>) {
        client.submit(request, self, ctx);
    }

    fn client_on_message(&self, client: &mut KvClient, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        if let Msg::ClientReply { seq, outcome } = msg {
            client.on_reply(from, seq, outcome, self, ctx);
        }
    }

    fn client_on_timer(&self, client: &mut KvClient, timer: MpTimer, ctx: &mut Ctx<Self>) {
        if timer == MpTimer::ClientRetry {
            client.on_timeout(self, ctx);
        }
    }

    /// The leader of the highest ballot among running servers.
    fn leader(&self, nodes: &[Option<&MpNode>]) -> Option<NodeId> {
        nodes.iter().flatten().filter(|n| n.role == Role::Leader).max_by_key(|n| n.ballot).map(|n| n.id)
    }

    fn timeout_now_timer(&self, node: &MpNode) -> Option<MpTimer> {
        Some(if node.role == Role::Leader { MpTimer::Heartbeat } else { MpTimer::Election })
    }
}

impl Checked for MultiPaxos {
    type Checker = PaxosChecker<MultiPaxos>;

    fn checker(&self, nodes: u32) -> PaxosChecker<MultiPaxos> {
        PaxosChecker::new(nodes, nodes as usize)
    }
}

impl Report for MultiPaxos {
    fn node_view(&self, n: &MpNode) -> Value {
        let (promised, accepted) = n.acceptor.json(entry_json);
        let mut v = json!({
            "roles": ["proposer", "acceptor", "learner"],
            "role": n.role.as_str(),
            "ballot": n.ballot.json(),
            "leader": n.leader_hint,
            "promised": promised,
            "accepted": accepted,
            "learned": learned_json(&n.learned),
            "applied": n.applied,
            "kv": n.kv.data,
        });
        if n.role == Role::Leader {
            v["next_slot"] = json!(n.next_slot);
            v["pending"] = Value::Array(n.pending.iter().map(|(s, p)| json!({"slot": s, "value": entry_json(&p.entry), "accepted_by": p.acks})).collect());
        }
        if n.role == Role::Candidate {
            v["promises"] = json!(n.promises.keys().collect::<Vec<_>>());
        }
        v
    }

    fn durable_view(&self, d: &Durable) -> Value {
        let (promised, accepted) = d.acceptor.json(entry_json);
        json!({"roles": ["proposer", "acceptor", "learner"], "role": "down", "ballot": null, "leader": null, "promised": promised, "accepted": accepted, "learned": learned_json(&d.learned), "applied": 0, "kv": {}})
    }

    fn client_view(&self, c: &KvClient) -> Value {
        c.view()
    }

    fn history(&self, clients: &[&KvClient]) -> Option<Value> {
        Some(json!(crate::protocols::kv::history(clients.iter().copied())))
    }

    fn outcome(&self, world: &World<'_, Self>, checker: &PaxosChecker<MultiPaxos>) -> Value {
        let leaders: Vec<Value> = checker.leaders().iter().map(|(b, at)| json!({"ballot": b.json(), "node": b.node, "at_ms": to_ms_f64(*at)})).collect();
        let _ = world;
        json!({
            "chosen": checker.chosen_json(entry_json),
            "ballots_started": checker.started_json(),
            "leaders": leaders,
            "committed": committed(checker),
        })
    }
}

/// The commands chosen, in slot order up to the first slot not chosen, no-ops left out.
pub fn committed(checker: &PaxosChecker<MultiPaxos>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (s, c)) in checker.chosen().iter().enumerate() {
        if *s != i as u64 + 1 {
            break;
        }
        if c.value.command != Command::Noop {
            out.push(c.value.command.to_string());
        }
    }
    out
}

impl Observed for MultiPaxos {
    type Value = Entry;
    const REPLICATED: bool = true;

    fn acceptor_of(slot: &NodeSlot<Self>) -> Option<&Acceptor<Entry>> {
        Some(match slot.state() {
            Some(n) => &n.acceptor,
            None => &slot.durable().acceptor,
        })
    }

    fn learned_of(slot: &NodeSlot<Self>) -> &BTreeMap<u64, Entry> {
        match slot.state() {
            Some(n) => &n.learned,
            None => &slot.durable().learned,
        }
    }

    fn proposed_of(node: &MpNode) -> &[Entry] {
        &node.proposed
    }

    fn started_of(node: &MpNode) -> &[Ballot] {
        &node.started
    }

    fn applied_of(node: &MpNode) -> u64 {
        node.applied
    }

    fn leading(node: &MpNode) -> Option<Ballot> {
        (node.role == Role::Leader).then_some(node.ballot)
    }
}
