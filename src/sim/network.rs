//! The simulated network: latency, loss, duplication, partitions and per-link faults.
//!
//! Every message in flight is an [`Envelope`] that can be inspected, dropped or delayed. Random
//! decisions (latency, loss, duplication) are drawn from the network's own stream when a message
//! is sent, so they do not depend on what happens while it travels; reachability (partitions,
//! cut links, crashed receivers) is judged when it arrives, as on a real network where a cable
//! pulled mid-flight loses the packet.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::protocol::{Addr, NodeId};
use super::rng::{PPM_ONE, Ppm, Rng};
use super::time::Micros;

/// A message's id, unique within a run, in sending order: `m1`, `m2`, ...
pub type MsgId = u64;

/// Latency, loss and duplication of a link, or of the whole network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LinkProfile {
    /// Fastest delivery.
    pub latency_us_min: Micros,
    /// Slowest delivery; each message draws uniformly between the two, so messages reorder.
    pub latency_us_max: Micros,
    /// Probability that a message is lost.
    pub loss_ppm: Ppm,
    /// Probability that a message is delivered twice (the copy draws its own latency).
    pub duplicate_ppm: Ppm,
}

impl Default for LinkProfile {
    fn default() -> Self {
        LinkProfile { latency_us_min: 10_000, latency_us_max: 30_000, loss_ppm: 0, duplicate_ppm: 0 }
    }
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DropReason {
    /// Random loss.
    Loss,
    /// The sender and receiver are in different partitions, or one is isolated.
    Partition,
    /// The link's direction was cut.
    Cut,
    /// The receiver was down.
    Down,
    /// Someone dropped it by hand.
    User,
    /// The sender crashed at the instant of sending (a trigger fired).
    SenderCrashed,
}

impl DropReason {
    /// The word used in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::Cut => "cut",
            DropReason::Down => "down",
            DropReason::User => "user",
            DropReason::SenderCrashed => "sender-crashed",
        }
    }
}

/// A message on the wire.
#[derive(Clone, Debug, Serialize)]
pub struct Envelope<M> {
    /// Its id.
    pub id: MsgId,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// When it was sent.
    pub sent_us: Micros,
    /// When it is due to arrive.
    pub due_us: Micros,
    /// The payload.
    pub msg: M,
    /// Decided at sending time: the network will lose it on arrival.
    pub doomed: bool,
    /// The original, when this is a duplicate.
    pub copy_of: Option<MsgId>,
    /// Waiting on a held link.
    pub held: bool,
}

/// Network state: the profile, partitions, link faults and the messages in flight. The engine
/// changes it only through its verbs (turmoil's names where it has them: `hold`, `release`,
/// `partition`, `repair`), and asks it what becomes of a message when its time comes
/// ([`Network::fate`]).
#[derive(Clone, Debug)]
pub struct Network<M> {
    /// The profile of every link without an override.
    profile: LinkProfile,
    /// Per-direction overrides of latency, loss and duplication.
    link_profiles: BTreeMap<(Addr, Addr), LinkProfile>,
    /// Directions whose messages are lost (`cut`), independent of partitions.
    cut: BTreeSet<(Addr, Addr)>,
    /// Directions whose messages wait on the link until released (turmoil's `hold`). A link
    /// can be both cut and held: holding wins while it lasts, the cut remains after release.
    held: BTreeSet<(Addr, Addr)>,
    /// Partition group of each server (index = node id); all zero when whole.
    group: Vec<u32>,
    /// Isolated servers reach nobody, clients included.
    isolated: Vec<bool>,
    /// Messages in flight, by id.
    in_flight: BTreeMap<MsgId, Envelope<M>>,
    next_id: MsgId,
    rng: Rng,
}

/// A message asked about is not on the wire (delivered, dropped, or never sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotOnTheWire;

/// What sending decided for one message.
pub struct Sent {
    /// The message's id.
    pub id: MsgId,
    /// Its due time.
    pub due_us: Micros,
    /// A duplicate's id and due time.
    pub copy: Option<(MsgId, Micros)>,
}

