//! The lab's one reducer: every change to the run goes through a typed [`LabAction`].
//!
//! The run itself ([`LabRun`], with its snapshots) is too large to clone per frame, so it lives in
//! an `Rc<RefCell<..>>` owned by the state; after each action the reducer copies what the
//! components draw into `Rc` plain data, replacing only what changed so that unchanged panels
//! (invariants, log) keep the same `Rc` and are not re-rendered.
//!
//! Anything that replaces the run (a scenario, a file, a link, a new cluster) builds the new run
//! first and swaps it in only if that worked: a bad file or link leaves an error message and
//! the current run as it was.
//!
//! While the run plays, a frame usually changes only the time. The page renders only when the
//! state differs in what it shows (`PartialEq`, for `use_reducer_eq`), which leaves the time
//! out: the stage's moving parts follow [`StageClock`] instead. The panels that are read rather
//! than watched take turns a few times a second, and not at all while scrolled out of sight.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::scenario::guide::Guide;
use crate::sim::{Micros, NodeId};
use crate::view::family;
use crate::view::geometry::{SPEED_MAX, SPEED_MIN, speed_step};
use crate::view::history::{Marker, MessageSpan};
use crate::view::inspect::Inspection;
use crate::view::marks::ScrubMark;
use crate::view::{InvariantView, LabRun, LogLine, MessageView, NetCommand, NodeCommand, NodeView, Panel};

use super::clock::StageClock;

/// The default speed: 1/10 of real time. Raft's election timeouts (150–300 ms) then last
/// 1.5–3 s on screen and a 10–30 ms message crosses the stage in 0.1–0.3 s: slow enough to
/// follow a vote, fast enough that an election finishes within a few seconds.
pub const DEFAULT_SPEED: f64 = 0.1;
/// The scenario loaded at start: the default of this bundle's family.
pub fn default_scenario() -> &'static str {
    crate::view::family::here().default_scenario
}

/// The page this bundle cannot serve a request on: the address to go to, and whether the
/// current page is left in the history (a choice the person made) or replaced (the address
/// itself asked for another family, so Back must not bounce here again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaving {
    /// Query and fragment (see [`crate::view::family::Move::href`]).
    pub href: String,
    /// Replace the current history entry.
    pub replace: bool,
}

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selected {
    /// A server (its menu and state).
    Node(NodeId),
    /// A message in flight.
    Message(u64),
}

/// What can happen to the lab.
#[derive(Debug)]
pub enum LabAction {
    /// The browser brought the page back (its back-forward cache) after it left for another
    /// family's page: it stays, and forgets that it was leaving.
    Returned,
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
    /// Pause and move to a moment (the scrubber).
    Seek(Micros),
    /// Move to the start of this step of the guide, playing on if the run was playing.
    GuideStep(usize),
    /// Virtual time per wall time.
    SetSpeed(f64),
    /// Faster (positive) or slower by this many keyboard steps.
    SpeedStep(i32),
    /// Open the inspector on something, or close it.
    Select(Option<Selected>),
    /// A command on a server.
    NodeAction(NodeId, NodeCommand),
    /// The same scenario with this `config` patch, from the start.
    Reconfigure(serde_json::Value),
    /// An operator's request to a server, as a scenario writes it (a balancer's `{"remove": 3}`).
    Operator(NodeId, serde_json::Value),
    /// Compare mode: set the run of this choice (an index into [`LabState::twin_choices`])
    /// beside the current one, or none.
    Compare(Option<usize>),
    /// A client request to the selected server, else the leader, else S1 (the `c` key).
    ClientRequest,
    /// A command on the network.
    Net(NetCommand),
    /// Drop a message in flight.
    DropMessage(u64),
    /// Load a shipped scenario by file name and play it from the start (paused where the page
    /// does not play on its own: see [`LabState::autoplay`]).
    LoadScenario(String),
    /// The text of a shipped scenario this bundle fetches rather than carries (see
    /// [`crate::view::shipped::fetched`]), or why it could not be had.
    Fetched(String, Result<String, String>),
    /// A blank cluster of this many servers under this seed.
    NewCluster(u32, u64),
    /// The current scenario again under another seed.
    Reseed(u64),
    /// A file the person picked (name, text): a scenario or a trace.
    Import(String, String),
    /// A run link's fragment.
    OpenLink(String),
    /// An error from outside the reducer (a file that could not be read).
    Error(String),
    /// Set or clear the breakpoint (pause when a server sends a type of message).
    Breakpoint(Option<(NodeId, String)>),
    /// Show or hide the keyboard shortcuts.
    Help(bool),
    /// A read panel came into sight (`true`) or left it (the browser's `IntersectionObserver`).
    OnScreen(SlowPart, bool),
    /// Close whatever is open (help, inspector) and clear messages: the Escape key.
    Dismiss,
}

