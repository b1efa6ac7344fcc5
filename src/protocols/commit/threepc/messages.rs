//! Three-phase commit's messages and timers.

use std::fmt;

use serde::Serialize;

use crate::protocols::commit::{Begin, Decision, TxId, TxMessage, TxState, Vote, VotePlan};
use crate::sim::{Detail, Message, NodeId, Timer};

/// A 3PC message. The sender travels in the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Client to coordinator: run a transaction (request number `seq` of that client).
    Begin { seq: u64, request: Begin },
    /// Coordinator to client: the outcome of request `seq`.
    Outcome { seq: u64, tx: TxId, decision: Decision },
    /// Phase 1: can you commit `tx`? Names every participant, with this one's plan.
    CanCommit { tx: TxId, participants: Vec<NodeId>, plan: VotePlan },
    /// A participant's vote.
    Vote { tx: TxId, vote: Vote },
    /// Phase 2: everyone voted Yes; be ready to commit (from the coordinator or a backup).
    PreCommit { tx: TxId },
    /// A participant has logged `precommitted`.
    Ack { tx: TxId },
    /// Phase 3: commit.
    DoCommit { tx: TxId },
    /// Abort.
    Abort { tx: TxId },
    /// Termination, election (bully): a participant that timed out asks the lower-numbered
    /// ones whether they are alive.
    Elect { tx: TxId },
    /// Election: "I am alive and lower-numbered: leave it to me."
    Alive { tx: TxId },
    /// A backup coordinator asks for a participant's state.
    StateRequest { tx: TxId },
    /// A participant's state, for the backup coordinator.
    StateReply { tx: TxId, state: TxState },
    /// A recovering node asks everyone for the decision.
    DecisionRequest { tx: TxId },
    /// The answer of a node that knows it.
    DecisionReply { tx: TxId, decision: Decision },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Begin { .. } => "Begin",
            Msg::Outcome { .. } => "Outcome",
            Msg::CanCommit { .. } => "CanCommit",
            Msg::Vote { .. } => "Vote",
            Msg::PreCommit { .. } => "PreCommit",
            Msg::Ack { .. } => "Ack",
            Msg::DoCommit { .. } => "DoCommit",
            Msg::Abort { .. } => "Abort",
            Msg::Elect { .. } => "Elect",
            Msg::Alive { .. } => "Alive",
            Msg::StateRequest { .. } => "StateRequest",
            Msg::StateReply { .. } => "StateReply",
            Msg::DecisionRequest { .. } => "DecisionRequest",
            Msg::DecisionReply { .. } => "DecisionReply",
        }
    }
}

/// The message types servers send (what `"when": {"sends": ...}` may name).
pub const SERVER_KINDS: &[&str] = &["CanCommit", "Vote", "PreCommit", "Ack", "DoCommit", "Abort", "Elect", "Alive", "StateRequest", "StateReply", "DecisionRequest", "DecisionReply", "Outcome"];

impl TxMessage for Msg {
    fn tx(&self) -> Option<TxId> {
        match *self {
            Msg::Begin { ref request, .. } => request.id,
            Msg::Outcome { tx, .. }
            | Msg::CanCommit { tx, .. }
            | Msg::Vote { tx, .. }
            | Msg::PreCommit { tx }
            | Msg::Ack { tx }
            | Msg::DoCommit { tx }
            | Msg::Abort { tx }
            | Msg::Elect { tx }
            | Msg::Alive { tx }
            | Msg::StateRequest { tx }
            | Msg::StateReply { tx, .. }
            | Msg::DecisionRequest { tx }
            | Msg::DecisionReply { tx, .. } => Some(tx),
        }
    }

    fn answer(&self) -> Option<&'static str> {
        match self {
            Msg::Vote { vote, .. } => Some(vote.as_str()),
            Msg::StateReply { state, .. } => Some(state.as_str()),
            Msg::DecisionReply { decision, .. } | Msg::Outcome { decision, .. } => Some(decision.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Begin { seq, request } => write!(f, "Begin #{seq} \"{request}\""),
            Msg::Outcome { seq, tx, decision } => {
                write!(f, "Outcome #{seq} T{tx} {}", decision.as_str())
            }
            Msg::CanCommit { tx, plan, .. } => write!(f, "CanCommit T{tx} plan={plan}"),
            Msg::Vote { tx, vote } => write!(f, "Vote T{tx} {}", vote.as_str()),
            Msg::PreCommit { tx } => write!(f, "PreCommit T{tx}"),
            Msg::Ack { tx } => write!(f, "Ack T{tx}"),
            Msg::DoCommit { tx } => write!(f, "DoCommit T{tx}"),
            Msg::Abort { tx } => write!(f, "Abort T{tx}"),
            Msg::Elect { tx } => write!(f, "Elect T{tx}"),
            Msg::Alive { tx } => write!(f, "Alive T{tx}"),
            Msg::StateRequest { tx } => write!(f, "StateRequest T{tx}"),
            Msg::StateReply { tx, state } => write!(f, "StateReply T{tx} {}", state.as_str()),
            Msg::DecisionRequest { tx } => write!(f, "DecisionRequest T{tx}"),
            Msg::DecisionReply { tx, decision } => {
                write!(f, "DecisionReply T{tx} {}", decision.as_str())
            }
        }
    }
}

/// 3PC's timers, one of each kind per transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ThreePcTimer {
    /// Coordinator: votes are missing; abort.
    Votes(TxId),
    /// Coordinator: pre-commit acknowledgements are missing; commit anyway (a silent
    /// participant has crashed, and will learn the decision when it recovers).
    Acks(TxId),
    /// Participant: voted Yes (or pre-committed) and heard nothing more; start the termination
    /// protocol.
    Uncertain(TxId),
    /// Termination: waiting for an election answer, or for the elected backup to act.
    Election(TxId),
    /// Backup coordinator: stop waiting for states and decide.
    Gather(TxId),
    /// Backup coordinator: pre-commit acknowledgements are missing; commit anyway.
    BackupAcks(TxId),
    /// Recovering node: ask for the decision again.
    Ask(TxId),
    /// Client: no outcome yet; ask again.
    ClientRetry,
}

impl Timer for ThreePcTimer {
    fn words(&self) -> Detail {
        match self {
            ThreePcTimer::Votes(tx) => Detail::new("votes T{tx}", &[("tx", tx)]),
            ThreePcTimer::Acks(tx) => Detail::new("acks T{tx}", &[("tx", tx)]),
            ThreePcTimer::Uncertain(tx) => Detail::new("uncertain T{tx}", &[("tx", tx)]),
            ThreePcTimer::Election(tx) => Detail::new("election T{tx}", &[("tx", tx)]),
            ThreePcTimer::Gather(tx) => Detail::new("gather T{tx}", &[("tx", tx)]),
            ThreePcTimer::BackupAcks(tx) => Detail::new("backup-acks T{tx}", &[("tx", tx)]),
            ThreePcTimer::Ask(tx) => Detail::new("ask T{tx}", &[("tx", tx)]),
            ThreePcTimer::ClientRetry => Detail::plain("client-retry"),
        }
    }
}

impl fmt::Display for ThreePcTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
