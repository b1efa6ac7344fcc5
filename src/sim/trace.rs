//! The trace: every event of a run as a line of stable text, and a digest of all of them.
//!
//! The engine records each event as data ([`Event`]); the line is rendered from it, and a kept
//! line carries the record ([`TraceLine::record`]) for whatever reads the run.
//!
//! A line reads `<event> <time ms> <kind> <details>`, for example
//! `17 160.512 deliver m9 S1->S3 RequestVote term=1 last=0@0`. Lines never contain wall-clock
//! times, addresses or hash-map orders, so the same scenario and seed give the same bytes on
//! every platform, and `trace_hash` (FNV-1a 64 over the lines, each ended by `\n`) proves it.

use std::fmt::{Display, Write as _};

use super::detail::Detail;
use super::event::{ActionWords, Event, Record};
use super::rng::Fnv1a;
use super::time::{AsMs, Micros};

/// How much of the trace a run keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceMode {
    /// Nothing: the fastest, for fuzzing and benchmarks (no digest either).
    Off,
    /// Only the digest.
    Hash,
    /// The digest, and the lines for the owner to drain.
    Lines,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    /// The event it belongs to (1-based; 0 for the start of the run).
    pub event: u64,
    /// Virtual time.
    pub at_us: Micros,
    /// The whole line (empty for an event the text leaves out: see [`Event::silent`]).
    pub text: String,
    /// What happened, as data: what views read.
    pub record: Record,
    /// The words of a timer, a state change or a broken invariant, as the protocol or its
    /// checker gave them: what the lab puts into the page's language. Kept only with the lines
    /// ([`TraceMode::Lines`]).
    pub words: Option<Detail>,
}

/// An event as the engine records it: the protocol's words borrowed (see [`super::event`]).
pub type Recorded<'a> = Event<&'a dyn Display, &'a dyn ActionWords>;

/// The trace's digest and pending lines; part of the engine's state (and so of its snapshots).
#[derive(Debug)]
pub struct Trace {
    mode: TraceMode,
    hash: Fnv1a,
    pending: Vec<TraceLine>,
    buf: String,
}

/// A copy (a snapshot of the run) carries the digest and the mode, but no lines waiting to be
/// drained: those belong to whoever drains the run they were recorded in (the lab drains after
/// every advance, and replays from a snapshot what comes after it). Not copying them also keeps
/// their code out of the page's download.
impl Clone for Trace {
    fn clone(&self) -> Self {
        Trace { mode: self.mode, hash: self.hash, pending: Vec::new(), buf: String::new() }
    }
}

impl Trace {
    /// A trace in `mode`.
    pub fn new(mode: TraceMode) -> Self {
        Trace { mode, hash: Fnv1a::new(), pending: Vec::new(), buf: String::new() }
    }

    /// Whether anything is recorded; callers may skip building details when not.
    pub fn on(&self) -> bool {
        self.mode != TraceMode::Off
    }

    /// The mode.
    pub fn mode(&self) -> TraceMode {
        self.mode
    }

    /// Changes the mode from now on.
    pub fn set_mode(&mut self, mode: TraceMode) {
        self.mode = mode;
    }

    /// Records an event.
    #[inline]
    pub fn event(&mut self, event: u64, at_us: Micros, what: &Recorded<'_>) {
        if self.mode == TraceMode::Off {
            return;
        }
        self.record(event, at_us, what, None);
    }

    /// Records an event that has words of its own (a timer, a note, a violation); `words` is
    /// asked for only when the lines are kept.
    #[inline]
    pub fn event_with_words(&mut self, event: u64, at_us: Micros, what: &Recorded<'_>, words: impl FnOnce() -> Detail) {
        match self.mode {
            TraceMode::Off => {}
            TraceMode::Hash => self.record(event, at_us, what, None),
            TraceMode::Lines => self.record(event, at_us, what, Some(words())),
        }
    }

    fn record(&mut self, event: u64, at_us: Micros, what: &Recorded<'_>, words: Option<Detail>) {
        if what.silent() {
            if self.mode == TraceMode::Lines {
                self.pending.push(TraceLine { event, at_us, text: String::new(), record: what.to_record(), words });
            }
            return;
        }
        self.buf.clear();
        let _ = write!(self.buf, "{event} {} {} {what}", AsMs(at_us), what.kind());
        self.hash.write(self.buf.as_bytes());
        self.hash.write(b"\n");
        if self.mode == TraceMode::Lines {
            self.pending.push(TraceLine { event, at_us, text: self.buf.clone(), record: what.to_record(), words });
        }
    }

    /// The digest of every line so far, as 16 hex digits.
    pub fn digest(&self) -> String {
        format!("{:016x}", self.hash.finish())
    }

    /// The lines recorded since the last [`Trace::drain`], without taking them.
    pub fn pending(&self) -> &[TraceLine] {
        &self.pending
    }

    /// Takes the lines recorded since the last call.
    pub fn drain(&mut self) -> Vec<TraceLine> {
        std::mem::take(&mut self.pending)
    }
}
