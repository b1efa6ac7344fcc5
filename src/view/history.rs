//! The run's history as the space-time diagram needs it: every message as a span from its send
//! to its delivery or drop ([`MessageSpan`]), and the moments worth a mark on the time axis
//! ([`Marker`]: elections, crashes, restarts, partitions, heals, violations, commits).
//!
//! [`History`] is fed the engine's trace lines and reads their records
//! ([`crate::sim::Event`]), never their text, so it needs nothing from the engine but what a
//! run already produces, and no protocol's words: a protocol's note says itself which mark it
//! deserves ([`crate::sim::Mark`]), and the engine says when a message's due time moves (it
//! waited for a paused receiver or on a held link, or was delayed: [`Event::Due`]), so no rule
//! of the engine's is repeated here.
//!
//! Going back in time ([`History::truncate_after`]) forgets what came later, so a branch starts
//! clean: spans sent later disappear, spans that ended later are in flight again with the due
//! time they had, and later markers go.
//!
//! Memory is bounded: at most [`SPANS_MAX`] spans (the oldest go first) and about
//! [`MARKERS_MAX`] markers.

use std::collections::VecDeque;

use crate::sim::network::{DropReason, MsgId};
use crate::sim::{Action, Addr, Detail, Event, Mark, Micros, NodeId, TraceLine};

/// Most spans kept; older ones are forgotten first.
pub const SPANS_MAX: usize = 20_000;
/// Markers kept (up to [`MARKERS_SLACK`] more, so trimming is not done on every push).
pub const MARKERS_MAX: usize = 5_000;
/// How far the marker list may grow past [`MARKERS_MAX`] before it is trimmed back.
pub const MARKERS_SLACK: usize = 1_000;
/// Due-time changes remembered for undoing them on [`History::truncate_after`].
const ADJUSTMENTS_MAX: usize = 20_000;

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Still on the wire (or waiting on a held link or a paused receiver).
    InFlight,
    /// Handed to its receiver.
    Delivered,
    /// Lost: the network, a partition, a cut, a down receiver, the user or a crashing sender.
    Dropped,
}

/// One message from its send to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSpan {
    /// Message id (`m9` in the trace), stable: a key for drawing.
    pub id: u64,
    /// Its type: `RequestVote`, `AppendEntries`, ...
    pub kind: String,
    /// The message as the trace writes it (type and fields).
    pub text: String,
    /// An AppendEntries with no entries.
    pub heartbeat: bool,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// When it was sent.
    pub sent_us: Micros,
    /// When it is (or was) due: set at the send, moved by delays, releases and resumes.
    pub due_us: Micros,
    /// Its end: `due_us` while in flight, else the moment it was delivered or dropped.
    pub end_us: Micros,
    /// What became of it.
    pub fate: Fate,
    /// Why it was dropped, as the trace says (`loss`, `partition`, `cut`, `down`, `user`,
    /// `sender-crashed`; `other` for a reason this code does not know).
    pub drop_reason: Option<&'static str>,
    /// The message this one duplicates, if the network made it as a copy.
    pub copy_of: Option<u64>,
    /// The event that sent it.
    pub sent_event: u64,
    /// The event that ended it.
    pub end_event: Option<u64>,
}

impl MessageSpan {
    /// Whether the message was lost with its sender before reaching the wire.
    pub fn never_sent(&self) -> bool {
        self.drop_reason == Some("sender-crashed")
    }
}

/// What a marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// A server became leader.
    Election,
    /// A server crashed.
    Crash,
    /// A server restarted.
    Restart,
    /// The network was split: `partition`, `isolate`, `cut` or `hold`.
    Partition,
    /// The network was mended: `heal`, `repair` or `release`.
    Heal,
    /// An invariant broke.
    Violation,
    /// The cluster's highest commit index grew.
    Commit,
    /// A majority of acceptors accepted one ballot's value (Paxos): chosen, known or not.
    Chosen,
    /// A learner learned a chosen value (single-decree Paxos).
    Learned,
}

impl MarkerKind {
    /// A lower-case word for it, used as a CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Election => "election",
            MarkerKind::Crash => "crash",
            MarkerKind::Restart => "restart",
            MarkerKind::Partition => "partition",
            MarkerKind::Heal => "heal",
            MarkerKind::Violation => "violation",
            MarkerKind::Commit => "commit",
            MarkerKind::Chosen => "chosen",
            MarkerKind::Learned => "learned",
        }
    }
}

/// A moment on the time axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The event it belongs to.
    pub event: u64,
    /// Virtual time.
    pub at_us: Micros,
    /// What happened.
    pub kind: MarkerKind,
    /// What it says, put into words in the page's language when shown ([`Marker::label`]).
    pub text: MarkerText,
    /// A word for its tick where there is room, when the kind does not say it: the verb of a
    /// split or a mend (`isolate`, `release`).
    pub word: Option<&'static str>,
    /// The server it is about, if one (the new leader, the crashed server, the server that
    /// reported the commit).
    pub node: Option<NodeId>,
}

