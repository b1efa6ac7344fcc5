//! The transaction table: what a node's log says about each transaction it has heard of.
//! It is never edited directly, only by applying log records, so a restarted node's table is
//! exactly its log replayed.

use std::collections::{BTreeMap, BTreeSet};

use super::wal::{Entry, Record};
use super::{Decision, TxId, TxState, Vote};
use crate::sim::{ClientId, Micros, NodeId};

/// One transaction at one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    /// Its id.
    pub id: TxId,
    /// Where this node stands.
    pub state: TxState,
    /// This participant's vote, as its log shows it (`prepared` or `voted-no`).
    pub vote: Option<Vote>,
    /// Every participant (from `start` or `prepared`).
    pub participants: Vec<NodeId>,
    /// The client request that began it (coordinator).
    pub origin: Option<(ClientId, u64)>,
    /// When this participant voted Yes: from then until the decision it is uncertain.
    pub uncertain_since_us: Option<Micros>,
    /// When this node logged its decision.
    pub decided_us: Option<Micros>,
    /// 2PC coordinator: every participant acknowledged the decision.
    pub ended: bool,
    /// The table's version when a record last changed it.
    pub changed: u64,
}

impl Tx {
    fn new(id: TxId) -> Self {
        Tx { id, state: TxState::Init, vote: None, participants: Vec::new(), origin: None, uncertain_since_us: None, decided_us: None, ended: false, changed: 0 }
    }

    /// The decision, once logged.
    pub fn decision(&self) -> Option<Decision> {
        self.state.decision()
    }

    /// Whether a participant holds the transaction's locks: from its Yes vote until it knows
    /// the decision.
    pub fn holds_locks(&self) -> bool {
        matches!(self.state, TxState::Prepared | TxState::PreCommitted)
    }

    /// How long this participant was (or, undecided, has been by `now_us`) uncertain.
    pub fn blocked_us(&self, now_us: Micros) -> Option<Micros> {
        let since = self.uncertain_since_us?;
        Some(self.decided_us.unwrap_or(now_us).max(since) - since)
    }

    fn apply(&mut self, r: &Record) {
        match &r.entry {
            Entry::Start { participants, origin } => {
                self.participants = participants.clone();
                self.origin = *origin;
            }
            Entry::Prepared { participants, .. } => {
                self.participants = participants.clone();
                self.state = TxState::Prepared;
                self.vote = Some(Vote::Yes);
                self.uncertain_since_us = Some(r.at_us);
            }
            Entry::PreCommitted => self.state = TxState::PreCommitted,
            Entry::Commit | Entry::Abort | Entry::VotedNo => {
                self.state = if r.entry == Entry::Commit { TxState::Committed } else { TxState::Aborted };
                self.decided_us = Some(r.at_us);
                if r.entry == Entry::VotedNo {
                    self.vote = Some(Vote::No);
                }
            }
            Entry::End => self.ended = true,
        }
    }
}

/// Every transaction a node's log mentions, by id. `version` counts changes, so an observer
/// (the checker) can skip a node whose table did not change, and look at only the transactions
/// changed since it last looked ([`Table::changed_since`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    txs: BTreeMap<TxId, Tx>,
    /// Incremented by every record applied.
    pub version: u64,
    /// The transaction each record changed, by version (`changes[v - 1]` for version `v`): what
    /// changed after a version is read from here, in time proportional to the changes, where
    /// filtering every transaction made the checker's look after each event grow with the run
    /// (quadratic: 10,000 transactions took 32 s).
    changes: Vec<TxId>,
    /// Which transaction each client request began (`start` records), so that a retry is
    /// recognised without a walk through every transaction.
    origins: BTreeSet<((ClientId, u64), TxId)>,
}

impl Table {
    /// The table a log implies.
    pub fn replay(records: &[Record]) -> Self {
        let mut t = Table::default();
        for r in records {
            t.apply(r);
        }
        t
    }

    /// Applies one record.
    pub fn apply(&mut self, r: &Record) {
        self.version += 1;
        let tx = self.txs.entry(r.tx).or_insert_with(|| Tx::new(r.tx));
        let origin_before = tx.origin;
        tx.apply(r);
        tx.changed = self.version;
        self.changes.push(r.tx);
        if tx.origin != origin_before {
            if let Some(o) = origin_before {
                self.origins.remove(&(o, r.tx));
            }
            if let Some(o) = tx.origin {
                self.origins.insert((o, r.tx));
            }
        }
    }

    /// The transactions changed after version `since` (every one for `None`), by id: in time
    /// proportional to the records applied since, not to the table's size.
    pub fn changed_since(&self, since: Option<u64>) -> Vec<&Tx> {
        let Some(v) = since else {
            return self.txs.values().collect();
        };
        let from = usize::try_from(v).unwrap_or(usize::MAX).min(self.changes.len());
        let mut ids: Vec<TxId> = self.changes[from..].to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().map(|id| &self.txs[id]).collect()
    }

    /// The transaction the latest record changed, if any.
    pub fn latest(&self) -> Option<&Tx> {
        self.changes.last().map(|id| &self.txs[id])
    }

