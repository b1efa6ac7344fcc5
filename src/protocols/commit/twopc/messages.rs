//! Two-phase commit's messages and timers.

use std::fmt;

use serde::Serialize;

use crate::protocols::commit::{Begin, Decision, TxId, TxMessage, Vote, VotePlan};
use crate::sim::{Detail, Message, NodeId, Timer};

/// A 2PC message. The sender travels in the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Client to coordinator: run a transaction (request number `seq` of that client).
    Begin { seq: u64, request: Begin },
    /// Coordinator to client: the outcome of request `seq`.
    Outcome { seq: u64, tx: TxId, decision: Decision },
    /// Phase 1, coordinator to each participant: vote on `tx` (Bernstein et al.'s VOTE-REQ),
    /// naming every participant for the termination protocol, with this participant's plan.
    Prepare { tx: TxId, participants: Vec<NodeId>, plan: VotePlan },
    /// A participant's vote.
    Vote { tx: TxId, vote: Vote },
    /// Phase 2: the decision is commit.
    Commit { tx: TxId },
    /// Phase 2: the decision is abort.
    Abort { tx: TxId },
    /// A participant has logged the decision.
    Ack { tx: TxId },
    /// Cooperative termination: an uncertain participant asks everyone for the decision.
    DecisionRequest { tx: TxId },
    /// The answer of a node that knows it (or a participant that had not voted and so aborts).
    DecisionReply { tx: TxId, decision: Decision },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Begin { .. } => "Begin",
            Msg::Outcome { .. } => "Outcome",
            Msg::Prepare { .. } => "Prepare",
            Msg::Vote { .. } => "Vote",
            Msg::Commit { .. } => "Commit",
            Msg::Abort { .. } => "Abort",
            Msg::Ack { .. } => "Ack",
            Msg::DecisionRequest { .. } => "DecisionRequest",
            Msg::DecisionReply { .. } => "DecisionReply",
        }
    }
}

/// The message types servers send (what `"when": {"sends": ...}` may name).
pub const SERVER_KINDS: &[&str] = &["Prepare", "Vote", "Commit", "Abort", "Ack", "DecisionRequest", "DecisionReply", "Outcome"];

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Begin { seq, request } => write!(f, "Begin #{seq} \"{request}\""),
            Msg::Outcome { seq, tx, decision } => {
                write!(f, "Outcome #{seq} T{tx} {}", decision.as_str())
            }
            Msg::Prepare { tx, plan, .. } => write!(f, "Prepare T{tx} plan={plan}"),
            Msg::Vote { tx, vote } => write!(f, "Vote T{tx} {}", vote.as_str()),
            Msg::Commit { tx } => write!(f, "Commit T{tx}"),
            Msg::Abort { tx } => write!(f, "Abort T{tx}"),
            Msg::Ack { tx } => write!(f, "Ack T{tx}"),
            Msg::DecisionRequest { tx } => write!(f, "DecisionRequest T{tx}"),
            Msg::DecisionReply { tx, decision } => {
                write!(f, "DecisionReply T{tx} {}", decision.as_str())
            }
        }
    }
}

impl TxMessage for Msg {
    fn tx(&self) -> Option<TxId> {
        match *self {
            Msg::Begin { ref request, .. } => request.id,
            Msg::Outcome { tx, .. }
            | Msg::Prepare { tx, .. }
            | Msg::Vote { tx, .. }
            | Msg::Commit { tx }
            | Msg::Abort { tx }
            | Msg::Ack { tx }
            | Msg::DecisionRequest { tx }
            | Msg::DecisionReply { tx, .. } => Some(tx),
        }
    }

    fn answer(&self) -> Option<&'static str> {
        match self {
            Msg::Vote { vote, .. } => Some(vote.as_str()),
            Msg::DecisionReply { decision, .. } | Msg::Outcome { decision, .. } => Some(decision.as_str()),
            _ => None,
        }
    }
}

/// 2PC's timers, one of each kind per transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TwoPcTimer {
    /// Coordinator: votes are missing; abort.
    Votes(TxId),
    /// Coordinator: some participants have not acknowledged the decision; send it again.
    Resend(TxId),
    /// Participant: voted Yes and heard no decision; ask the others (and again, periodically).
    Uncertain(TxId),
    /// Client: no outcome yet; ask again.
    ClientRetry,
}

impl Timer for TwoPcTimer {
    fn words(&self) -> Detail {
        match self {
            TwoPcTimer::Votes(tx) => Detail::new("votes T{tx}", &[("tx", tx)]),
            TwoPcTimer::Resend(tx) => Detail::new("resend T{tx}", &[("tx", tx)]),
            TwoPcTimer::Uncertain(tx) => Detail::new("uncertain T{tx}", &[("tx", tx)]),
            TwoPcTimer::ClientRetry => Detail::plain("client-retry"),
        }
    }
}

impl fmt::Display for TwoPcTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
