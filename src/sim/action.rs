//! The verbs that act on a run: scenario schedules, fuzzers and (later) the UI all speak them.

use std::fmt;

use super::detail::Detail;
use super::network::{LinkProfile, MsgId};
use super::protocol::NodeId;
use super::rng::Ppm;
use super::time::Micros;

/// Which server an action names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A server by id.
    Node(NodeId),
    /// Whichever server the protocol calls its leader at that moment (nothing if none).
    Leader,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(id) => write!(f, "S{id}"),
            Target::Leader => f.write_str("leader"),
        }
    }
}

/// One thing done to a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<R> {
    /// Lose volatile state and timers; deliveries to it are dropped.
    Crash(Target),
    /// Rebuild from durable state.
    Restart(Target),
    /// Freeze: timers and deliveries wait, as in a long GC pause.
    Pause(Target),
    /// Unfreeze; whatever waited happens now.
    Resume(Target),
    /// Fire the server's timer now.
    Timeout(Target),
    /// Split the servers into groups.
    Partition(Vec<Vec<NodeId>>),
    /// Cut one server off from everyone.
    Isolate(Target),
    /// Undo [`Action::Isolate`] for one server (partitions and cuts stay).
    Reconnect(Target),
    /// Undo partitions, isolation and cuts.
    Heal,
    /// Lose every message from the first server to the second.
    Cut(NodeId, NodeId),
    /// Undo a cut.
    Repair(NodeId, NodeId),
    /// Keep messages from the first server to the second on the link.
    Hold(NodeId, NodeId),
    /// Deliver what a held link kept, in order, and stop holding.
    Release(NodeId, NodeId),
    /// Set the loss rate of every link.
    Loss(Ppm),
    /// Set the duplication rate of every link.
    Duplicate(Ppm),
    /// Set the latency range of every link.
    Latency(Micros, Micros),
    /// Override one direction's profile.
    Link(NodeId, NodeId, LinkProfile),
    /// A request through the client actor (`to: None`) or handed straight to a server.
    Client { request: R, to: Option<Target>, client: u32 },
    /// Drop one message in flight.
    Drop(MsgId),
    /// Make one message in flight arrive later.
    Delay(MsgId, Micros),
}

impl<R> Action<R> {
    /// The same action with its request turned into another type (a request kept as text).
    pub fn map_request<S>(self, f: impl FnOnce(R) -> S) -> Action<S> {
        match self.try_map_request(|r| Ok::<S, std::convert::Infallible>(f(r))) {
            Ok(action) => action,
            Err(never) => match never {},
        }
    }

    /// The same action with its request turned into another type by a conversion that may
    /// fail (a request parsed from a scenario file), or the conversion's error.
    pub fn try_map_request<S, E>(self, f: impl FnOnce(R) -> Result<S, E>) -> Result<Action<S>, E> {
        Ok(match self {
            Action::Crash(t) => Action::Crash(t),
            Action::Restart(t) => Action::Restart(t),
            Action::Pause(t) => Action::Pause(t),
            Action::Resume(t) => Action::Resume(t),
            Action::Timeout(t) => Action::Timeout(t),
            Action::Partition(groups) => Action::Partition(groups),
            Action::Isolate(t) => Action::Isolate(t),
            Action::Reconnect(t) => Action::Reconnect(t),
            Action::Heal => Action::Heal,
            Action::Cut(a, b) => Action::Cut(a, b),
            Action::Repair(a, b) => Action::Repair(a, b),
            Action::Hold(a, b) => Action::Hold(a, b),
            Action::Release(a, b) => Action::Release(a, b),
            Action::Loss(p) => Action::Loss(p),
            Action::Duplicate(p) => Action::Duplicate(p),
            Action::Latency(lo, hi) => Action::Latency(lo, hi),
            Action::Link(a, b, p) => Action::Link(a, b, p),
            Action::Client { request, to, client } => Action::Client { request: f(request)?, to, client },
            Action::Drop(id) => Action::Drop(id),
            Action::Delay(id, by) => Action::Delay(id, by),
        })
    }
}

impl<R> Action<R> {
    /// Whether it names the leader, a server known only when it is applied (the trace then
    /// says which: `crash leader (S3)`).
    pub fn names_leader(&self) -> bool {
        match self {
            Action::Crash(t) | Action::Restart(t) | Action::Pause(t) | Action::Resume(t) | Action::Timeout(t) | Action::Isolate(t) | Action::Reconnect(t) => *t == Target::Leader,
            Action::Client { to, .. } => *to == Some(Target::Leader),
            _ => false,
        }
    }
}

