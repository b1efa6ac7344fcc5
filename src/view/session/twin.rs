//! Compare mode's second run: on the same clock as the first, and every command the person
//! gives applied to both (same faults, same requests), so that the two differ only in what was
//! chosen (the protocol, the seed).

use std::cell::RefCell;
use std::rc::Rc;

use super::shared::reuse_messages;
use super::{SPACETIME_WINDOW_US, Shared, Unseen};
use crate::sim::Micros;
use crate::view::clock::StageClock;
use crate::view::history::MessageSpan;
use crate::view::{LabRun, MessageView, NodeView};

/// Compare mode's second run. Equal when it draws the same: its time alone moves its stage,
/// through its clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Twin {
    /// What it is (`Raft on the same run`).
    pub label: String,
    /// The run.
    pub run: Shared<RefCell<LabRun>>,
    /// Its servers, messages and recent spans, as the stage draws them.
    pub nodes: Shared<Vec<NodeView>>,
    /// Its messages in flight.
    pub messages: Shared<Vec<Rc<MessageView>>>,
    /// Its recent spans (the dropped ones fade on its stage).
    pub spans: Shared<Vec<MessageSpan>>,
    /// Its virtual time (behind the first run's only when it stopped on a broken invariant).
    pub now_us: Unseen<Micros>,
    /// The same, for its stage's moving parts (the lab's second clock).
    pub clock: StageClock,
    /// The events its copies were taken at.
    events: Unseen<Option<u64>>,
    /// Its message colours.
    pub colours: crate::view::face::Colours,
    /// Its layout.
    pub layout: crate::view::geometry::Layout,
    /// The invariant it broke, if it did (the twin then stops there).
    pub broken: Option<String>,
}

impl Twin {
    /// The twin `run`, drawn at `clock`.
    pub(super) fn new(label: String, run: LabRun, clock: StageClock) -> Self {
        let (colours, layout) = (run.colours(), run.layout());
        let run = Shared::new(RefCell::new(run));
        let mut t = Twin { label, run, nodes: Shared::default(), messages: Shared::default(), spans: Shared::default(), now_us: Unseen(0), clock, events: Unseen(None), colours, layout, broken: None };
        t.refresh(true);
        t
    }

    /// Brings the twin to `now_us` (either way); forwards it stops at a broken invariant, and
    /// going back before it resumes following. `panels`: the read panels' round is due (the
    /// servers' captions may show times).
    pub(super) fn follow(&mut self, now_us: Micros, panels: bool) {
        let twin_now = self.run.borrow().now_us();
        if twin_now != now_us && (self.broken.is_none() || now_us < twin_now) {
            self.run.borrow_mut().seek_time(now_us);
        }
        self.refresh(panels);
    }

    fn refresh(&mut self, panels: bool) {
        let run = self.run.borrow();
        let (events, now) = (run.events(), run.now_us());
        let new_events = *self.events != Some(events);
        if new_events || panels {
            self.nodes.keep_if_same(run.nodes());
        }
        if new_events {
            self.messages = Shared::new(reuse_messages(&self.messages, run.messages()));
            self.spans = Shared::new(run.history().recent(now, SPACETIME_WINDOW_US, crate::view::spacetime::ARROWS_SAMPLED_OVER).0);
            self.broken = run.invariants().into_iter().find_map(|i| i.violation.map(|v| format!("{}: {}", crate::view::i18n::tr(i.name), crate::view::i18n::detail(&v.detail))));
        }
        *self.events = Some(events);
        *self.now_us = now;
        self.clock.set(now);
    }
}

/// Compare mode's figures, side by side: (name, this run's, the twin's); none without a twin.
pub(super) fn compare_metrics(run: &LabRun, twin: Option<&Twin>) -> Vec<(&'static str, String, String)> {
    let Some(t) = twin else {
        return Vec::new();
    };
    let mine = run.metrics();
    let theirs = t.run.borrow().metrics();
    let value = |list: &[(&'static str, String)], name: &str| list.iter().find(|(n, _)| *n == name).map_or("—".to_string(), |(_, v)| v.clone());
    // Either run may lack a figure (a balancer that is down reports none).
    let mut names: Vec<&'static str> = mine.iter().map(|(n, _)| *n).collect();
    names.extend(theirs.iter().map(|(n, _)| *n).filter(|n| !mine.iter().any(|(m, _)| m == n)));
    names.into_iter().map(|n| (n, value(&mine, n), value(&theirs, n))).collect()
}