/// The lab's state.
#[derive(Clone, Debug)]
pub struct LabState {
    /// The run (shared; see the module doc).
    pub run: Rc<RefCell<LabRun>>,
    /// Servers as drawn.
    pub nodes: Rc<Vec<NodeView>>,
    /// Messages in flight.
    pub messages: Rc<Vec<Rc<MessageView>>>,
    /// Messages in flight as the list beside the stage shows them: `messages`, except while
    /// playing, when it follows them with `shown`. Its count is text that would otherwise
    /// change, and lay out the page, on every send and delivery.
    pub listed: Rc<Vec<Rc<MessageView>>>,
    /// Invariants.
    pub invariants: Rc<Vec<InvariantView>>,
    /// Recent trace lines, newest first.
    pub log: Rc<Vec<LogLine>>,
    /// The protocol's own panel (Raft: the log view).
    pub panel: Rc<Panel>,
    /// Message spans for the space-time diagram (the recent past).
    pub spans: Rc<Vec<MessageSpan>>,
    /// The messages dropped in the last moments, which the stage shows fading (refreshed
    /// with events, whether or not the diagram is in sight).
    pub dropped: Rc<Vec<MessageSpan>>,
    /// The diagram draws one span in this many (1: all; see `History::recent`).
    pub spans_every: u64,
    /// Markers of this branch up to its frontier (the time line's).
    pub markers: Rc<Vec<Marker>>,
    /// Markers up to the current moment (the space-time diagram's).
    pub past_markers: Rc<Vec<Marker>>,
    /// The markers as the scrubber draws them.
    pub marks: Rc<Vec<ScrubMark>>,
    /// What the inspector shows, if it is open and the thing still exists.
    pub inspection: Option<Rc<Inspection>>,
    /// Virtual time.
    pub now_us: Micros,
    /// The stages' clocks (this run's, then compare mode's second run's): their moving parts
    /// follow them on every frame without the rest of the page (see [`StageClock`]). The same
    /// two for the page's life.
    pub clocks: [StageClock; 2],
    /// What the read panels show: (virtual time, events, frontier), the same as `now_us`,
    /// `events` and `frontier_us` except while playing, when it follows them about six times
    /// a second (see [`SLOW_EVERY_FRAMES`]).
    pub shown: (Micros, u64, Micros),
    /// The latest moment reached on this branch (the scrubber's end).
    pub frontier_us: Micros,
    /// Events so far.
    pub events: u64,
    /// Whether the clock runs.
    pub playing: bool,
    /// Virtual time per wall time.
    pub speed: f64,
    /// What the inspector is open on.
    pub selected: Option<Selected>,
    /// The scenario's display name.
    pub scenario: String,
    /// Its description.
    pub description: String,
    /// Its guide, if it has one.
    pub guide: Rc<Option<Guide>>,
    /// Servers in the run.
    pub node_count: u32,
    /// The run's protocol's scenario name (`raft`, `multipaxos`, `balancer`...).
    pub protocol: String,
    /// The stage's legend (see [`crate::view::face::LabProtocol::legend`]).
    pub legend: &'static [(&'static str, &'static str)],
    /// What the protocol calls the server that leads, for the network's presets (see
    /// [`crate::view::face::LabProtocol::lead_word`]).
    pub lead: Option<&'static str>,
    /// The protocol's message colours by type.
    pub colours: crate::view::face::Colours,
    /// Where the stage places the servers.
    pub layout: crate::view::geometry::Layout,
    /// The message types its servers send (the breakpoint's list).
    pub message_kinds: &'static [&'static str],
    /// The breakpoint set.
    pub breakpoint: Option<(NodeId, String)>,
    /// The seed in force.
    pub seed: u64,
    /// The network's profile now: latency range in ms, loss and duplication in percent.
    pub network: (u32, u32, u32, u32),
    /// Something went wrong (a bad file or link); the run is untouched.
    pub error: Option<String>,
    /// Something went right (a file opened); shown until dismissed or replaced.
    pub notice: Option<String>,
    /// The shortcuts dialog is open.
    pub help: bool,
    /// Whether a scenario plays as soon as it is loaded: the page opens playing, except under
    /// `prefers-reduced-motion` or `autoplay=0` (set once by the page at start).
    pub autoplay: bool,
    /// Compare mode's second run, if any.
    pub twin: Option<Twin>,
    /// What compare mode can set beside this run (labels).
    pub twin_choices: Rc<Vec<String>>,
    /// Compare mode's figures: (name, this run, the twin), refreshed with the read panels.
    pub metrics: Rc<Vec<(&'static str, String, String)>>,
    /// The page to go to for a run of a protocol another bundle holds.
    pub leaving: Option<Leaving>,
    /// A shipped scenario being fetched (the page's effect fetches it, then `Fetched` loads it).
    pub fetching: Option<String>,
    /// The page's query string, kept when moving to another family's page.
    search: Rc<str>,
    /// Animation frames seen while playing (the read panels' rounds count them).
    frames: u64,
    /// Bumped whenever the run is replaced.
    pub generation: u64,
    /// The frame of the last refresh of the read panels (see [`SLOW_EVERY_FRAMES`]), and the
    /// moment (time, events) it showed.
    slow_frame: u64,
    slow_seen: (Micros, u64),
    /// The parts of the round not yet refreshed ([`SlowPart`] bits).
    slow_pending: u8,
    /// The parts out of sight ([`SlowPart`] bits): while playing they are not refreshed.
    off_screen: u8,
    /// The parts whose copy is behind the run because they were out of sight.
    stale: u8,
    /// The moment the diagram's spans were taken at.
    pub spans_at_us: Micros,
    /// The events the event log's copy was taken at.
    log_events: u64,
    /// What the inspection was taken of.
    inspected: Option<Selected>,
}

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

    fn bit(self) -> u8 {
        1 << self as u8
    }

    /// Frames after the round's start.
    fn offset_frames(self) -> u64 {
        self as u64 * (SLOW_EVERY_FRAMES / 3)
    }
}

