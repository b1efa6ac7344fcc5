//! Which of the page's copies the session refreshes after an action, and when: the stage's on
//! every event; the panels that are read rather than watched (the space-time diagram, the event
//! log, the protocol's panel, the inspector, compare mode's figures) in rounds while playing,
//! each part on its own frame of the round, and not at all while it is out of sight.

use super::shared::reuse_messages;
use super::{DROP_FADE_US, LabState, SPACETIME_WINDOW_US, Selected, Shared};
use crate::sim::Micros;
use crate::view::marks::ScrubMark;

/// While playing, the panels that are read rather than watched (event log, log view,
/// space-time diagram, inspector, clock, time line) are refreshed every this many frames (five
/// times a second at 60 frames a second), not on every frame: rebuilding them was most of a
/// frame's work, and text that changes sixty times a second cannot be read anyway. The stage
/// moves on every frame. A panel scrolled out of sight is not refreshed at all while playing
/// (see `LabAction::OnScreen`); it catches up when it comes back or the run stops.
pub const SLOW_EVERY_FRAMES: u64 = 12;

/// The read panels, refreshed in turn within a round of [`SLOW_EVERY_FRAMES`] frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlowPart {
    /// The space-time diagram (with it come the clock and the time line, which are always
    /// refreshed).
    Diagram,
    /// The event log.
    Log,
    /// The protocol's panel (with it come compare mode's figures and the inspector, always
    /// refreshed).
    Panels,
}

impl SlowPart {
    const ALL: u8 = 0b111;

    pub(super) fn bit(self) -> u8 {
        1 << self as u8
    }

    /// Frames after the round's start.
    fn offset_frames(self) -> u64 {
        self as u64 * (SLOW_EVERY_FRAMES / 3)
    }
}

/// The session's bookkeeping of the rounds (not drawn).
#[derive(Clone, Debug, Default)]
pub struct Rounds {
    /// Animation frames seen while playing (the rounds count them).
    pub(super) frames: u64,
    /// The frame the current round started on, and the moment (time, events) it showed.
    slow_frame: u64,
    slow_seen: Option<(Micros, u64)>,
    /// The parts of the round not yet refreshed ([`SlowPart`] bits).
    slow_pending: u8,
    /// The parts out of sight ([`SlowPart`] bits): while playing they are not refreshed.
    pub(super) off_screen: u8,
    /// The parts whose copy is behind the run because they were out of sight.
    stale: u8,
    /// The events the stage's copies were taken at.
    events_seen: Option<u64>,
    /// The events the event log's copy was taken at.
    log_events: Option<u64>,
    /// What the inspection was taken of.
    inspected: Option<Selected>,
    /// The next refresh shows every part at once, as if paused (the run jumped: a guide step).
    pub(super) all_next: bool,
}

impl Rounds {
    /// Forgets what every copy was taken at, so that the next refresh takes them all again (the
    /// page's language changed).
    pub(super) fn forget(&mut self) {
        *self = Rounds { frames: self.frames, off_screen: self.off_screen, all_next: true, ..Rounds::default() };
    }
}

