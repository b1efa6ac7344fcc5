//! # Atomic commitment: two-phase and three-phase commit
//!
//! A transaction touches data on several servers; atomic commitment makes them all commit it or
//! all abort it, although any of them may crash and messages may be lost. Node 1 is the
//! **coordinator**; nodes 2..=N are the **participants** (2 to 9 of them), and every transaction
//! involves all of them. A client starts a transaction by sending `Begin` to the coordinator and
//! hears its outcome back.
//!
//! The problem, as Bernstein, Hadzilacos and Goodman state it ("Concurrency Control and
//! Recovery in Database Systems", 1987, chapter 7), asks for:
//!
//! - **AC1, Atomicity**: all processes that reach a decision reach the same one;
//! - **AC2, Stability**: a process cannot reverse its decision after it has reached one;
//! - **AC3, Validity**: the decision is Commit only if all processes voted Yes;
//! - **AC4/AC5**: with no failures and all votes Yes, the decision is Commit; and once failures
//!   are repaired and none occur for long enough, every process eventually decides.
//!
//! [`checker::CommitChecker`] verifies the first three after every event, from outside the
//! nodes; the fourth and fifth are liveness, shown as figures instead: per participant, how long
//! it was **blocked** (voted Yes and did not know the decision, holding the transaction's locks).
//!
//! **Two protocols.** [`twopc`] is Gray's two-phase commit (1978) with Bernstein et al.'s
//! cooperative termination protocol: safe under any failure, but a participant that voted Yes
//! and lost touch with the coordinator *blocks* until it can learn the decision. [`threepc`] is
//! Skeen's three-phase commit ("Nonblocking commit protocols", 1981): an extra round
//! (pre-commit) guarantees that while any operational process is uncertain, nobody has
//! committed, so the operational participants can elect a new coordinator and finish without the
//! old one. That argument needs timeouts that never lie — crashes only, bounded delays — and a
//! network partition breaks it: the two sides decide differently, which the checker reports.
//!
//! **Write-ahead log.** Every state change that a message depends on is appended to the node's
//! log ([`wal`]) and forced to stable storage ([`crate::sim::Ctx::persist`]) before the message
//! is sent. A crash loses everything else; a restarted node rebuilds its transaction table by
//! replaying the log ([`tx::Table`]), so recovery reads what the node really had written. The
//! records follow Bernstein et al.: the coordinator's `start` (with the participants), each
//! participant's `prepared` (its Yes vote) or `voted-no`, `precommitted` (3PC), `commit`,
//! `abort`, and the coordinator's `end` once every participant has acknowledged (2PC).
//!
//! **What the two share.** Both run on the same [`Core`] (log, table, the coordinator's
//! bookkeeping), open a transaction and vote the same way ([`coordinator`], [`participant`]),
//! and have the same client, checker and views; they meet the engine through the same impls
//! ([`protocol`]). [`CommitFamily`] is what each plugs into those. Their own folders hold what
//! differs: what follows the votes, the termination protocols and the recovery rules.
//!
//! **Votes.** A `begin` request may force some participants' votes (`{"3": "no"}`) and give the
//! others a probability of voting Yes. The coordinator passes each participant its plan in the
//! vote request, standing in for the transaction's work succeeding or failing there; a chance is
//! drawn from the participant's own seeded stream ([`crate::sim::Ctx::rng`]), so runs replay.

pub mod checker;
pub mod client;
pub mod coordinator;
pub mod core;
#[cfg(test)]
mod harness;
pub mod participant;
pub mod protocol;
pub mod request;
pub mod threepc;
pub mod twopc;
pub mod tx;
pub mod view;
pub mod wal;

use std::fmt;

use serde::Serialize;

pub use checker::CommitChecker;
pub use client::CommitClient;
pub use core::Core;
pub use request::{Begin, VotePlan};
pub use tx::{Table, Tx};
pub use wal::{Entry, Record, Wal};

use crate::sim::rng::Ppm;
use crate::sim::{Checked, ClientId, Ctx, Detail, Micros, NodeId, Note, Protocol};

/// A transaction's id, 1.. (shown as T1, T2, ...).
pub type TxId = u64;

/// What views show of a commit protocol's message, read from its fields rather than its text.
pub trait TxMessage: crate::sim::Message {
    /// The transaction it is about (for a client's request, the one it names, if it does).
    fn tx(&self) -> Option<TxId>;
    /// The answer it carries, in the trace's word (`yes`, `commit`, `precommitted`), if it is
    /// an answer: a vote, a decision or a state.
    fn answer(&self) -> Option<&'static str>;
}

/// The coordinator's node id: node 1 in every cluster.
pub const COORDINATOR: NodeId = 1;

/// The participants of a cluster of `nodes` servers: every node but the coordinator.
pub fn participants(nodes: u32) -> Vec<NodeId> {
    (COORDINATOR + 1..=nodes).collect()
}

/// A participant's vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    /// Ready to commit: the work is done and logged, locks are held.
    Yes,
    /// Cannot commit: the transaction must abort.
    No,
}

