//! # Two-phase commit
//!
//! Gray's two-phase commit ("Notes on Data Base Operating Systems", 1978) as Bernstein,
//! Hadzilacos and Goodman give it ("Concurrency Control and Recovery in Database Systems",
//! 1987, chapter 7, Figure 7-2), with their cooperative termination protocol and recovery from
//! the DT log.
//!
//! **Phase 1.** The coordinator (node 1) logs `start` with the list of participants and sends
//! each of them `Prepare` (VOTE-REQ). A participant that can commit logs `prepared` and only
//! then answers `Vote yes`; one that cannot logs `voted-no` (an abort) and answers `Vote no` — it may abort
//! on its own, since nobody can commit without its Yes.
//!
//! **Phase 2.** With a Yes from everyone the coordinator logs `commit`; on a No, or when votes
//! are still missing when its timer fires, it logs `abort`. Only then does it send the decision
//! (`Commit`/`Abort`). Each participant logs it, releases the transaction's locks and answers
//! `Ack`; the coordinator sends the decision again until every participant has acknowledged,
//! then logs `end`.
//!
//! **Blocking.** Between its Yes and the decision a participant is *uncertain*: it holds its
//! locks and may not decide, because the coordinator may already have decided either way. If
//! the decision does not come in time it runs the cooperative termination protocol
//! ([`termination`]): it asks everyone. If all it can reach are uncertain too — the coordinator
//! crashed after collecting the votes — it stays blocked until the coordinator recovers. The
//! report shows how long (`blocked_ms`). That is 2PC's price, and why [`super::threepc`] exists.
//!
//! **Recovery** ([`node::TwoPcNode::boot`]). A restarted coordinator aborts every transaction
//! its log shows started but not decided, and sends again every decision not yet acknowledged.
//! A restarted participant with `prepared` and no decision is uncertain and asks at once; with
//! no record it knows nothing and aborts whenever asked.
//!
//! **Safety.** 2PC never breaks Atomicity, Validity or Stability under any failure — crashes,
//! loss, duplication, partitions, pauses — because a participant never decides Commit unless
//! told, and the coordinator decides once, in its log, before telling anyone.
//! [`PlantedBug::CommitOnTimeout`] lets an uncertain participant commit when its timer fires, so
//! tests can show the checker catching the result.

pub mod coordinator;
pub mod messages;
pub mod node;
pub mod participant;
pub mod termination;

use std::collections::BTreeSet;

use serde_json::{Value, json};

pub use messages::{Msg, TwoPcTimer};
pub use node::TwoPcNode;

use super::{Begin, CommitChecker, CommitClient, CommitFamily, CommitNote, Core, PlantedBug, Wal, participants, view};
use crate::sim::rng::{PPM_ONE, Ppm};
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId, Protocol, World, ms};
use crate::sim::{Checked, Report};

/// 2PC's configuration; also the [`Protocol`] value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoPc {
    /// Cluster size, N (node 1 coordinates, 2..=N participate): requests are checked against it.
    pub nodes: u32,
    /// The chance that a participant votes Yes when the request does not force its vote.
    pub yes_ppm: Ppm,
    /// How long the coordinator waits for votes before aborting.
    pub vote_timeout_us: Micros,
    /// How long a participant that voted Yes waits for the decision before asking the others.
    pub decision_timeout_us: Micros,
    /// How often the coordinator resends an unacknowledged decision, and an uncertain
    /// participant asks again.
    pub retry_us: Micros,
    /// How long a client waits for an outcome before asking again.
    pub client_timeout_us: Micros,
    /// A rule broken on purpose (tests and lessons only).
    pub planted_bug: Option<PlantedBug>,
}

impl Default for TwoPc {
    fn default() -> Self {
        TwoPc { nodes: 3, yes_ppm: PPM_ONE, vote_timeout_us: ms(300), decision_timeout_us: ms(300), retry_us: ms(200), client_timeout_us: ms(1000), planted_bug: None }
    }
}

impl Protocol for TwoPc {
    type Msg = Msg;
    type Timer = TwoPcTimer;
    type Note = CommitNote;
    type Durable = Wal;
    type Node = TwoPcNode;
    type Client = CommitClient;
    type Request = Begin;

