//! [`LabRun`]: a run with time travel ([`Timeline`]), seen as the plain data the lab UI draws:
//! servers, messages in flight, recent trace lines, the invariants' status, the time line's marks.
//!
//! The machinery is generic ([`Lab`] over a [`LabProtocol`]); the page holds a [`LabRun`], a
//! [`LabModel`] trait object, so one shell shows every protocol and the protocol is chosen by
//! the scenario's `"protocol"` field at run time.

use std::collections::VecDeque;
use std::fmt;
use std::ops::{Deref, DerefMut};

use super::commands::{NetCommand, NodeCommand, net_action, node_action};
use super::face::{LabProtocol, Panel};
use super::history::{History, Marker};
use super::i18n;
use super::inspect::Inspection;
use super::log_line::LogLine;
use super::share::SharedRun;
use crate::scenario::{Scenario, ScenarioProtocol, protocol::setup};
use crate::sim::network::{DropReason, LinkProfile};
use crate::sim::{Action, Addr, Engine, Event, Message, Micros, NodeId, Scheduled, Timeline, TraceMode, Violation, When};

/// Most markers kept for the time line (the oldest go first).
pub const MARKERS_KEPT: usize = 20_000;
/// Trace lines kept for the event log (which filters them).
pub const LOG_LINES: usize = 500;
/// Events one [`LabModel::advance_to`] may process; the rest waits for the next call, so a
/// frame never freezes the page.
pub const EVENTS_PER_ADVANCE: usize = 5_000;

/// A server as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// 1-based id (label `S{id}`).
    pub id: NodeId,
    /// Its role or state in a word (`leader`, `prepared`; `down` while crashed), also its CSS
    /// class.
    pub role: &'static str,
    /// The badge in its circle (`L`, `✕`).
    pub badge: &'static str,
    /// The line under its name (`t3`).
    pub caption: String,
    /// Its state in words (`leader term 3`), for its accessible name.
    pub state: String,
    /// Running (not crashed).
    pub up: bool,
    /// Frozen.
    pub paused: bool,
    /// Its main timer, if one is armed (the stage drains its ring from the clock).
    pub timer: Option<super::face::TimerSpan>,
    /// Cut off from everyone.
    pub isolated: bool,
    /// Its side of a partition (0-based), when the network is split.
    pub group: Option<usize>,
    /// Its slots and queue, if it has them (a backend).
    pub load: Option<super::face::Load>,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// Message id (stable: a key for drawing).
    pub id: u64,
    /// `RequestVote`, `AppendEntries`, ...
    pub kind: &'static str,
    /// A short label: `vote? t2`, `+3`, `ok 4`...
    pub label: String,
    /// The whole message, as the trace writes it.
    pub text: String,
    /// Its colour class on the stage.
    pub class: &'static str,
    /// Drawn as a square.
    pub square: bool,
    /// A routine message (a heartbeat): paler, smaller, no label.
    pub heartbeat: bool,
    /// Sender.
    pub from: Addr,
    /// Receiver.
    pub to: Addr,
    /// Sent at.
    pub sent_us: Micros,
    /// Due at.
    pub due_us: Micros,
}

/// One invariant and whether it holds so far.
#[derive(Clone, Debug, PartialEq)]
pub struct InvariantView {
    /// Its name.
    pub name: &'static str,
    /// What it promises.
    pub statement: &'static str,
    /// The first breach, if any.
    pub violation: Option<Violation>,
}