/// While playing, the panels that are read rather than watched (event log, log view,
/// space-time diagram, inspector, clock, time line) are refreshed every this many frames (five
/// times a second at 60 frames a second), not on every frame: rebuilding them was most of a
/// frame's work, and text that changes sixty times a second cannot be read anyway. The stage
/// moves on every frame. A panel scrolled out of sight is not refreshed at all while playing
/// (see `LabAction::OnScreen`); it catches up when it comes back or the run stops.
pub const SLOW_EVERY_FRAMES: u64 = 12;

/// Compare mode's second run: on the same clock as the first, and every command the person
/// gives applied to both (same faults, same requests), so that the two differ only in what was
/// chosen (the protocol, the seed).
#[derive(Clone, Debug)]
pub struct Twin {
    /// What it is (`Raft on the same run`).
    pub label: String,
    /// The run.
    pub run: Rc<RefCell<LabRun>>,
    /// Its servers, messages and recent spans, as the stage draws them.
    pub nodes: Rc<Vec<NodeView>>,
    pub messages: Rc<Vec<Rc<MessageView>>>,
    pub spans: Rc<Vec<MessageSpan>>,
    /// Its virtual time (behind the first run's only when it stopped on a broken invariant).
    pub now_us: Micros,
    /// The same, for its stage's moving parts (the lab's second clock).
    pub clock: StageClock,
    pub events: u64,
    /// Its message colours and layout.
    pub colours: crate::view::face::Colours,
    pub layout: crate::view::geometry::Layout,
    /// The invariant it broke, if it did (the twin then stops there).
    pub broken: Option<String>,
}

/// Equal when it draws the same: its time alone moves its stage through its clock.
impl PartialEq for Twin {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
            && Rc::ptr_eq(&self.nodes, &other.nodes)
            && Rc::ptr_eq(&self.messages, &other.messages)
            && Rc::ptr_eq(&self.spans, &other.spans)
            && self.clock == other.clock
            && self.broken == other.broken
    }
}

impl Twin {
    fn new(label: String, run: LabRun, clock: StageClock) -> Self {
        let (colours, layout) = (run.colours(), run.layout());
        let mut t =
            Twin { label, run: Rc::new(RefCell::new(run)), nodes: Rc::default(), messages: Rc::default(), spans: Rc::default(), now_us: 0, clock, events: u64::MAX, colours, layout, broken: None };
        t.refresh(true);
        t
    }

    /// Brings the twin to `now_us` (either way); forwards it stops at a broken invariant, and
    /// going back before it resumes following. `panels`: the read panels' round is due (the
    /// servers' captions may show times).
    fn follow(&mut self, now_us: Micros, panels: bool) {
        let twin_now = self.run.borrow().now_us();
        if twin_now != now_us && (self.broken.is_none() || now_us < twin_now) {
            self.run.borrow_mut().seek_time(now_us);
        }
        self.refresh(panels);
    }

    fn refresh(&mut self, panels: bool) {
        let run = self.run.borrow();
        let (events, now) = (run.events(), run.now_us());
        if events != self.events || panels {
            keep_if_same(&mut self.nodes, run.nodes());
        }
        if events != self.events {
            self.messages = Rc::new(reuse_messages(&self.messages, run.messages()));
            self.spans = Rc::new(run.history().recent(now, SPACETIME_WINDOW_US, crate::view::spacetime::ARROWS_SAMPLED_OVER).0);
            self.broken = run.invariants().into_iter().find_map(|i| i.violation.map(|v| format!("{}: {}", i.name, v.detail)));
        }
        self.events = events;
        self.now_us = now;
        self.clock.set(now);
    }
}