impl LabState {
    /// Copies what the page draws out of the run: what changed with events, and the read
    /// panels whose turn it is.
    pub(super) fn refresh(&mut self) {
        let run = self.run.borrow();
        let p = &mut self.page;
        let r = &mut p.rounds.0;
        let events = run.events();
        let now = run.now_us();
        let new_events = r.events_seen != Some(events);
        if new_events {
            p.messages = Shared::new(reuse_messages(&p.messages, run.messages()));
            p.dropped.keep_if_same(run.history().recently_dropped(now, DROP_FADE_US));
            p.invariants.keep_if_same(run.invariants());
            let n = run.network_profile();
            p.network = ((n.latency_us_min / 1000) as u32, (n.latency_us_max / 1000) as u32, n.loss_ppm / 10_000, n.duplicate_ppm / 10_000);
            let past = run.history().markers();
            if past.len() != p.past_markers.len() || past.last() != p.past_markers.last() {
                p.past_markers = Shared::new(past.to_vec());
            }
            let markers = run.markers();
            if markers.len() != p.markers.len() || markers.last() != p.markers.last() {
                p.markers = Shared::new(markers.to_vec());
                p.marks = Shared::new(p.markers.iter().map(|m| ScrubMark { at_us: m.at_us, kind: m.kind.as_str(), label: m.label() }).collect());
            }
        }
        // A new round of the read panels starts every SLOW_EVERY_FRAMES frames while playing
        // (at once otherwise); within a round the parts come on different frames, so that no
        // one frame rebuilds them all (at thousands of events a second each part alone is a
        // good share of a frame).
        let at_once = !p.playing || run.violated() || std::mem::take(&mut r.all_next);
        if (at_once || r.frames >= r.slow_frame + SLOW_EVERY_FRAMES) && r.slow_seen != Some((now, events)) {
            r.slow_frame = r.frames;
            r.slow_seen = Some((now, events));
            r.slow_pending = SlowPart::ALL;
        }
        // Which parts are due on this frame, and which of those are out of sight (left
        // behind, to catch up when they come back or the run stops).
        let mut due = 0;
        for part in [SlowPart::Diagram, SlowPart::Log, SlowPart::Panels] {
            let bit = part.bit();
            let in_turn = r.slow_pending & bit != 0 && (at_once || r.frames >= r.slow_frame + part.offset_frames());
            let back = r.stale & bit != 0 && (at_once || r.off_screen & bit == 0);
            if in_turn || back {
                r.slow_pending &= !bit;
                due |= bit;
            }
        }
        let hidden = if at_once { 0 } else { r.off_screen };
        r.stale = (r.stale | (due & hidden)) & !(due & !hidden);
        let shows = |part: SlowPart| due & part.bit() & !hidden != 0;
        let beat = due & SlowPart::Diagram.bit() != 0;
        if beat {
            p.shown = (now, events, run.frontier_us());
        }
        if beat || !p.playing {
            p.listed = p.messages.clone();
        }
        if shows(SlowPart::Diagram) {
            let (spans, every) = run.history().recent(now, SPACETIME_WINDOW_US, crate::view::spacetime::ARROWS_SAMPLED_OVER);
            (p.spans, p.spans_every, p.spans_at_us) = (Shared::new(spans), every, now);
        }
        if shows(SlowPart::Log) && r.log_events != Some(events) {
            r.log_events = Some(events);
            p.log = Shared::new(run.log().iter().rev().cloned().collect());
        }
        let panels_due = due & SlowPart::Panels.bit() != 0;
        // The servers as drawn change with events; a caption may also show a time (how long a
        // participant has been uncertain), so they are looked at again with the panels. (Their
        // timer rings drain from the clock: see `StageClock`.)
        if new_events || panels_due {
            p.nodes.keep_if_same(run.nodes());
        }
        if let Some(t) = &mut p.twin {
            t.follow(now, panels_due);
        }
        if shows(SlowPart::Panels) {
            // The panel may show times (how long a participant has been uncertain).
            p.panel.keep_if_same(run.panel());
        }
        if panels_due && (p.twin.is_some() || !p.metrics.is_empty()) {
            p.metrics = Shared::new(super::twin::compare_metrics(&run, p.twin.as_ref()));
        }
        // A new choice in the inspector shows at once, whatever the round.
        if panels_due || r.inspected != p.selected {
            r.inspected = p.selected;
            let inspection = match p.selected {
                Some(Selected::Node(id)) => run.inspect_node(id),
                Some(Selected::Message(id)) => run.inspect_message(id),
                None => None,
            };
            p.inspection = inspection.map(|i| match &p.inspection {
                // Same content: keep the same copy so the inspector does not draw again.
                Some(old) if **old == i => old.clone(),
                _ => Shared::new(i),
            });
        }
        *p.now_us = now;
        p.clocks[0].set(now);
        *p.frontier_us = run.frontier_us();
        *p.events = events;
        r.events_seen = Some(events);
        if run.violated() {
            p.playing = false;
        }
    }
}
