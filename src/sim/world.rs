//! What the engine holds of each actor, and the read-only [`World`] that a checker and a report
//! look at: the servers (running state, stable storage, pending timers) and the clients.

use std::collections::BTreeMap;

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

/// An actor's pending timers: at most one of each value, in the order they were armed.
///
/// Indexed both ways, so that arming, cancelling and firing one costs the logarithm of how many
/// are pending: a 2PC coordinator has a timer per transaction under way, and a list searched
/// from the front on every timer made a run of 10,000 transactions quadratic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timers<T> {
    /// By the engine's number: numbers grow with each arming, so this is the arming order.
    by_id: BTreeMap<u64, PendingTimer<T>>,
    /// The number of each timer pending.
    by_timer: BTreeMap<T, u64>,
}

impl<T> Default for Timers<T> {
    fn default() -> Self {
        Timers { by_id: BTreeMap::new(), by_timer: BTreeMap::new() }
    }
}

impl<T: Ord + Copy> Timers<T> {
    /// Arms `t`, replacing the same timer if it was pending (it moves to the end).
    pub(super) fn set(&mut self, t: PendingTimer<T>) {
        if let Some(old) = self.by_timer.insert(t.timer, t.id) {
            self.by_id.remove(&old);
        }
        self.by_id.insert(t.id, t);
    }

    /// Cancels `timer`, if pending.
    pub(super) fn cancel(&mut self, timer: T) {
        if let Some(id) = self.by_timer.remove(&timer) {
            self.by_id.remove(&id);
        }
    }

    /// Takes the timer the engine numbered `id` (for it to fire), if still pending.
    pub(super) fn take(&mut self, id: u64) -> Option<PendingTimer<T>> {
        let t = self.by_id.remove(&id)?;
        self.by_timer.remove(&t.timer);
        Some(t)
    }

    /// Whether the timer the engine numbered `id` is still pending (not re-armed, cancelled or
    /// fired since).
    pub(super) fn has_id(&self, id: u64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Forgets every timer (a crash).
    pub(super) fn clear(&mut self) {
        self.by_id.clear();
        self.by_timer.clear();
    }

    /// The pending `timer`, if it is.
    pub fn get(&self, timer: T) -> Option<&PendingTimer<T>> {
        self.by_timer.get(&timer).map(|id| &self.by_id[id])
    }
}

impl<T> Timers<T> {
    /// Every pending timer, in the order they were armed.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &PendingTimer<T>> + ExactSizeIterator {
        self.by_id.values()
    }

    /// How many are pending.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// A server as the engine holds it.
#[derive(Clone, Debug)]
pub struct NodeSlot<P: Protocol> {
    /// Its id.
    pub id: NodeId,
    pub(super) state: Option<P::Node>,
    pub(super) durable: P::Durable,
    pub(super) paused: bool,
    pub(super) timers: Timers<P::Timer>,
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
    pub fn timers(&self) -> &Timers<P::Timer> {
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
    pub(super) timers: Timers<P::Timer>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(timer: char, id: u64) -> PendingTimer<char> {
        PendingTimer { timer, set_us: id * 10, due_us: id * 100, id }
    }

    #[test]
    fn timers_keep_one_of_each_in_arming_order() {
        let mut ts = Timers::default();
        for (t, id) in [('e', 1), ('h', 2), ('r', 3)] {
            ts.set(pending(t, id));
        }
        // Armed again, a timer replaces itself and moves to the end, as a list's retain and push.
        ts.set(pending('e', 4));
        let order = |ts: &Timers<char>| ts.iter().map(|t| (t.timer, t.id)).collect::<Vec<_>>();
        assert_eq!(order(&ts), [('h', 2), ('r', 3), ('e', 4)]);
        assert_eq!(ts.len(), 3);
        assert!(!ts.has_id(1), "the replaced arming is stale");
        assert_eq!(ts.get('e').map(|t| t.due_us), Some(400));
        ts.cancel('h');
        ts.cancel('x');
        assert_eq!(order(&ts), [('r', 3), ('e', 4)]);
        assert_eq!(ts.take(3).map(|t| t.timer), Some('r'));
        assert_eq!(ts.take(3), None, "fired once");
        assert_eq!(ts.get('r'), None);
        ts.clear();
        assert!(ts.is_empty() && ts.get('e').is_none() && !ts.has_id(4));
    }
}