impl Vote {
    /// The word used in files, views and traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Yes => "yes",
            Vote::No => "no",
        }
    }
}

/// The outcome of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Every participant makes the transaction's effects permanent.
    Commit,
    /// Every participant undoes them.
    Abort,
}

impl Decision {
    /// The word used in reports and traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Commit => "commit",
            Decision::Abort => "abort",
        }
    }
    /// The state a node is in once it has reached this decision.
    pub fn state(self) -> TxState {
        match self {
            Decision::Commit => TxState::Committed,
            Decision::Abort => TxState::Aborted,
        }
    }
}

/// Where a node stands in one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TxState {
    /// Not voted yet (a participant), or collecting votes (the coordinator).
    Init,
    /// Voted Yes and does not know the decision: uncertain, holding locks.
    Prepared,
    /// 3PC: knows every participant voted Yes; still holding locks, no decision yet.
    PreCommitted,
    /// Decided Commit.
    Committed,
    /// Decided Abort.
    Aborted,
}

impl TxState {
    /// The word used in views and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TxState::Init => "init",
            TxState::Prepared => "prepared",
            TxState::PreCommitted => "precommitted",
            TxState::Committed => "committed",
            TxState::Aborted => "aborted",
        }
    }
    /// The decision this state embodies, if any.
    pub fn decision(self) -> Option<Decision> {
        match self {
            TxState::Committed => Some(Decision::Commit),
            TxState::Aborted => Some(Decision::Abort),
            _ => None,
        }
    }
}

/// A deliberately wrong rule, for showing that the checker catches what it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PlantedBug {
    /// A participant that voted Yes and hears nothing commits on its own when its timer fires,
    /// instead of running the termination protocol.
    CommitOnTimeout,
}

/// What a commit protocol plugs into the parts both protocols share: the client, the checker,
/// the views, the coordinator's and the participant's openings ([`Core::begin`],
/// [`Core::tally`], [`Core::vote`]) and the engine's traits, which [`protocol`] writes from
/// these. Its messages and timers are its own types, so the shared code builds and
/// reads the ones both protocols have through the constructors below; the handlers that differ
/// (the rest of phase 2, 3PC's pre-commit, termination, recovery) stay with the node.
pub trait CommitFamily: Protocol<Note = CommitNote, Durable = Wal, Client = CommitClient, Request = Begin> + Checked<Checker = CommitChecker> {
    /// The log and transaction table of a running node.
    fn core(node: &Self::Node) -> &Core;
    /// The same, to change.
    fn core_mut(node: &mut Self::Node) -> &mut Core;
    /// A node booting from its stable storage: what it does about the transactions its log
    /// left undecided is the protocol's recovery rule.
    fn boot_node(&self, wal: &Wal, ctx: &mut Ctx<Self>) -> Self::Node;
    /// A message from another server (a client's `Begin` goes to [`Core::begin`] instead).
    fn on_server_message(&self, node: &mut Self::Node, from: NodeId, msg: Self::Msg, ctx: &mut Ctx<Self>);
    /// One of the node's timers fired.
    fn on_server_timer(&self, node: &mut Self::Node, timer: Self::Timer, ctx: &mut Ctx<Self>);
    /// A client's `Begin` message.
    fn begin_msg(seq: u64, request: Begin) -> Self::Msg;
    /// The request number and request of a `Begin` message; `None` for any other.
    fn begin_of(msg: Self::Msg) -> Option<(u64, Begin)>;
    /// The coordinator's answer to a client: the outcome of its request `seq`.
    fn outcome_msg(seq: u64, tx: TxId, decision: Decision) -> Self::Msg;
    /// The request number, transaction and decision of an `Outcome` message; `None` for any
    /// other.
    fn outcome_of(msg: &Self::Msg) -> Option<(u64, TxId, Decision)>;
    /// Phase 1's request for a vote (2PC's `Prepare`, 3PC's `CanCommit`).
    fn vote_request(tx: TxId, participants: Vec<NodeId>, plan: VotePlan) -> Self::Msg;
    /// A participant's vote.
    fn vote_msg(tx: TxId, vote: Vote) -> Self::Msg;
    /// The client's retry timer.
    fn client_retry() -> Self::Timer;
    /// The coordinator's timer for votes still missing.
    fn votes_timer(tx: TxId) -> Self::Timer;
    /// The timer of a participant that voted Yes and waits for what comes next.
    fn uncertain_timer(tx: TxId) -> Self::Timer;
    /// The chance that a participant votes Yes when the request does not force its vote.
    fn yes_ppm(&self) -> Ppm;
    /// How long the coordinator waits for votes.
    fn vote_timeout_us(&self) -> Micros;
    /// How long a participant that voted Yes waits before it acts on its own.
    fn decision_timeout_us(&self) -> Micros;
    /// How long a client waits for an outcome before asking again.
    fn client_timeout_us(&self) -> Micros;
    /// A node's view items proper to the protocol (its termination state).
    fn extra_view(&self, node: &Self::Node, view: &mut serde_json::Value);
}