    fn name(&self) -> &'static str {
        "2pc"
    }

    fn fresh_durable(&self, id: NodeId) -> Wal {
        Wal::new(id)
    }

    fn boot(&self, _id: NodeId, durable: &Wal, ctx: &mut Ctx<Self>) -> TwoPcNode {
        TwoPcNode::boot(durable, self, ctx)
    }

    fn on_message(&self, node: &mut TwoPcNode, from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        match (from, msg) {
            (Addr::Client(c), Msg::Begin { seq, request }) => node.on_begin(Some((c, seq)), request, self, ctx),
            (Addr::Node(f), msg) => node.on_message(f, msg, self, ctx),
            _ => {}
        }
    }

    fn on_timer(&self, node: &mut TwoPcNode, timer: TwoPcTimer, ctx: &mut Ctx<Self>) {
        node.on_timer(timer, self, ctx);
    }

    fn on_request(&self, node: &mut TwoPcNode, request: Begin, ctx: &mut Ctx<Self>) {
        node.on_begin(None, request, self, ctx);
    }

    fn save(&self, node: &mut TwoPcNode, durable: &mut Wal) {
        node.save(durable);
    }

    fn new_client(&self, id: ClientId) -> CommitClient {
        CommitClient::new(id)
    }

    fn client_submit(&self, client: &mut CommitClient, request: Begin, ctx: &mut Ctx<Self>) {
        client.submit(request, self, ctx);
    }

    fn client_on_message(&self, client: &mut CommitClient, _from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
        if let Msg::Outcome { seq, tx, decision } = msg {
            client.on_outcome(seq, tx, decision, ctx);
        }
    }

    fn client_on_timer(&self, client: &mut CommitClient, timer: TwoPcTimer, ctx: &mut Ctx<Self>) {
        if timer == TwoPcTimer::ClientRetry {
            client.on_timeout(self, ctx);
        }
    }

    /// The scenario target `"leader"` names the coordinator, while it runs.
    fn leader(&self, nodes: &[Option<&TwoPcNode>]) -> Option<NodeId> {
        nodes.first().copied().flatten().map(|n| n.core.id)
    }
}

impl Checked for TwoPc {
    type Checker = CommitChecker;

    fn checker(&self, nodes: u32) -> CommitChecker {
        CommitChecker::new(nodes)
    }
}

impl Report for TwoPc {
    fn node_view(&self, node: &TwoPcNode) -> Value {
        view::node_view(self, node)
    }

    fn durable_view(&self, durable: &Wal) -> Value {
        view::table_view(durable.node, &durable.table(), &durable.records, None)
    }

    fn client_view(&self, c: &CommitClient) -> Value {
        client_json(c)
    }

    fn outcome(&self, world: &World<'_, Self>, checker: &CommitChecker) -> Value {
        view::outcome(world, checker)
    }
}

/// A client's view: requests pending and answered.
pub fn client_json(c: &CommitClient) -> Value {
    json!({
        "pending": c.pending.iter().map(|(seq, (r, attempts))| json!({"seq": seq, "request": r.to_string(), "attempts": attempts})).collect::<Vec<_>>(),
        "answered": c.answered,
    })
}

fn ids(set: &BTreeSet<NodeId>) -> Vec<NodeId> {
    set.iter().copied().collect()
}

impl CommitFamily for TwoPc {
    fn core(node: &TwoPcNode) -> &Core {
        &node.core
    }
    fn begin_msg(seq: u64, request: Begin) -> Msg {
        Msg::Begin { seq, request }
    }
    fn client_retry() -> TwoPcTimer {
        TwoPcTimer::ClientRetry
    }
    fn client_timeout_us(&self) -> Micros {
        self.client_timeout_us
    }
    fn extra_view(&self, node: &TwoPcNode, v: &mut Value) {
        if node.core.is_coordinator() {
            let everyone = participants(node.core.nodes);
            v["collecting"] = node.collecting.iter().map(|(tx, yes)| (tx.to_string(), json!({"yes": ids(yes)}))).collect::<serde_json::Map<_, _>>().into();
            v["awaiting_acks"] =
                node.acks.iter().map(|(tx, acked)| (tx.to_string(), json!(everyone.iter().filter(|p| !acked.contains(p)).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>().into();
        } else {
            v["asking"] = json!(node.asking.iter().collect::<Vec<_>>());
        }
    }
}

#[cfg(test)]
mod tests;
