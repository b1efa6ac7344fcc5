//! The contract between the engine and a protocol.
//!
//! A protocol is a set of pure state machines (servers and clients): a message or a timer goes
//! in, effects come out through a [`Ctx`] that only records them. Like stateright's `on_msg`
//! and raft-rs's `step()`, a handler never reads a clock, draws OS entropy or does I/O: the
//! engine owns time, randomness, the network and failures, so a run is a pure function of its
//! scenario and seed.
//!
//! What survives a crash is explicit: a node's `Durable` part is copied out of the node only
//! when the handler calls [`Ctx::persist`]; a crash drops the node and its timers, and a restart
//! rebuilds it with [`Protocol::boot`] from that copy alone.

use std::fmt::{self, Debug, Display};

use serde::Serialize;

use super::detail::Detail;
use super::rng::Rng;
use super::time::Micros;

/// A server's id, 1..=N everywhere: scenario files, reports and the UI's labels S1..SN.
pub type NodeId = u32;
/// A client actor's id, 1..; shown as C1, C2, ...
pub type ClientId = u32;

/// Where a message comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Addr {
    /// A server, S1..SN.
    Node(NodeId),
    /// A client actor, C1..
    Client(ClientId),
}

impl Addr {
    /// The node id, if this is a server.
    pub fn node(self) -> Option<NodeId> {
        match self {
            Addr::Node(id) => Some(id),
            Addr::Client(_) => None,
        }
    }
}

impl Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Node(id) => write!(f, "S{id}"),
            Addr::Client(id) => write!(f, "C{id}"),
        }
    }
}

/// What the engine and the UI need to know of a protocol's message.
pub trait Message: Clone + Debug + Display + Serialize {
    /// The message type, stable across versions (`"AppendEntries"`): it keys colours, filters
    /// and the `"sends"` triggers of scenario files.
    fn kind(&self) -> &'static str;
    /// Whether it only says that its sender is there (Raft's AppendEntries with no entries):
    /// views draw such messages quieter.
    fn heartbeat(&self) -> bool {
        false
    }
}

/// A protocol's timer: timers are identified by value, so setting one that is already pending
/// replaces it (an election timer reset), and cancelling names it. Ordered so that the engine
/// finds a pending one by value without a search (`#[derive(PartialOrd, Ord)]`; the order means
/// nothing else).
pub trait Timer: Copy + Ord + Debug + Display {
    /// What the timer is for, in words a person reads (`"election"`); its `Display` is these
    /// words in English, as the trace writes them.
    fn words(&self) -> Detail;
}

/// A state change worth a line in the trace and, often, a marker on the timeline
/// ("S3 leader term=4").
pub trait Note: Clone + Debug + Display {
    /// A stable category (`"leader"`, `"commit"`), used by filters and timeline markers.
    fn kind(&self) -> &'static str;
    /// The mark it deserves on the time line, if one.
    fn mark(&self) -> Option<Mark> {
        None
    }
    /// The change in words a person reads (`"leader term={term}"`); its `Display` is these
    /// words in English, as the trace writes them.
    fn words(&self) -> Detail;
}

/// A protocol's state change that deserves a mark on the time line, said in words every
/// protocol can use: the engine and the views know these, not the protocols' notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The server became the leader; the words name its term or ballot (`t2`, `b3.2`).
    Leader(String),
    /// The highest log index the server knows committed grew to this.
    Commit(u64),
    /// The server learned the chosen value, as written (`A`).
    Learned(String),
}

/// One recorded effect of a handler, applied by the engine in the order it was recorded.
#[derive(Clone, Debug)]
pub enum Effect<P: Protocol> {
    /// Put a message on the network.
    Send(Addr, P::Msg),
    /// (Re)arm a timer to fire after the given span.
    SetTimer(P::Timer, Micros),
    /// Disarm a timer, if pending.
    CancelTimer(P::Timer),
    /// Copy the node's durable part to stable storage now (write-ahead: record it before the
    /// sends that depend on it).
    Persist,
    /// A state change for the trace.
    Note(P::Note),
}