impl<M: Clone> Network<M> {
    /// A whole network of `nodes` servers.
    pub fn new(nodes: u32, profile: LinkProfile, rng: Rng) -> Self {
        Network {
            profile,
            link_profiles: BTreeMap::new(),
            cut: BTreeSet::new(),
            held: BTreeSet::new(),
            group: vec![0; nodes as usize + 1],
            isolated: vec![false; nodes as usize + 1],
            in_flight: BTreeMap::new(),
            next_id: 1,
            rng,
        }
    }

    /// The profile of every link without an override of its own.
    pub fn profile(&self) -> &LinkProfile {
        &self.profile
    }

    /// The messages in flight, by id.
    pub fn in_flight(&self) -> &BTreeMap<MsgId, Envelope<M>> {
        &self.in_flight
    }

    /// Whether message `id` is on the wire, due at `at_us` and not waiting on a held link: a
    /// queue entry for it at that moment is still live.
    pub fn is_due(&self, id: MsgId, at_us: Micros) -> bool {
        self.in_flight.get(&id).is_some_and(|e| e.due_us == at_us && !e.held)
    }

    /// The route of message `id`, if it is on the wire.
    pub fn route(&self, id: MsgId) -> Option<(Addr, Addr)> {
        self.in_flight.get(&id).map(|e| (e.from, e.to))
    }

    /// Keeps message `id`, whose time has come, on its link if the link is held (until
    /// [`Network::release`]); true if it was kept.
    pub fn park_if_held(&mut self, id: MsgId) -> bool {
        match self.in_flight.get_mut(&id) {
            Some(e) if self.held.contains(&(e.from, e.to)) => {
                e.held = true;
                true
            }
            _ => false,
        }
    }

    /// What becomes of message `id` if it arrives now: `Some(reason)` if it is lost (doomed
    /// when sent, or stopped by the partitions, a cut link or a down receiver: `up` says which
    /// are up), `None` if it is delivered; `Err` if it is not on the wire. The engine asks
    /// when the message's time comes; the inspector asks beforehand.
    pub fn fate(&self, id: MsgId, up: impl FnOnce(Addr) -> bool) -> Result<Option<DropReason>, NotOnTheWire> {
        let e = self.in_flight.get(&id).ok_or(NotOnTheWire)?;
        Ok(if e.doomed {
            Some(DropReason::Loss)
        } else if !self.connected(e.from, e.to) {
            Some(DropReason::Partition)
        } else if self.is_cut(e.from, e.to) {
            Some(DropReason::Cut)
        } else if !up(e.to) {
            Some(DropReason::Down)
        } else {
            None
        })
    }

    /// Takes message `id` off the wire undelivered (dropped by hand, or to a server that
    /// crashed while it waited).
    pub fn take(&mut self, id: MsgId) -> Option<Envelope<M>> {
        self.in_flight.remove(&id)
    }

    /// Makes message `id` due at `at_us` instead (what waited on a paused server arrives when
    /// it resumes); false if it is no longer on the wire.
    pub fn redue(&mut self, id: MsgId, at_us: Micros) -> bool {
        let Some(e) = self.in_flight.get_mut(&id) else { return false };
        e.due_us = at_us;
        true
    }

    /// Delays message `id` by `by_us`; returns its new due time, and whether it waits on a held
    /// link (whose release will deliver it).
    pub fn delay(&mut self, id: MsgId, by_us: Micros) -> Option<(Micros, bool)> {
        let e = self.in_flight.get_mut(&id)?;
        // Delayed again and again, a message could be due past the end of time: it stays at the
        // end (never delivered, as a run ends before), instead of wrapping to the past.
        e.due_us = e.due_us.saturating_add(by_us);
        Some((e.due_us, e.held))
    }

    /// Cuts the direction `from -> to`: its messages are lost on arrival.
    pub fn cut(&mut self, from: Addr, to: Addr) {
        self.cut.insert((from, to));
    }

    /// Repairs a cut direction.
    pub fn repair(&mut self, from: Addr, to: Addr) {
        self.cut.remove(&(from, to));
    }

    /// Holds the direction `from -> to`: its messages wait on the link when their time comes.
    pub fn hold(&mut self, from: Addr, to: Addr) {
        self.held.insert((from, to));
    }