/// Replaces `old` by `new` unless they are equal, so that what draws it sees the same `Rc` and
/// skips rendering.
fn keep_if_same<T: PartialEq>(old: &mut Rc<T>, new: T) {
    if **old != new {
        *old = Rc::new(new);
    }
}

/// Equal when the page draws the same: the app renders only when this changes (`use_reducer_eq`).
/// The time alone is left out: while playing it changes on every frame, and what moves with it
/// follows the [`StageClock`]; the read panels follow `shown`. Every field is named, so that a
/// new one must be placed on one side or the other.
impl PartialEq for LabState {
    fn eq(&self, other: &Self) -> bool {
        let LabState {
            run,
            nodes,
            messages,
            listed,
            invariants,
            log,
            panel,
            spans,
            dropped,
            spans_every,
            markers,
            past_markers,
            marks,
            inspection,
            now_us: _,
            clocks,
            shown,
            frontier_us: _,
            events: _,
            playing,
            speed,
            selected,
            scenario,
            description,
            guide,
            node_count,
            protocol,
            legend,
            lead,
            colours,
            layout,
            message_kinds,
            breakpoint,
            seed,
            network,
            error,
            notice,
            help,
            autoplay: _,
            twin,
            twin_choices,
            metrics,
            leaving,
            fetching,
            search,
            frames: _,
            generation,
            slow_frame: _,
            slow_seen: _,
            slow_pending: _,
            off_screen: _,
            stale: _,
            spans_at_us,
            log_events: _,
            inspected: _,
        } = self;
        let same_inspection = match (inspection, &other.inspection) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        Rc::ptr_eq(run, &other.run)
            && Rc::ptr_eq(nodes, &other.nodes)
            && Rc::ptr_eq(messages, &other.messages)
            && Rc::ptr_eq(listed, &other.listed)
            && Rc::ptr_eq(invariants, &other.invariants)
            && Rc::ptr_eq(log, &other.log)
            && Rc::ptr_eq(panel, &other.panel)
            && Rc::ptr_eq(spans, &other.spans)
            && Rc::ptr_eq(dropped, &other.dropped)
            && *spans_every == other.spans_every
            && *spans_at_us == other.spans_at_us
            && Rc::ptr_eq(markers, &other.markers)
            && Rc::ptr_eq(past_markers, &other.past_markers)
            && Rc::ptr_eq(marks, &other.marks)
            && same_inspection
            && *clocks == other.clocks
            && *shown == other.shown
            && *playing == other.playing
            && *speed == other.speed
            && *selected == other.selected
            && *scenario == other.scenario
            && *description == other.description
            && Rc::ptr_eq(guide, &other.guide)
            && *node_count == other.node_count
            && *protocol == other.protocol
            && *legend == other.legend
            && *lead == other.lead
            && *colours == other.colours
            && *layout == other.layout
            && *message_kinds == other.message_kinds
            && *breakpoint == other.breakpoint
            && *seed == other.seed
            && *network == other.network
            && *error == other.error
            && *notice == other.notice
            && *help == other.help
            && *twin == other.twin
            && Rc::ptr_eq(twin_choices, &other.twin_choices)
            && Rc::ptr_eq(metrics, &other.metrics)
            && *leaving == other.leaving
            && *fetching == other.fetching
            && Rc::ptr_eq(search, &other.search)
            && *generation == other.generation
    }
}

impl Default for LabState {
    fn default() -> Self {
        match LabRun::shipped(default_scenario()) {
            Ok(run) => LabState::with_run(run),
            // The page's loader could not fetch the default scenario (or a broken build): a
            // blank cluster of the family's protocol, and the reason.
            Err(e) => {
                let protocol = family::here().protocols().next().unwrap_or("raft");
                let blank = crate::scenario::Scenario::new(protocol, 3);
                let run = LabRun::from_scenario("blank.json", blank).unwrap_or_else(|e2| panic!("no scenario runs here: {e}; {e2}"));
                let mut s = LabState::with_run(run);
                s.error = Some(format!("The page could not load its scenario ({e}): a blank cluster instead. Reload to try again."));
                s
            }
        }
    }
}

/// How much of the past the space-time diagram shows, in virtual time.
pub const SPACETIME_WINDOW_US: Micros = 400_000;

impl LabState {
    /// The state the page opens with: the run of a link (`#run=...`) if there is one, else the
    /// scenario the address names (`?scenario=`), else the default. A link or name that does
    /// not work gives the default and an error saying why; one of a protocol another bundle
    /// runs sends the page there (see [`crate::view::family`]).
    pub fn open(search: &str, fragment: &str, scenario: Option<&str>) -> Self {
        let base = LabState { search: Rc::from(search), ..LabState::default() };
        let mut s = base.open_here(fragment, scenario);
        if let Err(lab) = family::requested(search) {
            let known: Vec<&str> = family::FAMILIES.iter().map(|f| f.id).collect();
            s.error = Some(format!("The address asks for the lab \"{lab}\", which does not exist (there are {}). Showing the {} lab.", known.join(", "), family::here().title));
        }
        s
    }