/// The handle a handler gets: the current time, the actor's own random stream, the cluster size,
/// and a buffer that records effects. It performs nothing itself.
pub struct Ctx<'a, P: Protocol> {
    now_us: Micros,
    me: Addr,
    nodes: u32,
    rng: &'a mut Rng,
    effects: &'a mut Vec<Effect<P>>,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// A context for actor `me`, recording into `effects`.
    pub fn new(now_us: Micros, me: Addr, nodes: u32, rng: &'a mut Rng, effects: &'a mut Vec<Effect<P>>) -> Self {
        Ctx { now_us, me, nodes, rng, effects }
    }
    /// The current virtual time.
    pub fn now(&self) -> Micros {
        self.now_us
    }
    /// The actor this context belongs to.
    pub fn me(&self) -> Addr {
        self.me
    }
    /// The number of servers, N (ids 1..=N).
    pub fn nodes(&self) -> u32 {
        self.nodes
    }
    /// Ids of every server but `me`, in order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<P> {
        let me = self.me.node();
        (1..=self.nodes).filter(move |&id| Some(id) != me)
    }
    /// This actor's random stream, owned and seeded by the engine.
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }
    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: Addr, msg: P::Msg) {
        self.effects.push(Effect::Send(to, msg));
    }
    /// Sends `msg` to server `to`.
    pub fn send_node(&mut self, to: NodeId, msg: P::Msg) {
        self.send(Addr::Node(to), msg);
    }
    /// (Re)arms `timer` to fire `after_us` from now.
    pub fn set_timer(&mut self, timer: P::Timer, after_us: Micros) {
        self.effects.push(Effect::SetTimer(timer, after_us));
    }
    /// Disarms `timer`.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer(timer));
    }
    /// Records that the node's durable part must be saved now.
    pub fn persist(&mut self) {
        self.effects.push(Effect::Persist);
    }
    /// Records a state change for the trace.
    pub fn note(&mut self, note: P::Note) {
        self.effects.push(Effect::Note(note));
    }
}

/// A distributed protocol as the engine runs it: its servers' and clients' state machines, and
/// the two questions the engine's actions ask of them (which server leads, which timer "time out
/// now" fires). Its invariants come with [`super::checker::Checked`]; what reports show of it,
/// with [`super::report::Report`].
///
/// The implementing value is the protocol's configuration (timeouts, cluster-wide knobs), shared
/// read-only by every handler, as stateright's actors are.
pub trait Protocol: Clone + Debug + Sized + 'static {
    /// Messages between actors.
    type Msg: Message;
    /// Timers of servers and clients.
    type Timer: Timer;
    /// State changes for the trace.
    type Note: Note;
    /// What a server keeps across a crash.
    type Durable: Clone + Debug;
    /// A running server.
    type Node: Clone + Debug;
    /// A client actor.
    type Client: Clone + Debug;
    /// A client request, as written in a scenario (`"set x 5"`).
    type Request: Clone + Debug + Display;

    /// The scenario name of the protocol (`"raft"`).
    fn name(&self) -> &'static str;

    /// The durable state of a server that has never run.
    fn fresh_durable(&self, id: NodeId) -> Self::Durable;
    /// Starts (or restarts) server `id` from its durable state alone.
    fn boot(&self, id: NodeId, durable: &Self::Durable, ctx: &mut Ctx<Self>) -> Self::Node;
    /// Handles a message delivered to a server.
    fn on_message(&self, node: &mut Self::Node, from: Addr, msg: Self::Msg, ctx: &mut Ctx<Self>);
    /// Handles a server's timer.
    fn on_timer(&self, node: &mut Self::Node, timer: Self::Timer, ctx: &mut Ctx<Self>);
    /// Hands a request straight to a server, as if a client had reached it (a scenario's
    /// `"client"` action with `"to"`).
    fn on_request(&self, node: &mut Self::Node, request: Self::Request, ctx: &mut Ctx<Self>);
    /// Copies the node's durable part into stable storage (called for [`Effect::Persist`]);
    /// `node` is mutable so that a protocol can track what is already saved and copy only the rest.
    fn save(&self, node: &mut Self::Node, durable: &mut Self::Durable);

    /// A new client actor.
    fn new_client(&self, id: ClientId) -> Self::Client;
    /// A client is asked to submit a request.
    fn client_submit(&self, client: &mut Self::Client, request: Self::Request, ctx: &mut Ctx<Self>);
    /// Handles a message delivered to a client.
    fn client_on_message(&self, client: &mut Self::Client, from: Addr, msg: Self::Msg, ctx: &mut Ctx<Self>);
    /// Handles a client's timer.
    fn client_on_timer(&self, client: &mut Self::Client, timer: Self::Timer, ctx: &mut Ctx<Self>);

    /// The server the scenario target `"leader"` names right now, if any.
    fn leader(&self, _nodes: &[Option<&Self::Node>]) -> Option<NodeId> {
        None
    }
    /// The timer that "time out now" fires on this server, if one is pending that it would name;
    /// `None` fires the earliest pending timer.
    fn timeout_now_timer(&self, _node: &Self::Node) -> Option<Self::Timer> {
        None
    }
}