/// What the page can do with a run, whatever its protocol. (Not `Debug`: a vtable entry
/// keeps its code in the download, and every engine's and protocol's `Debug` with it.)
pub trait LabModel {
    /// A copy (a snapshot of the whole lab run).
    fn clone_box(&self) -> Box<dyn LabModel>;
    /// The scenario's display name (its file name).
    fn name(&self) -> &str;
    /// The scenario as loaded.
    fn scenario(&self) -> &Scenario;
    /// The seed in force.
    fn seed(&self) -> u64;
    /// The digest of the trace so far (see [`crate::sim::trace`]).
    fn trace_hash(&self) -> String;
    /// Virtual time.
    fn now_us(&self) -> Micros;
    /// Events so far.
    fn events(&self) -> u64;
    /// The latest moment this branch of the run has reached (the scrubber's end).
    fn frontier_us(&self) -> Micros;
    /// Number of servers.
    fn node_count(&self) -> u32;
    /// Whether an invariant is broken.
    fn violated(&self) -> bool;
    /// The leader (or coordinator) by the protocol's own reckoning, if any.
    fn leader(&self) -> Option<NodeId>;
    /// The servers.
    fn nodes(&self) -> Vec<NodeView>;
    /// Messages in flight, by id, leaving out those the network will drop.
    fn messages(&self) -> Vec<MessageView>;
    /// The invariants and their status.
    fn invariants(&self) -> Vec<InvariantView>;
    /// The protocol's own panel (Raft: the log view).
    fn panel(&self) -> Panel;
    /// The network's profile now (every link's, where not overridden).
    fn network_profile(&self) -> LinkProfile;
    /// The last trace lines, oldest first.
    fn log(&self) -> &VecDeque<LogLine>;
    /// Message spans and markers up to the current moment.
    fn history(&self) -> &History;
    /// The markers of this branch up to its frontier, in event order (the time line's marks,
    /// including those ahead of the current moment after going back).
    fn markers(&self) -> &[Marker];
    /// A server's full state, for the inspector (`None` for an unknown id).
    fn inspect_node(&self, id: NodeId) -> Option<Inspection>;
    /// A message's full content while it is in flight (`None` once delivered or dropped).
    fn inspect_message(&self, id: u64) -> Option<Inspection>;
    /// Runs every event due by `until_us` (at most [`EVENTS_PER_ADVANCE`] of them), stopping
    /// just after the first violation or the first event the breakpoint matches. Returns true
    /// if it stopped on one of those (or the run had already broken an invariant); false when it
    /// ran what was due, or its share of it.
    fn advance_to(&mut self, until_us: Micros) -> bool;
    /// One event forward; false when nothing is queued.
    fn step(&mut self) -> bool;
    /// One event back (to just after event `events - 1`); false at the start.
    fn step_back(&mut self) -> bool;
    /// Moves to just after event `event`, replaying from a snapshot when going back.
    fn seek_event(&mut self, event: u64);
    /// Moves to virtual time `at_us` (the scrubber), backwards or forwards; forwards it stops
    /// at the first violation, as playing does.
    fn seek_time(&mut self, at_us: Micros);
    /// Applies a command to server `id` now (one event). Out-of-range ids are ignored.
    fn node_command(&mut self, id: NodeId, command: NodeCommand);
    /// Applies a network command now (one event); one that makes no sense here is ignored.
    fn net_command(&mut self, command: &NetCommand);
    /// Hands server `to` an operator's request written as a scenario writes it (a balancer's
    /// `{"remove": 3}`), now (one event); a request the protocol does not read is an error.
    fn operator_request(&mut self, to: NodeId, request: &serde_json::Value) -> Result<(), String>;
    /// Drops a message in flight (one event); unknown ids are ignored.
    fn drop_message(&mut self, id: u64);
    /// The session as a scenario: the one loaded, with every action the person took (and those
    /// it already pinned) written as [`When::After`] entries, so that it replays exactly.
    fn export(&self) -> Scenario;
    /// The message types its servers send (for the breakpoint's list).
    fn message_kinds(&self) -> &'static [&'static str];
    /// The stage's legend: (swatch class, or empty; text).
    fn legend(&self) -> &'static [(&'static str, &'static str)];
    /// What the protocol calls the server that leads (see [`LabProtocol::lead_word`]).
    fn lead_word(&self) -> Option<&'static str>;
    /// The colour class of a message type (see [`LabProtocol::kind_class`]).
    fn colours(&self) -> super::face::Colours;
    /// How the stage places the servers.
    fn layout(&self) -> super::geometry::Layout;
    /// Figures to compare runs by (see [`LabProtocol::metrics`]).
    fn metrics(&self) -> Vec<(&'static str, String)>;
    /// Runs compare mode can set beside this one: a label and the scenario, from the start.
    fn twins(&self) -> Vec<(String, Scenario)>;
    /// Pause playing whenever server `node` sends a message of type `kind` (the send included,
    /// even one lost because the sender crashed at that instant); `None` clears it.
    fn set_breakpoint(&mut self, breakpoint: Option<(NodeId, String)>);
    /// The breakpoint set.
    fn breakpoint(&self) -> Option<(NodeId, String)>;
    /// What made the last [`LabModel::advance_to`] stop at the breakpoint, once.
    fn take_breakpoint_hit(&mut self) -> Option<String>;

    /// The scenario's description.
    fn description(&self) -> &str {
        let sc = self.scenario();
        let zh = sc.description_zh.as_deref().filter(|_| crate::view::i18n::lang() == crate::view::i18n::Lang::Zh);
        zh.or(sc.description.as_deref()).unwrap_or_default()
    }
    /// The session and its current moment, for a link.
    fn shared(&self) -> SharedRun {
        SharedRun { name: self.name().to_string(), scenario: self.export(), at_event: self.events() }
    }
    /// A blank cluster of the same protocol: `nodes` servers under `seed`, nothing scheduled,
    /// for playing by hand.
    fn playground(&self, nodes: u32, seed: u64) -> Result<LabRun, String>;
    /// The same scenario with `patch` merged into its `config` (keys replaced; objects merged
    /// one level down, so `{"workload": {"rate_per_s": 900}}` keeps the other workload keys),
    /// from the start. A patch the protocol does not accept is an error naming the key.
    fn reconfigured(&self, patch: &serde_json::Value) -> Result<LabRun, String> {
        let mut value = self.scenario().to_value();
        let config = value.as_object_mut().and_then(|o| {
            o.entry("config").or_insert_with(|| serde_json::json!({}));
            o.get_mut("config")?.as_object_mut()
        });
        let (Some(config), Some(patch)) = (config, patch.as_object()) else {
            return Err(crate::tr!("the settings are not an object").to_string());
        };
        for (k, v) in patch {
            match (config.get_mut(k), v) {
                (Some(serde_json::Value::Object(old)), serde_json::Value::Object(new)) => old.extend(new.clone()),
                _ => {
                    config.insert(k.clone(), v.clone());
                }
            }
        }
        let sc = Scenario::from_value(&value).map_err(|e| i18n::scenario_error(&e))?;
        LabRun::from_scenario(self.name(), sc)
    }
    /// The same scenario under another seed, from the start.
    fn reseeded(&self, seed: u64) -> Result<LabRun, String> {
        let mut sc = self.scenario().clone();
        sc.seed = seed;
        LabRun::from_scenario(self.name(), sc)
    }
}

/// A lab run of any protocol: what the page holds.
pub struct LabRun(Box<dyn LabModel>);

impl Clone for LabRun {
    fn clone(&self) -> Self {
        LabRun(self.0.clone_box())
    }
}

impl fmt::Debug for LabRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LabRun({} at {} us, event {})", self.0.name(), self.0.now_us(), self.0.events())
    }
}

impl Deref for LabRun {
    type Target = dyn LabModel;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl DerefMut for LabRun {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut *self.0
    }
}

impl LabRun {
    /// Builds a run of a scenario's JSON text (named `name` in errors) under its own seed.
    pub fn from_json(name: &str, text: &str) -> Result<LabRun, String> {
        let sc = Scenario::parse(text, Some(name)).map_err(|e| i18n::scenario_error(&e))?;
        LabRun::from_scenario(name, sc)
    }

    /// Builds a run of a parsed scenario, of whichever protocol it names.
    pub fn from_scenario(name: &str, sc: Scenario) -> Result<LabRun, String> {
        let protocol = sc.protocol.clone();
        lab_of(name, sc).unwrap_or_else(|| Err(crate::tr!("{name}: the lab does not show {protocol} runs yet", name = name, protocol = protocol)))
    }