    fn open_here(mut self, fragment: &str, scenario: Option<&str>) -> Self {
        if crate::view::share::is_run_link(fragment) {
            return Rc::new(self).reduce(LabAction::OpenLink(fragment.to_string())).as_ref().clone();
        }
        let Some(name) = scenario else { return self };
        let shipped = crate::view::shipped::SHIPPED;
        let Some(name) = shipped.iter().map(|s| s.name).find(|n| *n == name || n.trim_end_matches(".json") == name) else {
            let known: Vec<&str> = shipped.iter().map(|s| s.name.trim_end_matches(".json")).collect();
            self.error = Some(format!("The address asks for the scenario \"{name}\", which the lab does not have (it has {}). Showing the default instead.", known.join(", ")));
            return self;
        };
        // The address asked for it: leaving replaces this page in the history.
        if !self.leave_for(family::move_for_scenario(&self.search, name, family::holds), true) {
            self.load_shipped(name);
        }
        self
    }

    /// Loads a shipped scenario this bundle runs: at once if it carries the text, else once
    /// fetched (`fetching`); the current run stays until then.
    fn load_shipped(&mut self, name: &str) {
        if crate::view::shipped::to_fetch(name) {
            self.fetching = Some(name.to_string());
            return;
        }
        match LabRun::shipped(name) {
            Ok(run) => self.replace_run(run),
            Err(e) => self.error = Some(e),
        }
    }

    /// Leaves for the page of the family that runs a request, if this bundle does not.
    fn leave_for(&mut self, to: Option<family::Move>, replace: bool) -> bool {
        let Some(to) = to else { return false };
        self.notice = Some(format!("Opening the {} lab…", to.family.title));
        self.leaving = Some(Leaving { href: to.href(""), replace });
        true
    }

    fn with_run(run: LabRun) -> Self {
        let mut s = LabState {
            scenario: String::new(),
            description: String::new(),
            guide: Rc::new(None),
            run: Rc::new(RefCell::new(run)),
            nodes: Rc::default(),
            messages: Rc::default(),
            listed: Rc::default(),
            invariants: Rc::default(),
            log: Rc::default(),
            panel: Rc::default(),
            spans: Rc::default(),
            dropped: Rc::default(),
            spans_every: 1,
            markers: Rc::default(),
            past_markers: Rc::default(),
            marks: Rc::default(),
            inspection: None,
            now_us: 0,
            clocks: Default::default(),
            shown: (0, 0, 0),
            frontier_us: 0,
            events: u64::MAX,
            playing: false,
            speed: DEFAULT_SPEED,
            selected: None,
            node_count: 0,
            protocol: String::new(),
            message_kinds: &[],
            legend: &[],
            lead: None,
            colours: Default::default(),
            layout: Default::default(),
            breakpoint: None,
            seed: 0,
            network: (0, 0, 0, 0),
            error: None,
            notice: None,
            help: false,
            autoplay: false,
            leaving: None,
            fetching: None,
            search: Rc::from(""),
            twin: None,
            twin_choices: Rc::default(),
            metrics: Rc::default(),
            frames: 0,
            generation: 0,
            slow_frame: 0,
            slow_seen: (Micros::MAX, u64::MAX),
            slow_pending: 0,
            off_screen: 0,
            stale: 0,
            spans_at_us: 0,
            log_events: u64::MAX,
            inspected: None,
        };
        s.describe_run();
        s.refresh();
        s
    }

    /// Swaps in a new run, keeping the speed and counting generations.
    fn replace_run(&mut self, run: LabRun) {
        let (speed, generation, search, autoplay) = (self.speed, self.generation + 1, self.search.clone(), self.autoplay);
        // The clocks outlive runs: the frame loop holds them.
        let clocks = self.clocks.clone();
        *self = LabState::with_run(run);
        self.speed = speed;
        self.generation = generation;
        self.search = search;
        self.autoplay = autoplay;
        self.clocks = clocks;
        self.clocks[0].set(self.now_us);
    }

    fn describe_run(&mut self) {
        let run = self.run.borrow();
        self.scenario = run.name().to_string();
        self.description = run.description().to_string();
        self.guide = Rc::new(run.scenario().guide.clone());
        self.node_count = run.node_count();
        self.protocol = run.scenario().protocol.clone();
        self.message_kinds = run.message_kinds();
        self.legend = run.legend();
        self.lead = run.lead_word();
        self.colours = run.colours();
        self.layout = run.layout();
        self.twin_choices = Rc::new(run.twins().into_iter().map(|(label, _)| label).collect());
        self.seed = run.seed();
    }