/// What a marker says, as data: words are made of it when it is shown, so that a marker
/// recorded in one language reads in the other after the page switches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkerText {
    /// A server became leader; `words` says of what, in the protocol's own notation (`t2`,
    /// `b3.1`).
    Leader { node: NodeId, words: String },
    /// A server learned a value.
    Learned { node: NodeId, value: String },
    /// A value was chosen (in a slot, for Multi-Paxos), accepted by these servers.
    Chosen { value: String, slot: Option<u64>, by: Vec<NodeId> },
    /// Entries committed, from `first` to `last` (one when equal).
    Commit { first: u64, last: u64 },
    /// A server crashed.
    Crashed(NodeId),
    /// A server restarted.
    Restarted(NodeId),
    /// An invariant broke: its name and what the checker saw (the checker's words; none in a
    /// line made by hand).
    Violation { invariant: &'static str, detail: Option<Detail> },
    /// A network action (`partition [1, 2] [3, 4, 5]`).
    Action(Detail),
}

impl MarkerText {
    /// In words, in the page's language: `S3 leader t2`, `S1 crashed`, `commit 4`...
    pub fn words(&self) -> String {
        let servers = |ids: &[NodeId]| ids.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ");
        match self {
            MarkerText::Leader { node, words } => crate::tr!("S{id} leader {what}", id = node, what = words),
            MarkerText::Learned { node, value } => crate::tr!("S{id} learned {value}", id = node, value = value),
            MarkerText::Chosen { value, slot: None, by } => crate::tr!("{value} chosen (accepted by {by})", value = value, by = servers(by)),
            MarkerText::Chosen { value, slot: Some(slot), by } => crate::tr!("{value} chosen in slot {slot} (accepted by {by})", value = value, slot = slot, by = servers(by)),
            MarkerText::Commit { first, last } if first == last => crate::tr!("commit {i}", i = last),
            MarkerText::Commit { first, last } => crate::tr!("commit {a}–{b}", a = first, b = last),
            MarkerText::Crashed(id) => crate::tr!("S{id} crashed", id = id),
            MarkerText::Restarted(id) => crate::tr!("S{id} restarted", id = id),
            MarkerText::Violation { invariant, detail: None } => crate::view::i18n::tr(invariant).to_string(),
            MarkerText::Violation { invariant, detail: Some(d) } => crate::tr!("{invariant}: {detail}", invariant = crate::view::i18n::tr(invariant), detail = crate::view::i18n::detail(d)),
            MarkerText::Action(a) => crate::view::i18n::detail(a),
        }
    }
}

impl Marker {
    /// What it says, in the page's language.
    pub fn label(&self) -> String {
        self.text.words()
    }
}

/// A due time changed by a delay, release or resume, kept so going back can undo it.
#[derive(Clone, Copy, Debug)]
struct Adjustment {
    event: u64,
    id: u64,
    due_us_before: Micros,
}