    /// A transaction, if the log mentions it.
    pub fn get(&self, tx: TxId) -> Option<&Tx> {
        self.txs.get(&tx)
    }

    /// The state of a transaction here (`init` if the log never mentions it).
    pub fn state(&self, tx: TxId) -> TxState {
        self.txs.get(&tx).map_or(TxState::Init, |t| t.state)
    }

    /// Every transaction, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Tx> {
        self.txs.values()
    }

    /// The transaction a client request began, if any.
    pub fn by_origin(&self, origin: (ClientId, u64)) -> Option<TxId> {
        self.origins.range((origin, TxId::MIN)..=(origin, TxId::MAX)).next().map(|&(_, id)| id)
    }

    /// The highest id mentioned (0 if none).
    pub fn last_id(&self) -> TxId {
        self.txs.keys().next_back().copied().unwrap_or(0)
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether the log mentions no transaction.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(tx: TxId, at_us: Micros, entry: Entry) -> Record {
        Record { tx, at_us, entry }
    }

    #[test]
    fn a_participant_is_blocked_from_its_yes_vote_until_the_decision() {
        let mut t = Table::default();
        t.apply(&rec(1, 100, Entry::Prepared { coordinator: 1, participants: vec![2, 3] }));
        let tx = t.get(1).unwrap();
        assert!(tx.holds_locks());
        assert_eq!(tx.blocked_us(400), Some(300), "still uncertain: counted to now");
        t.apply(&rec(1, 1_100, Entry::Commit));
        let tx = t.get(1).unwrap();
        assert!(!tx.holds_locks());
        assert_eq!(tx.blocked_us(5_000), Some(1_000), "decided: counted to the decision");
        assert_eq!(tx.vote, Some(Vote::Yes));
    }

    #[test]
    fn a_no_vote_aborts_and_is_never_blocked_and_an_abort_is_not_a_vote() {
        let mut t = Table::default();
        t.apply(&rec(4, 50, Entry::VotedNo));
        let tx = t.get(4).unwrap();
        assert_eq!((tx.state, tx.vote, tx.blocked_us(900)), (TxState::Aborted, Some(Vote::No), None));
        t.apply(&rec(5, 60, Entry::Abort));
        assert_eq!((t.state(5), t.get(5).unwrap().vote), (TxState::Aborted, None), "aborted without ever voting");
        assert_eq!(t.state(6), TxState::Init);
        assert_eq!(t.last_id(), 5);
    }

    #[test]
    fn changed_since_gives_the_transactions_of_the_later_records_once_each_by_id() {
        let mut t = Table::default();
        for (tx, e) in [(1, Entry::Abort), (5, Entry::VotedNo), (3, Entry::Abort)] {
            t.apply(&rec(tx, 10, e));
        }
        let v = t.version;
        assert!(t.changed_since(Some(v)).is_empty());
        t.apply(&rec(5, 20, Entry::End));
        t.apply(&rec(2, 20, Entry::Abort));
        t.apply(&rec(5, 30, Entry::End));
        let ids = |since| t.changed_since(since).iter().map(|tx| tx.id).collect::<Vec<_>>();
        assert_eq!(ids(Some(v)), [2, 5]);
        assert_eq!(ids(Some(v + 2)), [5]);
        assert_eq!(ids(Some(0)), [1, 2, 3, 5]);
        assert_eq!(ids(None), [1, 2, 3, 5]);
        assert_eq!(ids(Some(u64::MAX)), Vec::<TxId>::new());
        assert_eq!(t.latest().map(|tx| tx.id), Some(5));
        assert_eq!(Table::default().latest(), None);
    }

    #[test]
    fn a_request_is_found_by_its_origin_as_the_lowest_transaction_it_began() {
        let start = |origin| Entry::Start { participants: vec![2, 3], origin };
        let mut t = Table::replay(&[rec(4, 0, start(Some((1, 7)))), rec(2, 0, start(Some((1, 7)))), rec(3, 0, start(Some((2, 7)))), rec(6, 0, start(None))]);
        assert_eq!(t.by_origin((1, 7)), Some(2));
        assert_eq!(t.by_origin((2, 7)), Some(3));
        assert_eq!(t.by_origin((1, 8)), None);
        // A start record written again with another origin moves the transaction.
        t.apply(&rec(2, 5, start(Some((1, 9)))));
        assert_eq!((t.by_origin((1, 7)), t.by_origin((1, 9))), (Some(4), Some(2)));
    }

    #[test]
    fn the_coordinators_abort_is_not_a_vote() {
        let records = vec![rec(1, 0, Entry::Start { participants: vec![2, 3], origin: Some((1, 1)) }), rec(1, 9, Entry::Abort), rec(1, 20, Entry::End)];
        let t = Table::replay(&records);
        let tx = t.get(1).unwrap();
        assert_eq!((tx.state, tx.vote, tx.origin, tx.ended), (TxState::Aborted, None, Some((1, 1)), true));
        assert_eq!(t.version, 3);
    }
}
