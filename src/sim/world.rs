//! What the engine holds of each actor, and the read-only [`World`] that a checker and a report
//! look at: the servers (running state, stable storage, pending timers) and the clients.

use super::protocol::{ClientId, NodeId, Protocol};
use super::rng::Rng;
use super::time::Micros;

/// A pending timer of an actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingTimer<T> {
    /// Which timer.
    pub timer: T,
    /// When it was armed.
    pub set_us: Micros,
    /// When it fires.
    pub due_us: Micros,
    /// The engine's number for it: its queue entry carries the same, so a timer re-armed or
    /// cancelled since leaves a stale entry behind that the engine recognises.
    pub(super) id: u64,
}

/// A server as the engine holds it.
#[derive(Clone, Debug)]
pub struct NodeSlot<P: Protocol> {
    /// Its id.
    pub id: NodeId,
    pub(super) state: Option<P::Node>,
    pub(super) durable: P::Durable,
    pub(super) paused: bool,
    pub(super) timers: Vec<PendingTimer<P::Timer>>,
    pub(super) rng: Rng,
}

impl<P: Protocol> NodeSlot<P> {
    /// The running state, `None` while crashed.
    pub fn state(&self) -> Option<&P::Node> {
        self.state.as_ref()
    }
    /// What stable storage holds.
    pub fn durable(&self) -> &P::Durable {
        &self.durable
    }
    /// Whether it is running (not crashed).
    pub fn up(&self) -> bool {
        self.state.is_some()
    }
    /// Whether it is frozen.
    pub fn paused(&self) -> bool {
        self.paused
    }
    /// Its pending timers.
    pub fn timers(&self) -> &[PendingTimer<P::Timer>] {
        &self.timers
    }
}

/// A client actor as the engine holds it.
#[derive(Clone, Debug)]
pub struct ClientSlot<P: Protocol> {
    /// Its id.
    pub id: ClientId,
    /// Its state.
    pub state: P::Client,
    pub(super) timers: Vec<PendingTimer<P::Timer>>,
    pub(super) rng: Rng,
}

/// What a checker or a report may read: the servers and clients, now.
pub struct World<'a, P: Protocol> {
    /// Current virtual time.
    pub now_us: Micros,
    /// Events processed so far.
    pub events: u64,
    /// Servers, index `id - 1`.
    pub nodes: &'a [NodeSlot<P>],
    /// Client actors, index `id - 1`.
    pub clients: &'a [ClientSlot<P>],
}

impl<P: Protocol> World<'_, P> {
    /// Server `id`.
    pub fn node(&self, id: NodeId) -> &NodeSlot<P> {
        &self.nodes[id as usize - 1]
    }
}
