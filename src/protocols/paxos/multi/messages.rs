//! Multi-Paxos's messages, timers and notes.

use std::fmt;

use serde::Serialize;

use super::super::ballot::Ballot;
use crate::protocols::kv::{Answer, ClientOutcome, Command};
use crate::sim::{ClientId, Detail, Mark, Message, Note, Timer};

/// A log entry: a command, and the client request it carries (so a retried request applies
/// once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The command (`noop` for a gap the leader filled).
    pub command: Command,
    /// The client and its request number, if a client sent it.
    pub origin: Option<(ClientId, u64)>,
}

impl Entry {
    /// A leader's filler for a slot nobody accepted anything in.
    pub fn noop() -> Self {
        Entry { command: Command::Noop, origin: None }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            Some((c, seq)) => write!(f, "\"{}\" (C{c}#{seq})", self.command),
            None => write!(f, "\"{}\"", self.command),
        }
    }
}

/// A message. The sender travels in the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Phase 1a for every slot from `from_slot` on, at once.
    Prepare { ballot: Ballot, from_slot: u64 },
    /// Phase 1b: the promise, with every proposal accepted from `from_slot` on.
    Promise { ballot: Ballot, accepted: Vec<(u64, Ballot, Entry)> },
    /// Phase 2a for one slot; `commit` is the leader's decided prefix (decisions ride along).
    Accept { ballot: Ballot, slot: u64, entry: Entry, commit: u64 },
    /// Phase 2b, to the leader.
    Accepted { ballot: Ballot, slot: u64 },
    /// A refusal: the acceptor promised `promised`, above `ballot`.
    Nack { ballot: Ballot, promised: Ballot },
    /// The leader is alive; its decided prefix.
    Heartbeat { ballot: Ballot, commit: u64 },
    /// A follower lacks decided slots from `from` on.
    Behind { ballot: Ballot, from: u64 },
    /// Decided slots, for a follower that is behind.
    Decide { entries: Vec<(u64, Entry)> },
    /// A client's command, numbered per client.
    ClientRequest { seq: u64, command: Command },
    /// The answer to a client.
    ClientReply { seq: u64, outcome: ClientOutcome },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::Behind { .. } => "Behind",
            Msg::Decide { .. } => "Decide",
            Msg::ClientRequest { .. } => "ClientRequest",
            Msg::ClientReply { .. } => "ClientReply",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare { ballot, from_slot } => write!(f, "Prepare b={ballot} from={from_slot}"),
            Msg::Promise { ballot, accepted } => {
                write!(f, "Promise b={ballot} accepted={}", accepted.len())
            }
            Msg::Accept { ballot, slot, entry, commit } => write!(f, "Accept b={ballot} slot={slot} {entry} commit={commit}"),
            Msg::Accepted { ballot, slot } => write!(f, "Accepted b={ballot} slot={slot}"),
            Msg::Nack { ballot, promised } => write!(f, "Nack b={ballot} promised={promised}"),
            Msg::Heartbeat { ballot, commit } => write!(f, "Heartbeat b={ballot} commit={commit}"),
            Msg::Behind { ballot, from } => write!(f, "Behind b={ballot} from={from}"),
            Msg::Decide { entries } => write!(f, "Decide slots={}", entries.len()),
            Msg::ClientRequest { seq, command } => write!(f, "ClientRequest #{seq} \"{command}\""),
            Msg::ClientReply { seq, outcome: ClientOutcome::Done(r) } => write!(f, "ClientReply #{seq} {r}"),
            Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(Some(h)) } => write!(f, "ClientReply #{seq} not-leader hint=S{h}"),
            Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(None) } => write!(f, "ClientReply #{seq} not-leader"),
        }
    }
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum MpTimer {
    /// No word from a leader: run phase 1 with a higher ballot.
    Election,
    /// A leader's idle interval.
    Heartbeat,
    /// A client waited too long.
    ClientRetry,
}

impl Timer for MpTimer {
    fn words(&self) -> Detail {
        match self {
            MpTimer::Election => Detail::plain("election"),
            MpTimer::Heartbeat => Detail::plain("heartbeat"),
            MpTimer::ClientRetry => Detail::plain("client-retry"),
        }
    }
}

impl fmt::Display for MpTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// State changes worth a trace line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MpNote {
    /// Started phase 1.
    Candidate { ballot: Ballot },
    /// Won phase 1: re-proposes `recovered` accepted values, fills `noops` gaps.
    Leader { ballot: Ballot, recovered: usize, noops: usize },
    /// Follows a higher ballot.
    Follower { ballot: Ballot },
    /// Learned a slot's value.
    Learned { slot: u64 },
    /// Refused a request handed to it directly, not being the leader.
    NotLeader,
    /// A client got its answer.
    Answered { seq: u64, result: Answer },
}

impl Note for MpNote {
    fn kind(&self) -> &'static str {
        match self {
            MpNote::Candidate { .. } => "candidate",
            MpNote::Leader { .. } => "leader",
            MpNote::Follower { .. } => "follower",
            MpNote::Learned { .. } => "learned",
            MpNote::NotLeader => "not-leader",
            MpNote::Answered { .. } => "answered",
        }
    }

    fn mark(&self) -> Option<Mark> {
        match self {
            MpNote::Leader { ballot, .. } => Some(Mark::Leader(format!("b{ballot}"))),
            _ => None,
        }
    }

    fn words(&self) -> Detail {
        match self {
            MpNote::Candidate { ballot } => Detail::new("candidate b={ballot}", &[("ballot", ballot)]),
            MpNote::Leader { ballot, recovered, noops } => Detail::new("leader b={ballot} recovered={recovered} noops={noops}", &[("ballot", ballot), ("recovered", recovered), ("noops", noops)]),
            MpNote::Follower { ballot } => Detail::new("follower b={ballot}", &[("ballot", ballot)]),
            MpNote::Learned { slot } => Detail::new("learned slot={slot}", &[("slot", slot)]),
            MpNote::NotLeader => Detail::plain("not leader: request refused"),
            MpNote::Answered { seq, result } => match result.text() {
                Some(text) => Detail::new("answered #{seq} \"{result}\"", &[("seq", seq), ("result", &text)]),
                None => Detail::new("answered #{seq} (nil)", &[("seq", seq)]),
            },
        }
    }
}

impl fmt::Display for MpNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
