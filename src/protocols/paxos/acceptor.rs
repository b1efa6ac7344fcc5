//! The acceptor, shared by single-decree Paxos (one slot, number 1) and Multi-Paxos (a slot per
//! command): the only part of Paxos whose memory matters for safety.
//!
//! Paxos Made Simple, section 2.2: an acceptor *promises* not to accept any proposal numbered
//! less than a prepare request it answers (phase 1b), reporting the highest-numbered proposal
//! it has accepted; and it *accepts* a proposal unless it has promised a higher ballot (phase
//! 2b). In Multi-Paxos one promise covers every slot at once (Paxos Made Moderately Complex's
//! acceptor keeps a single ballot and a set of accepted pvalues), so a leader runs phase 1 once
//! for all future slots. Both answers must reach stable storage before they leave the node —
//! the caller persists the acceptor (`Ctx::persist`) before it sends the reply.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::ballot::Ballot;

/// An acceptor's state: all of it is durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acceptor<V> {
    /// The highest ballot promised (or accepted).
    pub promised: Ballot,
    /// Per slot, the highest-ballot proposal accepted: its ballot and value.
    pub accepted: BTreeMap<u64, (Ballot, V)>,
}

impl<V> Default for Acceptor<V> {
    fn default() -> Self {
        Acceptor { promised: Ballot::ZERO, accepted: BTreeMap::new() }
    }
}

/// What an acceptor answers a prepare or accept request with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer<T> {
    /// Promised or accepted; `changed` says whether its state changed (so must be persisted
    /// before the reply is sent). For a prepare, `T` is what it had accepted.
    Yes { changed: bool, report: T },
    /// Refused: it has promised this higher ballot.
    No { promised: Ballot },
}

impl<V: Clone> Acceptor<V> {
    /// Phase 1b: a prepare with `ballot` for every slot from `from_slot` on. Promises if
    /// `ballot` is at least the promised one (an equal one is a duplicate of a prepare already
    /// answered, answered again), reporting what it accepted in those slots.
    pub fn prepare(&mut self, ballot: Ballot, from_slot: u64) -> Answer<Vec<(u64, Ballot, V)>> {
        if ballot < self.promised {
            return Answer::No { promised: self.promised };
        }
        let changed = ballot > self.promised;
        self.promised = ballot;
        let report = self.accepted.range(from_slot..).map(|(&s, (b, v))| (s, *b, v.clone())).collect();
        Answer::Yes { changed, report }
    }

    /// Phase 2b: an accept request for `slot` in `ballot`. Accepts unless it promised a higher
    /// ballot; accepting also promises `ballot`.
    pub fn accept(&mut self, ballot: Ballot, slot: u64, value: V) -> Answer<()>
    where
        V: PartialEq,
    {
        if ballot < self.promised {
            return Answer::No { promised: self.promised };
        }
        let changed = ballot > self.promised || self.accepted.get(&slot).is_none_or(|(b, v)| *b != ballot || *v != value);
        self.promised = ballot;
        self.accepted.insert(slot, (ballot, value));
        Answer::Yes { changed, report: () }
    }

    /// The view of reports: `promised`, and `accepted` as a list of `{slot, ballot, value}`.
    pub fn json(&self, value: impl Fn(&V) -> Value) -> (Value, Value) {
        let accepted = self.accepted.iter().map(|(s, (b, v))| json!({"slot": s, "ballot": b.json(), "value": value(v)})).collect();
        (self.promised.json(), Value::Array(accepted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(round: u64, node: u32) -> Ballot {
        Ballot::new(round, node)
    }

    #[test]
    fn prepare_promises_a_higher_ballot_and_reports_what_was_accepted() {
        let mut a: Acceptor<&str> = Acceptor::default();
        assert_eq!(a.prepare(b(1, 1), 1), Answer::Yes { changed: true, report: vec![] });
        assert_eq!(a.accept(b(1, 1), 1, "A"), Answer::Yes { changed: true, report: () });
        assert_eq!(a.accept(b(1, 1), 1, "A"), Answer::Yes { changed: false, report: () });
        assert_eq!(a.prepare(b(2, 2), 1), Answer::Yes { changed: true, report: vec![(1, b(1, 1), "A")] });
        // A duplicate of the same prepare is answered again, without a change.
        assert_eq!(a.prepare(b(2, 2), 1), Answer::Yes { changed: false, report: vec![(1, b(1, 1), "A")] });
        // Slots below `from_slot` are not reported.
        assert_eq!(a.prepare(b(3, 1), 2), Answer::Yes { changed: true, report: vec![] });
    }

    #[test]
    fn a_lower_ballot_is_refused_with_the_promise() {
        let mut a: Acceptor<&str> = Acceptor::default();
        a.prepare(b(2, 2), 1);
        assert_eq!(a.prepare(b(1, 3), 1), Answer::No { promised: b(2, 2) });
        assert_eq!(a.accept(b(1, 3), 1, "C"), Answer::No { promised: b(2, 2) });
        assert!(a.accepted.is_empty());
    }

    #[test]
    fn accepting_a_higher_ballot_promises_it_and_replaces_the_value() {
        let mut a: Acceptor<&str> = Acceptor::default();
        assert_eq!(a.accept(b(1, 1), 1, "A"), Answer::Yes { changed: true, report: () });
        assert_eq!(a.accept(b(3, 2), 1, "B"), Answer::Yes { changed: true, report: () });
        assert_eq!(a.promised, b(3, 2));
        assert_eq!(a.accepted[&1], (b(3, 2), "B"));
        assert_eq!(a.prepare(b(2, 1), 1), Answer::No { promised: b(3, 2) });
    }
}
