//! # Three-phase commit
//!
//! Skeen's three-phase commit ("Nonblocking commit protocols", SIGMOD 1981), with his
//! termination protocol and recovery, as Bernstein, Hadzilacos and Goodman present it
//! ("Concurrency Control and Recovery in Database Systems", 1987, section 7.5).
//!
//! **Why a third phase.** In 2PC a participant that voted Yes cannot tell, when the coordinator
//! falls silent, whether someone has already committed; so it blocks. 3PC inserts a round
//! between the votes and the decision: after a Yes from everyone the coordinator logs
//! `precommitted` and sends `PreCommit`; participants log it and acknowledge; only then does
//! the coordinator log `commit` and send `DoCommit`. This keeps the **non-blocking rule**: while
//! any operational participant is still uncertain (prepared), nobody has committed. So the
//! operational participants can always finish alone.
//!
//! **Timeouts.** The coordinator aborts if votes are missing in time, and commits if
//! pre-commit acknowledgements are missing (the silent participant is taken for crashed; it
//! will learn the decision when it recovers). A participant that voted Yes and hears nothing
//! more runs the termination protocol ([`termination`]): the operational participants elect a
//! backup coordinator, which gathers their states and decides — abort if all are uncertain,
//! commit (after pre-committing the uncertain ones) if any is pre-committed. Alone, that is the
//! classic per-participant rule: time out uncertain → abort; time out pre-committed → commit.
//!
//! **Recovery** ([`node::ThreePcNode::boot`]). A restarted coordinator aborts what it had not
//! pre-committed. Any node that restarts with `prepared` or `precommitted` and no decision may
//! not decide alone nor join an election — the survivors may have decided without it — so it
//! asks everyone (`DecisionRequest`) until someone knows.
//!
//! **The flaw.** The non-blocking argument assumes that a node that does not answer has
//! crashed. Under a network partition it may be alive on the other side: each side elects its
//! own coordinator, and the side holding a pre-committed participant commits while the side
//! holding only uncertain ones aborts. The checker reports the broken Atomicity; that is the
//! lesson of `scenarios/3pc-partition-flaw.json`, and why consensus-based commit (Paxos Commit,
//! Gray and Lamport 2006) replaced 3PC in practice. It also blocks, like 2PC, when every node has
//! crashed and restarted (total failure), since recovering nodes only ask.
//!
//! Timeouts must respect the network's delays for the argument to hold: the defaults assume
//! the default latency of 10-30 ms (a participant waits 600 ms, longer than the coordinator's
//! 200 ms for votes plus 200 ms for acknowledgements).

pub mod coordinator;
pub mod messages;
pub mod node;
pub mod participant;
pub mod termination;

use serde_json::Value;

pub use messages::{Msg, ThreePcTimer};
pub use node::{Term, ThreePcNode};

use super::protocol::commit_protocol;
use super::{Begin, CommitFamily, Core, Decision, PlantedBug, TxId, Vote, VotePlan, Wal};
use crate::sim::rng::{PPM_ONE, Ppm};
use crate::sim::{Ctx, Micros, NodeId, ms};

/// 3PC's configuration; also the [`crate::sim::Protocol`] value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreePc {
    /// Cluster size, N (node 1 coordinates, 2..=N participate): requests are checked against it.
    pub nodes: u32,
    /// The chance that a participant votes Yes when the request does not force its vote.
    pub yes_ppm: Ppm,
    /// How long the coordinator waits for votes before aborting.
    pub vote_timeout_us: Micros,
    /// How long the coordinator waits for pre-commit acknowledgements before committing.
    pub ack_timeout_us: Micros,
    /// How long a participant that voted Yes (or pre-committed) waits before the termination
    /// protocol; also how long it waits for an elected backup before electing again.
    pub decision_timeout_us: Micros,
    /// How long an electing participant waits for an `Alive`.
    pub election_timeout_us: Micros,
    /// How long a backup coordinator waits for states, and then for acknowledgements.
    pub gather_timeout_us: Micros,
    /// How often a recovering node asks for the decision.
    pub retry_us: Micros,
    /// How long a client waits for an outcome before asking again.
    pub client_timeout_us: Micros,
    /// A rule broken on purpose (tests and lessons only).
    pub planted_bug: Option<PlantedBug>,
}

impl Default for ThreePc {
    fn default() -> Self {
        ThreePc {
            nodes: 3,
            yes_ppm: PPM_ONE,
            vote_timeout_us: ms(200),
            ack_timeout_us: ms(200),
            decision_timeout_us: ms(600),
            election_timeout_us: ms(100),
            gather_timeout_us: ms(100),
            retry_us: ms(200),
            client_timeout_us: ms(1000),
            planted_bug: None,
        }
    }
}

commit_protocol!(ThreePc, "3pc", ThreePcNode, Msg, ThreePcTimer);

impl CommitFamily for ThreePc {
    fn core(node: &ThreePcNode) -> &Core {
        &node.core
    }
    fn core_mut(node: &mut ThreePcNode) -> &mut Core {
        &mut node.core
    }
    fn boot_node(&self, wal: &Wal, ctx: &mut Ctx<Self>) -> ThreePcNode {
        ThreePcNode::boot(wal, self, ctx)
    }
    fn on_server_message(&self, node: &mut ThreePcNode, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        node.on_message(from, msg, self, ctx);
    }
    fn on_server_timer(&self, node: &mut ThreePcNode, timer: ThreePcTimer, ctx: &mut Ctx<Self>) {
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
        Msg::CanCommit { tx, participants, plan }
    }
    fn vote_msg(tx: TxId, vote: Vote) -> Msg {
        Msg::Vote { tx, vote }
    }
    fn client_retry() -> ThreePcTimer {
        ThreePcTimer::ClientRetry
    }
    fn votes_timer(tx: TxId) -> ThreePcTimer {
        ThreePcTimer::Votes(tx)
    }
    fn uncertain_timer(tx: TxId) -> ThreePcTimer {
        ThreePcTimer::Uncertain(tx)
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
    fn extra_view(&self, node: &ThreePcNode, v: &mut Value) {
        let mut term: serde_json::Map<String, Value> = node.term.iter().map(|(tx, t)| (tx.to_string(), Value::from(t.to_string()))).collect();
        for tx in &node.recovering {
            term.insert(tx.to_string(), Value::from("recovering: asking"));
        }
        v["termination"] = Value::Object(term);
    }
}

#[cfg(test)]
mod tests;
