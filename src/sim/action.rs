//! The verbs that act on a run: scenario schedules, fuzzers and (later) the UI all speak them.

use std::fmt;

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

impl<R: fmt::Display> fmt::Display for Action<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Crash(t) => write!(f, "crash {t}"),
            Action::Restart(t) => write!(f, "restart {t}"),
            Action::Pause(t) => write!(f, "pause {t}"),
            Action::Resume(t) => write!(f, "resume {t}"),
            Action::Timeout(t) => write!(f, "timeout {t}"),
            Action::Partition(groups) => {
                f.write_str("partition")?;
                for g in groups {
                    write!(f, " {g:?}")?;
                }
                Ok(())
            }
            Action::Isolate(t) => write!(f, "isolate {t}"),
            Action::Reconnect(t) => write!(f, "reconnect {t}"),
            Action::Heal => f.write_str("heal"),
            Action::Cut(a, b) => write!(f, "cut S{a}->S{b}"),
            Action::Repair(a, b) => write!(f, "repair S{a}->S{b}"),
            Action::Hold(a, b) => write!(f, "hold S{a}->S{b}"),
            Action::Release(a, b) => write!(f, "release S{a}->S{b}"),
            Action::Loss(p) => write!(f, "loss {p}ppm"),
            Action::Duplicate(p) => write!(f, "duplicate {p}ppm"),
            Action::Latency(lo, hi) => write!(f, "latency {lo}..{hi}us"),
            Action::Link(a, b, p) => write!(f, "link S{a}->S{b} {}..{}us loss={} dup={}", p.latency_us_min, p.latency_us_max, p.loss_ppm, p.duplicate_ppm),
            Action::Client { request, to: None, client } => write!(f, "client C{client} \"{request}\""),
            Action::Client { request, to: Some(t), .. } => write!(f, "client \"{request}\" to {t}"),
            Action::Drop(id) => write!(f, "drop m{id}"),
            Action::Delay(id, by) => write!(f, "delay m{id} by {by}us"),
        }
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
