//! The lab's session: the run a person is looking at, what the page draws of it, and the one
//! reducer every change goes through ([`LabAction`], applied by [`LabState::apply`]). Plain
//! Rust, tested natively; the app's glue (`app::state`) only hands it to Yew.
//!
//! The run itself ([`LabRun`], with its snapshots) is too large to clone per frame, so it is
//! shared (`Rc<RefCell<..>>`); after each action the session copies what the page draws into
//! [`Shared`] copies, replacing only what changed, so that unchanged panels (invariants, log)
//! keep the same copy and are not drawn again.
//!
//! Anything that replaces the run (a scenario, a file, a link, a new cluster) builds the new run
//! first and swaps it in only if that worked: a bad file or link leaves an error message and
//! the current run as it was.
//!
//! While the run plays, a frame usually changes only the time. The page draws only when the
//! state differs in what it shows (`PartialEq`), which leaves the time out ([`Unseen`]): the
//! stage's moving parts follow its [`StageClock`] instead. The panels that are read rather than
//! watched take turns a few times a second, and not at all while scrolled out of sight (see
//! [`rounds`]).

use std::cell::RefCell;

use crate::scenario::guide::Guide;
use crate::sim::{Micros, NodeId};
use crate::view::clock::StageClock;
use crate::view::family;
use crate::view::history::{Marker, MessageSpan};
use crate::view::inspect::Inspection;
use crate::view::marks::ScrubMark;
use crate::view::{InvariantView, LabRun, LogLine, MessageView, Panel};

mod actions;
pub mod rounds;
mod shared;
mod twin;

pub use actions::LabAction;
pub use rounds::{SLOW_EVERY_FRAMES, SlowPart};
pub use shared::{Shared, Unseen};
pub use twin::Twin;

/// The default speed: 1/10 of real time. Raft's election timeouts (150–300 ms) then last
/// 1.5–3 s on screen and a 10–30 ms message crosses the stage in 0.1–0.3 s: slow enough to
/// follow a vote, fast enough that an election finishes within a few seconds.
pub const DEFAULT_SPEED: f64 = 0.1;

/// How much of the past the space-time diagram shows, in virtual time.
pub const SPACETIME_WINDOW_US: Micros = 400_000;

/// How long a lost message fades on the stage, in virtual time.
pub const DROP_FADE_US: Micros = 40_000;

/// The scenario loaded at start: the default of this bundle's family.
pub fn default_scenario() -> &'static str {
    family::here().default_scenario
}

/// The page this bundle cannot serve a request on: the address to go to, and whether the
/// current page is left in the history (a choice the person made) or replaced (the address
/// itself asked for another family, so Back must not bounce here again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaving {
    /// Query and fragment (see [`crate::view::family::Move::href`]).
    pub href: String,
    /// A run's JSON for the page to compress and add as the fragment before it goes (see
    /// [`crate::view::family::Carried::Run`]).
    pub run: Option<String>,
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

/// The lab's state: the run, and what the page draws of it.
#[derive(Clone, Debug, PartialEq)]
pub struct LabState {
    /// The run (shared; see the module doc).
    pub run: Shared<RefCell<LabRun>>,
    /// What the page draws.
    pub page: Page,
}

