//! A run whose protocol type is erased: the CLI and the web app drive any protocol's engine
//! through [`AnyRun`].

use serde_json::Value;

use super::action::parse_action;
use super::error::Result;
use super::json::Field;
use super::protocol::{ScenarioProtocol, map_request};
use crate::sim::{Engine, Micros, TraceLine, TraceMode, Violation};

/// A run in progress, of any protocol (object safe).
pub trait AnyRun {
    /// The protocol's scenario name.
    fn protocol(&self) -> &'static str;
    /// Number of servers.
    fn nodes(&self) -> u32;
    /// The root seed.
    fn seed(&self) -> u64;
    /// Processes the next event; false when nothing is left to happen.
    fn step(&mut self) -> bool;
    /// Runs every event due at or before `until_us`, then sets the clock there.
    fn run_until(&mut self, until_us: Micros);
    /// Like [`AnyRun::run_until`], stopping after the first violation; returns whether one
    /// happened.
    fn run_until_violation(&mut self, until_us: Micros) -> bool;
    /// When the next event is due.
    fn next_due(&mut self) -> Option<Micros>;
    /// Current virtual time.
    fn now(&self) -> Micros;
    /// Events processed so far.
    fn events(&self) -> u64;
    /// The JSON report of `distlab run`.
    #[cfg(feature = "report")]
    fn report(&self) -> Value;
    /// The trace digest so far.
    fn trace_hash(&self) -> String;
    /// The trace lines recorded since the last call ([`TraceMode::Lines`]).
    fn drain_trace(&mut self) -> Vec<TraceLine>;
    /// Changes how much trace is kept from now on.
    fn set_trace_mode(&mut self, mode: TraceMode);
    /// The first breach of any invariant.
    fn first_violation(&self) -> Option<&Violation>;
    /// Applies an action written as in a schedule entry without its moment
    /// (`{"crash": "leader"}`, `{"client": "set x 1", "to": 2}`) now, as one event.
    fn act(&mut self, action: &Value) -> Result<()>;
    /// A copy of the run as it stands (a snapshot to go back to).
    fn snapshot(&self) -> Box<dyn AnyRun>;
}

impl<P: ScenarioProtocol> AnyRun for Engine<P> {
    fn protocol(&self) -> &'static str {
        P::NAME
    }
    fn nodes(&self) -> u32 {
        Engine::nodes(self).len() as u32
    }
    fn seed(&self) -> u64 {
        Engine::seed(self)
    }
    fn step(&mut self) -> bool {
        Engine::step(self)
    }
    fn run_until(&mut self, until_us: Micros) {
        Engine::run_until(self, until_us)
    }
    fn run_until_violation(&mut self, until_us: Micros) -> bool {
        Engine::run_until_violation(self, until_us)
    }
    fn next_due(&mut self) -> Option<Micros> {
        Engine::next_due(self)
    }
    fn now(&self) -> Micros {
        Engine::now(self)
    }
    fn events(&self) -> u64 {
        Engine::events(self)
    }
    #[cfg(feature = "report")]
    fn report(&self) -> Value {
        crate::sim::report::report(self)
    }
    fn trace_hash(&self) -> String {
        Engine::trace_hash(self)
    }
    fn drain_trace(&mut self) -> Vec<TraceLine> {
        Engine::drain_trace(self)
    }
    fn set_trace_mode(&mut self, mode: TraceMode) {
        Engine::set_trace_mode(self, mode)
    }
    fn first_violation(&self) -> Option<&Violation> {
        Engine::first_violation(self)
    }
    fn act(&mut self, action: &Value) -> Result<()> {
        let field = Field::root(action);
        let mut o = field.object()?;
        let nodes = AnyRun::nodes(self);
        let raw = parse_action(&mut o, nodes, self.network().profile(), &[])?;
        o.finish()?;
        let action = map_request(&raw, |v| Engine::protocol(self).parse_request(&Field::at(v, "client")))?;
        Engine::act(self, action);
        Ok(())
    }
    fn snapshot(&self) -> Box<dyn AnyRun> {
        Box::new(self.clone())
    }
}