    /// A shipped scenario by file name.
    pub fn shipped(name: &str) -> Result<LabRun, String> {
        let shipped = super::shipped::find(name).ok_or_else(|| format!("no shipped scenario {name}"))?;
        if !super::family::holds(shipped.protocol) {
            return Err(format!("{name}: this page does not run {} scenarios", shipped.protocol));
        }
        let text = super::shipped::text(name).ok_or_else(|| format!("{name}: this page has not fetched it"))?;
        LabRun::from_json(name, &text)
    }

    /// A run opened from a link: its scenario, moved to the link's moment (or as far as the
    /// run goes, if the moment lies beyond it).
    pub fn from_shared(shared: SharedRun) -> Result<LabRun, String> {
        let mut run = LabRun::from_scenario(&shared.name, shared.scenario)?;
        run.seek_event(shared.at_event);
        Ok(run)
    }
}

macro_rules! labs {
    ($($name:literal, $title:literal, $family:literal, $ty:ty;)*) => {
        /// A lab run of the scenario, if this build holds its protocol: each protocol only in
        /// the bundles whose family holds it (see `super::family`), since one instantiates the
        /// whole engine and lab for its protocol.
        fn lab_of(name: &str, sc: Scenario) -> Option<Result<LabRun, String>> {
            $(
                #[cfg(feature = $family)]
                if sc.protocol == <$ty as ScenarioProtocol>::NAME {
                    return Some(Lab::<$ty>::new(name, sc).map(|lab| LabRun(Box::new(lab))));
                }
            )*
            let _ = (name, sc);
            None
        }
    };
}
crate::for_each_protocol!(labs);

/// A run of protocol `P` for the lab.
#[derive(Clone, Debug)]
pub struct Lab<P: LabProtocol> {
    name: String,
    /// The scenario as loaded; its pinned actions are also the timeline's first recorded ones.
    scenario: Scenario,
    timeline: Timeline<P>,
    log: VecDeque<LogLine>,
    requests: u64,
    /// The latest moment this branch of the run has reached (the scrubber's end).
    frontier_us: Micros,
    /// Message spans and markers up to the current moment, from the trace.
    history: History,
    /// Markers up to the frontier: going back in time keeps the future's marks on the time
    /// line (it can be replayed); only a change in the past (a branch) forgets them.
    markers: Vec<Marker>,
    /// Pause when this server sends a message of this type.
    breakpoint: Option<(NodeId, String)>,
    /// The send that stopped the run, not yet reported.
    hit: Option<String>,
}

impl<P: LabProtocol> Lab<P> {
    /// Builds a run of a scenario of protocol `P`.
    pub fn new(name: &str, mut sc: Scenario) -> Result<Self, String> {
        let setup = setup::<P>(&sc, sc.seed, TraceMode::Lines).map_err(|e| i18n::scenario_error(&e))?;
        sc.file = None;
        let mut run = Lab {
            name: name.to_string(),
            scenario: sc,
            timeline: Timeline::new(Engine::new(setup), crate::sim::timeline::SNAPSHOT_EVERY_EVENTS),
            log: VecDeque::new(),
            requests: 0,
            frontier_us: 0,
            history: History::new(),
            markers: Vec::new(),
            breakpoint: None,
            hit: None,
        };
        run.collect_trace();
        Ok(run)
    }

    fn engine(&self) -> &Engine<P> {
        self.timeline.engine()
    }

    /// Whether the trace lines from `from` on (those of the last event) show the breakpoint's
    /// send; records it for [`LabModel::take_breakpoint_hit`].
    fn breakpoint_reached(&mut self, from: usize) -> bool {
        let Some((node, kind)) = &self.breakpoint else {
            return false;
        };
        // A send, or a message lost as its sender crashed sending it.
        let found = self.engine().pending_trace().get(from..).unwrap_or_default().iter().find(|l| match l.record {
            Event::Send { from: Addr::Node(n), kind: k, .. } | Event::Drop { from: Addr::Node(n), kind: k, reason: DropReason::SenderCrashed, .. } => n == *node && k == kind,
            _ => false,
        });
        match found {
            Some(line) => {
                self.hit = Some(crate::tr!("Breakpoint: S{id} sent {kind} (event {n}, {ms} ms).", id = node, kind = kind, n = line.event, ms = crate::sim::time::AsMs(line.at_us)));
                true
            }
            None => false,
        }
    }

    /// Moves trace lines from the engine to the log and the history. After going back in
    /// time the engine may hand over lines already seen (a snapshot's pending lines, or
    /// replayed ones): only lines of events later than the log's last are taken.
    fn collect_trace(&mut self) {
        let last = self.log.back().map(|l| l.event);
        for line in self.timeline.engine_mut().drain_trace() {
            self.history.push(&line);
            if last.is_some_and(|last| line.event <= last) || line.record.silent() {
                continue;
            }
            self.log.push_back(LogLine::of(line));
        }
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
        let known = self.markers.last().map(|m| m.event);
        let fresh = self.history.markers().iter().rev().take_while(|m| known.is_none_or(|k| m.event > k)).count();
        let all = self.history.markers();
        let from_checker = P::checker_markers(self.timeline.engine(), known);
        if from_checker.is_empty() {
            self.markers.extend_from_slice(&all[all.len() - fresh..]);
        } else {
            let mut fresh: Vec<Marker> = all[all.len() - fresh..].to_vec();
            fresh.extend(from_checker);
            fresh.sort_by_key(|m| m.event);
            self.markers.extend(fresh);
        }
        if self.markers.len() > MARKERS_KEPT + MARKERS_KEPT / 4 {
            self.markers.drain(..self.markers.len() - MARKERS_KEPT);
        }
    }

    /// Forgets the log lines of events after the current one, then takes the new ones.
    fn after_seek(&mut self) {
        let event = self.events();
        while self.log.back().is_some_and(|l| l.event > event) {
            self.log.pop_back();
        }
        self.history.truncate_after(event);
        self.collect_trace();
    }

