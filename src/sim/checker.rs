//! Safety invariants, checked by the engine after every event.
//!
//! A checker lives apart from the protocol it checks (TigerBeetle's `*_checker` habit): it reads
//! the servers' states from the outside and keeps its own history (who led which term, what was
//! committed where), so a bug inside a protocol cannot hide from it. Checkers are `Clone` because
//! they travel with the engine's snapshots when a run goes back in time.

use serde::Serialize;

use super::detail::Detail;
use super::protocol::{NodeId, Protocol};
use super::time::Micros;
use super::world::World;

/// One safety property a protocol promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Invariant {
    /// Its name as the papers give it ("Election Safety").
    pub name: &'static str,
    /// One sentence a student can read.
    pub statement: &'static str,
}

/// A broken invariant, as a checker reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// Index into [`Checker::invariants`].
    pub invariant: usize,
    /// What went wrong, naming nodes, terms and indexes.
    pub detail: Detail,
    /// The servers involved, for highlighting.
    pub nodes: Vec<NodeId>,
    /// The log positions involved, as (server, 1-based index), for highlighting.
    pub positions: Vec<(NodeId, u64)>,
}

/// The first breach of an invariant, stamped by the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// Virtual time of the event after which it was found.
    pub at_us: Micros,
    /// Number of that event (1-based, as in the trace).
    pub event: u64,
    /// The explanation.
    pub detail: Detail,
    /// The servers involved.
    pub nodes: Vec<NodeId>,
    /// The log positions involved, as (server, 1-based index).
    pub positions: Vec<(NodeId, u64)>,
}

/// Checks a protocol's invariants.
pub trait Checker<P: Protocol>: Clone + std::fmt::Debug {
    /// The invariants, in display order.
    fn invariants(&self) -> &'static [Invariant];
    /// Looks at the world after an event. `touched` is the server the event ran on, if any:
    /// a checker may skip work that only a change to another server could require, but must
    /// re-check everything when `touched` is `None` (a crash, a restart, a start).
    fn check(&mut self, world: &World<'_, P>, touched: Option<NodeId>, breaches: &mut Vec<Breach>);
}

/// A protocol with the checker of its invariants: what the engine runs, checking after every
/// event.
pub trait Checked: Protocol {
    /// The safety invariants' checker.
    type Checker: Checker<Self>;
    /// The checker of this protocol's invariants for a cluster of `nodes` servers.
    fn checker(&self, nodes: u32) -> Self::Checker;
}