    /// Copies what the components draw out of the run.
    fn refresh(&mut self) {
        let run = self.run.borrow();
        let events = run.events();
        let now = run.now_us();
        if events != self.events {
            self.messages = Rc::new(reuse_messages(&self.messages, run.messages()));
            keep_if_same(&mut self.dropped, run.history().recently_dropped(now, crate::app::components::stage::DROP_FADE_US));
            let invariants = run.invariants();
            if *self.invariants != invariants {
                self.invariants = Rc::new(invariants);
            }
            let p = run.network_profile();
            self.network = ((p.latency_us_min / 1000) as u32, (p.latency_us_max / 1000) as u32, p.loss_ppm / 10_000, p.duplicate_ppm / 10_000);
            let past = run.history().markers();
            if past.len() != self.past_markers.len() || past.last() != self.past_markers.last() {
                self.past_markers = Rc::new(past.to_vec());
            }
            let markers = run.markers();
            if markers.len() != self.markers.len() || markers.last() != self.markers.last() {
                self.markers = Rc::new(markers.to_vec());
                self.marks = Rc::new(self.markers.iter().map(|m| ScrubMark { at_us: m.at_us, kind: m.kind.as_str(), label: m.label.clone() }).collect());
            }
        }
        // A new round of the read panels starts every SLOW_EVERY_FRAMES frames while playing
        // (at once otherwise); within a round the parts come on different frames, so that no
        // one frame rebuilds them all (at thousands of events a second each part alone is a
        // good share of a frame).
        let at_once = !self.playing || run.violated();
        if (at_once || self.frames >= self.slow_frame + SLOW_EVERY_FRAMES) && (now, events) != self.slow_seen {
            self.slow_frame = self.frames;
            self.slow_seen = (now, events);
            self.slow_pending = SlowPart::ALL;
        }
        // Which parts are due on this frame, and which of those are out of sight (left
        // behind, to catch up when they come back or the run stops).
        let mut due = 0;
        for part in [SlowPart::Diagram, SlowPart::Log, SlowPart::Panels] {
            let bit = part.bit();
            let in_turn = self.slow_pending & bit != 0 && (at_once || self.frames >= self.slow_frame + part.offset_frames());
            let back = self.stale & bit != 0 && (at_once || self.off_screen & bit == 0);
            if in_turn || back {
                self.slow_pending &= !bit;
                due |= bit;
            }
        }
        let hidden = if at_once { 0 } else { self.off_screen };
        self.stale = (self.stale | (due & hidden)) & !(due & !hidden);
        let shows = |part: SlowPart| due & part.bit() & !hidden != 0;
        let beat = due & SlowPart::Diagram.bit() != 0;
        if beat {
            self.shown = (now, events, run.frontier_us());
        }
        if beat || !self.playing {
            self.listed = self.messages.clone();
        }
        if shows(SlowPart::Diagram) {
            let (spans, every) = run.history().recent(now, SPACETIME_WINDOW_US, crate::view::spacetime::ARROWS_SAMPLED_OVER);
            (self.spans, self.spans_every, self.spans_at_us) = (Rc::new(spans), every, now);
        }
        if shows(SlowPart::Log) && events != self.log_events {
            self.log_events = events;
            self.log = Rc::new(run.log().iter().rev().cloned().collect());
        }
        let panels_due = due & SlowPart::Panels.bit() != 0;
        // The servers as drawn change with events; a caption may also show a time (how long a
        // participant has been uncertain), so they are looked at again with the panels. (Their
        // timer rings drain from the clock: see `StageClock`.)
        if events != self.events || panels_due {
            keep_if_same(&mut self.nodes, run.nodes());
        }
        if let Some(t) = &mut self.twin {
            t.follow(now, panels_due);
        }
        if shows(SlowPart::Panels) {
            // The panel may show times (how long a participant has been uncertain).
            keep_if_same(&mut self.panel, run.panel());
        }
        if panels_due && (self.twin.is_some() || !self.metrics.is_empty()) {
            let metrics = self.compare_metrics();
            self.metrics = Rc::new(metrics);
        }
        // A new choice in the inspector shows at once, whatever the round.
        if panels_due || self.inspected != self.selected {
            self.inspected = self.selected;
            let inspection = match self.selected {
                Some(Selected::Node(id)) => run.inspect_node(id),
                Some(Selected::Message(id)) => run.inspect_message(id),
                None => None,
            };
            self.inspection = inspection.map(|i| match &self.inspection {
                // Same content: keep the same Rc so the inspector does not re-render.
                Some(old) if **old == i => old.clone(),
                _ => Rc::new(i),
            });
        }
        self.now_us = now;
        self.clocks[0].set(now);
        self.frontier_us = run.frontier_us();
        self.events = events;
        if run.violated() {
            self.playing = false;
        }
    }

