//! The transaction table: what a node's log says about each transaction it has heard of.
//! It is never edited directly, only by applying log records, so a restarted node's table is
//! exactly its log replayed.

use std::collections::BTreeMap;

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
/// (the checker) can skip a node whose table did not change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    txs: BTreeMap<TxId, Tx>,
    /// Incremented by every record applied.
    pub version: u64,
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
        tx.apply(r);
        tx.changed = self.version;
    }

    /// The transactions changed after version `since` (every one for `None`).
    pub fn changed_since(&self, since: Option<u64>) -> impl Iterator<Item = &Tx> {
        self.txs.values().filter(move |t| since.is_none_or(|v| t.changed > v))
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
        self.txs.values().find(|t| t.origin == Some(origin)).map(|t| t.id)
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
    fn the_coordinators_abort_is_not_a_vote() {
        let records = vec![rec(1, 0, Entry::Start { participants: vec![2, 3], origin: Some((1, 1)) }), rec(1, 9, Entry::Abort), rec(1, 20, Entry::End)];
        let t = Table::replay(&records);
        let tx = t.get(1).unwrap();
        assert_eq!((tx.state, tx.vote, tx.origin, tx.ended), (TxState::Aborted, None, Some((1, 1)), true));
        assert_eq!(t.version, 3);
    }
}
