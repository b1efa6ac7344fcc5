//! The checker of Paxos's safety properties, for single-decree Paxos and Multi-Paxos alike.
//!
//! It reads the acceptors from outside after every event and keeps its own history of every
//! vote ever cast: an acceptor overwrites what it accepted when it accepts a higher ballot, so
//! "a majority accepted ballot b" may never be visible at any one moment. A value is **chosen**
//! in a slot the moment a majority of acceptors have accepted the same ballot there (Paxos Made
//! Simple, section 2.1) — a global fact no node may know yet. The checker stamps that moment
//! ([`PaxosChecker::chosen`]) and, apart, the moment each learner learns ([`PaxosChecker::learned_at`]),
//! so a report or the lab's timeline can show the gap between the two.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{Debug, Display};

use serde_json::{Value, json};

use super::acceptor::Acceptor;
use super::ballot::Ballot;
use crate::sim::time::to_ms_f64;
use crate::sim::{Breach, Checker, Invariant, Micros, NodeId, NodeSlot, Protocol, World};

/// Single-decree Paxos's invariants, in display order.
pub const INVARIANTS: &[Invariant] = &[
    Invariant { name: "Nontriviality", statement: "Only a value that has been proposed may be chosen." },
    Invariant { name: "Agreement", statement: "At most one value is chosen in each slot, ever." },
    Invariant { name: "Learn Only Chosen", statement: "A learner learns a value only if it has been chosen." },
    Invariant { name: "Promise Kept", statement: "An acceptor never accepts a ballot lower than one it has promised, nor forgets a promise." },
];

/// Multi-Paxos's: the same, and the replicated state machine's.
pub const MULTI_INVARIANTS: &[Invariant] =
    &[INVARIANTS[0], INVARIANTS[1], INVARIANTS[2], INVARIANTS[3], Invariant { name: "State Machine Safety", statement: "No two servers apply different commands at the same slot." }];

const NONTRIVIALITY: usize = 0;
const AGREEMENT: usize = 1;
const LEARN_ONLY_CHOSEN: usize = 2;
const PROMISE_KEPT: usize = 3;
const STATE_MACHINE_SAFETY: usize = 4;

/// What the checker needs to read of a Paxos protocol's servers.
pub trait Observed: Protocol {
    /// A proposed value.
    type Value: Clone + PartialEq + Debug + Display;
    /// Whether servers apply decided slots to a state machine (State Machine Safety is checked).
    const REPLICATED: bool;
    /// The server's acceptor (running or as stored), if it is one.
    fn acceptor_of(slot: &NodeSlot<Self>) -> Option<&Acceptor<Self::Value>>;
    /// What the server has learned, per slot (running or as stored).
    fn learned_of(slot: &NodeSlot<Self>) -> &BTreeMap<u64, Self::Value>;
    /// The values this server was asked to propose since it booted, in order.
    fn proposed_of(node: &Self::Node) -> &[Self::Value];
    /// The values in the server's durable state as the run starts (a scenario's `initial`):
    /// each was proposed by someone, before the run, and may be chosen. By default, what its
    /// acceptor had accepted.
    fn initial_values(slot: &NodeSlot<Self>) -> Vec<Self::Value> {
        Self::acceptor_of(slot).map(|a| a.accepted.values().map(|(_, v)| v.clone()).collect()).unwrap_or_default()
    }
    /// The ballots this server started (sent prepares for) since it booted, in order.
    fn started_of(node: &Self::Node) -> &[Ballot];
    /// The highest slot applied to its state machine.
    fn applied_of(_node: &Self::Node) -> u64 {
        0
    }
    /// The ballot it leads, if it is a leader (Multi-Paxos).
    fn leading(_node: &Self::Node) -> Option<Ballot> {
        None
    }
}

/// A value chosen in a slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen<V> {
    /// The value.
    pub value: V,
    /// The ballot in which a majority accepted it first.
    pub ballot: Ballot,
    /// The moment the last acceptor of that majority accepted: the value is chosen from here on,
    /// whether or not anyone knows.
    pub at_us: Micros,
    /// The event after which it was found.
    pub event: u64,
    /// The acceptors of that majority.
    pub by: Vec<NodeId>,
}

