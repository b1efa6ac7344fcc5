//! The checker of atomic commitment's safety properties (Bernstein et al.'s AC1-AC3), reading
//! every node's transaction table from outside — the running table, or for a crashed node what
//! its stable log says — and keeping its own history: every vote and decision it ever saw, so a
//! decision that a node later changes or forgets cannot hide.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::tx::Table;
use super::{CommitFamily, Decision, TxId, Vote, participants};
use crate::sim::{Breach, Checker, Invariant, Micros, NodeId, NodeSlot, World, time::AsMs};

/// The three safety properties, in Bernstein et al.'s order of importance for a reader.
pub const INVARIANTS: &[Invariant] = &[
    Invariant { name: "Atomicity", statement: "No transaction is committed at one node and aborted at another." },
    Invariant { name: "Validity", statement: "A transaction commits only if every participant voted yes." },
    Invariant { name: "Stability", statement: "A node never changes or forgets a decision, across crashes." },
];

const ATOMICITY: usize = 0;
const VALIDITY: usize = 1;
const STABILITY: usize = 2;

/// What the checker knows of one transaction.
#[derive(Clone, Debug, Default)]
pub struct TxHistory {
    /// The first decision seen anywhere: what, where, when.
    pub first: Option<(Decision, NodeId, Micros)>,
    /// Each node's decision, as first seen.
    pub decided: BTreeMap<NodeId, Decision>,
    /// Participants seen having voted Yes.
    pub voted_yes: BTreeSet<NodeId>,
    reported: bool,
}

/// The checker and its history.
#[derive(Clone, Debug)]
pub struct CommitChecker {
    nodes: u32,
    /// Every transaction seen, by id.
    pub txs: BTreeMap<TxId, TxHistory>,
    /// Per node (index `id - 1`): whether it was up and its table's version, when last looked at.
    seen: Vec<Option<(bool, u64)>>,
}

impl CommitChecker {
    /// A checker for a cluster of `nodes` servers.
    pub fn new(nodes: u32) -> Self {
        CommitChecker { nodes, txs: BTreeMap::new(), seen: vec![None; nodes as usize] }
    }

    /// The first decision any node reached for `tx`.
    pub fn decision(&self, tx: TxId) -> Option<Decision> {
        self.txs.get(&tx).and_then(|h| h.first.map(|f| f.0))
    }

    /// Records the votes in node `node`'s table (Yes votes count for Validity), looking only
    /// at transactions changed after version `since` (all for `None`).
    pub fn observe_votes(&mut self, node: NodeId, table: &Table, since: Option<u64>) {
        for tx in table.changed_since(since) {
            if tx.vote == Some(Vote::Yes) {
                self.txs.entry(tx.id).or_default().voted_yes.insert(node);
            } else {
                self.txs.entry(tx.id).or_default();
            }
        }
    }

