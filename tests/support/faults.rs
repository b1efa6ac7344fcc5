//! The random fault schedules of the property tests, drawn by proptest so that a failing one
//! shrinks to a short reproducer. Each `*_properties.rs` includes this file
//! (`#[path = "support/faults.rs"] mod faults;`); it is no test target of its own.
//!
//! A test says what its schedules may hold ([`Schedules`]): which servers faults hit, which
//! kinds of fault, over how long and how many; it may add actions of its own (client
//! requests, operators' orders) as further arms, equally likely as each fault's. Faults are
//! drawn independently, never paired with their undoing, so an outage may last until the end
//! of the faulty span and a resume may come with no pause: schedules the CLI's fuzzer
//! (`distlab fuzz`, which pairs each fault with its repair) does not draw. At the end of the
//! span everything is repaired, and the run goes on, so every run also exercises recovery.

// Each test file uses a part of this one.
#![allow(dead_code)]

use std::fmt::Debug;
use std::ops::{Range, RangeInclusive};

use distlab::sim::{Action, Checked, Engine, LinkProfile, NodeId, Scheduled, Setup, Target, TraceMode, When, ms};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

/// A kind of fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Crash a server, or restart one.
    Crash,
    /// Crash whoever leads (or coordinates) at the time.
    CrashLeader,
    /// Pause a server, or resume one.
    Pause,
    /// Fire a server's timer early (an election timeout, say).
    Timeout,
    /// Split the cluster in two, isolate a server, or heal the network.
    Partition,
    /// Cut one direction of a link (until the network heals).
    Cut,
    /// Hold one direction of a link (its messages wait on it), or release one.
    Hold,
    /// Set the loss rate, up to [`MAX_LOSS`].
    Loss,
    /// Set the duplication rate, up to [`MAX_DUPLICATE`].
    Duplicate,
}

impl Kind {
    /// Every kind.
    pub const ALL: &[Kind] = &[Kind::Crash, Kind::CrashLeader, Kind::Pause, Kind::Timeout, Kind::Partition, Kind::Cut, Kind::Hold, Kind::Loss, Kind::Duplicate];
}

/// The highest loss rate drawn, in parts per million.
pub const MAX_LOSS: u32 = 300_000;
/// The highest duplication rate drawn, in parts per million.
pub const MAX_DUPLICATE: u32 = 300_000;

/// What a test's schedules may hold, and when.
#[derive(Clone, Debug)]
pub struct Schedules {
    /// Cluster size. Links and partitions involve every server.
    pub nodes: u32,
    /// The servers that crash, pause, time out, are isolated or split off (a balancer test spares
    /// the balancer).
    pub targets: RangeInclusive<NodeId>,
    /// The kinds of fault drawn.
    pub kinds: &'static [Kind],
    /// Actions fall in `0..span_ms`; at `span_ms` everything is repaired ([`Schedules::repairs`]).
    pub span_ms: u64,
    /// How long a run lasts: recovery has from `span_ms` to this.
    pub until_ms: u64,
    /// How many actions a schedule has.
    pub count: Range<usize>,
}