#[derive(Clone, Debug)]
struct Votes<V> {
    value: V,
    by: BTreeSet<NodeId>,
}

/// The checker and its history.
#[derive(Clone, Debug)]
pub struct PaxosChecker<P: Observed> {
    majority: usize,
    votes: BTreeMap<(u64, Ballot), Votes<P::Value>>,
    chosen: BTreeMap<u64, Chosen<P::Value>>,
    learned_at: BTreeMap<u64, BTreeMap<NodeId, Micros>>,
    /// Per server: what it had accepted when last seen (slot -> ballot).
    seen_accepted: Vec<BTreeMap<u64, Ballot>>,
    seen_promised: Vec<Ballot>,
    seen_proposed: Vec<usize>,
    seen_started: Vec<usize>,
    seen_applied: Vec<u64>,
    proposed: Vec<P::Value>,
    /// Whether the run's initial state has been read (its values count as proposed).
    initial_read: bool,
    started: Vec<(Ballot, Micros)>,
    applied: BTreeMap<u64, (P::Value, NodeId)>,
    leaders: BTreeMap<Ballot, Micros>,
}

impl<P: Observed> PaxosChecker<P> {
    /// A checker for `nodes` servers of which `acceptors` are acceptors.
    pub fn new(nodes: u32, acceptors: usize) -> Self {
        let n = nodes as usize;
        PaxosChecker {
            majority: acceptors / 2 + 1,
            votes: BTreeMap::new(),
            chosen: BTreeMap::new(),
            learned_at: BTreeMap::new(),
            seen_accepted: vec![BTreeMap::new(); n],
            seen_promised: vec![Ballot::ZERO; n],
            seen_proposed: vec![0; n],
            seen_started: vec![0; n],
            seen_applied: vec![0; n],
            proposed: Vec::new(),
            initial_read: false,
            started: Vec::new(),
            applied: BTreeMap::new(),
            leaders: BTreeMap::new(),
        }
    }

    /// How many acceptors make a majority.
    pub fn majority(&self) -> usize {
        self.majority
    }

    /// The values chosen so far, by slot, with the moment each was chosen.
    pub fn chosen(&self) -> &BTreeMap<u64, Chosen<P::Value>> {
        &self.chosen
    }

    /// Per slot, per learner, the moment it learned the slot's value.
    pub fn learned_at(&self) -> &BTreeMap<u64, BTreeMap<NodeId, Micros>> {
        &self.learned_at
    }

    /// Every ballot started (prepares sent), with when, in order.
    pub fn ballots_started(&self) -> &[(Ballot, Micros)] {
        &self.started
    }

    /// Every value proposed so far, in order (repeats kept).
    pub fn proposed(&self) -> &[P::Value] {
        &self.proposed
    }

    /// Multi-Paxos: each ballot that had a leader, and when it took over.
    pub fn leaders(&self) -> &BTreeMap<Ballot, Micros> {
        &self.leaders
    }

    /// The acceptors that have ever accepted `ballot` in `slot`.
    pub fn voters(&self, slot: u64, ballot: Ballot) -> Vec<NodeId> {
        self.votes.get(&(slot, ballot)).map(|v| v.by.iter().copied().collect()).unwrap_or_default()
    }

    /// `chosen` as JSON: per slot `{slot, value, ballot, at_ms, by, learned: {node: at_ms}}`.
    pub fn chosen_json(&self, value: impl Fn(&P::Value) -> Value) -> Value {
        let list = self
            .chosen
            .iter()
            .map(|(slot, c)| {
                let learned: serde_json::Map<String, Value> = self.learned_at.get(slot).into_iter().flatten().map(|(n, at)| (n.to_string(), json!(to_ms_f64(*at)))).collect();
                json!({"slot": slot, "value": value(&c.value), "ballot": c.ballot.json(), "at_ms": to_ms_f64(c.at_us), "by": c.by, "learned": learned})
            })
            .collect();
        Value::Array(list)
    }

