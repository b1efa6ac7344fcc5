//! What happened, as data: every event of a run is recorded as an [`Event`], and the trace's
//! text is *rendered* from it ([`Event`]'s `Display`), so the CLI's lines, the golden digests
//! and the lab's views all come from one record and cannot drift apart. Views read the fields
//! (a message's id and route, a drop's reason, a note's [`Mark`]); nothing above the engine
//! parses a line.
//!
//! One enum serves twice, told apart by its two type parameters, the protocol's words: while
//! the engine records, `T` and `A` borrow what is already there (`&dyn Display` of the message,
//! the timer, the note; the [`Action`] being applied), so a run that only hashes its trace
//! allocates nothing for it; a kept record ([`Record`]) owns them as text and as an
//! `Action<String>` (the request written as the trace writes it).

use std::fmt::{self, Display};

use super::action::Action;
use super::network::{DropReason, MsgId};
use super::protocol::{Addr, Mark, NodeId};
use super::time::{AsMs, Micros};

/// One event of a run. `T`: the protocol's words (a message, a timer, a note, a violation's
/// detail); `A`: the action applied. See the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<T, A> {
    /// A server exists at the start of the run (event 0).
    Start { node: NodeId },
    /// A message of type `kind` was put on the network, due at `due_us`; `heartbeat`: it
    /// only says the sender is there ([`super::Message::heartbeat`]).
    Send { id: MsgId, from: Addr, to: Addr, kind: &'static str, heartbeat: bool, msg: T, due_us: Micros },
    /// The network made `copy`, a second copy of message `of`, due at `due_us`.
    Duplicate { copy: MsgId, of: MsgId, from: Addr, due_us: Micros },
    /// A message was handed to its receiver.
    Deliver { id: MsgId, from: Addr, to: Addr, msg: T },
    /// A message was lost, and why.
    Drop { id: MsgId, from: Addr, to: Addr, kind: &'static str, reason: DropReason },
    /// A timer fired.
    Timer { at: Addr, timer: T },
    /// A protocol's state change, with the mark it deserves, if one.
    Note { at: Addr, note: T, mark: Option<Mark> },
    /// A server's first message of type `kind` set off a scheduled action (its own event
    /// follows).
    Trigger { node: NodeId, kind: &'static str, action: A },
    /// An action named a server that does not exist now: nothing was done.
    Skipped { action: A },
    /// An action was applied; `node`: the server it named.
    Action { node: Option<NodeId>, action: A },
    /// A server crashed.
    Crash { node: NodeId },
    /// A server restarted from its durable state.
    Restart { node: NodeId },
    /// A server froze.
    Pause { node: NodeId },
    /// A server unfroze: what waited for it is due now.
    Resume { node: NodeId },
    /// An invariant broke.
    Violation { invariant: &'static str, detail: T },
    /// A message's due time moved: it waited for its paused receiver or on a held link and is
    /// due now, or it was delayed. Kept for whatever reads the run, but not a line of the
    /// trace's text (see [`Event::silent`]): the action or resume that moved it is.
    Due { id: MsgId, due_us: Micros },
}

/// An event as kept: the protocol's words as text.
pub type Record = Event<String, Action<String>>;

impl<T, A> Event<T, A> {
    /// The word the trace writes for it: `send`, `deliver`, `drop`, `duplicate`, `timer`,
    /// `state`, `action`, `crash`, `restart`, `pause`, `resume`, `violation`, `start`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Start { .. } => "start",
            Event::Send { .. } => "send",
            Event::Duplicate { .. } => "duplicate",
            Event::Deliver { .. } => "deliver",
            Event::Drop { .. } => "drop",
            Event::Timer { .. } => "timer",
            Event::Note { .. } => "state",
            Event::Trigger { .. } | Event::Skipped { .. } | Event::Action { .. } => "action",
            Event::Crash { .. } => "crash",
            Event::Restart { .. } => "restart",
            Event::Pause { .. } => "pause",
            Event::Resume { .. } => "resume",
            Event::Violation { .. } => "violation",
            Event::Due { .. } => "due",
        }
    }

    /// Whether it is left out of the trace's text and digest: what it says follows from the
    /// lines around it, and the digests of runs recorded before it existed stay valid.
    pub fn silent(&self) -> bool {
        matches!(self, Event::Due { .. })
    }

    /// Whom it is about, for filtering: a server or client, or none (a violation, a skipped
    /// action, an action on the whole network).
    pub fn actor(&self) -> Option<Addr> {
        match *self {
            Event::Start { node } | Event::Trigger { node, .. } | Event::Crash { node } | Event::Restart { node } | Event::Pause { node } | Event::Resume { node } => Some(Addr::Node(node)),
            Event::Send { from, .. } | Event::Duplicate { from, .. } => Some(from),
            Event::Deliver { to, .. } => Some(to),
            // A message lost with its crashing sender is about the sender; any other loss, the
            // receiver.
            Event::Drop { from, to, reason, .. } => Some(if reason == DropReason::SenderCrashed { from } else { to }),
            Event::Timer { at, .. } | Event::Note { at, .. } => Some(at),
            Event::Action { node, .. } => node.map(Addr::Node),
            Event::Skipped { .. } | Event::Violation { .. } | Event::Due { .. } => None,
        }
    }
}

impl<T> Event<T, Action<String>> {
    /// The link it is about, from one server or client to another: a message's route, or the
    /// link an action cuts, holds, mends or tunes.
    pub fn link(&self) -> Option<(Addr, Addr)> {
        let of_action = |a: &Action<String>| match *a {
            Action::Cut(x, y) | Action::Repair(x, y) | Action::Hold(x, y) | Action::Release(x, y) | Action::Link(x, y, _) => Some((Addr::Node(x), Addr::Node(y))),
            _ => None,
        };
        match self {
            &Event::Send { from, to, .. } | &Event::Deliver { from, to, .. } | &Event::Drop { from, to, .. } => Some((from, to)),
            Event::Trigger { action, .. } | Event::Action { action, .. } => of_action(action),
            _ => None,
        }
    }
}

/// What a recorded action must offer: its words, and a copy to keep.
pub trait ActionWords: Display {
    /// The action with its request as text.
    fn to_record(&self) -> Action<String>;
    /// Whether it names the leader ([`Action::names_leader`]).
    fn names_leader(&self) -> bool;
}

impl<R: Display + Clone> ActionWords for Action<R> {
    fn to_record(&self) -> Action<String> {
        self.clone().map_request(|r| r.to_string())
    }
    fn names_leader(&self) -> bool {
        Action::names_leader(self)
    }
}

impl<W: ActionWords + ?Sized> ActionWords for &W {
    fn to_record(&self) -> Action<String> {
        (**self).to_record()
    }
    fn names_leader(&self) -> bool {
        (**self).names_leader()
    }
}

impl<'a> Event<&'a dyn Display, &'a dyn ActionWords> {
    /// The record to keep.
    pub fn to_record(&self) -> Record {
        match *self {
            Event::Start { node } => Event::Start { node },
            Event::Send { id, from, to, kind, heartbeat, msg, due_us } => Event::Send { id, from, to, kind, heartbeat, msg: msg.to_string(), due_us },
            Event::Duplicate { copy, of, from, due_us } => Event::Duplicate { copy, of, from, due_us },
            Event::Deliver { id, from, to, msg } => Event::Deliver { id, from, to, msg: msg.to_string() },
            Event::Drop { id, from, to, kind, reason } => Event::Drop { id, from, to, kind, reason },
            Event::Timer { at, timer } => Event::Timer { at, timer: timer.to_string() },
            Event::Note { at, note, ref mark } => Event::Note { at, note: note.to_string(), mark: mark.clone() },
            Event::Trigger { node, kind, action } => Event::Trigger { node, kind, action: action.to_record() },
            Event::Skipped { action } => Event::Skipped { action: action.to_record() },
            Event::Action { node, action } => Event::Action { node, action: action.to_record() },
            Event::Crash { node } => Event::Crash { node },
            Event::Restart { node } => Event::Restart { node },
            Event::Pause { node } => Event::Pause { node },
            Event::Resume { node } => Event::Resume { node },
            Event::Violation { invariant, detail } => Event::Violation { invariant, detail: detail.to_string() },
            Event::Due { id, due_us } => Event::Due { id, due_us },
        }
    }
}

