//! What every commit node runs on: its write-ahead log (the durable prefix and what is being
//! forced to disk) and the transaction table the log implies, kept in step; and the
//! coordinator's volatile bookkeeping, which both protocols keep alike (votes being collected,
//! acknowledgements awaited, clients waiting) and a crash loses.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::tx::Table;
use super::wal::{Entry, Record, Wal};
use super::{COORDINATOR, CommitFamily, CommitNote, Decision, TxId};
use crate::sim::{ClientId, Ctx, Micros, NodeId, Protocol};

impl Wal {
    /// The transaction table these records imply.
    pub fn table(&self) -> Table {
        Table::replay(&self.records)
    }
}

/// What every commit node has: its id, the cluster size, its log (the durable prefix and what
/// is being forced), the transaction table the log implies and, at the coordinator, the
/// transactions under way.
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
    /// Coordinator: transactions collecting votes, with the Yes votes so far.
    pub collecting: BTreeMap<TxId, BTreeSet<NodeId>>,
    /// Coordinator: transactions waiting for the participants' acknowledgements (of the
    /// decision in 2PC, of the pre-commit in 3PC), with those so far.
    pub acks: BTreeMap<TxId, BTreeSet<NodeId>>,
    /// Coordinator: clients waiting for an outcome besides the one that began it.
    pub waiters: BTreeMap<TxId, BTreeSet<(ClientId, u64)>>,
}

impl Core {
    /// A node restarting from its stable storage: the table is the log replayed.
    pub fn boot(nodes: u32, wal: &Wal, now_us: Micros) -> Self {
        let id = wal.node;
        Core {
            id,
            nodes,
            log: wal.records.clone(),
            marks: VecDeque::new(),
            table: Table::replay(&wal.records),
            clock_us: now_us,
            collecting: BTreeMap::new(),
            acks: BTreeMap::new(),
            waiters: BTreeMap::new(),
        }
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

    /// Logs a decision and notes it for the trace.
    pub fn write_decision<P: CommitFamily>(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<P>) {
        self.write(tx, if decision == Decision::Commit { Entry::Commit } else { Entry::Abort }, ctx);
        ctx.note(CommitNote::Decided { tx, decision });
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