    /// `ballots_started` as JSON: `[{ballot, at_ms}]`.
    pub fn started_json(&self) -> Value {
        Value::Array(self.started.iter().map(|(b, at)| json!({"ballot": b.json(), "at_ms": to_ms_f64(*at)})).collect())
    }

    fn is_proposed(&self, v: &P::Value) -> bool {
        self.proposed.iter().any(|p| p == v)
    }

    fn observe(&mut self, world: &World<'_, P>, id: NodeId, out: &mut Vec<Breach>) {
        let i = id as usize - 1;
        let slot = world.node(id);
        if let Some(node) = slot.state() {
            let proposed = P::proposed_of(node);
            if proposed.len() < self.seen_proposed[i] {
                self.seen_proposed[i] = 0;
            }
            self.proposed.extend(proposed[self.seen_proposed[i]..].iter().cloned());
            self.seen_proposed[i] = proposed.len();
            let started = P::started_of(node);
            if started.len() < self.seen_started[i] {
                self.seen_started[i] = 0;
            }
            self.started.extend(started[self.seen_started[i]..].iter().map(|b| (*b, world.now_us)));
            self.seen_started[i] = started.len();
            if let Some(b) = P::leading(node) {
                self.leaders.entry(b).or_insert(world.now_us);
            }
        } else {
            self.seen_proposed[i] = 0;
            self.seen_started[i] = 0;
        }
        if let Some(acc) = P::acceptor_of(slot) {
            self.observe_acceptor(world, id, acc, out);
        }
        for (&s, v) in P::learned_of(slot) {
            let at = self.learned_at.entry(s).or_default();
            if at.contains_key(&id) {
                continue;
            }
            at.insert(id, world.now_us);
            match self.chosen.get(&s) {
                Some(c) if c.value == *v => {}
                Some(c) => out.push(Breach {
                    invariant: LEARN_ONLY_CHOSEN,
                    detail: crate::sim::Detail::new("S{id} learned {v} in slot {s}, but {chosen} was chosen there", &[("id", &id), ("v", &v), ("s", &s), ("chosen", &c.value)]),
                    nodes: vec![id],
                    positions: vec![(id, s)],
                }),
                None => out.push(Breach {
                    invariant: LEARN_ONLY_CHOSEN,
                    detail: crate::sim::Detail::new("S{id} learned {v} in slot {s}, where nothing has been chosen", &[("id", &id), ("v", &v), ("s", &s)]),
                    nodes: vec![id],
                    positions: vec![(id, s)],
                }),
            }
        }
        if P::REPLICATED {
            self.observe_applied(world, id, out);
        }
    }