/// What the page draws of the run, and how the session keeps it. Equal when the page draws the
/// same (see the module doc).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Servers as drawn.
    pub nodes: Shared<Vec<crate::view::NodeView>>,
    /// Messages in flight.
    pub messages: Shared<Vec<std::rc::Rc<MessageView>>>,
    /// Messages in flight as the list beside the stage shows them: `messages`, except while
    /// playing, when it follows them with `shown`. Its count is text that would otherwise
    /// change, and lay out the page, on every send and delivery.
    pub listed: Shared<Vec<std::rc::Rc<MessageView>>>,
    /// Invariants.
    pub invariants: Shared<Vec<InvariantView>>,
    /// Recent trace lines, newest first.
    pub log: Shared<Vec<LogLine>>,
    /// The protocol's own panel (Raft: the log view).
    pub panel: Shared<Panel>,
    /// Message spans for the space-time diagram (the recent past).
    pub spans: Shared<Vec<MessageSpan>>,
    /// The messages dropped in the last moments, which the stage shows fading (refreshed
    /// with events, whether or not the diagram is in sight).
    pub dropped: Shared<Vec<MessageSpan>>,
    /// The diagram draws one span in this many (see `History::recent`).
    pub spans_every: u64,
    /// The moment the diagram's spans were taken at.
    pub spans_at_us: Micros,
    /// Markers of this branch up to its frontier (the time line's).
    pub markers: Shared<Vec<Marker>>,
    /// Markers up to the current moment (the space-time diagram's).
    pub past_markers: Shared<Vec<Marker>>,
    /// The markers as the scrubber draws them.
    pub marks: Shared<Vec<ScrubMark>>,
    /// What the inspector shows, if it is open and the thing still exists.
    pub inspection: Option<Shared<Inspection>>,
    /// Virtual time (drawn through the clocks).
    pub now_us: Unseen<Micros>,
    /// The stages' clocks (this run's, then compare mode's second run's): their moving parts
    /// follow them on every frame without the rest of the page. The same two for the page's
    /// life.
    pub clocks: [StageClock; 2],
    /// What the read panels show: (virtual time, events, frontier), the same as `now_us`,
    /// `events` and `frontier_us` except while playing, when it follows them a few times a
    /// second (see [`SLOW_EVERY_FRAMES`]).
    pub shown: (Micros, u64, Micros),
    /// The latest moment reached on this branch (the scrubber's end).
    pub frontier_us: Unseen<Micros>,
    /// Events so far.
    pub events: Unseen<u64>,
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
    pub guide: Shared<Option<Guide>>,
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
    pub autoplay: Unseen<bool>,
    /// Compare mode's second run, if any.
    pub twin: Option<Twin>,
    /// What compare mode can set beside this run (labels).
    pub twin_choices: Shared<Vec<String>>,
    /// Compare mode's figures: (name, this run, the twin), refreshed with the read panels.
    pub metrics: Shared<Vec<(&'static str, String, String)>>,
    /// The page to go to for a run of a protocol another bundle holds.
    pub leaving: Option<Leaving>,
    /// A shipped scenario being fetched (the page's effect fetches it, then `Fetched` loads it).
    pub fetching: Option<String>,
    /// The page's query string, kept when moving to another family's page.
    pub search: Shared<str>,
    /// Bumped whenever the run is replaced.
    pub generation: u64,
    /// When the read panels were refreshed, and what is left behind (not drawn).
    pub rounds: Unseen<rounds::Rounds>,
}

impl LabState {
    /// The state a page opens with when nothing asks for another: the family's default
    /// scenario, or, if that cannot be had (the page's loader could not fetch it, or a broken
    /// build), a blank cluster of the family's protocol and the reason.
    pub fn initial() -> Self {
        match LabRun::shipped(default_scenario()) {
            Ok(run) => LabState::with_run(run),
            Err(e) => {
                let protocol = family::here().protocols().next().unwrap_or("raft");
                let blank = crate::scenario::Scenario::new(protocol, 3);
                let run = LabRun::from_scenario("blank.json", blank).unwrap_or_else(|e2| panic!("no scenario runs here: {e}; {e2}"));
                let mut s = LabState::with_run(run);
                s.page.error = Some(crate::tr!("The page could not load its scenario ({e}): a blank cluster instead. Reload to try again.", e = e));
                s
            }
        }
    }

    /// The state the page opens with: the run of a link (`#run=...`) if there is one, else the
    /// scenario the address names (`?scenario=`), else the default. A link or name that does
    /// not work gives the default and an error saying why; one of a protocol another bundle
    /// runs sends the page there (see [`crate::view::family`]).
    pub fn open(search: &str, fragment: &str, scenario: Option<&str>) -> Self {
        let mut base = LabState::initial();
        base.page.search = Shared::from(std::rc::Rc::<str>::from(search));
        let mut s = base.open_here(fragment, scenario);
        if let Err(lab) = family::requested(search) {
            let known: Vec<&str> = family::FAMILIES.iter().map(|f| f.id).collect();
            s.page.error = Some(crate::tr!(
                "The address asks for the lab \"{lab}\", which does not exist (there are {known}). Showing the {here} lab.",
                lab = lab,
                known = known.join(", "),
                here = crate::view::i18n::tr(family::here().title)
            ));
        }
        s
    }

