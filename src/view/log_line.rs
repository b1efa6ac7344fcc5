//! A line of the event log, and its words in the page's language.
//!
//! The log shows the run's events as the trace writes them (`17 160.512 deliver m9 S1->S3
//! RequestVote term=1 last=0@0`), so what a person reads in the lab is what `distlab trace`
//! prints, in English. In another language the same line is put into words from the record:
//! the engine's verbs (send, deliver, drop...), the protocols' timers and state changes and the
//! actions applied are translated, while names (S1, m9), message types and the messages'
//! fields (`term=1 last=0@0`), which the papers write the same in every language, stay as they
//! are. Rendered in English, a line is the trace's, byte for byte (tested below).

use crate::sim::event::Event;
use crate::sim::network::DropReason;
use crate::sim::time::{AsMs, Micros};
use crate::sim::{Addr, Detail, Record, TraceLine};
use crate::tr;
use crate::view::i18n::{detail, tr};

/// A trace line in the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// Its event number.
    pub event: u64,
    /// Virtual time.
    pub at_us: Micros,
    /// The kind (`send`, `deliver`, `state`, ...), for colouring and filtering.
    pub kind: &'static str,
    /// The server or client it is about, for filtering.
    pub actor: Option<Addr>,
    /// The link it is about, if one (a message's route, a cut link), for filtering.
    pub link: Option<(Addr, Addr)>,
    /// What happened.
    pub record: Record,
    /// The words of a timer, a state change or a broken invariant.
    pub words: Option<Detail>,
}

impl LogLine {
    /// The log's line for a line of the trace.
    pub fn of(line: TraceLine) -> LogLine {
        LogLine { event: line.event, at_us: line.at_us, kind: line.record.kind(), actor: line.record.actor(), link: line.record.link(), record: line.record, words: line.words }
    }

    /// The line in the page's language: `<event> <time ms> <what happened>`.
    pub fn text(&self) -> String {
        format!("{} {} {}", self.event, AsMs(self.at_us), self.what())
    }

    fn what(&self) -> String {
        // Words the engine was given; a record kept without them (none today) says its English.
        let words = |fallback: &dyn std::fmt::Display| self.words.as_ref().map_or_else(|| fallback.to_string(), detail);
        match &self.record {
            Event::Start { node } => tr!("start S{id}", id = node),
            Event::Send { id, from, to, msg, due_us, .. } => tr!("send m{id} {from}->{to} {msg} due={due}", id = id, from = from, to = to, msg = msg, due = AsMs(*due_us)),
            Event::Duplicate { copy, of, due_us, .. } => tr!("duplicate m{copy} of m{of} due={due}", copy = copy, of = of, due = AsMs(*due_us)),
            Event::Deliver { id, from, to, msg } => tr!("deliver m{id} {from}->{to} {msg}", id = id, from = from, to = to, msg = msg),
            Event::Drop { id, from, to, kind, reason } => tr!("drop m{id} {from}->{to} {kind} ({reason})", id = id, from = from, to = to, kind = kind, reason = drop_reason(*reason)),
            Event::Timer { at, timer } => tr!("timer {at} {timer}", at = at, timer = words(timer)),
            Event::Note { at, note, .. } => tr!("state {at} {note}", at = at, note = words(note)),
            Event::Trigger { node, kind, action } => tr!("action when S{id} sends {kind}: {action}", id = node, kind = kind, action = detail(&action.words())),
            Event::Skipped { action } => tr!("action {action}: no such server now, skipped", action = detail(&action.words())),
            Event::Action { node: Some(id), action } if action.names_leader() => tr!("action {action} (S{id})", action = detail(&action.words()), id = id),
            Event::Action { action, .. } => tr!("action {action}", action = detail(&action.words())),
            Event::Crash { node } => tr!("crash S{id}", id = node),
            Event::Restart { node } => tr!("restart S{id}", id = node),
            Event::Pause { node } => tr!("pause S{id}", id = node),
            Event::Resume { node } => tr!("resume S{id}", id = node),
            Event::Violation { invariant, detail: d } => tr!("violation {invariant}: {detail}", invariant = tr(invariant), detail = words(d)),
            // Not a line of the trace, and so never one of the log.
            Event::Due { .. } => String::new(),
        }
    }
}

/// Why a message was lost, in words; in English, as the trace writes it.
fn drop_reason(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Loss => tr!("loss"),
        DropReason::Partition => tr!("partition"),
        DropReason::Cut => tr!("cut"),
        DropReason::Down => tr!("down"),
        DropReason::User => tr!("user"),
        DropReason::SenderCrashed => tr!("sender-crashed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{BuildOptions, Scenario};
    use crate::sim::TraceMode;

    /// Every line of every shipped scenario this build runs (up to a bound, for time), put
    /// into English words from its record, against the trace's own line.
    #[test]
    fn in_english_every_line_is_the_trace_line() {
        let mut kinds = std::collections::BTreeSet::new();
        // No shipped scenario pauses a server that is up: this one does.
        let paused = r#"{"protocol": "raft", "nodes": 3, "seed": 1, "until_ms": 900, "schedule": [{"at_ms": 300, "pause": 1}, {"at_ms": 600, "resume": 1}]}"#;
        let scenarios = crate::view::shipped::SHIPPED.iter().filter_map(|s| Some((s.name, s.text?))).chain([("paused.json", paused)]);
        for (name, text) in scenarios {
            let sc = Scenario::parse(text, Some(name)).expect("a shipped scenario parses");
            let mut built = sc.build(&BuildOptions { seed: None, until_us: None, trace: TraceMode::Lines }).expect("builds");
            let mut checked = 0;
            while checked < 20_000 && built.run.now() < built.until_us && built.run.step() {
                for line in built.run.drain_trace() {
                    if line.record.silent() {
                        continue;
                    }
                    kinds.insert(line.record.kind());
                    let want = line.text.clone();
                    assert_eq!(LogLine::of(line).text(), want, "{name}");
                    checked += 1;
                }
            }
            assert!(checked > 0, "{name}: no lines");
        }
        for kind in ["start", "send", "deliver", "drop", "duplicate", "timer", "state", "action", "crash", "restart", "pause", "resume", "violation"] {
            assert!(kinds.contains(kind), "no shipped scenario has a {kind} line: the test would not see its words");
        }
    }

    #[test]
    fn every_drop_reason_reads_as_the_trace_writes_it() {
        for r in [DropReason::Loss, DropReason::Partition, DropReason::Cut, DropReason::Down, DropReason::User, DropReason::SenderCrashed] {
            assert_eq!(drop_reason(r), r.as_str());
        }
    }
}