    /// Releases a held direction: what waited on it is due at `now_us`; returns those
    /// messages, in id order, for the engine to deliver.
    pub fn release(&mut self, from: Addr, to: Addr, now_us: Micros) -> Vec<MsgId> {
        self.held.remove(&(from, to));
        let mut waiting = Vec::new();
        for e in self.in_flight.values_mut().filter(|e| e.held && (e.from, e.to) == (from, to)) {
            e.held = false;
            e.due_us = now_us;
            waiting.push(e.id);
        }
        waiting
    }

    /// Sets the loss rate of every link without an override.
    pub fn set_loss(&mut self, loss_ppm: Ppm) {
        self.profile.loss_ppm = loss_ppm;
    }

    /// Sets the duplication rate of every link without an override.
    pub fn set_duplicate(&mut self, duplicate_ppm: Ppm) {
        self.profile.duplicate_ppm = duplicate_ppm;
    }

    /// Sets the latency range of every link without an override.
    pub fn set_latency(&mut self, min_us: Micros, max_us: Micros) {
        self.profile.latency_us_min = min_us;
        self.profile.latency_us_max = max_us;
    }

    /// Gives the direction `from -> to` a profile of its own.
    pub fn set_link(&mut self, from: Addr, to: Addr, profile: LinkProfile) {
        self.link_profiles.insert((from, to), profile);
    }

    fn profile_of(&self, from: Addr, to: Addr) -> LinkProfile {
        self.link_profiles.get(&(from, to)).copied().unwrap_or(self.profile)
    }

    /// Puts a message on the wire; draws its latency, loss and duplication.
    pub fn send(&mut self, now_us: Micros, from: Addr, to: Addr, msg: M) -> Sent {
        let p = self.profile_of(from, to);
        let id = self.next_id;
        self.next_id += 1;
        let due_us = now_us + self.rng.range_inclusive(p.latency_us_min, p.latency_us_max);
        let doomed = self.rng.chance(p.loss_ppm);
        let copy = if self.rng.chance(p.duplicate_ppm) {
            let copy_id = self.next_id;
            self.next_id += 1;
            let copy_due = now_us + self.rng.range_inclusive(p.latency_us_min, p.latency_us_max);
            let copy = Envelope { id: copy_id, from, to, sent_us: now_us, due_us: copy_due, msg: msg.clone(), doomed: false, copy_of: Some(id), held: false };
            self.in_flight.insert(copy_id, copy);
            Some((copy_id, copy_due))
        } else {
            None
        };
        self.in_flight.insert(id, Envelope { id, from, to, sent_us: now_us, due_us, msg, doomed, copy_of: None, held: false });
        Sent { id, due_us, copy }
    }

    /// Allocates an id for a message that never reaches the wire (lost with a crashing sender),
    /// so ids stay in sending order.
    pub fn burn_id(&mut self) -> MsgId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Whether the partition layout lets `from` reach `to` (ignoring per-link faults).
    pub fn connected(&self, from: Addr, to: Addr) -> bool {
        let side = |a: Addr| a.node().map(|id| (self.group[id as usize], self.isolated[id as usize]));
        match (side(from), side(to)) {
            (Some((ga, ia)), Some((gb, ib))) => !ia && !ib && ga == gb,
            (Some((_, i)), None) | (None, Some((_, i))) => !i,
            (None, None) => true,
        }
    }

    /// Whether the direction `from -> to` is cut.
    pub fn is_cut(&self, from: Addr, to: Addr) -> bool {
        self.cut.contains(&(from, to))
    }

    /// Whether the direction `from -> to` is held.
    pub fn is_held(&self, from: Addr, to: Addr) -> bool {
        self.held.contains(&(from, to))
    }

