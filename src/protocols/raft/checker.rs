//! The checker of Raft's five safety properties (Figure 3 of the extended paper), reading the
//! servers from outside and keeping its own history.

use std::collections::BTreeMap;

use super::Raft;
use super::messages::Entry;
use super::node::{RaftNode, Role};
use crate::sim::{Breach, Checker, Invariant, Micros, NodeId, World};

/// Figure 3's properties, in its order.
pub const INVARIANTS: &[Invariant] = &[
    Invariant { name: "Election Safety", statement: "At most one leader can be elected in a given term." },
    Invariant { name: "Leader Append-Only", statement: "A leader never overwrites or deletes entries in its log; it only appends new entries." },
    Invariant { name: "Log Matching", statement: "If two logs contain an entry with the same index and term, the logs are identical in all entries up through that index." },
    Invariant { name: "Leader Completeness", statement: "If a log entry is committed in a given term, that entry will be present in the logs of the leaders for all higher-numbered terms." },
    Invariant { name: "State Machine Safety", statement: "If a server has applied a log entry at a given index, no other server will ever apply a different log entry for the same index." },
];

const ELECTION_SAFETY: usize = 0;
const LEADER_APPEND_ONLY: usize = 1;
const LOG_MATCHING: usize = 2;
const LEADER_COMPLETENESS: usize = 3;
const STATE_MACHINE_SAFETY: usize = 4;

/// What the checker last saw of a server, to skip servers whose state did not change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Seen {
    up: bool,
    role: Option<Role>,
    term: u64,
    log_version: u64,
    log_len: usize,
    commit_index: u64,
    last_applied: u64,
}

/// A committed entry and the term in which the checker first saw it committed.
#[derive(Clone, Debug)]
struct Committed {
    entry: Entry,
    in_term: u64,
    by: NodeId,
}

/// Raft's checker and its history.
#[derive(Clone, Debug)]
pub struct RaftChecker {
    /// Leader of each term, when it was first seen, in term order.
    pub leaders: BTreeMap<u64, (NodeId, Micros)>,
    committed: Vec<Committed>,
    applied: Vec<(Entry, NodeId)>,
    leader_logs: Vec<Option<(u64, Vec<Entry>)>>,
    seen: Vec<Seen>,
}

impl RaftChecker {
    /// A checker for `nodes` servers.
    pub fn new(nodes: u32) -> Self {
        RaftChecker { leaders: BTreeMap::new(), committed: Vec::new(), applied: Vec::new(), leader_logs: vec![None; nodes as usize], seen: vec![Seen::default(); nodes as usize] }
    }

    /// Entries known committed, in index order.
    pub fn committed(&self) -> impl Iterator<Item = &Entry> {
        self.committed.iter().map(|c| &c.entry)
    }
}

fn log_of<'a>(world: &'a World<'_, Raft>, id: NodeId) -> &'a [Entry] {
    let slot = world.node(id);
    match slot.state() {
        Some(n) => &n.log,
        None => &slot.durable().log,
    }
}

impl Checker<Raft> for RaftChecker {
    fn invariants(&self) -> &'static [Invariant] {
        INVARIANTS
    }

    fn check(&mut self, world: &World<'_, Raft>, touched: Option<NodeId>, out: &mut Vec<Breach>) {
        let ids = match touched {
            Some(id) => id..=id,
            None => 1..=world.nodes.len() as NodeId,
        };
        for id in ids {
            let slot = world.node(id);
            let i = id as usize - 1;
            let seen = match slot.state() {
                Some(n) => Seen { up: true, role: Some(n.role), term: n.term, log_version: n.log_version, log_len: n.log.len(), commit_index: n.commit_index, last_applied: n.last_applied },
                None => Seen { up: false, log_len: slot.durable().log.len(), term: slot.durable().term, ..Seen::default() },
            };
            if touched.is_some() && seen == self.seen[i] {
                continue;
            }
            let log_changed = seen.log_version != self.seen[i].log_version || seen.log_len != self.seen[i].log_len || seen.up != self.seen[i].up;
            let previous = std::mem::replace(&mut self.seen[i], seen);
            let Some(node) = slot.state() else {
                self.leader_logs[i] = None;
                continue;
            };
            if node.last_applied < previous.last_applied {
                // Restarted: it will apply from the start again, and is checked again.
                self.seen[i].last_applied = 0;
            }
            self.check_leader(world, node, log_changed, out);
            if log_changed {
                self.check_log_matching(world, node, out);
            }
            let committed_before = self.committed.len();
            self.record_commits(node, previous.commit_index.min(node.commit_index), out);
            if self.committed.len() > committed_before {
                self.check_leaders_complete(world, out);
            }
            self.record_applied(node, previous.last_applied.min(node.last_applied), out);
        }
    }
}

impl RaftChecker {
    fn check_leader(&mut self, world: &World<'_, Raft>, node: &RaftNode, log_changed: bool, out: &mut Vec<Breach>) {
        let i = node.id as usize - 1;
        if node.role != Role::Leader {
            self.leader_logs[i] = None;
            return;
        }
        match self.leaders.get(&node.term) {
            Some(&(other, _)) if other != node.id => out.push(Breach {
                invariant: ELECTION_SAFETY,
                detail: crate::sim::Detail::new("S{a} and S{b} were both leaders of term {term}", &[("a", &node.id), ("b", &other), ("term", &node.term)]),
                nodes: vec![other, node.id],
                positions: Vec::new(),
            }),
            Some(_) => {}
            None => {
                self.leaders.insert(node.term, (node.id, world.now_us));
            }
        }
        let became_leader = !matches!(&self.leader_logs[i], Some((t, _)) if *t == node.term);
        if let Some((term, old)) = &self.leader_logs[i]
            && *term == node.term
        {
            let kept = old.len() <= node.log.len() && node.log[..old.len()] == old[..];
            if !kept {
                let at = old.iter().zip(&node.log).position(|(a, b)| a != b).unwrap_or(node.log.len()) + 1;
                out.push(Breach {
                    invariant: LEADER_APPEND_ONLY,
                    detail: crate::sim::Detail::new(
                        "leader S{id} of term {term} changed or removed its entry {at} (log went from {old} to {new} entries)",
                        &[("id", &node.id), ("term", &node.term), ("at", &at), ("old", &old.len()), ("new", &node.log.len())],
                    ),
                    nodes: vec![node.id],
                    positions: vec![(node.id, at as u64)],
                });
            }
        }
        if became_leader || log_changed {
            self.leader_logs[i] = Some((node.term, node.log.clone()));
            self.check_complete(node, out);
        }
    }

