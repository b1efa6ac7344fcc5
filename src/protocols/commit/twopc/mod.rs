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

use serde_json::{Value, json};

pub use messages::{Msg, TwoPcTimer};
pub use node::TwoPcNode;

use super::protocol::commit_protocol;
use super::{Begin, CommitFamily, Core, Decision, PlantedBug, TxId, Vote, VotePlan, Wal};
use crate::sim::rng::{PPM_ONE, Ppm};
use crate::sim::{Ctx, Micros, NodeId, ms};

/// 2PC's configuration; also the [`crate::sim::Protocol`] value.
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

commit_protocol!(TwoPc, "2pc", TwoPcNode, Msg, TwoPcTimer);

impl CommitFamily for TwoPc {
    fn core(node: &TwoPcNode) -> &Core {
        &node.core
    }
    fn core_mut(node: &mut TwoPcNode) -> &mut Core {
        &mut node.core
    }
    fn boot_node(&self, wal: &Wal, ctx: &mut Ctx<Self>) -> TwoPcNode {
        TwoPcNode::boot(wal, self, ctx)
    }
    fn on_server_message(&self, node: &mut TwoPcNode, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        node.on_message(from, msg, self, ctx);
    }
    fn on_server_timer(&self, node: &mut TwoPcNode, timer: TwoPcTimer, ctx: &mut Ctx<Self>) {
        node.on_timer(timer, self, ctx);
    }
    fn begin_msg(seq: u64, request: Begin) -> Msg {
        Msg::Begin { seq, request }
    }
    fn begin_of(msg: Msg) -> Option<(u64, Begin)> {
        if let Msg::Begin { seq, request } = msg { Some((seq, request)) } else { None }
    }
    fn outcome_msg(seq: u64, tx: TxId, decision: Decision) -> Msg {
        Msg::Outcome { seq, tx, decision }
    }
    fn outcome_of(msg: &Msg) -> Option<(u64, TxId, Decision)> {
        if let Msg::Outcome { seq, tx, decision } = *msg { Some((seq, tx, decision)) } else { None }
    }
    fn vote_request(tx: TxId, participants: Vec<NodeId>, plan: VotePlan) -> Msg {
        Msg::Prepare { tx, participants, plan }
    }
    fn vote_msg(tx: TxId, vote: Vote) -> Msg {
        Msg::Vote { tx, vote }
    }
    fn client_retry() -> TwoPcTimer {
        TwoPcTimer::ClientRetry
    }
    fn votes_timer(tx: TxId) -> TwoPcTimer {
        TwoPcTimer::Votes(tx)
    }
    fn uncertain_timer(tx: TxId) -> TwoPcTimer {
        TwoPcTimer::Uncertain(tx)
    }
    fn yes_ppm(&self) -> Ppm {
        self.yes_ppm
    }
    fn vote_timeout_us(&self) -> Micros {
        self.vote_timeout_us
    }
    fn decision_timeout_us(&self) -> Micros {
        self.decision_timeout_us
    }
    fn client_timeout_us(&self) -> Micros {
        self.client_timeout_us
    }
    fn extra_view(&self, node: &TwoPcNode, v: &mut Value) {
        if !node.core.is_coordinator() {
            v["asking"] = json!(node.asking.iter().collect::<Vec<_>>());
        }
    }
}

#[cfg(test)]
mod tests;
