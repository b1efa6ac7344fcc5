//! How a protocol looks in the lab: the one trait a protocol implements to get the whole
//! browser shell (stage, inspector, time line, space-time diagram, network controls, links,
//! files). Everything protocol-specific the lab draws comes through [`LabProtocol`]; the rest of
//! [`super::lab`] is protocol-neutral.

use std::any::Any;
use std::rc::Rc;

use crate::scenario::{Scenario, ScenarioProtocol};
use crate::sim::{Engine, MessageCounts, Micros, NodeId, NodeSlot};

use super::history::Marker;
use super::inspect::Inspection;

/// What the stage shows of one server, besides what every server has (id, up, paused,
/// isolated, side).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeFace {
    /// Its role or state in a word, for people and CSS: `leader`, `follower`, `coordinator`,
    /// `prepared`... (`down` while crashed).
    pub role: &'static str,
    /// A one-letter badge drawn in the circle: `L`, `F`, `C`... (`✕` while down).
    pub badge: &'static str,
    /// A short line under the name: `t3`, `T2 prepared`.
    pub caption: String,
    /// Its state in words for a screen reader and the tooltip: `leader term 3`.
    pub state: String,
    /// Its main timer, if one is armed: drawn as a ring that drains as it runs.
    pub timer: Option<TimerSpan>,
}

/// A timer's span: when it was armed and when it fires. A view holds the span rather than the
/// part left, so that it stays the same while time passes and the stage drains the ring from
/// the clock alone (see `app::clock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerSpan {
    /// When it was armed.
    pub set_us: Micros,
    /// When it fires.
    pub due_us: Micros,
}

impl TimerSpan {
    /// The part (1..0) still left at `now_us`.
    pub fn left(self, now_us: Micros) -> f64 {
        super::geometry::timer_left(self.set_us, self.due_us, now_us)
    }
}

impl<T> From<&crate::sim::PendingTimer<T>> for TimerSpan {
    fn from(t: &crate::sim::PendingTimer<T>) -> Self {
        TimerSpan { set_us: t.set_us, due_us: t.due_us }
    }
}

/// A server's work, drawn beside it: busy slots out of its slots, and its queue (a load
/// balancer's backends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    /// Slots at work.
    pub busy: u32,
    /// Slots in all.
    pub slots: u32,
    /// Requests waiting.
    pub queued: u32,
}

/// What the stage shows of one message.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageFace {
    /// A short label drawn by the message: `vote? t2`, `+3`, `ok 4`.
    pub label: String,
    /// Its CSS class (colour) on the stage: one of `rv`, `rvr`, `ae`, `aer`, `client`.
    pub class: &'static str,
    /// Drawn as a square rather than a dot (shape, not only colour, tells kinds apart).
    pub square: bool,
    /// A routine message (a heartbeat), drawn paler and smaller, without a label.
    pub routine: bool,
}

/// The protocol's own panel under the stage: whatever data its face draws there (Raft's log
/// rows, atomic commit's transactions), or none. The type is the face's own, so this file
/// names no face; the app's glue picks the component that draws it by that type ([`Panel::get`]).
#[derive(Clone, Default)]
pub struct Panel(Option<Rc<dyn PanelData>>);

/// What a panel's data must be: comparable (the page redraws a panel only when it changed).
/// (Not `Debug`: a vtable entry keeps its code in the download.)
pub trait PanelData: Any {
    /// Whether `other` is the same data.
    fn same(&self, other: &dyn PanelData) -> bool;
    /// Itself, to look at as its own type.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + PartialEq> PanelData for T {
    fn same(&self, other: &dyn PanelData) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Panel {
    /// A panel showing `data`.
    pub fn new(data: impl PanelData) -> Self {
        Panel(Some(Rc::new(data)))
    }
    /// Its data, if it is a `T`.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.as_deref().and_then(|d| d.as_any().downcast_ref())
    }
    /// Whether there is none.
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl PartialEq for Panel {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same(&**b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for Panel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Panel(..)" } else { "Panel(none)" })
    }
}

/// A message type's CSS class: see [`LabProtocol::kind_class`].
pub type KindClass = fn(&str, bool) -> &'static str;

/// The CSS classes of a message type, as the stage's: Raft's, and the default of
/// [`LabProtocol::kind_class`].
pub fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
    match kind {
        "RequestVote" => "rv",
        "RequestVoteReply" => "rvr",
        "AppendEntries" if heartbeat => "ae heartbeat",
        "AppendEntries" => "ae",
        "AppendEntriesReply" => "aer",
        _ => "client",
    }
}

/// A protocol's [`KindClass`], comparable (by protocol) so that components can take it as a prop.
#[derive(Clone, Copy, Debug)]
pub struct Colours {
    /// The protocol's scenario name.
    pub protocol: &'static str,
    /// Its message types' classes.
    pub of: KindClass,
}

