//! Time travel: a run that can go back to any earlier moment.
//!
//! The engine is a value, so a snapshot is a clone. A [`Timeline`] keeps one every
//! `every_events` events; going back restores the latest snapshot at or before the target and
//! replays forward, which is exact because the run is deterministic. With the default spacing a
//! seek replays at most a few thousand events, whatever the length of the run.
//!
//! Actions applied by hand ([`Timeline::act`]) are not in the schedule, so the timeline records
//! each with the moment it happened (events processed, virtual time) and plans it there in the
//! engine ([`crate::sim::When::After`]) whenever it restores an earlier snapshot; an action in
//! the past forgets the recorded future, and the run branches. A run whose scenario already
//! plans such actions (an exported session) starts with them as its recorded actions.

use super::action::Action;
use super::checker::Checked;
use super::engine::{Engine, Planned};
use super::time::Micros;

/// Default spacing of snapshots, in events.
pub const SNAPSHOT_EVERY_EVENTS: u64 = 2_000;

/// A run with snapshots.
#[derive(Clone, Debug)]
pub struct Timeline<P: Checked> {
    current: Engine<P>,
    snapshots: Vec<Engine<P>>,
    every_events: u64,
    /// Actions applied by hand, and those the scenario pinned between events, in order.
    acts: Vec<Planned<P::Request>>,
}

impl<P: Checked> Timeline<P> {
    /// Wraps a fresh run.
    pub fn new(engine: Engine<P>, every_events: u64) -> Self {
        let acts = engine.planned().cloned().collect();
        Timeline { snapshots: vec![engine.clone()], current: engine, every_events: every_events.max(1), acts }
    }

    /// The run at the current moment.
    pub fn engine(&self) -> &Engine<P> {
        &self.current
    }

    /// The run at the current moment, mutably (for reading what needs `&mut`, like draining the
    /// trace; to change the run's future use [`Timeline::act`]).
    pub fn engine_mut(&mut self) -> &mut Engine<P> {
        &mut self.current
    }

    /// How many snapshots are kept.
    pub fn snapshots(&self) -> usize {
        self.snapshots.len()
    }

    fn remember(&mut self) {
        let events = self.current.events();
        let last = self.snapshots.last().map_or(0, Engine::events);
        if events >= last + self.every_events {
            self.snapshots.push(self.current.clone());
        }
    }

    /// One event forward; false at the end of everything queued.
    pub fn step(&mut self) -> bool {
        self.step_until(Micros::MAX)
    }

    /// The actions applied by hand so far (and those the scenario pinned between events), each
    /// with its moment.
    pub fn acts(&self) -> &[Planned<P::Request>] {
        &self.acts
    }

    fn step_until(&mut self, until_us: Micros) -> bool {
        let stepped = self.current.step_until(until_us);
        self.remember();
        stepped
    }

    /// Forward to `until_us`, keeping snapshots on the way.
    pub fn run_until(&mut self, until_us: Micros) {
        while self.step_until(until_us) {}
        self.current.run_until(until_us);
    }

    /// Starts from the latest snapshot that `usable` accepts, unless the current moment is
    /// usable and later: then replay is shortest from here.
    fn restore_before(&mut self, usable: impl Fn(&Engine<P>) -> bool) {
        let i = self.snapshots.iter().rposition(&usable).unwrap_or(0);
        let here_usable = usable(&self.current);
        if !here_usable || self.snapshots[i].events() > self.current.events() {
            self.current = self.snapshots[i].clone();
            let from = self.current.events();
            self.current.set_planned(self.acts.iter().filter(|a| a.after_event >= from).cloned());
        }
    }

    /// Moves to just after event `event` (0 = the start), backwards or forwards.
    pub fn seek_event(&mut self, event: u64) {
        self.restore_before(|s| s.events() <= event);
        while self.current.events() < event && self.step() {}
    }

    /// Moves to virtual time `at_us`: every event due by then has happened.
    pub fn seek_time(&mut self, at_us: Micros) {
        self.restore_before(|s| s.now() <= at_us);
        self.run_until(at_us);
    }

    /// Applies an action now. What used to follow this moment is forgotten: the run branches.
    pub fn act(&mut self, action: Action<P::Request>) {
        let events = self.current.events();
        self.snapshots.retain(|s| s.events() <= events);
        self.acts.retain(|a| a.after_event < events);
        self.acts.push(Planned { after_event: events, at_us: self.current.now(), action: action.clone() });
        self.current.set_planned([]);
        self.current.act(action);
        // Replay cannot redo an action that is not in the schedule, so the state just after
        // it is always kept: every later moment restores from here or after.
        self.snapshots.push(self.current.clone());
    }
}
