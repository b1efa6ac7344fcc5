//! Raft's messages (Figure 2's RPCs and their replies, plus client traffic), timers and notes.

use std::fmt;
use std::rc::Rc;

use serde::Serialize;

pub use crate::protocols::kv::ClientOutcome;
use crate::protocols::kv::{Answer, Command};
use crate::sim::{ClientId, Detail, Mark, Message, Note, Timer};

/// A log entry: the term it was created in and its command. `origin` names the client request
/// it carries, so a retried request is applied once.
///
/// The command is shared (`Rc`): replicating an entry to every follower, and the checker's
/// comparisons of whole logs after every change, then cost a pointer instead of a string.
#[derive(Clone, Debug, Eq, Serialize)]
pub struct Entry {
    /// The leader's term when the entry was created.
    pub term: u64,
    /// The command.
    pub command: Rc<Command>,
    /// The client and request number, if a client sent it.
    pub origin: Option<(ClientId, u64)>,
}

impl Entry {
    /// An entry with no client attached (scenario `initial` logs, direct hand-offs).
    pub fn new(term: u64, command: Command) -> Self {
        Entry { term, command: Rc::new(command), origin: None }
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.term == other.term && self.origin == other.origin && (Rc::ptr_eq(&self.command, &other.command) || self.command == other.command)
    }
}

/// A Raft message. The sender's id travels in the envelope, so `candidateId`/`leaderId` of the
/// paper are the message's `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Msg {
    /// Figure 2, RequestVote RPC.
    RequestVote { term: u64, last_log_index: u64, last_log_term: u64 },
    /// Its reply.
    RequestVoteReply { term: u64, granted: bool },
    /// Figure 2, AppendEntries RPC (a heartbeat when `entries` is empty).
    AppendEntries { term: u64, prev_log_index: u64, prev_log_term: u64, entries: Vec<Entry>, leader_commit: u64 },
    /// Its reply. On success `match_index` is the last index known to match the leader; on
    /// failure `conflict_index`/`conflict_term` let the leader skip a whole conflicting term at
    /// once (section 5.3's optimization).
    AppendEntriesReply { term: u64, success: bool, match_index: u64, conflict_index: u64, conflict_term: Option<u64> },
    /// A client's command, numbered per client.
    ClientRequest { seq: u64, command: Command },
    /// The answer to a client.
    ClientReply { seq: u64, outcome: ClientOutcome },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { .. } => "RequestVote",
            Msg::RequestVoteReply { .. } => "RequestVoteReply",
            Msg::AppendEntries { .. } => "AppendEntries",
            Msg::AppendEntriesReply { .. } => "AppendEntriesReply",
            Msg::ClientRequest { .. } => "ClientRequest",
            Msg::ClientReply { .. } => "ClientReply",
        }
    }

    fn heartbeat(&self) -> bool {
        matches!(self, Msg::AppendEntries { entries, .. } if entries.is_empty())
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::RequestVote { term, last_log_index, last_log_term } => write!(f, "RequestVote term={term} last={last_log_index}@{last_log_term}"),
            Msg::RequestVoteReply { term, granted } => {
                write!(f, "RequestVoteReply term={term} granted={granted}")
            }
            Msg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit } => {
                write!(f, "AppendEntries term={term} prev={prev_log_index}@{prev_log_term} entries={} commit={leader_commit}", entries.len())
            }
            Msg::AppendEntriesReply { term, success: true, match_index, .. } => write!(f, "AppendEntriesReply term={term} ok match={match_index}"),
            Msg::AppendEntriesReply { term, conflict_index, conflict_term, .. } => match conflict_term {
                Some(ct) => write!(f, "AppendEntriesReply term={term} conflict={conflict_index}@{ct}"),
                None => write!(f, "AppendEntriesReply term={term} conflict={conflict_index}"),
            },
            Msg::ClientRequest { seq, command } => write!(f, "ClientRequest #{seq} \"{command}\""),
            Msg::ClientReply { seq, outcome: ClientOutcome::Done(r) } => write!(f, "ClientReply #{seq} {r}"),
            Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(Some(h)) } => write!(f, "ClientReply #{seq} not-leader hint=S{h}"),
            Msg::ClientReply { seq, outcome: ClientOutcome::NotLeader(None) } => write!(f, "ClientReply #{seq} not-leader"),
        }
    }
}

/// Raft's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RaftTimer {
    /// A follower or candidate hears nothing: start an election.
    Election,
    /// A leader's idle period: send heartbeats.
    Heartbeat,
    /// A client waited too long for an answer.
    ClientRetry,
}

impl Timer for RaftTimer {
    fn words(&self) -> Detail {
        match self {
            RaftTimer::Election => Detail::plain("election"),
            RaftTimer::Heartbeat => Detail::plain("heartbeat"),
            RaftTimer::ClientRetry => Detail::plain("client-retry"),
        }
    }
}

impl fmt::Display for RaftTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// State changes worth a trace line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaftNote {
    /// Started an election.
    Candidate { term: u64 },
    /// Won one.
    Leader { term: u64 },
    /// Stepped down or adopted a newer term.
    Follower { term: u64 },
    /// Advanced the commit index.
    Commit { index: u64 },
    /// Refused a request handed to it directly, not being the leader.
    NotLeader,
    /// A client got its answer.
    Answered { seq: u64, result: Answer },
}

impl Note for RaftNote {
    fn kind(&self) -> &'static str {
        match self {
            RaftNote::Candidate { .. } => "candidate",
            RaftNote::Leader { .. } => "leader",
            RaftNote::Follower { .. } => "follower",
            RaftNote::Commit { .. } => "commit",
            RaftNote::NotLeader => "not-leader",
            RaftNote::Answered { .. } => "answered",
        }
    }

    fn mark(&self) -> Option<Mark> {
        match *self {
            RaftNote::Leader { term } => Some(Mark::Leader(format!("t{term}"))),
            RaftNote::Commit { index } => Some(Mark::Commit(index)),
            _ => None,
        }
    }

    fn words(&self) -> Detail {
        match self {
            RaftNote::Candidate { term } => Detail::new("candidate term={term}", &[("term", term)]),
            RaftNote::Leader { term } => Detail::new("leader term={term}", &[("term", term)]),
            RaftNote::Follower { term } => Detail::new("follower term={term}", &[("term", term)]),
            RaftNote::Commit { index } => Detail::new("commit index={index}", &[("index", index)]),
            RaftNote::NotLeader => Detail::plain("not leader: request refused"),
            RaftNote::Answered { seq, result } => match result.text() {
                Some(text) => Detail::new("answered #{seq} \"{result}\"", &[("seq", seq), ("result", &text)]),
                None => Detail::new("answered #{seq} (nil)", &[("seq", seq)]),
            },
        }
    }
}

impl fmt::Display for RaftNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}