    fn open_here(mut self, fragment: &str, scenario: Option<&str>) -> Self {
        if crate::view::share::is_run_link(fragment) {
            self.apply(LabAction::OpenLink(fragment.to_string()));
            return self;
        }
        let Some(name) = scenario else { return self };
        let shipped = crate::view::shipped::SHIPPED;
        let Some(name) = shipped.iter().map(|s| s.name).find(|n| *n == name || n.trim_end_matches(".json") == name) else {
            let known: Vec<&str> = shipped.iter().map(|s| s.name.trim_end_matches(".json")).collect();
            self.page.error =
                Some(crate::tr!("The address asks for the scenario \"{name}\", which the lab does not have (it has {known}). Showing the default instead.", name = name, known = known.join(", ")));
            return self;
        };
        // The address asked for it: leaving replaces this page in the history.
        if !self.leave_for(family::move_for_scenario(&self.page.search, name, family::holds), true) {
            self.load_shipped(name);
        }
        self
    }

    /// Loads a shipped scenario this bundle runs: at once if it carries the text, else once
    /// fetched (`fetching`); the current run stays until then.
    fn load_shipped(&mut self, name: &str) {
        if crate::view::shipped::to_fetch(name) {
            self.page.fetching = Some(name.to_string());
            return;
        }
        match LabRun::shipped(name) {
            Ok(run) => self.replace_run(run),
            Err(e) => self.page.error = Some(e),
        }
    }

    /// Leaves for the page of the family that runs a request, if this bundle does not.
    fn leave_for(&mut self, to: Option<family::Move>, replace: bool) -> bool {
        let Some(to) = to else { return false };
        self.page.notice = Some(crate::tr!("Opening the {lab} lab…", lab = crate::view::i18n::tr(to.family.title)));
        let run = match &to.fragment {
            family::Carried::Run(payload) => Some(payload.clone()),
            family::Carried::Nothing | family::Carried::Link(_) => None,
        };
        self.page.leaving = Some(Leaving { href: to.href(""), run, replace });
        true
    }

    /// A session of `run`, as it stands, paused at the default speed.
    pub fn with_run(run: LabRun) -> Self {
        let mut s = LabState { run: Shared::new(RefCell::new(run)), page: Page { speed: DEFAULT_SPEED, ..Page::default() } };
        s.describe_run();
        s.refresh();
        s
    }

    /// Swaps in a new run, keeping the speed, the page's address and options, and the clocks
    /// (the frame loop holds them), and counting generations.
    fn replace_run(&mut self, run: LabRun) {
        let old = std::mem::replace(self, LabState::with_run(run));
        let p = &mut self.page;
        (p.speed, p.generation, p.search, p.autoplay, p.clocks) = (old.page.speed, old.page.generation + 1, old.page.search, old.page.autoplay, old.page.clocks);
        p.clocks[0].set(*p.now_us);
    }

    fn describe_run(&mut self) {
        let run = self.run.borrow();
        let p = &mut self.page;
        p.scenario = run.name().to_string();
        p.description = run.description().to_string();
        p.guide = Shared::new(run.scenario().guide.as_ref().map(|g| g.in_language(crate::view::i18n::lang().code())));
        p.node_count = run.node_count();
        p.protocol = run.scenario().protocol.clone();
        p.message_kinds = run.message_kinds();
        p.legend = run.legend();
        p.lead = run.lead_word();
        p.colours = run.colours();
        p.layout = run.layout();
        p.twin_choices = Shared::new(run.twins().into_iter().map(|(label, _)| label).collect());
        p.seed = run.seed();
    }

    /// The server a client request goes to: the selected one if it runs, else the leader,
    /// else S1.
    fn request_target(&self) -> NodeId {
        match self.page.selected {
            Some(Selected::Node(id)) if self.page.nodes.get(id as usize - 1).is_some_and(|n| n.up) => id,
            _ => self.run.borrow().leader().unwrap_or(1),
        }
    }
}

#[cfg(test)]
mod tests;
