//! The write-ahead log: what a node has decided, as records appended in order and forced to
//! stable storage before any message that depends on them is sent.
//!
//! [`Core::write`] appends a record, applies it to the node's transaction table and records a
//! [`Ctx::persist`] effect together with the log length at that moment. [`Core::save`], which
//! the engine calls for that effect, copies the log *up to that mark* and no further: records
//! appended later in the same handler are not on disk until their own persist effect is applied.
//! So if a trigger crashes the node at a send, exactly the records written before that send
//! survive — "log before send", honoured record by record.

use std::collections::VecDeque;
use std::fmt;

use serde::Serialize;

use super::tx::Table;
use super::{COORDINATOR, TxId};
use crate::sim::{ClientId, Ctx, Micros, NodeId, Protocol};

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

    /// The transaction table these records imply.
    pub fn table(&self) -> Table {
        Table::replay(&self.records)
    }
}

/// What every commit node has: its id, the cluster size, its log (the durable prefix and what
/// is being forced) and the transaction table the log implies.
#[derive(Clone, Debug)]
pub struct Core {
    /// This node's id.
    pub id: NodeId,
    /// Cluster size, N.
    pub nodes: u32,
    /// Every record written, oldest first; a prefix of it is on disk.
    pub log: Vec<Record>,
    /// Log lengths at each `persist` not yet saved, oldest first.
    marks: VecDeque<usize>,
    /// The transactions as the log describes them.
    pub table: Table,
    /// Time of the latest event this node handled: a node knows no other time.
    pub clock_us: Micros,
}

impl Core {
    /// A node restarting from its stable storage: the table is the log replayed.
    pub fn boot(nodes: u32, wal: &Wal, now_us: Micros) -> Self {
        let id = wal.node;
        Core { id, nodes, log: wal.records.clone(), marks: VecDeque::new(), table: Table::replay(&wal.records), clock_us: now_us }
    }

    /// Whether this node is the coordinator.
    pub fn is_coordinator(&self) -> bool {
        self.id == COORDINATOR
    }

    /// Appends a record, applies it, and forces the log up to it to disk before anything
    /// recorded after this call.
    pub fn write<P: Protocol>(&mut self, tx: TxId, entry: Entry, ctx: &mut Ctx<P>) {
        let record = Record { tx, at_us: ctx.now(), entry };
        self.table.apply(&record);
        self.log.push(record);
        self.marks.push_back(self.log.len());
        ctx.persist();
    }

    /// Copies the log up to the oldest pending mark to `wal` (the engine calls this once per
    /// [`Ctx::persist`] effect, in order).
    pub fn save(&mut self, wal: &mut Wal) {
        let upto = self.marks.pop_front().unwrap_or(self.log.len()).min(self.log.len());
        if upto > wal.records.len() {
            wal.records.extend_from_slice(&self.log[wal.records.len()..upto]);
        }
    }

    /// Notes the time of the event being handled.
    pub fn tick<P: Protocol>(&mut self, ctx: &Ctx<P>) {
        self.clock_us = ctx.now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::commit::TxState;
    use crate::protocols::commit::twopc::TwoPc;
    use crate::sim::protocol::Effect;
    use crate::sim::rng::Rng;
    use crate::sim::{Addr, Ctx};

    #[test]
    fn save_copies_only_up_to_the_mark_of_its_persist() {
        let mut core = Core::boot(4, &Wal::new(2), 0);
        let mut rng = Rng::stream(1, "t");
        let mut effects: Vec<Effect<TwoPc>> = Vec::new();
        let mut ctx = Ctx::new(5, Addr::Node(2), 4, &mut rng, &mut effects);
        core.write(1, Entry::Prepared { coordinator: 1, participants: vec![2, 3, 4] }, &mut ctx);
        core.write(1, Entry::Commit, &mut ctx);
        assert_eq!(effects.iter().filter(|e| matches!(e, Effect::Persist)).count(), 2);
        let mut disk = Wal::new(2);
        core.save(&mut disk);
        assert_eq!(disk.records.len(), 1, "the first persist saves the first record only");
        assert_eq!(Table::replay(&disk.records).get(1).unwrap().state, TxState::Prepared);
        core.save(&mut disk);
        assert_eq!(disk.records, core.log);
        core.save(&mut disk);
        assert_eq!(disk.records.len(), 2, "saving again changes nothing");
    }

    #[test]
    fn boot_replays_the_log() {
        let records = vec![
            Record { tx: 1, at_us: 10, entry: Entry::Prepared { coordinator: 1, participants: vec![2, 3] } },
            Record { tx: 2, at_us: 20, entry: Entry::Abort },
            Record { tx: 1, at_us: 30, entry: Entry::Commit },
        ];
        let core = Core::boot(3, &Wal { node: 2, records }, 99);
        assert_eq!(core.table.get(1).unwrap().state, TxState::Committed);
        assert_eq!(core.table.get(2).unwrap().state, TxState::Aborted);
        assert_eq!(core.clock_us, 99);
    }
}