impl Schedules {
    /// The ways to draw one fault, one strategy each. A test may push arms of its own before
    /// [`Schedules::schedule`]; every arm is as likely as any other.
    pub fn arms<R: Clone + Debug + 'static>(&self) -> Vec<BoxedStrategy<Action<R>>> {
        let targets = self.targets.clone();
        let target = || targets.clone().prop_map(Target::Node);
        let nodes = self.nodes;
        let link = || (1..=nodes, 1..=nodes).prop_filter("a link", |(a, b)| a != b);
        let mut arms = Vec::new();
        for kind in self.kinds {
            match kind {
                Kind::Crash => {
                    arms.push(target().prop_map(Action::Crash).boxed());
                    arms.push(target().prop_map(Action::Restart).boxed());
                }
                Kind::CrashLeader => arms.push(Just(Action::Crash(Target::Leader)).boxed()),
                Kind::Pause => {
                    arms.push(target().prop_map(Action::Pause).boxed());
                    arms.push(target().prop_map(Action::Resume).boxed());
                }
                Kind::Timeout => arms.push(target().prop_map(Action::Timeout).boxed()),
                Kind::Partition => {
                    let ids: Vec<NodeId> = targets.clone().collect();
                    let most = ids.len();
                    arms.push(
                        proptest::sample::subsequence(ids, 1..most)
                            .prop_map(move |side| {
                                let rest = (1..=nodes).filter(|n| !side.contains(n)).collect();
                                Action::Partition(vec![side, rest])
                            })
                            .boxed(),
                    );
                    arms.push(target().prop_map(Action::Isolate).boxed());
                    arms.push(Just(Action::Heal).boxed());
                }
                Kind::Cut => arms.push(link().prop_map(|(a, b)| Action::Cut(a, b)).boxed()),
                Kind::Hold => {
                    arms.push(link().prop_map(|(a, b)| Action::Hold(a, b)).boxed());
                    arms.push(link().prop_map(|(a, b)| Action::Release(a, b)).boxed());
                }
                Kind::Loss => arms.push((0..MAX_LOSS).prop_map(Action::Loss).boxed()),
                Kind::Duplicate => arms.push((0..MAX_DUPLICATE).prop_map(Action::Duplicate).boxed()),
            }
        }
        arms
    }

    /// A schedule: [`Schedules::count`] actions, each drawn from one of `arms`, at random times
    /// in the span.
    pub fn schedule<R: Clone + Debug + 'static>(&self, arms: Vec<BoxedStrategy<Action<R>>>) -> impl Strategy<Value = Vec<(u64, Action<R>)>> + use<R> {
        timed(self.span_ms, Union::new(arms), self.count.clone())
    }

    /// A schedule of faults only.
    pub fn faults<R: Clone + Debug + 'static>(&self) -> impl Strategy<Value = Vec<(u64, Action<R>)>> + use<R> {
        self.schedule(self.arms())
    }

    /// What happens at the end of the span: a whole, healthy network (healed, no loss, no
    /// duplicates, every link released) and every target up (restarted, resumed).
    pub fn repairs<R>(&self) -> Vec<Scheduled<R>> {
        let at = |action| Scheduled { when: When::At(ms(self.span_ms)), action };
        let mut out = vec![at(Action::Heal), at(Action::Loss(0)), at(Action::Duplicate(0))];
        for n in self.targets.clone() {
            out.push(at(Action::Restart(Target::Node(n))));
            out.push(at(Action::Resume(Target::Node(n))));
        }
        for a in 1..=self.nodes {
            for b in (1..=self.nodes).filter(|&b| b != a) {
                out.push(at(Action::Release(a, b)));
            }
        }
        out
    }

    /// Runs `protocol` with `seed` on `actions` (at their times, in ms), then on the repairs,
    /// until [`Schedules::until_ms`].
    pub fn run<P: Checked>(&self, protocol: P, seed: u64, actions: Vec<(u64, Action<P::Request>)>, trace: TraceMode) -> Engine<P> {
        let mut schedule: Vec<Scheduled<P::Request>> = actions.into_iter().map(|(at, action)| Scheduled { when: When::At(ms(at)), action }).collect();
        schedule.extend(self.repairs());
        let setup = Setup { protocol, nodes: self.nodes, seed, network: LinkProfile::default(), initial: Vec::new(), schedule, trace };
        let mut e = Engine::new(setup);
        e.run_until(ms(self.until_ms));
        e
    }
}

/// `count` actions drawn from `action`, each at a random time in `0..span_ms`.
pub fn timed<S: Strategy>(span_ms: u64, action: S, count: Range<usize>) -> impl Strategy<Value = Vec<(u64, S::Value)>> {
    proptest::collection::vec((0..span_ms, action), count)
}
