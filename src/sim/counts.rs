//! What became of a run's messages: how many were sent, delivered, dropped and duplicated, in
//! total and by message type, and how many are still in flight.
//!
//! The engine counts as it acts, at the same places it records the typed [`super::Event`]s
//! (`send`, `duplicate`, `deliver`, `drop`), whether or not a trace is kept: no text is ever
//! read back. Each message meets exactly one end, so at every moment
//!
//! ```text
//! sent + duplicated == delivered + dropped + in_flight
//! ```
//!
//! in total and for every type. A copy the network makes is `duplicated`, not `sent`; a message
//! lost with a sender that crashed at the instant of sending (a `"sends"` trigger) is `sent` and
//! `dropped`, never on the wire.
//!
//! Types are keyed by the protocol's own name for them ([`super::Message::kind`]) and kept in
//! name order, so every listing is the same on every platform (no hash map).

use serde::ser::{Serialize, SerializeMap, Serializer};

/// How many messages (of one type, or of all) met each end so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Sent by a server or a client (each message once; copies the network made are not sends).
    pub sent: u64,
    /// Handed to their receiver, copies included.
    pub delivered: u64,
    /// Lost, for any reason (random loss, partition, cut link, receiver down, dropped by hand,
    /// sender crashed at the instant of sending), copies included.
    pub dropped: u64,
    /// Second copies the network made.
    pub duplicated: u64,
    /// On the wire now (waiting on a held link or a paused receiver included).
    pub in_flight: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.dropped += other.dropped;
        self.duplicated += other.duplicated;
        self.in_flight += other.in_flight;
    }
}

/// A run's message counts by type; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageCounts {
    /// In name order. A protocol has a handful of types: a short vector, searched by the
    /// name's address first (see [`MessageCounts::of`]), costs a run less than a map would.
    by_type: Vec<(&'static str, Counts)>,
}

impl MessageCounts {
    /// The counts of every type added up.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for (_, c) in &self.by_type {
            total.add(c);
        }
        total
    }

    /// The counts of each type that has been sent, in name order.
    pub fn by_type(&self) -> &[(&'static str, Counts)] {
        &self.by_type
    }

    /// The counts of one type, if any was sent.
    pub fn get(&self, kind: &str) -> Option<&Counts> {
        self.by_type.iter().find(|(k, _)| *k == kind).map(|(_, c)| c)
    }

    /// The counts of `kind`. Its name is almost always the one literal of the protocol's
    /// `kind()`, so addresses are compared first, and names only for a new type (or the same
    /// name written elsewhere).
    #[inline]
    fn of(&mut self, kind: &'static str) -> &mut Counts {
        let i = match self.by_type.iter().position(|(k, _)| std::ptr::eq(*k, kind)) {
            Some(i) => i,
            None => self.place(kind),
        };
        &mut self.by_type[i].1
    }

    #[cold]
    fn place(&mut self, kind: &'static str) -> usize {
        match self.by_type.binary_search_by(|(k, _)| (*k).cmp(kind)) {
            Ok(i) => i,
            Err(i) => {
                self.by_type.insert(i, (kind, Counts::default()));
                i
            }
        }
    }

    /// A message was put on the wire.
    #[inline]
    pub(super) fn sent(&mut self, kind: &'static str) {
        let c = self.of(kind);
        c.sent += 1;
        c.in_flight += 1;
    }

    /// The network made a second copy of a message.
    #[inline]
    pub(super) fn duplicated(&mut self, kind: &'static str) {
        let c = self.of(kind);
        c.duplicated += 1;
        c.in_flight += 1;
    }

    /// A message on the wire reached its receiver.
    #[inline]
    pub(super) fn delivered(&mut self, kind: &'static str) {
        let c = self.of(kind);
        c.delivered += 1;
        c.in_flight -= 1;
    }

    /// A message on the wire was lost.
    #[inline]
    pub(super) fn dropped(&mut self, kind: &'static str) {
        let c = self.of(kind);
        c.dropped += 1;
        c.in_flight -= 1;
    }

    /// A message was lost with its sender as it was sent: it never reached the wire.
    pub(super) fn lost_with_sender(&mut self, kind: &'static str) {
        let c = self.of(kind);
        c.sent += 1;
        c.dropped += 1;
    }
}