    fn check_log_matching(&self, world: &World<'_, Raft>, node: &RaftNode, out: &mut Vec<Breach>) {
        for other in 1..=world.nodes.len() as NodeId {
            if other == node.id {
                continue;
            }
            let theirs = log_of(world, other);
            let ours = &node.log;
            // The highest index where both logs hold an entry of the same term...
            let Some(k) = (0..ours.len().min(theirs.len())).rev().find(|&k| ours[k].term == theirs[k].term) else {
                continue;
            };
            // ...must have identical logs up to it.
            if let Some(d) = (0..=k).find(|&d| ours[d] != theirs[d]) {
                out.push(Breach {
                    invariant: LOG_MATCHING,
                    detail: crate::sim::Detail::new(
                        "S{a} and S{b} both hold an entry of term {term} at index {k}, but differ at index {d}",
                        &[("a", &node.id), ("b", &other), ("term", &ours[k].term), ("k", &(k + 1)), ("d", &(d + 1))],
                    ),
                    nodes: vec![node.id, other],
                    positions: vec![(node.id, d as u64 + 1), (other, d as u64 + 1)],
                });
                return;
            }
        }
    }

    fn record_commits(&mut self, node: &RaftNode, from: u64, out: &mut Vec<Breach>) {
        let upto = (node.commit_index as usize).min(node.log.len());
        for k in from as usize..upto {
            match self.committed.get(k) {
                Some(c) if c.entry != node.log[k] => {
                    out.push(Breach {
                        invariant: STATE_MACHINE_SAFETY,
                        detail: crate::sim::Detail::new(
                            "S{id} committed \"{command}\" (term {term}) at index {k}, but S{by} had committed \"{first}\" (term {first_term}) there",
                            &[
                                ("id", &node.id),
                                ("command", &node.log[k].command),
                                ("term", &node.log[k].term),
                                ("k", &(k + 1)),
                                ("by", &c.by),
                                ("first", &c.entry.command),
                                ("first_term", &c.entry.term),
                            ],
                        ),
                        nodes: vec![node.id, c.by],
                        positions: vec![(node.id, k as u64 + 1), (c.by, k as u64 + 1)],
                    });
                    return;
                }
                Some(_) => {}
                // Only in order: a gap would mean entries below it were lost, which the other
                // properties report.
                None if k == self.committed.len() => self.committed.push(Committed { entry: node.log[k].clone(), in_term: node.term, by: node.id }),
                None => return,
            }
        }
    }

    /// Leader Completeness for every running leader against the committed entries: run when
    /// a new entry is found committed, since a leader of a higher term may already exist.
    fn check_leaders_complete(&self, world: &World<'_, Raft>, out: &mut Vec<Breach>) {
        for slot in world.nodes {
            if let Some(leader) = slot.state().filter(|n| n.role == Role::Leader) {
                self.check_complete(leader, out);
            }
        }
    }

    fn check_complete(&self, leader: &RaftNode, out: &mut Vec<Breach>) {
        for (k, c) in self.committed.iter().enumerate() {
            if c.in_term < leader.term && leader.log.get(k) != Some(&c.entry) {
                out.push(Breach {
                    invariant: LEADER_COMPLETENESS,
                    detail: crate::sim::Detail::new(
                        "S{id} leads term {term} without entry {k} (term {entry_term}, \"{command}\") that S{by} committed in term {in_term}",
                        &[("id", &leader.id), ("term", &leader.term), ("k", &(k + 1)), ("entry_term", &c.entry.term), ("command", &c.entry.command), ("by", &c.by), ("in_term", &c.in_term)],
                    ),
                    nodes: vec![leader.id, c.by],
                    positions: vec![(leader.id, k as u64 + 1), (c.by, k as u64 + 1)],
                });
                return;
            }
        }
    }

    fn record_applied(&mut self, node: &RaftNode, from: u64, out: &mut Vec<Breach>) {
        for k in from as usize..node.last_applied as usize {
            let entry = &node.log[k];
            match self.applied.get(k) {
                Some((first, by)) if first != entry => {
                    out.push(Breach {
                        invariant: STATE_MACHINE_SAFETY,
                        detail: crate::sim::Detail::new(
                            "S{id} applied \"{command}\" (term {term}) at index {k}, but S{by} applied \"{first}\" (term {first_term}) there",
                            &[("id", &node.id), ("command", &entry.command), ("term", &entry.term), ("k", &(k + 1)), ("by", &by), ("first", &first.command), ("first_term", &first.term)],
                        ),
                        nodes: vec![node.id, *by],
                        positions: vec![(node.id, k as u64 + 1), (*by, k as u64 + 1)],
                    });
                    return;
                }
                Some(_) => {}
                None => self.applied.push((entry.clone(), node.id)),
            }
        }
    }
}