/// Message spans and markers of a run, fed its trace lines. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// In id order, which is also sending order.
    spans: VecDeque<MessageSpan>,
    /// In event order.
    markers: Vec<Marker>,
    /// (event, index) of each commit marker, for deduplication.
    commits: VecDeque<(u64, u64)>,
    /// The highest commit index among commit markers already forgotten.
    commit_index_forgotten: u64,
    adjustments: VecDeque<Adjustment>,
    /// The latest event seen.
    last_event: u64,
    /// Lines of this event or earlier are ones already seen (replayed after going back).
    floor: Option<u64>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        History::default()
    }

    /// Takes in one trace line's record. Lines of events already seen are ignored (after
    /// going back, the engine replays from a snapshot and hands some over again).
    pub fn push(&mut self, line: &TraceLine) {
        if self.floor.is_some_and(|f| line.event <= f) || line.event < self.last_event {
            return;
        }
        self.last_event = line.event;
        let (event, at_us) = (line.event, line.at_us);
        match &line.record {
            &Event::Send { id, from, to, kind, heartbeat, ref msg, due_us } => self.add_span(MessageSpan {
                id,
                kind: kind.to_string(),
                text: msg.clone(),
                heartbeat,
                from,
                to,
                sent_us: at_us,
                due_us,
                end_us: due_us,
                fate: Fate::InFlight,
                drop_reason: None,
                copy_of: None,
                sent_event: event,
                end_event: None,
            }),
            &Event::Deliver { id, .. } => self.on_deliver(event, at_us, id),
            &Event::Drop { id, from, to, kind, reason } => self.on_drop(event, at_us, (id, from, to, kind), reason),
            &Event::Duplicate { copy, of, due_us, .. } => self.on_duplicate(event, at_us, copy, of, due_us),
            Event::Note { at: Addr::Node(id), mark: Some(mark), .. } => self.on_mark(event, at_us, *id, mark),
            &Event::Crash { node } => self.mark(Marker { event, at_us, kind: MarkerKind::Crash, text: MarkerText::Crashed(node), word: None, node: Some(node) }),
            &Event::Restart { node } => self.mark(Marker { event, at_us, kind: MarkerKind::Restart, text: MarkerText::Restarted(node), word: None, node: Some(node) }),
            &Event::Due { id, due_us } => self.set_due(event, id, due_us),
            Event::Action { action, .. } => self.on_action(event, at_us, action),
            Event::Violation { invariant, .. } => {
                self.mark(Marker { event, at_us, kind: MarkerKind::Violation, text: MarkerText::Violation { invariant, detail: line.words.clone() }, word: None, node: None })
            }
            _ => {}
        }
    }

    /// Forgets everything after event `event`: time travel went back there, and what follows
    /// will be a new branch. Lines of events up to `event` handed over again afterwards are
    /// ignored.
    pub fn truncate_after(&mut self, event: u64) {
        while self.spans.back().is_some_and(|s| s.sent_event > event) {
            self.spans.pop_back();
        }
        while self.adjustments.back().is_some_and(|a| a.event > event) {
            let Some(a) = self.adjustments.pop_back() else {
                break;
            };
            if let Some(s) = self.span_mut(a.id) {
                s.due_us = a.due_us_before;
                if s.fate == Fate::InFlight {
                    s.end_us = a.due_us_before;
                }
            }
        }
        for s in self.spans.iter_mut() {
            if s.end_event.is_some_and(|e| e > event) {
                s.fate = Fate::InFlight;
                s.end_us = s.due_us;
                s.end_event = None;
                s.drop_reason = None;
            }
        }
        while self.markers.last().is_some_and(|m| m.event > event) {
            self.markers.pop();
        }
        while self.commits.back().is_some_and(|c| c.0 > event) {
            self.commits.pop_back();
        }
        let floor = self.last_event.min(event);
        self.last_event = floor;
        self.floor = Some(floor);
    }

    /// Spans overlapping the window [`from_us`, `to_us`]: sent by its end and not ended before
    /// its start (a message still in flight counts whatever its due time), in sending order.
    pub fn spans_in(&self, from_us: Micros, to_us: Micros) -> impl Iterator<Item = &MessageSpan> {
        // Sending times grow with ids, so everything sent after the window is a suffix.
        let sent_by_end = self.spans.partition_point(|s| s.sent_us <= to_us);
        self.spans.range(..sent_by_end).filter(move |s| s.fate == Fate::InFlight || s.end_us >= from_us)
    }

    /// The spans overlapping the `window_us` up to `now_us` (the window starts at 0 until
    /// `now_us` reaches `window_us`, as the diagram's does), oldest first: what the space-time
    /// diagram draws. Past `max` of them, one in `every` by id (see
    /// [`super::geometry::sample_every`]), so that the whole window stays drawn at thousands
    /// of messages a second; returns the spans and `every`.
    pub fn recent(&self, now_us: Micros, window_us: Micros, max: usize) -> (Vec<MessageSpan>, u64) {
        let from_us = now_us.saturating_sub(window_us);
        let every = super::geometry::sample_every(self.spans_in(from_us, now_us).count(), max, max);
        (self.spans_in(from_us, now_us).filter(|s| s.id % every == 0).cloned().collect(), every)
    }

    /// The messages dropped in the `within_us` up to `now_us` (not those lost with their sender
    /// before reaching the wire): the stage shows them fading where they were lost. A drop is
    /// an event, so this changes only with events.
    pub fn recently_dropped(&self, now_us: Micros, within_us: Micros) -> Vec<MessageSpan> {
        let from_us = now_us.saturating_sub(within_us);
        self.spans_in(from_us, now_us).filter(|s| s.fate == Fate::Dropped && !s.never_sent() && s.end_us <= now_us).cloned().collect()
    }

    /// Every span kept, in sending order.
    pub fn spans(&self) -> impl ExactSizeIterator<Item = &MessageSpan> + DoubleEndedIterator {
        self.spans.iter()
    }

    /// A span by message id, if kept.
    pub fn span(&self, id: u64) -> Option<&MessageSpan> {
        let i = self.spans.binary_search_by_key(&id, |s| s.id).ok()?;
        self.spans.get(i)
    }

    /// The markers kept, in event order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    fn span_mut(&mut self, id: u64) -> Option<&mut MessageSpan> {
        let i = self.spans.binary_search_by_key(&id, |s| s.id).ok()?;
        self.spans.get_mut(i)
    }

    /// Adds a span; ids only grow, so anything else is a line seen before.
    fn add_span(&mut self, span: MessageSpan) {
        if self.spans.back().is_some_and(|b| b.id >= span.id) {
            return;
        }
        self.spans.push_back(span);
        while self.spans.len() > SPANS_MAX {
            self.spans.pop_front();
        }
        let oldest = self.spans.front().map_or(0, |s| s.id);
        while self.adjustments.front().is_some_and(|a| a.id < oldest) || self.adjustments.len() > ADJUSTMENTS_MAX {
            self.adjustments.pop_front();
        }
    }

    fn mark(&mut self, marker: Marker) {
        self.markers.push(marker);
        if self.markers.len() > MARKERS_MAX + MARKERS_SLACK {
            let extra = self.markers.len() - MARKERS_MAX;
            self.markers.drain(..extra);
        }
    }

    fn commit(&mut self, event: u64, at_us: Micros, index: u64, node: Option<NodeId>) {
        let highest = self.commits.back().map_or(self.commit_index_forgotten, |c| c.1);
        if index <= highest {
            return;
        }
        let text = MarkerText::Commit { first: highest + 1, last: index };
        self.commits.push_back((event, index));
        if self.commits.len() > MARKERS_MAX
            && let Some((_, i)) = self.commits.pop_front()
        {
            self.commit_index_forgotten = self.commit_index_forgotten.max(i);
        }
        self.mark(Marker { event, at_us, kind: MarkerKind::Commit, text, word: None, node });
    }

    fn on_deliver(&mut self, event: u64, at_us: Micros, id: MsgId) {
        if let Some(s) = self.span_mut(id).filter(|s| s.fate == Fate::InFlight) {
            s.fate = Fate::Delivered;
            s.end_us = at_us;
            s.end_event = Some(event);
        }
    }

    fn on_drop(&mut self, event: u64, at_us: Micros, (id, from, to, kind): (MsgId, Addr, Addr, &str), reason: DropReason) {
        if let Some(s) = self.span_mut(id) {
            if s.fate == Fate::InFlight {
                s.fate = Fate::Dropped;
                s.end_us = at_us;
                s.end_event = Some(event);
                s.drop_reason = Some(reason.as_str());
            }
            return;
        }
        // A message lost with its crashing sender was never sent: it gets a span of no length,
        // so the diagram can show what the crash swallowed.
        if reason == DropReason::SenderCrashed {
            self.add_span(MessageSpan {
                id,
                kind: kind.to_string(),
                text: kind.to_string(),
                heartbeat: false,
                from,
                to,
                sent_us: at_us,
                due_us: at_us,
                end_us: at_us,
                fate: Fate::Dropped,
                drop_reason: Some(reason.as_str()),
                copy_of: None,
                sent_event: event,
                end_event: Some(event),
            });
        }
    }

    fn on_duplicate(&mut self, event: u64, at_us: Micros, copy: MsgId, original: MsgId, due_us: Micros) {
        if let Some(o) = self.span(original) {
            let span =
                MessageSpan { id: copy, sent_us: at_us, due_us, end_us: due_us, fate: Fate::InFlight, drop_reason: None, copy_of: Some(original), sent_event: event, end_event: None, ..o.clone() };
            self.add_span(span);
        }
    }

    /// A protocol's note that deserves a mark: a new leader, a commit, a value learned.
    fn on_mark(&mut self, event: u64, at_us: Micros, id: NodeId, mark: &Mark) {
        match mark {
            Mark::Leader(words) => self.mark(Marker { event, at_us, kind: MarkerKind::Election, text: MarkerText::Leader { node: id, words: words.clone() }, word: None, node: Some(id) }),
            Mark::Learned(value) => self.mark(Marker { event, at_us, kind: MarkerKind::Learned, text: MarkerText::Learned { node: id, value: value.clone() }, word: None, node: Some(id) }),
            &Mark::Commit(index) => self.commit(event, at_us, index, Some(id)),
        }
    }

    /// Splits and mends of the network are marked.
    fn on_action(&mut self, event: u64, at_us: Micros, action: &Action<String>) {
        let (kind, word) = match *action {
            Action::Partition(_) => (MarkerKind::Partition, "partition"),
            Action::Isolate(_) => (MarkerKind::Partition, "isolate"),
            Action::Cut(..) => (MarkerKind::Partition, "cut"),
            Action::Hold(..) => (MarkerKind::Partition, "hold"),
            Action::Heal => (MarkerKind::Heal, "heal"),
            Action::Repair(..) => (MarkerKind::Heal, "repair"),
            Action::Release(..) => (MarkerKind::Heal, "release"),
            _ => return,
        };
        self.mark(Marker { event, at_us, kind, text: MarkerText::Action(action.words()), word: Some(word), node: None });
    }

    fn set_due(&mut self, event: u64, id: u64, due_us: Micros) {
        let Some(s) = self.span_mut(id) else { return };
        let before = s.due_us;
        s.due_us = due_us;
        s.end_us = due_us;
        self.adjustments.push_back(Adjustment { event, id, due_us_before: before });
        if self.adjustments.len() > ADJUSTMENTS_MAX {
            self.adjustments.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;
    use crate::scenario::{Scenario, protocol::setup};
    use crate::sim::timeline::SNAPSHOT_EVERY_EVENTS;
    use crate::sim::{Engine, Record, Timeline, TraceMode};

    fn timeline(name: &str) -> Timeline<Raft> {
        let text = crate::view::shipped::text(name).expect("a shipped scenario");
        let sc = Scenario::parse(&text, Some(name)).expect("parses");
        let setup = setup::<Raft>(&sc, sc.seed, TraceMode::Lines).expect("builds");
        Timeline::new(Engine::new(setup), SNAPSHOT_EVERY_EVENTS)
    }

    fn feed(h: &mut History, t: &mut Timeline<Raft>) -> usize {
        let lines = t.engine_mut().drain_trace();
        for l in &lines {
            h.push(l);
        }
        lines.len()
    }

    /// The engine's messages in flight as (id, from, to, sent, due).
    fn engine_in_flight(t: &Timeline<Raft>) -> Vec<(u64, Addr, Addr, Micros, Micros)> {
        t.engine().network().in_flight().values().map(|e| (e.id, e.from, e.to, e.sent_us, e.due_us)).collect()
    }

    fn history_in_flight(h: &History) -> Vec<(u64, Addr, Addr, Micros, Micros)> {
        h.spans().filter(|s| s.fate == Fate::InFlight).map(|s| (s.id, s.from, s.to, s.sent_us, s.end_us)).collect()
    }

    fn tour() -> (History, Timeline<Raft>) {
        let mut t = timeline("raft-tour.json");
        let mut h = History::new();
        // Feed as the lab does, a slice of time at a time, checking the messages in flight
        // against the engine's at every slice (this crosses the pause, hold and duplicates).
        for ms in (0..=5_000).step_by(50) {
            t.run_until(ms * 1_000);
            feed(&mut h, &mut t);
            assert_eq!(history_in_flight(&h), engine_in_flight(&t), "at {ms} ms");
        }
        (h, t)
    }

    #[test]
    fn recently_dropped_lists_the_drops_of_the_last_moments_only() {
        let (h, _) = tour();
        // Every drop of the tour but m8 (lost with its sender), each found just after it
        // happened and gone once the fade is over.
        let drops: Vec<&MessageSpan> = h.spans().filter(|s| s.fate == Fate::Dropped && !s.never_sent()).collect();
        assert!(drops.len() > 100, "{} drops", drops.len());
        for d in &drops {
            let at = |now_us| h.recently_dropped(now_us, 40_000).iter().any(|s| s.id == d.id);
            assert!(at(d.end_us) && at(d.end_us + 40_000), "m{} at its drop", d.id);
            assert!(!at(d.end_us + 40_001) && (d.end_us == 0 || !at(d.end_us - 1)), "m{} outside its fade", d.id);
        }
        assert!(!h.recently_dropped(h.span(8).expect("m8").end_us, 40_000).iter().any(|s| s.id == 8), "m8 never reached the wire");
        assert!(h.recently_dropped(5_000_000, 40_000).iter().all(|s| s.fate == Fate::Dropped));
    }

    #[test]
    fn spans_follow_the_engines_messages_through_the_tour() {
        let (h, t) = tour();
        let in_flight = engine_in_flight(&t);
        assert!(!in_flight.is_empty(), "messages are in flight at the end");
        assert_eq!(history_in_flight(&h), in_flight);
        let (mut delivered, mut dropped, mut copies) = (0, 0, 0);
        for s in h.spans() {
            assert!(s.end_us >= s.sent_us, "{s:?}");
            assert!(s.due_us >= s.sent_us, "{s:?}");
            match s.fate {
                Fate::Delivered => {
                    delivered += 1;
                    assert!(s.end_event.is_some_and(|e| e >= s.sent_event), "{s:?}");
                }
                Fate::Dropped => {
                    dropped += 1;
                    assert!(s.drop_reason.is_some(), "{s:?}");
                }
                Fate::InFlight => assert!(s.end_event.is_none() && s.end_us == s.due_us),
            }
            copies += usize::from(s.copy_of.is_some());
        }
        // The tour's counts, from `distlab trace scenarios/raft-tour.json`: 426 deliveries,
        // 242 drops (one of a message its crashing sender never sent), 13 duplicates.
        assert_eq!((delivered, dropped, copies), (426, 242, 13));
        let ids: Vec<u64> = h.spans().map(|s| s.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "spans in id order");
        // m8 is lost with S1, which crashes as it first sends AppendEntries.
        let m8 = h.span(8).expect("m8");
        assert_eq!((m8.fate, m8.drop_reason, m8.from, m8.to), (Fate::Dropped, Some("sender-crashed"), Addr::Node(1), Addr::Node(2)));
        assert!(m8.never_sent() && m8.sent_us == m8.end_us);
        // m9 is S3's first RequestVote.
        let m9 = h.span(9).expect("m9");
        assert_eq!((m9.kind.as_str(), m9.from, m9.text.as_str()), ("RequestVote", Addr::Node(3), "RequestVote term=2 last=0@0"));
        // The client's request, and heartbeats told apart by the message itself.
        let request = h.spans().find(|s| s.from == Addr::Client(1)).expect("a client request");
        assert_eq!((request.kind.as_str(), request.text.as_str()), ("ClientRequest", "ClientRequest #1 \"set x 5\""));
        assert!(h.spans().any(|s| s.heartbeat && s.text.contains(" entries=0 ")));
        assert!(h.spans().all(|s| !s.heartbeat || (s.kind == "AppendEntries" && s.text.contains(" entries=0 "))));
    }

    #[test]
    fn the_tour_has_its_markers() {
        let (h, _) = tour();
        let of = |k: MarkerKind| h.markers().iter().filter(|m| m.kind == k).collect::<Vec<_>>();
        let crashes: Vec<_> = of(MarkerKind::Crash).iter().map(|m| (m.node, m.at_us)).collect();
        // S1 crashes on its trigger at 35.912 ms; the leader S2 at 1000 ms.
        assert_eq!(crashes, [(Some(1), 35_912), (Some(2), 1_000_000)]);
        assert_eq!(of(MarkerKind::Restart).iter().map(|m| m.node).collect::<Vec<_>>(), [Some(1)]);
        let elections = of(MarkerKind::Election);
        assert!(elections.len() >= 4, "{elections:?}");
        assert_eq!(elections[0].label(), "S1 leader t1");
        assert_eq!((elections[0].event, elections[0].at_us), (7, 35_912));
        let splits: Vec<String> = of(MarkerKind::Partition).iter().map(|m| m.label()).collect();
        assert_eq!(splits, ["partition [1, 2] [3, 4, 5]", "isolate S4", "cut S1->S2", "hold S2->S3"]);
        let words: Vec<Option<&str>> = of(MarkerKind::Partition).iter().map(|m| m.word).collect();
        assert_eq!(words, [Some("partition"), Some("isolate"), Some("cut"), Some("hold")]);
        let heals: Vec<String> = of(MarkerKind::Heal).iter().map(|m| m.label()).collect();
        assert_eq!(heals, ["heal", "repair S1->S2", "release S2->S3"]);
        // Four servers report commit index 2; one marker.
        let commits = of(MarkerKind::Commit);
        assert_eq!(commits.len(), 1, "{commits:?}");
        assert_eq!(commits[0].label(), "commit 1–2");
        assert!(of(MarkerKind::Violation).is_empty());
        let events: Vec<u64> = h.markers().iter().map(|m| m.event).collect();
        assert!(events.windows(2).all(|w| w[0] <= w[1]), "markers in event order");
    }

    #[test]
    fn a_violation_is_marked() {
        let mut t = timeline("raft-figure8-planted-bug.json");
        let mut h = History::new();
        t.engine_mut().run_until_violation(10_000_000);
        feed(&mut h, &mut t);
        let v = t.engine().first_violation().expect("the planted bug breaks an invariant").clone();
        let m = h.markers().iter().find(|m| m.kind == MarkerKind::Violation).expect("a violation marker");
        assert_eq!((m.event, m.at_us), (v.event, v.at_us));
        assert!(m.label().starts_with(v.invariant), "{}", m.label());
    }

    #[test]
    fn going_back_forgets_the_future_and_replays_cleanly() {
        let mut t = timeline("raft-tour.json");
        let mut h = History::new();
        t.run_until(3_150_000);
        feed(&mut h, &mut t);
        let end = t.engine().events();
        // Back into the hold of S2->S3 (3000 to 3100 ms), so undoing the release is tested too.
        // A reference history of the run up to event `back`, fed straight.
        let back = end - 20;
        let mut straight = timeline("raft-tour.json");
        let mut reference = History::new();
        straight.seek_event(back);
        feed(&mut reference, &mut straight);

        t.seek_event(back);
        h.truncate_after(back);
        // The engine hands over the restored snapshot's pending lines and the replayed ones.
        feed(&mut h, &mut t);
        assert_eq!(history_in_flight(&h), engine_in_flight(&t));
        assert_eq!(h.spans().cloned().collect::<Vec<_>>(), reference.spans().cloned().collect::<Vec<_>>());
        assert_eq!(h.markers(), reference.markers());
        assert!(h.spans().all(|s| s.sent_event <= back && s.end_event.is_none_or(|e| e <= back)));
        assert!(h.markers().iter().all(|m| m.event <= back));

        // Forward again, to the end: the same as a run that never went back.
        t.run_until(5_000_000);
        feed(&mut h, &mut t);
        straight.run_until(5_000_000);
        feed(&mut reference, &mut straight);
        assert_eq!(history_in_flight(&h), engine_in_flight(&t));
        assert_eq!(h.spans().cloned().collect::<Vec<_>>(), reference.spans().cloned().collect::<Vec<_>>());
        assert_eq!(h.markers(), reference.markers());
    }

    #[test]
    fn a_branch_starts_clean() {
        let mut t = timeline("raft-election.json");
        let mut h = History::new();
        t.run_until(600_000);
        feed(&mut h, &mut t);
        let leader_before = h.markers().iter().find(|m| m.kind == MarkerKind::Election).expect("a leader by 600 ms").clone();
        // Back to before the election, then crash the would-be leader: a new branch.
        let back = leader_before.event - 1;
        t.seek_event(back);
        h.truncate_after(back);
        feed(&mut h, &mut t);
        assert!(h.markers().iter().all(|m| m.kind != MarkerKind::Election));
        let node = leader_before.node.expect("the leader");
        t.act(crate::sim::Action::Crash(crate::sim::Target::Node(node)));
        t.run_until(2_000_000);
        feed(&mut h, &mut t);
        assert_eq!(history_in_flight(&h), engine_in_flight(&t));
        let crash = h.markers().iter().find(|m| m.kind == MarkerKind::Crash).expect("the crash of the branch");
        assert_eq!(crash.node, Some(node));
        let elected: Vec<_> = h.markers().iter().filter(|m| m.kind == MarkerKind::Election).collect();
        assert!(!elected.is_empty() && elected.iter().all(|m| m.node != Some(node)), "{elected:?}");
    }

    #[test]
    fn held_paused_and_delayed_messages_match_the_engine_and_going_back_undoes_them() {
        use crate::sim::{Action, Target};
        let mut t = timeline("raft-election.json");
        let mut h = History::new();
        t.run_until(600_000);
        feed(&mut h, &mut t);
        let leader = h.markers().iter().rfind(|m| m.kind == MarkerKind::Election).and_then(|m| m.node).expect("a leader by 600 ms");
        let (held, paused) = (leader % 5 + 1, (leader + 1) % 5 + 1);
        let check = |t: &mut Timeline<Raft>, h: &mut History, until_us: Micros| {
            while t.engine().now() < until_us {
                let next = t.engine().now() + 10_000;
                t.run_until(next);
                feed(h, t);
                assert_eq!(history_in_flight(h), engine_in_flight(t), "at {next} us");
            }
        };
        t.act(Action::Hold(leader, held));
        t.act(Action::Pause(Target::Node(paused)));
        check(&mut t, &mut h, 800_000);
        let waiting = |h: &History, to: NodeId| h.spans().filter(|s| s.fate == Fate::InFlight && s.to == Addr::Node(to) && s.due_us < 800_000).count();
        assert!(waiting(&h, held) > 0 && waiting(&h, paused) > 0, "messages wait on the held link and for the paused server");
        // A message already waiting on the held link when its receiver pauses waits for both:
        // the resume does not make it due, the release does.
        t.act(Action::Pause(Target::Node(held)));
        check(&mut t, &mut h, 850_000);
        t.act(Action::Resume(Target::Node(held)));
        check(&mut t, &mut h, 900_000);
        assert!(waiting(&h, held) > 0, "still held after its receiver resumed");
        let middle = t.engine().events();
        t.act(Action::Release(leader, held));
        t.act(Action::Resume(Target::Node(paused)));
        feed(&mut h, &mut t);
        assert_eq!(history_in_flight(&h), engine_in_flight(&t));
        let id = h.spans().rfind(|s| s.fate == Fate::InFlight).map(|s| s.id).expect("a message in flight");
        t.act(Action::Delay(id, 40_000));
        check(&mut t, &mut h, 1_100_000);
        assert!(h.span(id).is_some_and(|s| s.due_us - s.sent_us >= 40_000));
        // Back to the hold and the pause: the waiting messages wait again.
        t.seek_event(middle);
        h.truncate_after(middle);
        feed(&mut h, &mut t);
        assert_eq!(history_in_flight(&h), engine_in_flight(&t));
        assert!(waiting(&h, held) > 0 && waiting(&h, paused) > 0);
    }

    #[test]
    fn spans_in_a_window() {
        let (h, t) = tour();
        let (from, to) = (2_000_000, 2_300_000);
        let got: Vec<u64> = h.spans_in(from, to).map(|s| s.id).collect();
        let want: Vec<u64> = h.spans().filter(|s| s.sent_us <= to && (s.end_us >= from || s.fate == Fate::InFlight)).map(|s| s.id).collect();
        assert_eq!(got, want);
        assert!(!got.is_empty());
        assert!(h.spans_in(from, to).all(|s| s.sent_us <= to && s.end_us >= from));
        // A span that starts before the window and ends in it is in.
        assert!(h.spans_in(from, to).any(|s| s.sent_us < from));
        let now = t.engine().now();
        let all: Vec<u64> = h.spans_in(now - 300_000, now).map(|s| s.id).collect();
        let (recent, every) = h.recent(now, 300_000, all.len());
        assert_eq!((recent.iter().map(|s| s.id).collect::<Vec<_>>(), every), (all.clone(), 1));
        // More than `max`: a sample by id over the whole window, of about `max`.
        let (sample, every) = h.recent(now, 300_000, 10);
        assert!(every >= 2 && every.is_power_of_two() && sample.len() <= 20 && !sample.is_empty(), "{every}, {}", sample.len());
        let want: Vec<u64> = all.iter().copied().filter(|id| id % every == 0).collect();
        assert_eq!(sample.iter().map(|s| s.id).collect::<Vec<_>>(), want);
        assert_eq!(h.spans_in(10_000_000, 20_000_000).filter(|s| s.fate != Fate::InFlight).count(), 0);
    }

    /// A trace line of `record`, its text rendered as the engine renders it.
    fn line(event: u64, at_us: Micros, record: Record) -> TraceLine {
        let text = format!("{event} {} {} {record}", crate::sim::time::AsMs(at_us), record.kind());
        TraceLine { event, at_us, text, record, words: None }
    }

    fn send(id: MsgId, from: u32, to: u32, kind: &'static str, heartbeat: bool, due_us: Micros) -> Record {
        Event::Send { id, from: Addr::Node(from), to: Addr::Node(to), kind, heartbeat, msg: format!("{kind} term=1"), due_us }
    }

    fn commit(node: NodeId, index: u64) -> Record {
        Event::Note { at: Addr::Node(node), note: format!("commit index={index}"), mark: Some(Mark::Commit(index)) }
    }

    #[test]
    fn commits_are_deduplicated_and_labelled() {
        let mut h = History::new();
        h.push(&line(1, 10, commit(1, 1)));
        h.push(&line(2, 20, commit(3, 1)));
        h.push(&line(3, 30, commit(2, 1)));
        h.push(&line(4, 40, commit(1, 4)));
        h.push(&line(3, 35, commit(1, 9))); // an earlier event than seen: ignored
        let labels: Vec<String> = h.markers().iter().map(|m| m.label()).collect();
        assert_eq!(labels, ["commit 1", "commit 2–4"]);
        h.truncate_after(3);
        h.push(&line(5, 50, commit(1, 2)));
        assert_eq!(h.markers().iter().map(|m| m.label()).collect::<Vec<_>>(), ["commit 1", "commit 2"]);
    }

    #[test]
    fn due_times_move_as_the_engine_says_and_actions_alone_move_none() {
        let mut h = History::new();
        h.push(&line(1, 0, send(1, 1, 2, "AppendEntries", false, 10_000)));
        h.push(&line(1, 0, send(2, 1, 3, "AppendEntries", true, 12_000)));
        assert_eq!(h.span(1).map(|s| (s.kind.as_str(), s.heartbeat)), Some(("AppendEntries", false)));
        assert_eq!(h.span(2).map(|s| (s.text.as_str(), s.heartbeat)), Some(("AppendEntries term=1", true)));
        // A delay, as the engine records it: the action, then the message's new due time.
        h.push(&line(2, 5_000, Event::Action { node: None, action: Action::Delay(1, 25_000) }));
        assert_eq!(h.span(1).map(|s| s.due_us), Some(10_000), "the action alone moves nothing");
        h.push(&line(2, 5_000, Event::Due { id: 1, due_us: 35_000 }));
        assert_eq!(h.span(1).map(|s| (s.due_us, s.end_us)), Some((35_000, 35_000)));
        // A release: its mark, and what waited on the link is due now.
        h.push(&line(3, 20_000, Event::Action { node: None, action: Action::Release(1, 3) }));
        h.push(&line(3, 20_000, Event::Due { id: 2, due_us: 20_000 }));
        assert_eq!(h.span(2).map(|s| s.due_us), Some(20_000));
        // A resume: what waited for the server is due now.
        h.push(&line(4, 30_000, Event::Resume { node: 2 }));
        h.push(&line(4, 50_000, Event::Due { id: 1, due_us: 50_000 }));
        assert_eq!(h.span(1).map(|s| s.due_us), Some(50_000));
        assert_eq!(h.markers().iter().map(|m| (m.kind, m.label())).collect::<Vec<_>>(), [(MarkerKind::Heal, "release S1->S3".to_string())]);
        // Going back undoes the changes, newest first.
        h.truncate_after(2);
        assert_eq!(h.span(1).map(|s| s.due_us), Some(35_000));
        assert_eq!(h.span(2).map(|s| s.due_us), Some(12_000));
        assert!(h.markers().is_empty());
        h.truncate_after(0);
        assert_eq!(h.spans().map(|s| s.id).collect::<Vec<_>>(), [] as [u64; 0], "sent at event 1, gone");
    }

    #[test]
    fn events_about_unknown_messages_and_unmarked_notes_change_nothing() {
        let mut h = History::new();
        h.push(&line(1, 0, send(1, 1, 2, "AppendEntries", false, 10_000)));
        let before = (h.spans().cloned().collect::<Vec<_>>(), h.markers().to_vec());
        let client_note = Event::Note { at: Addr::Client(1), note: "leader term=1".into(), mark: Some(Mark::Leader("t1".into())) };
        let plain_note = Event::Note { at: Addr::Node(1), note: "candidate term=2".into(), mark: None };
        for (i, record) in [
            Event::Deliver { id: 999, from: Addr::Node(1), to: Addr::Node(2), msg: "X".into() },
            Event::Duplicate { copy: 5, of: 4_000, from: Addr::Node(1), due_us: 1_000 },
            Event::Drop { id: 77, from: Addr::Node(1), to: Addr::Node(2), kind: "X", reason: DropReason::Loss },
            client_note,
            plain_note,
            Event::Action { node: None, action: Action::Delay(999, 5_000) },
            Event::Action { node: Some(1), action: Action::Timeout(crate::sim::Target::Node(1)) },
            Event::Trigger { node: 1, kind: "AppendEntries", action: Action::Heal },
            Event::Skipped { action: Action::Crash(crate::sim::Target::Node(9)) },
            Event::Timer { at: Addr::Node(1), timer: "election".into() },
            Event::Pause { node: 2 },
            Event::Resume { node: 3 },
        ]
        .into_iter()
        .enumerate()
        {
            h.push(&line(2 + i as u64, 1_000, record));
        }
        assert_eq!((h.spans().cloned().collect::<Vec<_>>(), h.markers().to_vec()), before);
    }

    #[test]
    fn memory_is_capped() {
        let mut h = History::new();
        let n = SPANS_MAX as u64 + 500;
        for id in 1..=n {
            h.push(&line(id, id * 10, send(id, 1, 2, "AppendEntries", true, id * 1_000)));
            h.push(&line(id, id * 10, commit(1, id)));
        }
        assert_eq!(h.spans().len(), SPANS_MAX);
        assert_eq!(h.spans().next().map(|s| s.id), Some(501), "the oldest went first");
        assert!(h.markers().len() <= MARKERS_MAX + MARKERS_SLACK && h.markers().len() >= MARKERS_MAX);
        assert_eq!(h.markers().last().map(|m| m.label()), Some(format!("commit {n}")));
        // An index already passed by a forgotten marker still counts as seen.
        h.push(&line(n + 1, n * 10 + 10, commit(1, 3)));
        assert_eq!(h.markers().last().map(|m| m.label()), Some(format!("commit {n}")));
    }
}
