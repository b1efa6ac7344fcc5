//! Single-decree Paxos's messages (the four of Paxos Made Simple plus a refusal, an
//! announcement, a learner's question and client traffic), timers and notes.

use std::fmt;

use serde::Serialize;

use super::super::ballot::Ballot;
use crate::sim::{Detail, Mark, Message, Note, Timer};

/// A message. The sender travels in the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Phase 1a: "prepare request with number n".
    Prepare { ballot: Ballot },
    /// Phase 1b: a promise not to accept anything below `ballot`, with the highest-ballot
    /// proposal this acceptor accepted, if any.
    Promise { ballot: Ballot, accepted: Option<(Ballot, String)> },
    /// Phase 2a: "accept request with number n and value v".
    Accept { ballot: Ballot, value: String },
    /// Phase 2b: the acceptor accepted; sent to the proposer and to learners.
    Accepted { ballot: Ballot, value: String },
    /// A refusal of a prepare or accept in `ballot`: the acceptor promised `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// `value` is chosen: from a proposer that saw its value chosen, to the learners (with
    /// `"announce": "proposer"`); or from any server that knows, to a learner that asked.
    Decide { value: String },
    /// A learner that does not know the outcome asks what the others know (section 2.3): a
    /// server that knows answers Decide, an acceptor that accepted a proposal answers Accepted.
    Ask,
    /// A client asks a proposer to propose a value.
    Propose { seq: u64, value: String },
    /// The proposer tells the client which value was chosen.
    Chosen { seq: u64, value: String },
}

impl Msg {
    /// The highest ballot a message of a round names (a Nack's promise is above its ballot).
    pub fn ballot(&self) -> Option<Ballot> {
        match self {
            Msg::Prepare { ballot } | Msg::Promise { ballot, .. } | Msg::Accept { ballot, .. } | Msg::Accepted { ballot, .. } => Some(*ballot),
            Msg::Nack { ballot, promised } => Some((*ballot).max(*promised)),
            Msg::Decide { .. } | Msg::Ask | Msg::Propose { .. } | Msg::Chosen { .. } => None,
        }
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
            Msg::Decide { .. } => "Decide",
            Msg::Ask => "Ask",
            Msg::Propose { .. } => "Propose",
            Msg::Chosen { .. } => "Chosen",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare { ballot } => write!(f, "Prepare b={ballot}"),
            Msg::Promise { ballot, accepted: None } => write!(f, "Promise b={ballot} accepted=none"),
            Msg::Promise { ballot, accepted: Some((ab, v)) } => write!(f, "Promise b={ballot} accepted={v}@{ab}"),
            Msg::Accept { ballot, value } => write!(f, "Accept b={ballot} v={value}"),
            Msg::Accepted { ballot, value } => write!(f, "Accepted b={ballot} v={value}"),
            Msg::Nack { ballot, promised } => write!(f, "Nack b={ballot} promised={promised}"),
            Msg::Decide { value } => write!(f, "Decide v={value}"),
            Msg::Ask => write!(f, "Ask"),
            Msg::Propose { seq, value } => write!(f, "Propose #{seq} v={value}"),
            Msg::Chosen { seq, value } => write!(f, "Chosen #{seq} v={value}"),
        }
    }
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PaxosTimer {
    /// A proposer's round did not end with a chosen value in time: start a higher one.
    Retry,
    /// A client waited too long for a proposer.
    ClientRetry,
    /// A learner heard of no new ballot for a while and still does not know the outcome: it
    /// asks.
    CatchUp,
}

impl Timer for PaxosTimer {
    fn words(&self) -> Detail {
        match self {
            PaxosTimer::Retry => Detail::plain("retry"),
            PaxosTimer::ClientRetry => Detail::plain("client-retry"),
            PaxosTimer::CatchUp => Detail::plain("catch-up"),
        }
    }
}

impl fmt::Display for PaxosTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// State changes worth a trace line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaxosNote {
    /// A proposer started a round (sent prepares).
    Round { ballot: Ballot },
    /// A proposer has a majority of promises and proposes `value`; `adopted` when the value
    /// came from a promise rather than its own.
    Propose { ballot: Ballot, value: String, adopted: bool },
    /// A proposer's round was refused.
    Preempted { ballot: Ballot, by: Ballot },
    /// A learner learned the chosen value.
    Learned { value: String },
    /// A request was handed to a server that is not a proposer.
    NotProposer,
}

impl Note for PaxosNote {
    fn kind(&self) -> &'static str {
        match self {
            PaxosNote::Round { .. } => "round",
            PaxosNote::Propose { .. } => "propose",
            PaxosNote::Preempted { .. } => "preempted",
            PaxosNote::Learned { .. } => "learned",
            PaxosNote::NotProposer => "not-proposer",
        }
    }

    fn mark(&self) -> Option<Mark> {
        match self {
            PaxosNote::Learned { value } => Some(Mark::Learned(value.clone())),
            _ => None,
        }
    }

    fn words(&self) -> Detail {
        match self {
            PaxosNote::Round { ballot } => Detail::new("round b={ballot}", &[("ballot", ballot)]),
            PaxosNote::Propose { ballot, value, adopted: true } => Detail::new("propose b={ballot} v={value} (adopted from a promise)", &[("ballot", ballot), ("value", value)]),
            PaxosNote::Propose { ballot, value, adopted: false } => Detail::new("propose b={ballot} v={value}", &[("ballot", ballot), ("value", value)]),
            PaxosNote::Preempted { ballot, by } => Detail::new("preempted b={ballot} by {by}", &[("ballot", ballot), ("by", by)]),
            PaxosNote::Learned { value } => Detail::new("learned v={value}", &[("value", value)]),
            PaxosNote::NotProposer => Detail::plain("not a proposer: request refused"),
        }
    }
}

impl fmt::Display for PaxosNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
