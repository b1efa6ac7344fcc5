//! The write-ahead log: what a node has decided, as records appended in order and forced to
//! stable storage before any message that depends on them is sent.
//!
//! [`Core::write`] appends a record, applies it to the node's transaction table and records a
//! [`Ctx::persist`] effect together with the log length at that moment. [`Core::save`], which
//! the engine calls for that effect, copies the log *up to that mark* and no further: records
//! appended later in the same handler are not on disk until their own persist effect is applied.
//! So if a trigger crashes the node at a send, exactly the records written before that send
//! survive — "log before send", honoured record by record.

use std::fmt;

use serde::Serialize;

use super::TxId;
use crate::sim::{ClientId, Micros, NodeId};

/// What a log record says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Entry {
    /// Coordinator: a transaction begins, with these participants (Bernstein et al.'s
    /// `start-2PC` record), on behalf of this client request, if one.
    Start { participants: Vec<NodeId>, origin: Option<(ClientId, u64)> },
    /// Participant: voted Yes; from now on it may not decide alone. It names the coordinator
    /// and the other participants, whom the termination protocol asks.
    Prepared { coordinator: NodeId, participants: Vec<NodeId> },
    /// 3PC: every participant voted Yes (the coordinator's pre-commit, or a participant's
    /// acknowledgement of it).
    PreCommitted,
    /// The decision: commit.
    Commit,
    /// The decision: abort.
    Abort,
    /// Participant: voted No, and so aborted (written before the vote is sent; Bernstein et
    /// al.'s abort record of a No voter, named apart so the log shows the vote).
    VotedNo,
    /// 2PC coordinator: every participant acknowledged the decision; nothing left to resend.
    End,
}

impl Entry {
    /// The record's name in views and traces.
    pub fn name(&self) -> &'static str {
        match self {
            Entry::Start { .. } => "start",
            Entry::Prepared { .. } => "prepared",
            Entry::PreCommitted => "precommitted",
            Entry::Commit => "commit",
            Entry::Abort => "abort",
            Entry::VotedNo => "voted-no",
            Entry::End => "end",
        }
    }
}

/// One log record: a transaction, the time it was written, and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The transaction.
    pub tx: TxId,
    /// When it was written (a log record's timestamp: the node's time, handed in by the engine).
    pub at_us: Micros,
    /// What it says.
    pub entry: Entry,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{} {}", self.tx, self.entry.name())
    }
}

/// A node's stable storage: the records that reached the disk. This is the protocols'
/// `Durable` state; a restarted node is rebuilt from it alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wal {
    /// Whose storage this is.
    pub node: NodeId,
    /// The records, oldest first.
    pub records: Vec<Record>,
}

impl Wal {
    /// The empty storage of node `node`.
    pub fn new(node: NodeId) -> Self {
        Wal { node, records: Vec::new() }
    }
}