impl PartialEq for Colours {
    fn eq(&self, other: &Self) -> bool {
        self.protocol == other.protocol
    }
}

impl Default for Colours {
    fn default() -> Self {
        Colours { protocol: "raft", of: kind_class }
    }
}

/// A protocol the lab can show.
pub trait LabProtocol: ScenarioProtocol + Clone + std::fmt::Debug + 'static {
    /// A server as drawn at `now_us`. The lab looks again only when an event happened or the
    /// read panels' round comes (a few times a second): a face that shows a time does so in
    /// words (how long a participant has been uncertain), and a timer as its span, which the
    /// stage drains on every frame itself.
    fn node_face(&self, slot: &NodeSlot<Self>, now_us: Micros) -> NodeFace;
    /// A message as drawn.
    fn message_face(&self, msg: &Self::Msg) -> MessageFace;
    /// A server's slots and queue, if it has any to show.
    fn load(&self, _slot: &NodeSlot<Self>) -> Option<Load> {
        None
    }
    /// How the stage places the servers.
    fn layout(&self) -> super::geometry::Layout {
        super::geometry::Layout::Ring
    }
    /// A server's full state, for the inspector.
    fn inspect_node(engine: &Engine<Self>, id: NodeId) -> Option<Inspection>;
    /// A message in flight, for the inspector.
    fn inspect_message(engine: &Engine<Self>, id: u64) -> Option<Inspection>;
    /// The request a "client request" button (or the `c` key) sends; `n` counts them from 1.
    fn user_request(&self, n: u64) -> Self::Request;
    /// The protocol's own panel, with the positions named by `violations` flagged.
    fn panel(engine: &Engine<Self>, leader: Option<NodeId>) -> Panel;
    /// The scenario (JSON) of a blank cluster of `nodes` servers under `seed`: the usual
    /// timing, nothing scheduled, for playing by hand.
    fn playground(&self, nodes: u32, seed: u64) -> String;
    /// Time-line markers only the checker knows (not in the trace): Paxos's moment of choice.
    /// Those found after event `after` (all, for `None`).
    fn checker_markers(_engine: &Engine<Self>, _after: Option<u64>) -> Vec<Marker> {
        Vec::new()
    }
    /// The CSS class (colour) of a message type, where only the type is known (the space-time
    /// diagram's arrows, a lost message fading on the stage); `heartbeat` for routine ones.
    /// Agrees with [`LabProtocol::message_face`].
    fn kind_class(kind: &str, heartbeat: bool) -> &'static str {
        kind_class(kind, heartbeat)
    }
    /// What compare mode sets side by side: (name, value) figures of the run so far. By
    /// default the events and the messages sent, delivered and dropped.
    fn metrics(engine: &Engine<Self>) -> Vec<(&'static str, String)> {
        let mut m = vec![(crate::tr_key!("events"), engine.events().to_string())];
        m.extend(message_metrics(engine.messages()));
        m
    }
    /// Runs compare mode may set beside a scenario, besides the same under another seed: a
    /// label and the scenario (Multi-Paxos: the same run under Raft).
    fn twins(_scenario: &Scenario) -> Vec<(String, Scenario)> {
        Vec::new()
    }
    /// The legend under the stage: (CSS class of a swatch, or empty for none; text).
    fn legend(&self) -> &'static [(&'static str, &'static str)];
    /// What the protocol calls the server that leads the others ("the leader", "the
    /// coordinator", "the balancer": English, translated where shown), which the network
    /// panel's presets cut off; `None` where no server leads (the presets then name S1).
    fn lead_word(&self) -> Option<&'static str> {
        Some(crate::tr_key!("the leader"))
    }
}

/// The messages sent, delivered and dropped so far: every protocol's compare table has them
/// (the engine's counts, as `distlab run` reports them).
pub fn message_metrics(counts: &MessageCounts) -> [(&'static str, String); 3] {
    let t = counts.total();
    [(crate::tr_key!("messages sent"), t.sent.to_string()), (crate::tr_key!("messages delivered"), t.delivered.to_string()), (crate::tr_key!("messages dropped"), t.dropped.to_string())]
}

/// The figures of a key-value service (Raft, Multi-Paxos) for compare mode.
pub fn kv_metrics(stats: &crate::scenario::compare::RunStats) -> Vec<(&'static str, String)> {
    let ms = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{} ms", crate::num::fixed(v, 1)));
    let mut m = message_metrics(&stats.messages).to_vec();
    m.extend([
        (crate::tr_key!("commands committed"), stats.committed.to_string()),
        (crate::tr_key!("commit latency p50"), ms(stats.latency.p50_ms)),
        (crate::tr_key!("commit latency p95"), ms(stats.latency.p95_ms)),
        (crate::tr_key!("leaders elected"), stats.leaders.to_string()),
        (crate::tr_key!("events"), stats.events.to_string()),
    ]);
    m
}