    /// Splits the servers into groups; servers not named form one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        for g in self.group.iter_mut() {
            *g = 0;
        }
        for (i, members) in groups.iter().enumerate() {
            for &id in members {
                if let Some(g) = self.group.get_mut(id as usize) {
                    *g = i as u32 + 1;
                }
            }
        }
    }

    /// Cuts a server off from everyone, clients included.
    pub fn isolate(&mut self, id: NodeId) {
        if let Some(i) = self.isolated.get_mut(id as usize) {
            *i = true;
        }
    }

    /// Reconnects an isolated server.
    pub fn unisolate(&mut self, id: NodeId) {
        if let Some(i) = self.isolated.get_mut(id as usize) {
            *i = false;
        }
    }

    /// Whether a server is isolated.
    pub fn is_isolated(&self, id: NodeId) -> bool {
        self.isolated.get(id as usize).copied().unwrap_or(false)
    }

    /// The partition groups, when the network is split: each group's members in order.
    pub fn groups(&self) -> Vec<Vec<NodeId>> {
        let mut by_group: BTreeMap<u32, Vec<NodeId>> = BTreeMap::new();
        for (id, &g) in self.group.iter().enumerate().skip(1) {
            by_group.entry(g).or_default().push(id as NodeId);
        }
        if by_group.len() <= 1 { Vec::new() } else { by_group.into_values().collect() }
    }

    /// Undoes partitions, isolation and cuts. Held links stay held until released: holding is
    /// a deliberate, separate control.
    pub fn heal(&mut self) {
        self.partition(&[]);
        for i in self.isolated.iter_mut() {
            *i = false;
        }
        self.cut.clear();
    }
}

/// Parses a probability in [0, 1] into parts per million, rounding to nearest.
pub fn ppm_from_ratio(p: f64) -> Option<Ppm> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    // Multiplication and rounding are exact IEEE operations: the same on every platform.
    Some(((p * PPM_ONE as f64).round() as u32).min(PPM_ONE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network<&'static str> {
        Network::new(5, LinkProfile::default(), Rng::stream(1, "network"))
    }

    #[test]
    fn latency_is_drawn_within_the_profile() {
        let mut n = net();
        for _ in 0..200 {
            let s = n.send(1_000, Addr::Node(1), Addr::Node(2), "m");
            assert!((11_000..=31_000).contains(&s.due_us));
            assert!(s.copy.is_none());
        }
    }

    #[test]
    fn partitions_separate_groups_and_leave_clients_connected() {
        let mut n = net();
        n.partition(&[vec![1, 2], vec![3, 4, 5]]);
        assert!(n.connected(Addr::Node(1), Addr::Node(2)));
        assert!(!n.connected(Addr::Node(2), Addr::Node(3)));
        assert!(n.connected(Addr::Client(1), Addr::Node(3)));
        assert_eq!(n.groups(), vec![vec![1, 2], vec![3, 4, 5]]);
        n.isolate(4);
        assert!(!n.connected(Addr::Node(4), Addr::Node(5)));
        assert!(!n.connected(Addr::Client(1), Addr::Node(4)));
        n.heal();
        assert!(n.connected(Addr::Node(4), Addr::Node(1)));
        assert!(n.groups().is_empty());
    }

    #[test]
    fn unnamed_servers_form_their_own_group() {
        let mut n = net();
        n.partition(&[vec![1, 2]]);
        assert!(n.connected(Addr::Node(3), Addr::Node(5)));
        assert!(!n.connected(Addr::Node(1), Addr::Node(5)));
    }

    #[test]
    fn duplication_and_loss_follow_their_rates() {
        let mut n = net();
        n.set_duplicate(PPM_ONE);
        n.set_loss(PPM_ONE);
        let s = n.send(0, Addr::Node(1), Addr::Node(2), "m");
        assert!(s.copy.is_some());
        assert!(n.in_flight[&s.id].doomed);
        assert_eq!(n.in_flight.len(), 2);
    }

    #[test]
    fn a_message_delayed_again_and_again_stays_at_the_end_of_time_instead_of_wrapping() {
        // A schedule may delay one message many times (each by at most json::MAX_US): the
        // sum passes u64::MAX after some 18,500 delays.
        let mut n = net();
        let s = n.send(0, Addr::Node(1), Addr::Node(2), "m");
        let by = 1_000_000_000_000_000;
        let mut due = s.due_us;
        for _ in 0..20_000 {
            due = n.delay(s.id, by).expect("still on the wire").0;
        }
        assert_eq!(due, Micros::MAX);
    }

    #[test]
    fn ratios_become_parts_per_million() {
        assert_eq!(ppm_from_ratio(0.1), Some(100_000));
        assert_eq!(ppm_from_ratio(1.0), Some(PPM_ONE));
        assert_eq!(ppm_from_ratio(1.5), None);
        assert_eq!(ppm_from_ratio(f64::NAN), None);
    }
}