    /// The server a client request goes to: the selected one if it runs, else the leader,
    /// else S1.
    fn request_target(&self) -> NodeId {
        let run = self.run.borrow();
        match self.selected {
            Some(Selected::Node(id)) if self.nodes.get(id as usize - 1).is_some_and(|n| n.up) => id,
            _ => run.leader().unwrap_or(1),
        }
    }
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            LabAction::Returned => {
                if s.leaving.take().is_some() {
                    s.notice = None;
                }
            }
            LabAction::Play => s.playing = !s.run.borrow().violated(),
            LabAction::Pause => s.playing = false,
            LabAction::TogglePlay => s.playing = !s.playing && !s.run.borrow().violated(),
            LabAction::Tick(dt_us) => {
                if !s.playing {
                    return self;
                }
                s.frames += 1;
                let until = s.now_us.saturating_add(dt_us);
                let hit = {
                    let mut run = s.run.borrow_mut();
                    run.advance_to(until);
                    run.take_breakpoint_hit()
                };
                if let Some(hit) = hit {
                    s.playing = false;
                    s.notice = Some(hit);
                }
            }
            LabAction::StepForward => {
                s.playing = false;
                s.run.borrow_mut().step();
            }
            LabAction::StepBack => {
                s.playing = false;
                s.run.borrow_mut().step_back();
            }
            LabAction::Seek(at_us) => {
                s.playing = false;
                s.run.borrow_mut().seek_time(at_us);
            }
            LabAction::GuideStep(i) => {
                let start = s.guide.as_ref().as_ref().map(|g| g.step_start(i.min(g.steps.len().saturating_sub(1))));
                if let Some(start) = start {
                    s.run.borrow_mut().seek_time(start);
                    // The guide follows the clock: show the new moment now, not at the next
                    // round of the read panels.
                    s.slow_frame = s.frames.saturating_sub(SLOW_EVERY_FRAMES);
                }
            }
            LabAction::SetSpeed(speed) => {
                if speed.is_finite() {
                    s.speed = speed.clamp(SPEED_MIN, SPEED_MAX);
                }
            }
            LabAction::SpeedStep(steps) => s.speed = speed_step(s.speed, steps),
            LabAction::Select(selected) => {
                s.selected = selected.filter(|sel| match sel {
                    Selected::Node(id) => *id >= 1 && *id <= s.node_count,
                    Selected::Message(_) => true,
                });
            }
            LabAction::NodeAction(id, command) => {
                if let Some(t) = &s.twin {
                    t.run.borrow_mut().node_command(id, command);
                }
                s.run.borrow_mut().node_command(id, command);
            }
            LabAction::ClientRequest => {
                let to = s.request_target();
                if let Some(t) = &s.twin {
                    // The twin's own leader, unless the person picked a server.
                    let twin_to = if matches!(s.selected, Some(Selected::Node(_))) { to } else { t.run.borrow().leader().unwrap_or(to) };
                    t.run.borrow_mut().node_command(twin_to, NodeCommand::ClientRequest);
                }
                s.run.borrow_mut().node_command(to, NodeCommand::ClientRequest);
            }
            LabAction::Net(command) => {
                if let Some(t) = &s.twin {
                    t.run.borrow_mut().net_command(&command);
                }
                s.run.borrow_mut().net_command(&command);
            }
            LabAction::Reconfigure(patch) => {
                let again = s.run.borrow().reconfigured(&patch);
                match again {
                    Ok(run) => {
                        s.replace_run(run);
                        s.notice = Some("Started over with the new settings (same seed, same workload but for what changed).".to_string());
                    }
                    Err(e) => s.error = Some(format!("Those settings do not work: {e}")),
                }
            }
            LabAction::Operator(to, request) => {
                if let Some(t) = &s.twin {
                    let _ = t.run.borrow_mut().operator_request(to, &request);
                }
                let done = s.run.borrow_mut().operator_request(to, &request);
                if let Err(e) = done {
                    s.error = Some(format!("That request could not be made: {e}"));
                }
            }
            LabAction::Compare(None) => {
                s.twin = None;
                s.metrics = Rc::default();
            }
            LabAction::Compare(Some(i)) => {
                let chosen = s.run.borrow().twins().into_iter().nth(i);
                match chosen.map(|(label, sc)| (label, LabRun::from_scenario(&format!("{} (compared)", s.scenario), sc))) {
                    Some((label, Ok(mut run))) => {
                        run.seek_time(s.now_us);
                        s.twin = Some(Twin::new(label, run, s.clocks[1].clone()));
                        // Paused, the read panels do not refresh: the figures are due now.
                        s.metrics = Rc::new(s.compare_metrics());
                    }
                    Some((_, Err(e))) => s.error = Some(format!("Cannot compare: {e}")),
                    None => {}
                }
            }
            LabAction::DropMessage(id) => {
                s.run.borrow_mut().drop_message(id);
                if s.selected == Some(Selected::Message(id)) {
                    s.selected = None;
                }
            }
            LabAction::LoadScenario(name) if name == s.scenario => {
                // Reset: the scenario as loaded, from the start (no need to fetch it again).
                let again = {
                    let run = s.run.borrow();
                    LabRun::from_scenario(run.name(), run.scenario().clone())
                };
                match again {
                    Ok(run) => {
                        s.replace_run(run);
                        s.playing = s.autoplay;
                    }
                    Err(e) => s.error = Some(e),
                }
            }
            LabAction::LoadScenario(name) => {
                if !s.leave_for(family::move_for_scenario(&s.search, &name, family::holds), false) {
                    s.load_shipped(&name);
                    if s.fetching.is_none() && s.scenario == name {
                        s.playing = s.autoplay;
                    }
                }
            }
            LabAction::Fetched(name, text) => {
                if s.fetching.as_deref() == Some(name.as_str()) {
                    s.fetching = None;
                    let run = text.and_then(|text| {
                        crate::view::shipped::remember(&name, &text);
                        LabRun::shipped(&name)
                    });
                    match run {
                        Ok(run) => {
                            s.replace_run(run);
                            s.playing = s.autoplay;
                        }
                        Err(e) => s.error = Some(format!("The scenario could not be loaded (the current run is unchanged): {e}")),
                    }
                }
            }
            LabAction::NewCluster(nodes, seed) => {
                let blank = s.run.borrow().playground(nodes, seed);
                match blank {
                    Ok(run) => s.replace_run(run),
                    Err(e) => s.error = Some(format!("Cannot make a cluster of {nodes}: {e}")),
                }
            }
            LabAction::Reseed(seed) => {
                let reseeded = s.run.borrow().reseeded(seed);
                match reseeded {
                    Ok(run) => s.replace_run(run),
                    Err(e) => s.error = Some(e),
                }
            }
            LabAction::Import(file, text) if s.leave_for(family::move_for_file(&s.search, &file, &text, family::holds), false) => {}
            LabAction::Import(file, text) => match crate::view::files::import(&file, &text) {
                Ok(imported) => {
                    s.replace_run(imported.run);
                    s.notice = Some(imported.message);
                }
                Err(e) => s.error = Some(format!("Could not open the file (the current run is unchanged). {e}")),
            },
            LabAction::OpenLink(fragment) if s.leave_for(family::move_for_link(&s.search, &fragment, family::holds), true) => {}
            LabAction::OpenLink(fragment) => match crate::view::share::decode(&fragment).map_err(|e| e.to_string()).and_then(LabRun::from_shared) {
                Ok(run) => {
                    s.replace_run(run);
                    s.notice = Some("Opened the run from the link, at the moment it was shared.".to_string());
                }
                Err(e) => s.error = Some(format!("This link could not be opened: {e}. The lab runs its default scenario instead.")),
            },
            LabAction::Error(e) => s.error = Some(e),
            LabAction::Breakpoint(bp) => {
                s.run.borrow_mut().set_breakpoint(bp.clone());
                s.breakpoint = bp;
            }
            LabAction::Help(open) => s.help = open,
            LabAction::OnScreen(part, on) => {
                if on {
                    s.off_screen &= !part.bit();
                } else {
                    s.off_screen |= part.bit();
                }
            }
            LabAction::Dismiss => {
                if s.help {
                    s.help = false;
                } else if s.selected.is_some() {
                    s.selected = None;
                } else {
                    s.error = None;
                    s.notice = None;
                }
            }
        }
        s.refresh();
        Rc::new(s)
    }
}