/// A state change worth a trace line, shared by both protocols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitNote {
    /// The coordinator logged `start` and asks for votes.
    Started { tx: TxId, origin: Option<(ClientId, u64)> },
    /// A participant voted.
    Voted { tx: TxId, vote: Vote },
    /// Logged `precommitted` (3PC).
    PreCommitted { tx: TxId },
    /// Logged a decision.
    Decided { tx: TxId, decision: Decision },
    /// A participant that voted Yes timed out and starts the termination protocol.
    Blocked { tx: TxId },
    /// Restarted with the transaction undecided in its log.
    Recovering { tx: TxId, state: TxState },
    /// 3PC: starts an election for a new coordinator.
    Electing { tx: TxId },
    /// 3PC: became the new (backup) coordinator.
    Backup { tx: TxId },
    /// 3PC: a backup coordinator defers to a lower-numbered one.
    StepDown { tx: TxId, to: NodeId },
    /// A `begin` reached a node that is not the coordinator.
    NotCoordinator,
    /// A `begin` named a transaction that already exists: its outcome will be reported.
    Known { tx: TxId },
    /// A message the protocol cannot honour (a commit for a transaction never voted on).
    Refused { tx: TxId, what: Refusal },
    /// The planted bug acted.
    PlantedBug { tx: TxId },
}

/// Why a participant refused a message ([`CommitNote::Refused`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A commit for a transaction it never voted yes on.
    CommitNeverVoted,
    /// A pre-commit for a transaction it never voted yes on (3PC).
    PreCommitNeverVoted,
    /// A decision contrary to the one it already knows.
    Conflicting,
}

impl Note for CommitNote {
    fn kind(&self) -> &'static str {
        match self {
            CommitNote::Started { .. } => "begin",
            CommitNote::Voted { .. } => "vote",
            CommitNote::PreCommitted { .. } => "precommit",
            CommitNote::Decided { decision: Decision::Commit, .. } => "commit",
            CommitNote::Decided { decision: Decision::Abort, .. } => "abort",
            CommitNote::Blocked { .. } => "blocked",
            CommitNote::Recovering { .. } => "recovering",
            CommitNote::Electing { .. } => "electing",
            CommitNote::Backup { .. } => "backup",
            CommitNote::StepDown { .. } => "step-down",
            CommitNote::NotCoordinator => "not-coordinator",
            CommitNote::Known { .. } => "known",
            CommitNote::Refused { .. } => "refused",
            CommitNote::PlantedBug { .. } => "planted-bug",
        }
    }

    fn words(&self) -> Detail {
        match self {
            CommitNote::Started { tx, origin: Some((c, seq)) } => Detail::new("T{tx} started for C{c} #{seq}", &[("tx", tx), ("c", c), ("seq", seq)]),
            CommitNote::Started { tx, origin: None } => Detail::new("T{tx} started", &[("tx", tx)]),
            CommitNote::Voted { tx, vote: Vote::Yes } => Detail::new("T{tx} votes yes", &[("tx", tx)]),
            CommitNote::Voted { tx, vote: Vote::No } => Detail::new("T{tx} votes no", &[("tx", tx)]),
            CommitNote::PreCommitted { tx } => Detail::new("T{tx} precommitted", &[("tx", tx)]),
            CommitNote::Decided { tx, decision: Decision::Commit } => Detail::new("T{tx} committed", &[("tx", tx)]),
            CommitNote::Decided { tx, decision: Decision::Abort } => Detail::new("T{tx} aborted", &[("tx", tx)]),
            CommitNote::Blocked { tx } => Detail::new("T{tx} uncertain: asking the others", &[("tx", tx)]),
            // The state as the write-ahead log writes it: notation, the same in every language.
            CommitNote::Recovering { tx, state } => Detail::new("T{tx} recovering, {state} in the log", &[("tx", tx), ("state", &state.as_str())]),
            CommitNote::Electing { tx } => Detail::new("T{tx} electing a new coordinator", &[("tx", tx)]),
            CommitNote::Backup { tx } => Detail::new("T{tx} new coordinator", &[("tx", tx)]),
            CommitNote::StepDown { tx, to } => Detail::new("T{tx} defers to S{to}", &[("tx", tx), ("to", to)]),
            CommitNote::NotCoordinator => Detail::plain("not the coordinator: begin refused"),
            CommitNote::Known { tx } => Detail::new("T{tx} already exists: its outcome will be reported", &[("tx", tx)]),
            CommitNote::Refused { tx, what: Refusal::CommitNeverVoted } => Detail::new("T{tx} commit refused: never voted yes", &[("tx", tx)]),
            CommitNote::Refused { tx, what: Refusal::PreCommitNeverVoted } => Detail::new("T{tx} pre-commit refused: never voted yes", &[("tx", tx)]),
            CommitNote::Refused { tx, what: Refusal::Conflicting } => Detail::new("T{tx} conflicting decision ignored", &[("tx", tx)]),
            CommitNote::PlantedBug { tx } => Detail::new("T{tx} PLANTED BUG: commits on timeout while uncertain", &[("tx", tx)]),
        }
    }
}

impl fmt::Display for CommitNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