/// The shape reports give it (`distlab run`'s `messages`, `distlab compare`'s): the totals,
/// then `by_type`, `{"<type>": {"sent", "delivered", "dropped", "duplicated", "in_flight"}}` in
/// name order.
impl Serialize for MessageCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.total();
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("sent", &t.sent)?;
        m.serialize_entry("delivered", &t.delivered)?;
        m.serialize_entry("dropped", &t.dropped)?;
        m.serialize_entry("duplicated", &t.duplicated)?;
        m.serialize_entry("in_flight", &t.in_flight)?;
        m.serialize_entry("by_type", &ByType(&self.by_type))?;
        m.end()
    }
}

/// `by_type` as a JSON object, in name order.
struct ByType<'a>(&'a [(&'static str, Counts)]);

impl Serialize for ByType<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (kind, c) in self.0 {
            m.serialize_entry(kind, c)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use serde::Serialize;

    use super::*;
    use crate::sim::checker::{Breach, Checked, Checker, Invariant};
    use crate::sim::rng::PPM_ONE;
    use crate::sim::{Action, Addr, ClientId, Ctx, Detail, Engine, LinkProfile, Message, NodeId, Note, Protocol, Scheduled, Setup, Target, Timer, TraceMode, When, World, ms};

    /// The smallest protocol that sends: asked to, a server or client sends a Ping to a server,
    /// and a server answers every Ping with a Pong. No timers, no state, no invariants: every
    /// message of a run is one the test asked for, so its counts are known exactly.
    #[derive(Clone, Debug)]
    struct Echo;

    #[derive(Clone, Debug, Serialize)]
    enum Msg {
        Ping,
        Pong,
    }

    impl fmt::Display for Msg {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.kind())
        }
    }

    impl Message for Msg {
        fn kind(&self) -> &'static str {
            match self {
                Msg::Ping => "Ping",
                Msg::Pong => "Pong",
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Never;

    impl fmt::Display for Never {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("never")
        }
    }

    impl Timer for Never {
        fn words(&self) -> Detail {
            Detail::plain("never")
        }
    }

    impl Note for Never {
        fn kind(&self) -> &'static str {
            "never"
        }
        fn words(&self) -> Detail {
            Detail::plain("never")
        }
    }

    impl Protocol for Echo {
        type Msg = Msg;
        type Timer = Never;
        type Note = Never;
        type Durable = ();
        type Node = ();
        type Client = ();
        /// The server to ping.
        type Request = NodeId;

        fn name(&self) -> &'static str {
            "echo"
        }
        fn fresh_durable(&self, _id: NodeId) {}
        fn boot(&self, _id: NodeId, _durable: &(), _ctx: &mut Ctx<Self>) {}
        fn on_message(&self, _node: &mut (), from: Addr, msg: Msg, ctx: &mut Ctx<Self>) {
            if let Msg::Ping = msg {
                ctx.send(from, Msg::Pong);
            }
        }
        fn on_timer(&self, _node: &mut (), _timer: Never, _ctx: &mut Ctx<Self>) {}
        fn on_request(&self, _node: &mut (), to: NodeId, ctx: &mut Ctx<Self>) {
            ctx.send_node(to, Msg::Ping);
        }
        fn save(&self, _node: &mut (), _durable: &mut ()) {}
        fn new_client(&self, _id: ClientId) {}
        fn client_submit(&self, _client: &mut (), to: NodeId, ctx: &mut Ctx<Self>) {
            ctx.send_node(to, Msg::Ping);
        }
        fn client_on_message(&self, _client: &mut (), _from: Addr, _msg: Msg, _ctx: &mut Ctx<Self>) {}
        fn client_on_timer(&self, _client: &mut (), _timer: Never, _ctx: &mut Ctx<Self>) {}
    }

    #[derive(Clone, Debug)]
    struct NoChecks;

    impl Checker<Echo> for NoChecks {
        fn invariants(&self) -> &'static [Invariant] {
            &[]
        }
        fn check(&mut self, _world: &World<'_, Echo>, _touched: Option<NodeId>, _breaches: &mut Vec<Breach>) {}
    }

    impl Checked for Echo {
        type Checker = NoChecks;
        fn checker(&self, _nodes: u32) -> NoChecks {
            NoChecks
        }
    }

    /// Every message takes exactly 10 ms.
    const TEN_MS: LinkProfile = LinkProfile { latency_us_min: 10_000, latency_us_max: 10_000, loss_ppm: 0, duplicate_ppm: 0 };

    /// S1 pings `to` at 1 ms.
    fn ping(to: NodeId) -> (u64, Action<NodeId>) {
        (1, Action::Client { request: to, to: Some(Target::Node(1)), client: 0 })
    }

    /// Three servers on `network`, the schedule at its times (ms), run to `until_ms`.
    fn run(network: LinkProfile, schedule: Vec<(u64, Action<NodeId>)>, until_ms: u64) -> Engine<Echo> {
        let schedule = schedule.into_iter().map(|(at, action)| Scheduled { when: When::At(ms(at)), action }).collect();
        run_with(network, schedule, until_ms, TraceMode::Hash)
    }

    fn run_with(network: LinkProfile, schedule: Vec<Scheduled<NodeId>>, until_ms: u64, trace: TraceMode) -> Engine<Echo> {
        let mut e = Engine::new(Setup { protocol: Echo, nodes: 3, seed: 1, network, initial: Vec::new(), schedule, trace });
        e.run_until(ms(until_ms));
        for (kind, c) in e.messages().by_type() {
            let on_wire = e.network().in_flight().values().filter(|m| m.msg.kind() == *kind).count() as u64;
            assert_eq!(c.in_flight, on_wire, "{kind}: in flight as the network holds them");
            assert_eq!(c.sent + c.duplicated, c.delivered + c.dropped + c.in_flight, "{kind}: every message meets one end: {c:?}");
        }
        e
    }

    fn counts(sent: u64, delivered: u64, dropped: u64, duplicated: u64, in_flight: u64) -> Counts {
        Counts { sent, delivered, dropped, duplicated, in_flight }
    }

    fn by_type(e: &Engine<Echo>) -> Vec<(&'static str, Counts)> {
        e.messages().by_type().iter().map(|(k, c)| (*k, *c)).collect()
    }

    #[test]
    fn sent_and_delivered_count_each_message_once_clients_included() {
        // S1 pings S2; client C1 pings S3: two Pings, two Pongs, all delivered.
        let e = run(TEN_MS, vec![ping(2), (2, Action::Client { request: 3, to: None, client: 1 })], 100);
        assert_eq!(by_type(&e), [("Ping", counts(2, 2, 0, 0, 0)), ("Pong", counts(2, 2, 0, 0, 0))]);
        assert_eq!(e.messages().total(), counts(4, 4, 0, 0, 0));
    }

    #[test]
    fn in_flight_counts_messages_on_the_wire_and_waiting_on_a_paused_receiver() {
        // At 5 ms the Ping has 6 ms to go.
        let e = run(TEN_MS, vec![ping(2)], 5);
        assert_eq!(by_type(&e), [("Ping", counts(1, 0, 0, 0, 1))]);
        // A paused S2 lets the Ping wait on the wire; its Pong is never sent.
        let e = run(TEN_MS, vec![(0, Action::Pause(Target::Node(2))), ping(2)], 100);
        assert_eq!(by_type(&e), [("Ping", counts(1, 0, 0, 0, 1))]);
    }

    #[test]
    fn dropped_counts_every_way_a_message_is_lost() {
        let lost = [("Ping", counts(1, 0, 1, 0, 0))];
        // Random loss, decided when it was sent.
        assert_eq!(by_type(&run(TEN_MS, vec![(0, Action::Loss(PPM_ONE)), ping(2)], 100)), lost, "loss");
        // A partition between sender and receiver.
        assert_eq!(by_type(&run(TEN_MS, vec![(0, Action::Partition(vec![vec![1], vec![2, 3]])), ping(2)], 100)), lost, "partition");
        // A cut link.
        assert_eq!(by_type(&run(TEN_MS, vec![(0, Action::Cut(1, 2)), ping(2)], 100)), lost, "cut");
        // The receiver down when it arrives.
        assert_eq!(by_type(&run(TEN_MS, vec![(0, Action::Crash(Target::Node(2))), ping(2)], 100)), lost, "down");
        // Dropped by hand (m1: the run's first message).
        assert_eq!(by_type(&run(TEN_MS, vec![ping(2), (5, Action::Drop(1))], 100)), lost, "by hand");
        // Waiting on a paused receiver that then crashes.
        assert_eq!(by_type(&run(TEN_MS, vec![(0, Action::Pause(Target::Node(2))), ping(2), (50, Action::Crash(Target::Node(2)))], 100)), lost, "paused, then down");
        // Lost with its sender: S2 crashes as it sends its Pong, which never reaches the wire.
        let trigger = Scheduled { when: When::Sends { node: 2, kind: "Pong".to_string() }, action: Action::Crash(Target::Node(2)) };
        let (at, first) = ping(2);
        let e = run_with(TEN_MS, vec![Scheduled { when: When::At(ms(at)), action: first }, trigger], 100, TraceMode::Hash);
        assert_eq!(by_type(&e), [("Ping", counts(1, 1, 0, 0, 0)), ("Pong", counts(1, 0, 1, 0, 0))], "sender crashed");
        assert!(e.network().in_flight().is_empty());
    }

    #[test]
    fn duplicated_counts_the_networks_copies_not_sends() {
        // Every message is doubled: the Ping arrives twice, each arrival answered by a Pong that
        // arrives twice.
        let e = run(LinkProfile { duplicate_ppm: PPM_ONE, ..TEN_MS }, vec![ping(2)], 100);
        assert_eq!(by_type(&e), [("Ping", counts(1, 2, 0, 1, 0)), ("Pong", counts(2, 4, 0, 2, 0))]);
        assert_eq!(e.messages().total(), counts(3, 6, 0, 3, 0));
    }

    #[test]
    fn counts_do_not_depend_on_the_trace_and_travel_with_snapshots() {
        let schedule = || vec![Scheduled { when: When::At(ms(1)), action: Action::Client { request: 2, to: Some(Target::Node(3)), client: 0 } }];
        let lines = run_with(TEN_MS, schedule(), 100, TraceMode::Lines);
        let off = run_with(TEN_MS, schedule(), 100, TraceMode::Off);
        assert_eq!(lines.messages(), off.messages());
        assert_eq!(lines.messages().total(), counts(2, 2, 0, 0, 0));
        let mut early = run_with(TEN_MS, schedule(), 5, TraceMode::Off);
        let snapshot = early.clone();
        early.run_until(ms(100));
        assert_eq!(early.messages(), off.messages());
        assert_eq!(snapshot.messages().total(), counts(1, 0, 0, 0, 1), "a snapshot keeps the counts of its moment");
    }

    #[test]
    fn types_are_kept_in_name_order_and_one_name_is_one_type() {
        let mut m = MessageCounts::default();
        m.sent("Vote");
        m.sent("Append");
        // The same name from another place in memory (another literal, or a built string).
        let again: &'static str = String::from("Vote").leak();
        m.delivered(again);
        m.sent("Commit");
        let kinds: Vec<(&str, u64, u64)> = m.by_type().iter().map(|(k, c)| (*k, c.sent, c.delivered)).collect();
        assert_eq!(kinds, [("Append", 1, 0), ("Commit", 1, 0), ("Vote", 1, 1)]);
        assert_eq!(m.get("Vote").map(|c| c.in_flight), Some(0));
        assert_eq!(m.get("Nope"), None);
    }

    #[test]
    fn reports_give_totals_then_types_in_name_order() {
        let e = run(LinkProfile { duplicate_ppm: PPM_ONE, ..TEN_MS }, vec![ping(2)], 100);
        let json = serde_json::to_string(e.messages()).expect("serializes");
        assert_eq!(
            json,
            r#"{"sent":3,"delivered":6,"dropped":0,"duplicated":3,"in_flight":0,"by_type":{"Ping":{"sent":1,"delivered":2,"dropped":0,"duplicated":1,"in_flight":0},"Pong":{"sent":2,"delivered":4,"dropped":0,"duplicated":2,"in_flight":0}}}"#
        );
    }
}