    fn observe_acceptor(&mut self, world: &World<'_, P>, id: NodeId, acc: &Acceptor<P::Value>, out: &mut Vec<Breach>) {
        let i = id as usize - 1;
        let promised_before = self.seen_promised[i];
        if acc.promised < promised_before {
            out.push(Breach {
                invariant: PROMISE_KEPT,
                detail: crate::sim::Detail::new("S{id} had promised ballot {before}, now only {now}", &[("id", &id), ("before", &promised_before), ("now", &acc.promised)]),
                nodes: vec![id],
                positions: Vec::new(),
            });
        }
        self.seen_promised[i] = acc.promised.max(promised_before);
        for (&s, (b, v)) in &acc.accepted {
            if self.seen_accepted[i].get(&s) == Some(b) {
                continue;
            }
            self.seen_accepted[i].insert(s, *b);
            if *b < promised_before {
                out.push(Breach {
                    invariant: PROMISE_KEPT,
                    detail: crate::sim::Detail::new("S{id} accepted ballot {b} in slot {s} after promising ballot {before}", &[("id", &id), ("b", &b), ("s", &s), ("before", &promised_before)]),
                    nodes: vec![id],
                    positions: vec![(id, s)],
                });
            }
            let votes = self.votes.entry((s, *b)).or_insert_with(|| Votes { value: v.clone(), by: BTreeSet::new() });
            if votes.value != *v {
                let other = votes.value.clone();
                out.push(Breach {
                    invariant: AGREEMENT,
                    detail: crate::sim::Detail::new(
                        "S{id} accepted {v} in ballot {b} of slot {s}, where others accepted {other}: one ballot, two values",
                        &[("id", &id), ("v", &v), ("b", &b), ("s", &s), ("other", &other)],
                    ),
                    nodes: vec![id],
                    positions: vec![(id, s)],
                });
                continue;
            }
            votes.by.insert(id);
            if votes.by.len() < self.majority {
                continue;
            }
            let by: Vec<NodeId> = votes.by.iter().copied().collect();
            match self.chosen.get(&s) {
                None => {
                    if !self.is_proposed(v) {
                        out.push(Breach {
                            invariant: NONTRIVIALITY,
                            detail: crate::sim::Detail::new("{v} was chosen in slot {s} (ballot {b}), but nobody proposed it", &[("v", &v), ("s", &s), ("b", &b)]),
                            nodes: by.clone(),
                            positions: by.iter().map(|&n| (n, s)).collect(),
                        });
                    }
                    self.chosen.insert(s, Chosen { value: v.clone(), ballot: *b, at_us: world.now_us, event: world.events, by });
                }
                Some(c) if c.value != *v => out.push(Breach {
                    invariant: AGREEMENT,
                    detail: crate::sim::Detail::new(
                        "{v} was chosen in slot {s} by ballot {b} (S{by}), but {first} had been chosen there by ballot {first_ballot}",
                        &[("v", &v), ("s", &s), ("b", &b), ("by", &by.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", S")), ("first", &c.value), ("first_ballot", &c.ballot)],
                    ),
                    nodes: by.clone(),
                    positions: by.iter().map(|&n| (n, s)).collect(),
                }),
                Some(_) => {}
            }
        }
    }

    fn observe_applied(&mut self, world: &World<'_, P>, id: NodeId, out: &mut Vec<Breach>) {
        let i = id as usize - 1;
        let slot = world.node(id);
        let Some(node) = slot.state() else {
            self.seen_applied[i] = 0;
            return;
        };
        let applied = P::applied_of(node);
        if applied < self.seen_applied[i] {
            self.seen_applied[i] = 0;
        }
        let learned = P::learned_of(slot);
        for s in self.seen_applied[i] + 1..=applied {
            let Some(v) = learned.get(&s) else { continue };
            match self.applied.get(&s) {
                Some((first, by)) if first != v => out.push(Breach {
                    invariant: STATE_MACHINE_SAFETY,
                    detail: crate::sim::Detail::new("S{id} applied {v} at slot {s}, but S{by} applied {first} there", &[("id", &id), ("v", &v), ("s", &s), ("by", &by), ("first", &first)]),
                    nodes: vec![id, *by],
                    positions: vec![(id, s), (*by, s)],
                }),
                Some(_) => {}
                None => {
                    self.applied.insert(s, (v.clone(), id));
                }
            }
        }
        self.seen_applied[i] = applied;
    }
}

impl<P: Observed> Checker<P> for PaxosChecker<P> {
    fn invariants(&self) -> &'static [Invariant] {
        if P::REPLICATED { MULTI_INVARIANTS } else { INVARIANTS }
    }

    fn check(&mut self, world: &World<'_, P>, touched: Option<NodeId>, out: &mut Vec<Breach>) {
        // The engine checks once as the run starts, before any event: what the servers hold
        // then was set up by the scenario, proposed before the run ("Paxos Made Simple" §2.2:
        // only a proposed value may be chosen; an old proposer's value is one).
        if !self.initial_read {
            self.initial_read = true;
            for slot in world.nodes {
                self.proposed.extend(P::initial_values(slot));
            }
        }
        match touched {
            Some(id) => self.observe(world, id, out),
            None => {
                for id in 1..=world.nodes.len() as NodeId {
                    self.observe(world, id, out);
                }
            }
        }
    }
}