impl<R: fmt::Display> Action<R> {
    /// The action in words a person reads (`"crash S{id}"`); its `Display` is these words in
    /// English, as the trace writes them. A request is written as the protocol writes it.
    pub fn words(&self) -> Detail {
        // An action on the leader names no server: it has words of its own, so that a
        // translation can say "the leader".
        match self {
            Action::Crash(Target::Node(id)) => Detail::new("crash S{id}", &[("id", id)]),
            Action::Crash(Target::Leader) => Detail::plain("crash leader"),
            Action::Restart(Target::Node(id)) => Detail::new("restart S{id}", &[("id", id)]),
            Action::Restart(Target::Leader) => Detail::plain("restart leader"),
            Action::Pause(Target::Node(id)) => Detail::new("pause S{id}", &[("id", id)]),
            Action::Pause(Target::Leader) => Detail::plain("pause leader"),
            Action::Resume(Target::Node(id)) => Detail::new("resume S{id}", &[("id", id)]),
            Action::Resume(Target::Leader) => Detail::plain("resume leader"),
            Action::Timeout(Target::Node(id)) => Detail::new("timeout S{id}", &[("id", id)]),
            Action::Timeout(Target::Leader) => Detail::plain("timeout leader"),
            Action::Partition(groups) => {
                let groups: String = groups.iter().map(|g| format!(" {g:?}")).collect();
                Detail::new("partition{groups}", &[("groups", &groups)])
            }
            Action::Isolate(Target::Node(id)) => Detail::new("isolate S{id}", &[("id", id)]),
            Action::Isolate(Target::Leader) => Detail::plain("isolate leader"),
            Action::Reconnect(Target::Node(id)) => Detail::new("reconnect S{id}", &[("id", id)]),
            Action::Reconnect(Target::Leader) => Detail::plain("reconnect leader"),
            Action::Heal => Detail::plain("heal"),
            Action::Cut(a, b) => Detail::new("cut S{a}->S{b}", &[("a", a), ("b", b)]),
            Action::Repair(a, b) => Detail::new("repair S{a}->S{b}", &[("a", a), ("b", b)]),
            Action::Hold(a, b) => Detail::new("hold S{a}->S{b}", &[("a", a), ("b", b)]),
            Action::Release(a, b) => Detail::new("release S{a}->S{b}", &[("a", a), ("b", b)]),
            Action::Loss(p) => Detail::new("loss {p}ppm", &[("p", p)]),
            Action::Duplicate(p) => Detail::new("duplicate {p}ppm", &[("p", p)]),
            Action::Latency(lo, hi) => Detail::new("latency {lo}..{hi}us", &[("lo", lo), ("hi", hi)]),
            Action::Link(a, b, p) => Detail::new(
                "link S{a}->S{b} {lo}..{hi}us loss={loss} dup={dup}",
                &[("a", a), ("b", b), ("lo", &p.latency_us_min), ("hi", &p.latency_us_max), ("loss", &p.loss_ppm), ("dup", &p.duplicate_ppm)],
            ),
            Action::Client { request, to: None, client } => Detail::new("client C{client} \"{request}\"", &[("client", client), ("request", request)]),
            Action::Client { request, to: Some(Target::Node(id)), .. } => Detail::new("client \"{request}\" to S{id}", &[("request", request), ("id", id)]),
            Action::Client { request, to: Some(Target::Leader), .. } => Detail::new("client \"{request}\" to leader", &[("request", request)]),
            Action::Drop(id) => Detail::new("drop m{id}", &[("id", id)]),
            Action::Delay(id, by) => Detail::new("delay m{id} by {by}us", &[("id", id), ("by", by)]),
        }
    }
}

impl<R: fmt::Display> fmt::Display for Action<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// When a scheduled action fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// At a virtual time, before other events of that instant that were queued later.
    At(Micros),
    /// At the instant a server first sends a message of a type; the send is suppressed if the
    /// action crashes the sender.
    Sends { node: NodeId, kind: String },
    /// Right after the run's `event`-th event, at virtual time `at_us` (no earlier than that
    /// event, before anything due later): how a session recorded by hand (the browser lab's
    /// buttons) is written down and replayed exactly, even among events of the same
    /// microsecond. If events due before `at_us` are still queued at that point (a file edited
    /// by hand), they run first.
    After { event: u64, at_us: Micros },
}

/// An action with its moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled<R> {
    /// When.
    pub when: When,
    /// What.
    pub action: Action<R>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_conversion_fails_only_an_action_with_a_request() {
        let client: Action<&str> = Action::Client { request: "set x 1", to: None, client: 1 };
        assert_eq!(client.try_map_request(|_| Err::<String, _>("not a command")), Err("not a command"));
        let heal: Action<&str> = Action::Heal;
        assert_eq!(heal.try_map_request(|_| Err::<String, _>("never asked")), Ok(Action::Heal));
    }

    #[test]
    fn an_action_with_its_request_as_text_reads_the_same() {
        let t = Target::Node(2);
        let actions: Vec<Action<&str>> = vec![
            Action::Crash(t),
            Action::Restart(Target::Leader),
            Action::Pause(t),
            Action::Resume(t),
            Action::Timeout(t),
            Action::Partition(vec![vec![1], vec![2, 3]]),
            Action::Isolate(t),
            Action::Reconnect(t),
            Action::Heal,
            Action::Cut(1, 2),
            Action::Repair(1, 2),
            Action::Hold(1, 2),
            Action::Release(1, 2),
            Action::Loss(5),
            Action::Duplicate(5),
            Action::Latency(1, 2),
            Action::Link(1, 2, LinkProfile::default()),
            Action::Client { request: "set x 1", to: None, client: 1 },
            Action::Drop(3),
            Action::Delay(3, 10),
        ];
        for a in &actions {
            assert_eq!(a.clone().map_request(str::to_string).to_string(), a.to_string());
        }
    }
}