/// The trace's details of the event (what follows `<event> <time ms> <kind> `): this text is
/// what the golden digests pin, so it changes only with them.
impl<T: Display, A: ActionWords> Display for Event<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Start { node } => write!(f, "S{node}"),
            Event::Send { id, from, to, msg, due_us, .. } => write!(f, "m{id} {from}->{to} {msg} due={}", AsMs(*due_us)),
            Event::Duplicate { copy, of, due_us, .. } => write!(f, "m{copy} of m{of} due={}", AsMs(*due_us)),
            Event::Deliver { id, from, to, msg } => write!(f, "m{id} {from}->{to} {msg}"),
            Event::Drop { id, from, to, kind, reason } => write!(f, "m{id} {from}->{to} {kind} ({})", reason.as_str()),
            Event::Timer { at, timer } => write!(f, "{at} {timer}"),
            Event::Note { at, note, .. } => write!(f, "{at} {note}"),
            Event::Trigger { node, kind, action } => write!(f, "when S{node} sends {kind}: {action}"),
            Event::Skipped { action } => write!(f, "{action}: no such server now, skipped"),
            // The server an action on the leader reached, as it was resolved then.
            Event::Action { node: Some(id), action } if action.names_leader() => write!(f, "{action} (S{id})"),
            Event::Action { action, .. } => write!(f, "{action}"),
            Event::Crash { node } | Event::Restart { node } | Event::Pause { node } | Event::Resume { node } => write!(f, "S{node}"),
            Event::Violation { invariant, detail } => write!(f, "{invariant}: {detail}"),
            Event::Due { id, due_us } => write!(f, "m{id} due={}", AsMs(*due_us)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_record_reads_as_the_recorded_event() {
        let msg: &dyn Display = &"AppendEntries term=1";
        let action = Action::Client { request: 7u32, to: None, client: 2 };
        let recorded: [Event<&dyn Display, &dyn ActionWords>; 4] = [
            Event::Send { id: 9, from: Addr::Node(1), to: Addr::Node(3), kind: "AppendEntries", heartbeat: false, msg, due_us: 46_588 },
            Event::Drop { id: 8, from: Addr::Node(1), to: Addr::Node(2), kind: "AppendEntries", reason: DropReason::SenderCrashed },
            Event::Action { node: None, action: &action },
            Event::Note { at: Addr::Node(3), note: &"leader term=4", mark: Some(Mark::Leader("t4".into())) },
        ];
        let texts = ["m9 S1->S3 AppendEntries term=1 due=46.588", "m8 S1->S2 AppendEntries (sender-crashed)", "client C2 \"7\"", "S3 leader term=4"];
        for (e, text) in recorded.iter().zip(texts) {
            let kept = e.to_record();
            assert_eq!((e.to_string(), kept.to_string()), (text.to_string(), text.to_string()));
            assert_eq!((kept.kind(), kept.actor()), (e.kind(), e.actor()));
        }
        // A message lost with its sender is about the sender; any other, the receiver.
        assert_eq!(recorded[1].actor(), Some(Addr::Node(1)));
        assert_eq!(recorded[0].to_record().actor(), Some(Addr::Node(1)));
        assert_eq!(recorded[2].actor(), None);
        assert_eq!(recorded[0].to_record().link(), Some((Addr::Node(1), Addr::Node(3))));
        let hold: Record = Event::Action { node: None, action: Action::Hold(2, 3) };
        assert_eq!(hold.link(), Some((Addr::Node(2), Addr::Node(3))));
        assert_eq!(recorded[3].to_record().link(), None);
    }

    #[test]
    fn an_action_on_the_leader_names_the_server_it_reached() {
        let on_leader: Record = Event::Action { node: Some(3), action: Action::Crash(crate::sim::Target::Leader) };
        assert_eq!(on_leader.to_string(), "crash leader (S3)");
        let request: Record = Event::Action { node: Some(1), action: Action::Client { request: "set x 1".to_string(), to: Some(crate::sim::Target::Leader), client: 0 } };
        assert_eq!(request.to_string(), "client \"set x 1\" to leader (S1)");
        // A server named by the scenario is already in the words.
        let named: Record = Event::Action { node: Some(3), action: Action::Crash(crate::sim::Target::Node(3)) };
        assert_eq!(named.to_string(), "crash S3");
    }
}
