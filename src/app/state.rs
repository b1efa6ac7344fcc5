//! The lab's one reducer: every change to the run goes through a typed [`LabAction`].
//!
//! The run itself ([`LabRun`], with its snapshots) is too large to clone per frame, so it lives in
//! an `Rc<RefCell<..>>` owned by the state; after each action the reducer copies what the
//! components draw into `Rc` plain data, replacing only what changed so that unchanged panels
//! (invariants, log) keep the same `Rc` and are not re-rendered.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::sim::{Micros, NodeId};
use crate::view::geometry::{SPEED_MAX, SPEED_MIN};
use crate::view::NodeCommand;
use crate::view::{InvariantView, LabRun, LogLine, LogRow, MessageView, NodeView, SCENARIOS};

/// The default speed: 1/10 of real time. Raft's election timeouts (150–300 ms) then last
/// 1.5–3 s on screen and a 10–30 ms message crosses the stage in 0.1–0.3 s: slow enough to
/// follow a vote, fast enough that an election finishes within a few seconds.
pub const DEFAULT_SPEED: f64 = 0.1;
/// The scenario loaded at start.
pub const DEFAULT_SCENARIO: &str = "raft-election.json";

/// What can happen to the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// Run in real time × speed.
    Play,
    /// Stop the clock.
    Pause,
    /// Play or pause.
    TogglePlay,
    /// An animation frame: advance the virtual clock by this many µs (while playing).
    Tick(Micros),
    /// Pause and process exactly one event.
    StepForward,
    /// Pause and go back one event.
    StepBack,
    /// Virtual time per wall time.
    SetSpeed(f64),
    /// Open (or close, with `None`) a server's menu.
    Select(Option<NodeId>),
    /// A command on a server.
    NodeAction(NodeId, NodeCommand),
    /// Drop a message in flight.
    DropMessage(u64),
    /// Load a shipped scenario by file name and start over, paused.
    LoadScenario(String),
}

/// The lab's state.
#[derive(Clone, Debug)]
pub struct LabState {
    /// The run (shared; see the module doc).
    pub run: Rc<RefCell<LabRun>>,
    /// Servers as drawn.
    pub nodes: Rc<Vec<NodeView>>,
    /// Messages in flight.
    pub messages: Rc<Vec<MessageView>>,
    /// Invariants.
    pub invariants: Rc<Vec<InvariantView>>,
    /// Recent trace lines, newest first.
    pub log: Rc<Vec<LogLine>>,
    /// The servers' logs, for the log view.
    pub logs: Rc<Vec<LogRow>>,
    /// Virtual time.
    pub now_us: Micros,
    /// Events so far.
    pub events: u64,
    /// Whether the clock runs.
    pub playing: bool,
    /// Virtual time per wall time.
    pub speed: f64,
    /// The server whose menu is open.
    pub selected: Option<NodeId>,
    /// The scenario's file name.
    pub scenario: String,
    /// Its description.
    pub description: String,
    /// A load error to show.
    pub error: Option<String>,
    /// Animation frames seen (so the frame loop's effect runs again after each).
    pub frames: u64,
}

impl PartialEq for LabState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
            && self.events == other.events
            && self.now_us == other.now_us
            && self.playing == other.playing
            && self.speed == other.speed
            && self.selected == other.selected
            && self.error == other.error
            && self.frames == other.frames
    }
}

impl Default for LabState {
    fn default() -> Self {
        match LabRun::shipped(DEFAULT_SCENARIO) {
            Ok(run) => LabState::with_run(run),
            // The shipped scenarios are tested natively; this only guards against a broken build.
            Err(e) => {
                let fallback = SCENARIOS.iter().find_map(|(name, _)| LabRun::shipped(name).ok());
                let mut s = LabState::with_run(fallback.unwrap_or_else(|| panic!("no shipped scenario loads: {e}")));
                s.error = Some(e);
                s
            }
        }
    }
}

impl LabState {
    fn with_run(run: LabRun) -> Self {
        let mut s = LabState {
            scenario: run.name().to_string(),
            description: run.description().to_string(),
            run: Rc::new(RefCell::new(run)),
            nodes: Rc::default(),
            messages: Rc::default(),
            invariants: Rc::default(),
            log: Rc::default(),
            logs: Rc::default(),
            now_us: 0,
            events: u64::MAX,
            playing: false,
            speed: DEFAULT_SPEED,
            selected: None,
            error: None,
            frames: 0,
        };
        s.refresh();
        s
    }

    /// Copies what the components draw out of the run.
    fn refresh(&mut self) {
        let run = self.run.borrow();
        let events = run.events();
        let now = run.now_us();
        if now != self.now_us || events != self.events {
            self.nodes = Rc::new(run.nodes());
        }
        if events != self.events {
            self.messages = Rc::new(run.messages());
            self.invariants = Rc::new(run.invariants());
            self.log = Rc::new(run.log().rev().cloned().collect());
            let logs = run.logs();
            if *self.logs != logs {
                self.logs = Rc::new(logs);
            }
        }
        self.now_us = now;
        self.events = events;
        if run.violated() {
            self.playing = false;
        }
    }
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            LabAction::Play => s.playing = !s.run.borrow().violated(),
            LabAction::Pause => s.playing = false,
            LabAction::TogglePlay => s.playing = !s.playing && !s.run.borrow().violated(),
            LabAction::Tick(dt_us) => {
                if !s.playing {
                    return self;
                }
                s.frames += 1;
                let until = s.now_us.saturating_add(dt_us);
                s.run.borrow_mut().advance_to(until);
            }
            LabAction::StepForward => {
                s.playing = false;
                s.run.borrow_mut().step();
            }
            LabAction::StepBack => {
                s.playing = false;
                s.run.borrow_mut().step_back();
            }
            LabAction::SetSpeed(speed) => {
                if speed.is_finite() {
                    s.speed = speed.clamp(SPEED_MIN, SPEED_MAX);
                }
            }
            LabAction::Select(id) => s.selected = id,
            LabAction::NodeAction(id, command) => s.run.borrow_mut().node_command(id, command),
            LabAction::DropMessage(id) => s.run.borrow_mut().drop_message(id),
            LabAction::LoadScenario(name) => match LabRun::shipped(&name) {
                Ok(run) => {
                    let speed = s.speed;
                    s = LabState::with_run(run);
                    s.speed = speed;
                }
                Err(e) => s.error = Some(e),
            },
        }
        s.refresh();
        Rc::new(s)
    }
}