impl LabState {
    /// Compare mode's figures, side by side.
    fn compare_metrics(&self) -> Vec<(&'static str, String, String)> {
        let Some(t) = &self.twin else {
            return Vec::new();
        };
        let mine = self.run.borrow().metrics();
        let theirs = t.run.borrow().metrics();
        let value = |list: &[(&'static str, String)], name: &str| list.iter().find(|(n, _)| *n == name).map_or("—".to_string(), |(_, v)| v.clone());
        // Either run may lack a figure (a balancer that is down reports none).
        let mut names: Vec<&'static str> = mine.iter().map(|(n, _)| *n).collect();
        names.extend(theirs.iter().map(|(n, _)| *n).filter(|n| !mine.iter().any(|(m, _)| m == n)));
        names.into_iter().map(|n| (n, value(&mine, n), value(&theirs, n))).collect()
    }
}

/// The new messages in flight, reusing the `Rc` of every message already drawn (the list is in
/// id order), so that its drawing is not rebuilt.
fn reuse_messages(old: &[Rc<MessageView>], new: Vec<MessageView>) -> Vec<Rc<MessageView>> {
    let mut old = old.iter().peekable();
    new.into_iter()
        .map(|m| {
            while old.peek().is_some_and(|o| o.id < m.id) {
                old.next();
            }
            match old.peek() {
                Some(o) if o.id == m.id && ***o == m => Rc::clone(o),
                _ => Rc::new(m),
            }
        })
        .collect()
}