    /// Applies an action now; the run branches here, so the recorded future is forgotten.
    fn act(&mut self, action: Action<P::Request>) {
        let events = self.events();
        self.history.truncate_after(events);
        self.markers.retain(|m| m.event <= events);
        self.timeline.act(action);
        self.frontier_us = self.now_us();
        self.collect_trace();
    }
}

impl<P: LabProtocol> LabModel for Lab<P> {
    fn clone_box(&self) -> Box<dyn LabModel> {
        Box::new(self.clone())
    }
    fn playground(&self, nodes: u32, seed: u64) -> Result<LabRun, String> {
        let sc = Scenario::parse(&self.engine().protocol().playground(nodes, seed), None).map_err(|e| i18n::scenario_error(&e))?;
        Ok(LabRun(Box::new(Lab::<P>::new(&format!("playground-{nodes}.json"), sc)?)))
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    fn seed(&self) -> u64 {
        self.engine().seed()
    }
    fn trace_hash(&self) -> String {
        self.engine().trace_hash()
    }
    fn now_us(&self) -> Micros {
        self.engine().now()
    }
    fn events(&self) -> u64 {
        self.engine().events()
    }
    fn frontier_us(&self) -> Micros {
        self.frontier_us.max(self.now_us())
    }
    fn node_count(&self) -> u32 {
        self.engine().nodes().len() as u32
    }
    fn violated(&self) -> bool {
        self.engine().first_violation().is_some()
    }
    fn leader(&self) -> Option<NodeId> {
        let states: Vec<Option<&P::Node>> = self.engine().nodes().iter().map(|s| s.state()).collect();
        self.engine().protocol().leader(&states)
    }

    fn nodes(&self) -> Vec<NodeView> {
        let now = self.now_us();
        let engine = self.engine();
        let net = engine.network();
        let groups = net.groups();
        engine
            .nodes()
            .iter()
            .map(|slot| {
                let face = engine.protocol().node_face(slot, now);
                NodeView {
                    id: slot.id,
                    role: face.role,
                    badge: face.badge,
                    caption: face.caption,
                    state: face.state,
                    up: slot.up(),
                    paused: slot.paused(),
                    timer: face.timer,
                    isolated: net.is_isolated(slot.id),
                    group: groups.iter().position(|g| g.contains(&slot.id)),
                    load: engine.protocol().load(slot),
                }
            })
            .collect()
    }

    fn messages(&self) -> Vec<MessageView> {
        let engine = self.engine();
        engine
            .network()
            .in_flight()
            .values()
            .filter(|e| !e.doomed)
            .map(|e| {
                let face = engine.protocol().message_face(&e.msg);
                MessageView {
                    id: e.id,
                    kind: e.msg.kind(),
                    label: face.label,
                    text: e.msg.to_string(),
                    class: face.class,
                    square: face.square,
                    heartbeat: face.routine,
                    from: e.from,
                    to: e.to,
                    sent_us: e.sent_us,
                    due_us: e.due_us,
                }
            })
            .collect()
    }

    fn invariants(&self) -> Vec<InvariantView> {
        use crate::sim::Checker as _;
        let engine = self.engine();
        engine.checker().invariants().iter().enumerate().map(|(i, inv)| InvariantView { name: inv.name, statement: inv.statement, violation: engine.violations().get(i).cloned().flatten() }).collect()
    }

    fn panel(&self) -> Panel {
        P::panel(self.engine(), self.leader())
    }
    fn network_profile(&self) -> LinkProfile {
        *self.engine().network().profile()
    }
    fn log(&self) -> &VecDeque<LogLine> {
        &self.log
    }
    fn history(&self) -> &History {
        &self.history
    }
    fn markers(&self) -> &[Marker] {
        &self.markers
    }
    fn inspect_node(&self, id: NodeId) -> Option<Inspection> {
        P::inspect_node(self.engine(), id)
    }
    fn inspect_message(&self, id: u64) -> Option<Inspection> {
        P::inspect_message(self.engine(), id)
    }

    fn advance_to(&mut self, until_us: Micros) -> bool {
        if self.violated() {
            return true;
        }
        let mut budget = EVENTS_PER_ADVANCE;
        let mut done = true;
        while let Some(due) = self.timeline.engine_mut().next_due() {
            if due > until_us {
                break;
            }
            if budget == 0 {
                done = false;
                break;
            }
            budget -= 1;
            let seen = self.engine().pending_trace().len();
            self.timeline.step();
            if self.violated() || self.breakpoint_reached(seen) {
                self.frontier_us = self.frontier_us.max(self.now_us());
                self.collect_trace();
                return true;
            }
        }
        if done {
            self.timeline.run_until(until_us);
        }
        self.frontier_us = self.frontier_us.max(self.now_us());
        self.collect_trace();
        false
    }

    fn step(&mut self) -> bool {
        let stepped = self.timeline.step();
        self.frontier_us = self.frontier_us.max(self.now_us());
        self.collect_trace();
        stepped
    }

    fn step_back(&mut self) -> bool {
        let events = self.events();
        if events == 0 {
            return false;
        }
        self.seek_event(events - 1);
        true
    }

    fn seek_event(&mut self, event: u64) {
        self.timeline.seek_event(event);
        self.frontier_us = self.frontier_us.max(self.now_us());
        self.after_seek();
    }

    fn seek_time(&mut self, at_us: Micros) {
        if at_us > self.now_us() {
            while !self.violated() && self.now_us() < at_us {
                let before = (self.events(), self.now_us());
                self.advance_to(at_us);
                if (self.events(), self.now_us()) == before {
                    break;
                }
            }
            return;
        }
        self.timeline.seek_time(at_us);
        self.after_seek();
    }

    fn node_command(&mut self, id: NodeId, command: NodeCommand) {
        let request = || self.engine().protocol().user_request(self.requests + 1);
        if let Some(action) = node_action(id, command, self.node_count(), request) {
            if command == NodeCommand::ClientRequest {
                self.requests += 1;
            }
            self.act(action);
        }
    }

    fn net_command(&mut self, command: &NetCommand) {
        if let Some(action) = net_action(command, self.leader(), self.node_count()) {
            self.act(action);
        }
    }

    fn operator_request(&mut self, to: NodeId, request: &serde_json::Value) -> Result<(), String> {
        if to == 0 || to > self.node_count() {
            return Err(crate::tr!("there is no server S{id}", id = to));
        }
        let request = self.engine().protocol().parse_request(&crate::scenario::json::Field::at(request, "request")).map_err(|e| i18n::scenario_error(&e))?;
        self.act(Action::Client { request, to: Some(crate::sim::action::Target::Node(to)), client: 1 });
        Ok(())
    }

    fn drop_message(&mut self, id: u64) {
        if self.engine().network().in_flight().contains_key(&id) {
            self.act(Action::Drop(id));
        }
    }

    fn message_kinds(&self) -> &'static [&'static str] {
        self.engine().protocol().message_kinds()
    }
    fn legend(&self) -> &'static [(&'static str, &'static str)] {
        self.engine().protocol().legend()
    }
    fn lead_word(&self) -> Option<&'static str> {
        self.engine().protocol().lead_word()
    }
    fn colours(&self) -> super::face::Colours {
        super::face::Colours { protocol: P::NAME, of: P::kind_class }
    }
    fn layout(&self) -> super::geometry::Layout {
        self.engine().protocol().layout()
    }
    fn metrics(&self) -> Vec<(&'static str, String)> {
        P::metrics(self.engine())
    }
    fn twins(&self) -> Vec<(String, Scenario)> {
        // The scenario as loaded: a twin starts from the beginning, and what the person does
        // from then on is applied to both runs.
        let mut twins = P::twins(&self.scenario);
        let mut other = self.scenario.clone();
        other.seed = self.scenario.seed.wrapping_add(1);
        twins.push((crate::tr!("The same run under seed {seed}", seed = other.seed), other));
        twins
    }
    fn set_breakpoint(&mut self, breakpoint: Option<(NodeId, String)>) {
        self.breakpoint = breakpoint;
    }
    fn breakpoint(&self) -> Option<(NodeId, String)> {
        self.breakpoint.clone()
    }
    fn take_breakpoint_hit(&mut self) -> Option<String> {
        self.hit.take()
    }

    fn export(&self) -> Scenario {
        let mut sc = self.scenario.clone();
        sc.schedule.retain(|s| !matches!(s.when, When::After { .. }));
        let proto = self.engine().protocol();
        for act in self.timeline.acts() {
            let action = crate::scenario::protocol::map_request(&act.action, |r: &P::Request| Ok(proto.request_json(r)))
                .unwrap_or_else(|_: crate::scenario::ScenarioError| unreachable!("the conversion never fails"));
            sc.schedule.push(Scheduled { when: When::After { event: act.after_event, at_us: act.at_us }, action });
        }
        // A session can run past the scenario's end.
        sc.until_us = sc.until_us.max(self.frontier_us());
        sc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;

    fn logs(run: &LabRun) -> Vec<crate::view::LogRow> {
        run.panel().get::<Vec<crate::view::LogRow>>().expect("a Raft run shows its logs").clone()
    }

    fn election() -> LabRun {
        LabRun::shipped("raft-election.json").expect("the shipped scenario loads")
    }

    /// Compare mode's figures give every family's messages sent, delivered and dropped: the
    /// engine's counts, the same `distlab run` reports.
    #[cfg(feature = "report")]
    #[test]
    fn every_family_compares_messages_sent_delivered_and_dropped() {
        use crate::scenario::{BuildOptions, Scenario};
        use crate::sim::TraceMode;
        for name in [
            "raft-leader-crash.json",
            "2pc-coordinator-crash-after-commit.json",
            "3pc-coordinator-crash-after-commit.json",
            "paxos-acceptor-crash.json",
            "multipaxos-leader-change.json",
            "balancer-health-check-failure.json",
        ] {
            let mut run = LabRun::shipped(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            let until = run.scenario().until_us;
            run.seek_time(until);
            let figures = run.metrics();
            let shown = |figure: &str| figures.iter().find(|(n, _)| *n == figure).map(|(_, v)| v.parse::<u64>().expect("a count")).unwrap_or_else(|| panic!("{name}: no {figure} in {figures:?}"));
            let text = crate::view::shipped::text(name).expect("shipped");
            let mut built = Scenario::parse(&text, Some(name)).expect("parses").build(&BuildOptions { trace: TraceMode::Off, ..Default::default() }).expect("builds");
            built.run_to_end();
            let report = built.run.report();
            for (figure, field) in [("messages sent", "sent"), ("messages delivered", "delivered"), ("messages dropped", "dropped")] {
                assert_eq!(Some(shown(figure)), report["messages"][field].as_u64(), "{name}: {figure}");
            }
            assert!(shown("messages dropped") > 0, "{name}: a run that loses messages");
        }
    }

    #[test]
    fn every_shipped_scenario_loads() {
        for (name, _) in crate::view::shipped::runnable() {
            let run = LabRun::shipped(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(run.node_count() >= 1, "{name}");
            // Raft checks Figure 3's five properties; atomic commit its three; single-decree
            // Paxos four, and Multi-Paxos State Machine Safety as well.
            let expected = match name.split('-').next() {
                Some("raft" | "multipaxos") => 5,
                Some("paxos") => 4,
                Some("balancer") => 3,
                _ => 3,
            };
            assert_eq!(run.invariants().len(), expected, "{name}");
        }
    }

    fn transactions(run: &LabRun) -> crate::view::commit_face::TxPanel {
        run.panel().get::<crate::view::commit_face::TxPanel>().expect("a commit run shows its transactions").clone()
    }

    #[test]
    fn a_breakpoint_pauses_at_the_send_even_when_the_sender_crashes_sending() {
        let mut run = LabRun::shipped("2pc-coordinator-crash-after-commit.json").expect("shipped");
        assert!(run.message_kinds().contains(&"Commit"));
        run.set_breakpoint(Some((1, "Prepare".to_string())));
        assert!(run.advance_to(1_000_000), "stops at the first Prepare");
        let hit = run.take_breakpoint_hit().expect("reported");
        assert!(hit.starts_with("Breakpoint: S1 sent Prepare"), "{hit}");
        assert!(run.log().back().is_some_and(|l| l.text().contains("S1->") && l.text().contains("Prepare")), "{:?}", run.log().back());
        assert_eq!(run.take_breakpoint_hit(), None, "reported once");
        // The coordinator crashes at the instant it sends Commit: the send is lost, the pause still comes.
        run.set_breakpoint(Some((1, "Commit".to_string())));
        while run.take_breakpoint_hit().is_none() {
            assert!(run.now_us() < 1_000_000, "no Commit seen");
            run.advance_to(1_000_000);
        }
        assert!(run.nodes()[0].role == "down", "S1 crashed sending it");
        run.set_breakpoint(None);
        assert!(!run.advance_to(4_000_000));
    }

    #[test]
    fn two_phase_commit_blocks_until_the_coordinator_returns_and_the_lab_shows_it() {
        let mut run = LabRun::shipped("2pc-coordinator-crash-after-commit.json").expect("shipped");
        run.advance_to(2_000_000);
        let nodes = run.nodes();
        assert_eq!((nodes[0].role, nodes[0].badge), ("down", "✕"));
        for p in &nodes[1..] {
            assert_eq!((p.role, p.badge), ("prepared", "P"), "{p:?}");
            assert!(p.state.contains("uncertain for"), "{}", p.state);
        }
        let panel = transactions(&run);
        let row = &panel.rows[0];
        assert_eq!(row.cells[0].state, "committed", "the coordinator's log says commit");
        assert!(row.cells[1..].iter().all(|c| c.state == "prepared" && c.locks && c.blocked_ms.is_some_and(|b| b > 1000)), "{row:?}");
        assert!(panel.logs[0].1 && panel.logs[0].2.iter().any(|l| l.ends_with("commit")), "S1 is down with commit in its log: {:?}", panel.logs[0]);
        let inspection = run.inspect_node(2).expect("S2");
        assert!(inspection.field("locks held").is_some_and(|f| f.value == "T1"), "{inspection:?}");
        // The coordinator restarts at 3000 ms and finishes the transaction.
        run.advance_to(4_000_000);
        let row = &transactions(&run).rows[0];
        assert!(row.cells.iter().all(|c| c.state == "committed" && !c.locks), "{row:?}");
    }

    #[test]
    fn the_partition_flaw_of_three_phase_commit_breaks_atomicity_on_screen() {
        let mut run = LabRun::shipped("3pc-partition-flaw.json").expect("shipped");
        let mut stopped = false;
        for t in (1..=100).map(|i| i * 100_000) {
            if run.advance_to(t) {
                stopped = true;
                break;
            }
        }
        assert!(stopped, "3PC under a partition breaks atomicity");
        let broken: Vec<_> = run.invariants().into_iter().filter(|i| i.violation.is_some()).map(|i| i.name).collect();
        assert!(broken.contains(&"Atomicity"), "{broken:?}");
        let row = transactions(&run).rows.into_iter().next().expect("a transaction");
        assert!(row.cells.iter().any(|c| c.state == "committed") && row.cells.iter().any(|c| c.state == "aborted"), "{row:?}");
        assert!(row.cells.iter().any(|c| c.violating));
    }

    #[test]
    fn a_commit_session_exports_and_replays_exactly() {
        let mut run = LabRun::shipped("2pc-all-yes.json").expect("shipped");
        run.advance_to(5_000);
        run.node_command(3, NodeCommand::Crash);
        run.advance_to(40_000);
        run.node_command(1, NodeCommand::ClientRequest);
        run.advance_to(300_000);
        let sc = Scenario::parse(&run.export().to_json(), None).expect("reads back");
        let mut again = LabRun::from_scenario("again", sc).expect("builds");
        again.advance_to(300_000);
        assert_eq!((again.events(), again.trace_hash()), (run.events(), run.trace_hash()));
        let messages = run.messages();
        if let Some(m) = messages.first() {
            assert!(!m.label.is_empty() && run.inspect_message(m.id).is_some());
        }
    }

    #[test]
    fn bad_json_is_an_error_not_a_panic() {
        assert!(LabRun::from_json("x.json", "{").is_err());
        assert!(LabRun::from_json("x.json", r#"{"protocol":"raft","nodes":99}"#).is_err());
        assert!(LabRun::shipped("nope.json").is_err());
    }

    #[test]
    fn starts_with_five_followers_and_running_timers() {
        let run = election();
        let nodes = run.nodes();
        assert_eq!(nodes.len(), 5);
        for n in &nodes {
            assert_eq!(n.role, "follower");
            assert_eq!(n.badge, "F");
            assert!(n.up && !n.paused);
            assert_eq!(n.timer.map(|t| t.left(run.now_us())), Some(1.0));
        }
        assert_eq!(run.events(), 0);
        assert!(run.log().iter().any(|l| l.kind == "start"));
        assert!(run.invariants().iter().all(|i| i.violation.is_none()));
    }

    #[test]
    fn a_leader_is_elected_and_messages_fly() {
        let mut run = election();
        let (mut saw_vote, mut saw_heartbeat) = (false, false);
        for t in (0..=500).map(|ms| ms * 1000) {
            run.advance_to(t);
            saw_vote |= run.messages().iter().any(|m| m.kind == "RequestVote");
            saw_heartbeat |= run.messages().iter().any(|m| m.heartbeat && m.label == "♥");
            for m in run.messages() {
                assert!(m.sent_us <= run.now_us() && run.now_us() <= m.due_us, "{m:?}");
            }
        }
        assert!(saw_vote);
        assert_eq!(run.now_us(), 500_000);
        let leader = run.leader().expect("a leader by 500 ms");
        assert_eq!(run.nodes()[leader as usize - 1].badge, "L");
        assert!(saw_heartbeat);
        assert!(run.log().len() <= LOG_LINES);
    }

    #[test]
    fn crashing_the_leader_elects_another() {
        let mut run = election();
        run.advance_to(500_000);
        let old = run.leader().expect("a leader");
        run.node_command(old, NodeCommand::Crash);
        let down = &run.nodes()[old as usize - 1];
        assert!(!down.up && down.badge == "✕" && down.timer.is_none());
        run.advance_to(1_500_000);
        let new = run.leader().expect("a new leader");
        assert_ne!(new, old);
        run.node_command(old, NodeCommand::Restart);
        assert!(run.nodes()[old as usize - 1].up);
    }

    #[test]
    fn step_then_step_back_returns_to_the_same_state() {
        let mut run = election();
        run.advance_to(400_000);
        let events = run.events();
        let nodes = run.nodes();
        let messages = run.messages();
        let log: Vec<LogLine> = run.log().iter().cloned().collect();
        assert!(run.step());
        assert_eq!(run.events(), events + 1);
        assert!(run.log().back().is_some_and(|l| l.event == events + 1));
        assert!(run.step_back());
        assert_eq!(run.events(), events);
        assert_eq!(run.messages(), messages);
        assert_eq!(run.log().iter().cloned().collect::<Vec<_>>(), log);
        // Timer fractions depend on the clock, which step back sets to the event's time.
        let roles = |v: &[NodeView]| v.iter().map(|n| (n.role, n.caption.clone(), n.up)).collect::<Vec<_>>();
        assert_eq!(roles(&run.nodes()), roles(&nodes));
    }

    #[test]
    fn pause_resume_timeout_and_client_requests_apply() {
        let mut run = election();
        run.node_command(2, NodeCommand::Pause);
        assert!(run.nodes()[1].paused);
        run.node_command(2, NodeCommand::Resume);
        assert!(!run.nodes()[1].paused);
        run.node_command(3, NodeCommand::Timeout);
        assert_eq!(run.nodes()[2].role, "candidate");
        run.advance_to(300_000);
        assert_eq!(run.leader(), Some(3));
        run.node_command(3, NodeCommand::ClientRequest);
        run.advance_to(600_000);
        assert!(logs(&run)[2].commit >= 1);
        // Out-of-range ids do nothing.
        let events = run.events();
        run.node_command(0, NodeCommand::Crash);
        run.node_command(6, NodeCommand::Crash);
        run.drop_message(u64::MAX);
        assert_eq!(run.events(), events);
    }

    #[test]
    fn the_logs_show_committed_entries_and_a_down_nodes_durable_log() {
        let mut run = election();
        assert!(logs(&run).iter().all(|r| r.cells.is_empty()), "empty logs at the start");
        run.advance_to(1_000_000);
        let leader = run.leader().expect("a leader");
        let rows = logs(&run);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows.iter().filter(|r| r.leader).map(|r| r.id).collect::<Vec<_>>(), [leader]);
        let width = rows[0].cells.len();
        assert!(width >= 3, "the leader's noop and the client's writes, got {width}");
        assert!(rows.iter().all(|r| r.cells.len() == width));
        assert!(rows.iter().all(|r| r.cells.iter().any(|c| c.committed)));
        assert!(rows.iter().flat_map(|r| &r.cells).any(|c| c.command == "set x 1"));
        // A crashed follower keeps its durable log, with nothing committed (commit is volatile).
        let follower = if leader == 1 { 2 } else { 1 };
        let before = rows[follower as usize - 1].len;
        run.node_command(follower, NodeCommand::Crash);
        let down = &logs(&run)[follower as usize - 1];
        assert!(!down.up && down.len == before && before > 0);
        assert!(down.cells.iter().all(|c| !c.committed));
        assert!(down.cells.iter().all(|c| !c.differs_from_leader), "its log matches the leader's");
        // The leader keeps appending while it is down: the missing entries are flagged.
        run.node_command(leader, NodeCommand::ClientRequest);
        run.advance_to(1_200_000);
        let down = &logs(&run)[follower as usize - 1];
        assert!(down.len == before && down.cells.len() as u64 > before);
        assert!(down.cells.last().is_some_and(|c| c.term.is_none() && c.differs_from_leader));
    }

    /// A session with every kind of hand-made change, some made while stepping (so they fall
    /// between two events of the same instant), and a branch.
    fn busy_session() -> LabRun {
        let mut run = election();
        run.advance_to(300_000);
        let leader = run.leader().expect("a leader");
        run.node_command(leader % 5 + 1, NodeCommand::Crash);
        run.step();
        run.node_command(leader, NodeCommand::ClientRequest);
        run.advance_to(450_000);
        // A branch: back before the request, and something else instead.
        run.seek_time(301_000);
        run.node_command(leader, NodeCommand::Pause);
        run.advance_to(700_000);
        run.net_command(&NetCommand::SplitMajority);
        run.advance_to(900_000);
        if let Some(m) = run.messages().first() {
            run.drop_message(m.id);
        }
        run.net_command(&NetCommand::LossPercent(20));
        run.advance_to(1_000_000);
        run.net_command(&NetCommand::Heal);
        run.node_command(leader, NodeCommand::Resume);
        run.advance_to(1_300_000);
        run
    }

    #[test]
    fn an_exported_session_replays_exactly() {
        let run = busy_session();
        let exported = run.export();
        let after: Vec<_> = exported.schedule.iter().filter(|s| matches!(s.when, When::After { .. })).collect();
        assert_eq!(after.len(), 7, "the abandoned branch's request is not exported: {after:?}");
        // Through the file format, as the CLI would read it.
        let sc = Scenario::parse(&exported.to_json(), Some("session.json")).expect("the export reads back");
        let mut engine = Engine::new(setup::<Raft>(&sc, sc.seed, TraceMode::Hash).expect("builds"));
        engine.run_until(run.now_us());
        assert_eq!(engine.events(), run.events());
        assert_eq!(engine.trace_hash(), run.trace_hash());
    }

    #[test]
    fn a_link_reopens_the_same_moment() {
        let run = busy_session();
        let mut back = run.clone();
        back.seek_time(800_000);
        let link = super::super::share::encode(&back.shared());
        let opened = LabRun::from_shared(super::super::share::decode(&link).expect("decodes")).expect("opens");
        assert_eq!((opened.events(), opened.now_us()), (back.events(), back.now_us()));
        assert_eq!(opened.nodes(), back.nodes());
        assert_eq!(opened.messages(), back.messages());
        assert_eq!(opened.trace_hash(), back.trace_hash());
        // The future of the link's session is there too: playing on gives the same run.
        let mut opened = opened;
        opened.advance_to(1_300_000);
        assert_eq!(opened.trace_hash(), run.trace_hash());
    }

    #[test]
    fn seeking_by_time_goes_both_ways_and_keeps_the_frontier() {
        let mut run = election();
        run.advance_to(1_000_000);
        let hash = run.trace_hash();
        run.seek_time(250_000);
        assert_eq!(run.now_us(), 250_000);
        assert!(run.log().iter().all(|l| l.event <= run.events()));
        assert_eq!(run.frontier_us(), 1_000_000);
        run.seek_time(1_000_000);
        assert_eq!(run.trace_hash(), hash);
        // A change in the past starts a new branch: the old future is gone.
        run.seek_time(250_000);
        run.node_command(1, NodeCommand::Crash);
        assert_eq!(run.frontier_us(), 250_000);
    }

    #[test]
    fn going_back_keeps_the_future_marks_until_the_run_branches() {
        let mut run = election();
        run.advance_to(1_000_000);
        let marks = run.markers().to_vec();
        assert!(marks.iter().any(|m| m.kind == crate::view::history::MarkerKind::Election), "{marks:?}");
        assert!(marks.iter().any(|m| m.kind == crate::view::history::MarkerKind::Commit), "{marks:?}");
        run.seek_time(0);
        assert_eq!(run.markers(), &marks[..], "seeking back keeps the marks ahead");
        assert!(run.history().markers().is_empty());
        run.seek_time(1_000_000);
        assert_eq!(run.markers(), &marks[..], "replaying adds no duplicates");
        run.seek_time(100_000);
        run.node_command(1, NodeCommand::Crash);
        assert!(run.markers().iter().all(|m| m.at_us <= 100_000), "a branch forgets the old future");
        assert!(run.markers().last().is_some_and(|m| m.kind == crate::view::history::MarkerKind::Crash));
    }

    #[test]
    fn reseeding_and_playgrounds() {
        let run = election();
        let other = run.reseeded(99).expect("reseeds");
        assert_eq!(other.seed(), 99);
        assert_eq!(other.name(), run.name());
        for n in [1, 2, 15] {
            let mut p = run.playground(n, 7).expect("a playground");
            assert_eq!(p.node_count(), n);
            assert_eq!(p.scenario().protocol, "raft");
            p.advance_to(2_000_000);
            assert!(p.leader().is_some(), "{n} servers elect a leader");
        }
        assert!(run.playground(16, 1).is_err());
        assert!(run.playground(0, 1).is_err());
    }

    #[test]
    fn a_playground_keeps_the_protocol_of_the_run() {
        for (name, protocol) in [("2pc-all-yes.json", "2pc"), ("3pc-all-yes.json", "3pc")] {
            let run = LabRun::shipped(name).expect("shipped");
            let mut p = run.playground(5, 3).expect("a playground");
            assert_eq!((p.scenario().protocol.as_str(), p.node_count()), (protocol, 5));
            p.node_command(1, NodeCommand::ClientRequest);
            p.advance_to(1_000_000);
            assert!(p.invariants().iter().all(|i| i.violation.is_none()), "{protocol}: a transaction on a blank cluster keeps every invariant");
            let tx = transactions(&p);
            assert!(tx.logs.iter().any(|(_, _, records)| records.iter().any(|r| r.contains("commit"))), "{protocol}: the transaction commits: {:?}", tx.logs);
        }
        assert!(LabRun::shipped("2pc-all-yes.json").expect("shipped").playground(11, 1).is_err(), "2PC runs at most 10 servers");
    }

    #[test]
    fn partitions_show_on_the_servers() {
        let mut run = election();
        run.advance_to(500_000);
        let leader = run.leader().expect("a leader");
        run.net_command(&NetCommand::SplitMajority);
        let nodes = run.nodes();
        let side = nodes[leader as usize - 1].group.expect("split");
        assert_eq!(nodes.iter().filter(|n| n.group == Some(side)).count(), 2);
        run.net_command(&NetCommand::Heal);
        run.node_command(3, NodeCommand::Isolate);
        assert!(run.nodes()[2].isolated && run.nodes().iter().all(|n| n.group.is_none()));
        run.node_command(3, NodeCommand::Reconnect);
        assert!(!run.nodes()[2].isolated);
    }

    #[test]
    fn dropping_a_message_removes_it() {
        let mut run = election();
        run.node_command(1, NodeCommand::Timeout);
        let id = run.messages().first().expect("votes in flight").id;
        run.drop_message(id);
        assert!(run.messages().iter().all(|m| m.id != id));
    }

    #[test]
    fn the_planted_bug_stops_on_its_first_violation() {
        let mut run = LabRun::shipped("raft-figure8-planted-bug.json").expect("loads");
        let mut stopped = false;
        for t in (1..=200).map(|i| i * 50_000) {
            if run.advance_to(t) {
                stopped = true;
                break;
            }
        }
        assert!(stopped, "the planted bug breaks an invariant");
        let events = run.events();
        let v = run.invariants().into_iter().find_map(|i| i.violation).expect("a violation");
        assert_eq!(v.event, events, "the run stops on the violating event");
        // The entries it is about are flagged in the log view.
        assert!(!v.positions.is_empty(), "{v:?}");
        let flagged: Vec<(NodeId, u64)> = logs(&run).iter().flat_map(|r| r.cells.iter().filter(|c| c.violating).map(move |c| (r.id, c.index))).collect();
        assert_eq!(flagged.len(), v.positions.len(), "{flagged:?} vs {:?}", v.positions);
        let later = run.now_us() + 1_000_000;
        assert!(run.advance_to(later));
        assert_eq!(run.events(), events);
    }
}
