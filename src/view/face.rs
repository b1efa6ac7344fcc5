//! How a protocol looks in the lab: the one trait a protocol implements to get the whole
//! browser shell (stage, inspector, time line, space-time diagram, network controls, links,
//! files). Everything protocol-specific the lab draws comes through [`LabProtocol`]; the rest of
//! [`super::lab`] is protocol-neutral.

use crate::scenario::ScenarioProtocol;
use crate::sim::{Engine, Micros, NodeId, NodeSlot};

use super::history::Marker;
use super::inspect::Inspection;
use super::logs::LogRow;

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
    /// The part (1..0) of its main timer still left, drawn as a draining ring.
    pub timer_left: Option<f64>,
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

/// The protocol's own panel under the stage.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Panel {
    /// None.
    #[default]
    None,
    /// Raft's log view: a row per server.
    Logs(Vec<LogRow>),
    /// Atomic commit's transactions and write-ahead logs.
    Transactions(super::commit_face::TxPanel),
    /// Paxos's acceptors (promises, votes) and chosen values.
    Acceptors(super::paxos_face::AcceptorPanel),
}

/// A protocol the lab can show.
pub trait LabProtocol: ScenarioProtocol + Clone + std::fmt::Debug + 'static {
    /// A server as drawn.
    fn node_face(&self, slot: &NodeSlot<Self>, now_us: Micros) -> NodeFace;
    /// A message as drawn.
    fn message_face(&self, msg: &Self::Msg) -> MessageFace;
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
    /// The legend under the stage: (CSS class of a swatch, or empty for none; text).
    fn legend(&self) -> &'static [(&'static str, &'static str)];
}