    /// Checks node `node`'s decisions, at `now_us`, against everything seen before: those of
    /// transactions changed after version `since`, or with `None` every one, and then also
    /// whether the node lost a decision it had (only a rebuilt table can have).
    pub fn observe_decisions(&mut self, node: NodeId, table: &Table, since: Option<u64>, now_us: Micros, out: &mut Vec<Breach>) {
        let everyone = participants(self.nodes);
        for tx in table.changed_since(since) {
            let Some(d) = tx.decision() else { continue };
            let h = self.txs.entry(tx.id).or_default();
            match h.decided.get(&node) {
                Some(&before) if before != d => {
                    out.push(Breach {
                        invariant: STABILITY,
                        detail: crate::sim::Detail::new(
                            "S{node} decided {before} for T{tx} and later {after}",
                            &[("node", &node), ("before", &before.as_str()), ("tx", &tx.id), ("after", &d.as_str())],
                        ),
                        nodes: vec![node],
                        positions: Vec::new(),
                    });
                    continue;
                }
                Some(_) => continue,
                None => {
                    h.decided.insert(node, d);
                }
            }
            if h.first.is_none() {
                h.first = Some((d, node, now_us));
            }
            if h.reported {
                continue;
            }
            let others: Vec<NodeId> = h.decided.iter().filter(|&(_, &o)| o != d).map(|(&n, _)| n).collect();
            if !others.is_empty() {
                h.reported = true;
                let list = others.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ");
                let (c, a) = if d == Decision::Commit { (format!("S{node}"), list) } else { (list, format!("S{node}")) };
                out.push(Breach {
                    invariant: ATOMICITY,
                    detail: crate::sim::Detail::new("T{tx} is committed at {c} but aborted at {a} (at {ms} ms)", &[("tx", &tx.id), ("c", &c), ("a", &a), ("ms", &AsMs(now_us))]),
                    nodes: std::iter::once(node).chain(others).collect(),
                    positions: Vec::new(),
                });
            }
            if d == Decision::Commit {
                let missing: Vec<NodeId> = everyone.iter().copied().filter(|p| !h.voted_yes.contains(p)).collect();
                if !missing.is_empty() {
                    h.reported = true;
                    let list = missing.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ");
                    out.push(Breach {
                        invariant: VALIDITY,
                        detail: crate::sim::Detail::new("S{node} committed T{tx} although {list} never voted yes", &[("node", &node), ("tx", &tx.id), ("list", &list)]),
                        nodes: std::iter::once(node).chain(missing).collect(),
                        positions: Vec::new(),
                    });
                }
            }
        }
        if since.is_some() {
            return;
        }
        // A decision the node no longer has: lost across a crash (never forced to disk).
        for (&id, h) in self.txs.iter_mut() {
            if let Some(&d) = h.decided.get(&node)
                && table.get(id).and_then(|t| t.decision()).is_none()
            {
                h.decided.remove(&node);
                out.push(Breach {
                    invariant: STABILITY,
                    detail: crate::sim::Detail::new("S{node} had decided {d} for T{id}, and its log no longer says so", &[("node", &node), ("d", &d.as_str()), ("id", &id)]),
                    nodes: vec![node],
                    positions: Vec::new(),
                });
            }
        }
    }
}

/// A node's table: the running one, or its stable log replayed while it is down.
pub fn table_of<P: CommitFamily>(slot: &NodeSlot<P>) -> Cow<'_, Table> {
    match slot.state() {
        Some(n) => Cow::Borrowed(&P::core(n).table),
        None => Cow::Owned(slot.durable().table()),
    }
}

impl<P: CommitFamily> Checker<P> for CommitChecker {
    fn invariants(&self) -> &'static [Invariant] {
        INVARIANTS
    }

    fn check(&mut self, world: &World<'_, P>, touched: Option<NodeId>, out: &mut Vec<Breach>) {
        let ids = match touched {
            Some(id) => id..=id,
            None => 1..=world.nodes.len() as NodeId,
        };
        // Between crashes, restarts and triggers (`touched` is `None` for those) a node's table
        // only grows by records, so only the transactions they changed need a look.
        let mut changed: Vec<(NodeId, Cow<'_, Table>, Option<u64>)> = Vec::new();
        for id in ids {
            let slot = world.node(id);
            let up = slot.up();
            let i = id as usize - 1;
            // A crashed node's storage does not change while it is down: look once.
            let unchanged = match (self.seen[i], slot.state()) {
                (Some((true, v)), Some(n)) => v == P::core(n).table.version,
                (Some((false, _)), None) => true,
                _ => false,
            };
            if unchanged {
                continue;
            }
            let table = table_of(slot);
            let since = match (touched, self.seen[i]) {
                (Some(_), Some((true, v))) if up => Some(v),
                _ => None,
            };
            self.seen[i] = Some((up, table.version));
            changed.push((id, table, since));
        }
        // Votes first: a decision seen in this pass must be judged with every vote seen so far.
        for (id, table, since) in &changed {
            self.observe_votes(*id, table, *since);
        }
        for (id, table, since) in &changed {
            self.observe_decisions(*id, table, *since, world.now_us, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::commit::wal::{Entry, Record};

    fn table(entries: &[(TxId, Entry)]) -> Table {
        let records: Vec<Record> = entries.iter().map(|(tx, e)| Record { tx: *tx, at_us: 0, entry: e.clone() }).collect();
        Table::replay(&records)
    }

    fn prepared() -> Entry {
        Entry::Prepared { coordinator: 1, participants: vec![2, 3] }
    }

    fn names(out: &[Breach]) -> Vec<&'static str> {
        out.iter().map(|b| INVARIANTS[b.invariant].name).collect()
    }

    #[test]
    fn agreeing_nodes_break_nothing() {
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        let tables = [(2, table(&[(1, prepared()), (1, Entry::Commit)])), (3, table(&[(1, prepared()), (1, Entry::Commit)]))];
        for (n, t) in &tables {
            c.observe_votes(*n, t, None);
        }
        for (n, t) in &tables {
            c.observe_decisions(*n, t, None, 5, &mut out);
        }
        c.observe_decisions(1, &table(&[(1, Entry::Commit)]), None, 6, &mut out);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(c.decision(1), Some(Decision::Commit));
    }

    #[test]
    fn commit_here_and_abort_there_breaks_atomicity() {
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        let t2 = table(&[(1, prepared()), (1, Entry::Commit)]);
        let t3 = table(&[(1, prepared()), (1, Entry::Abort)]);
        c.observe_votes(2, &t2, None);
        c.observe_votes(3, &t3, None);
        c.observe_decisions(2, &t2, None, 5, &mut out);
        assert!(out.is_empty());
        c.observe_decisions(3, &t3, None, 7, &mut out);
        assert_eq!(names(&out), ["Atomicity"]);
        assert_eq!(out[0].detail.to_string(), "T1 is committed at S2 but aborted at S3 (at 0.007 ms)");
        assert_eq!(out[0].nodes, vec![3, 2]);
    }

    #[test]
    fn commit_without_every_yes_breaks_validity() {
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        let t2 = table(&[(1, prepared()), (1, Entry::Commit)]);
        c.observe_votes(2, &t2, None);
        c.observe_decisions(2, &t2, None, 5, &mut out);
        assert_eq!(names(&out), ["Validity"]);
        assert_eq!(out[0].detail.to_string(), "S2 committed T1 although S3 never voted yes");
    }

    #[test]
    fn between_reboots_only_changed_transactions_are_looked_at_and_still_judged() {
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        let mut t2 = table(&[(1, prepared()), (2, prepared()), (1, Entry::Commit)]);
        let mut t3 = table(&[(1, prepared()), (2, prepared()), (1, Entry::Commit)]);
        for (n, t) in [(2, &t2), (3, &t3)] {
            c.observe_votes(n, t, None);
        }
        for (n, t) in [(2, &t2), (3, &t3)] {
            c.observe_decisions(n, t, None, 5, &mut out);
        }
        assert!(out.is_empty(), "{out:?}");
        let (v2, v3) = (t2.version, t3.version);
        assert_eq!(t2.changed_since(Some(v2)).len(), 0);
        t2.apply(&Record { tx: 2, at_us: 9, entry: Entry::Commit });
        t3.apply(&Record { tx: 2, at_us: 9, entry: Entry::Abort });
        assert_eq!(t2.changed_since(Some(v2)).iter().map(|t| t.id).collect::<Vec<_>>(), [2], "T1 is not looked at again");
        c.observe_decisions(2, &t2, Some(v2), 9, &mut out);
        c.observe_decisions(3, &t3, Some(v3), 9, &mut out);
        assert_eq!(names(&out), ["Atomicity"]);
        assert!(out[0].detail.to_string().starts_with("T2 is committed at S2 but aborted at S3"), "{}", out[0].detail);
    }

    #[test]
    fn a_changed_or_forgotten_decision_breaks_stability() {
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        c.observe_decisions(2, &table(&[(1, Entry::Abort)]), None, 5, &mut out);
        c.observe_decisions(2, &table(&[(1, Entry::Abort), (1, Entry::Commit)]), None, 6, &mut out);
        assert_eq!(names(&out), ["Stability"]);
        assert_eq!(out[0].detail.to_string(), "S2 decided abort for T1 and later commit");
        let mut c = CommitChecker::new(3);
        let mut out = Vec::new();
        c.observe_decisions(3, &table(&[(4, prepared()), (4, Entry::Abort)]), None, 5, &mut out);
        c.observe_decisions(3, &table(&[(4, prepared())]), None, 6, &mut out);
        assert_eq!(names(&out), ["Stability"]);
        assert!(out[0].detail.to_string().contains("S3 had decided abort for T4"), "{}", out[0].detail);
    }
}
