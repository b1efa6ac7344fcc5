//! A test harness: one commit node driven by hand, its effects recorded, its persist effects
//! applied to a stable log as the engine would, and crash/restart from that log.

use super::{CommitFamily, Core, TxId, TxState, Wal};
use crate::sim::protocol::Effect;
use crate::sim::rng::Rng;
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId};

/// One node of a `nodes`-server cluster, plus the effects of the last handler call.
pub struct Harness<P: CommitFamily> {
    pub cfg: P,
    pub node: P::Node,
    pub wal: Wal,
    pub nodes: u32,
    pub now_us: Micros,
    pub effects: Vec<Effect<P>>,
    rng: Rng,
}

impl<P: CommitFamily> Harness<P> {
    /// Node `id`, booted from an empty log at time 0.
    pub fn new(cfg: P, id: NodeId, nodes: u32) -> Self {
        let wal = cfg.fresh_durable(id);
        let mut rng = Rng::stream(1, &format!("node/{id}"));
        let mut effects = Vec::new();
        let node = cfg.boot(id, &wal, &mut Ctx::new(0, Addr::Node(id), nodes, &mut rng, &mut effects));
        let mut h = Harness { cfg, node, wal, nodes, now_us: 0, effects, rng };
        h.save();
        h
    }

    fn id(&self) -> NodeId {
        P::core(&self.node).id
    }

    /// Applies the persist effects, in order, as the engine does.
    fn save(&mut self) {
        let persists = self.effects.iter().filter(|e| matches!(e, Effect::Persist)).count();
        for _ in 0..persists {
            self.cfg.save(&mut self.node, &mut self.wal);
        }
    }

    fn run(&mut self, f: impl FnOnce(&P, &mut P::Node, &mut Ctx<P>)) {
        self.effects.clear();
        let id = self.id();
        let mut ctx = Ctx::new(self.now_us, Addr::Node(id), self.nodes, &mut self.rng, &mut self.effects);
        f(&self.cfg, &mut self.node, &mut ctx);
        self.save();
    }

    /// Delivers a message from server `from` at time `at_us`.
    pub fn deliver(&mut self, at_us: Micros, from: NodeId, msg: P::Msg) {
        self.now_us = at_us;
        self.run(|cfg, node, ctx| cfg.on_message(node, Addr::Node(from), msg, ctx));
    }

    /// Delivers a message from client `from` at time `at_us`.
    pub fn client_sends(&mut self, at_us: Micros, from: ClientId, msg: P::Msg) {
        self.now_us = at_us;
        self.run(|cfg, node, ctx| cfg.on_message(node, Addr::Client(from), msg, ctx));
    }

    /// Fires a timer at time `at_us`.
    pub fn timer(&mut self, at_us: Micros, t: P::Timer) {
        self.now_us = at_us;
        self.run(|cfg, node, ctx| cfg.on_timer(node, t, ctx));
    }

    /// Hands a request straight to the node.
    pub fn request(&mut self, at_us: Micros, r: P::Request) {
        self.now_us = at_us;
        self.run(|cfg, node, ctx| cfg.on_request(node, r, ctx));
    }

    /// Loses everything volatile and boots from the stable log at time `at_us`.
    pub fn crash_and_restart(&mut self, at_us: Micros) {
        self.now_us = at_us;
        self.effects.clear();
        let id = self.id();
        let mut ctx = Ctx::new(at_us, Addr::Node(id), self.nodes, &mut self.rng, &mut self.effects);
        self.node = self.cfg.boot(id, &self.wal, &mut ctx);
        self.save();
    }

    /// The messages the last call sent.
    pub fn sent(&self) -> Vec<(Addr, P::Msg)> {
        self.effects.iter().filter_map(|e| if let Effect::Send(to, m) = e { Some((*to, m.clone())) } else { None }).collect()
    }

    /// The messages the last call sent to servers, as (to, message).
    pub fn sent_to_nodes(&self) -> Vec<(NodeId, P::Msg)> {
        self.sent().into_iter().filter_map(|(a, m)| a.node().map(|n| (n, m))).collect()
    }

    /// The timers the last call armed.
    pub fn timers_set(&self) -> Vec<P::Timer> {
        self.effects.iter().filter_map(|e| if let Effect::SetTimer(t, _) = e { Some(*t) } else { None }).collect()
    }

    /// Whether the last call forced the log before its first send (and sent something).
    pub fn logged_before_sending(&self) -> bool {
        let p = self.effects.iter().position(|e| matches!(e, Effect::Persist));
        let s = self.effects.iter().position(|e| matches!(e, Effect::Send(..)));
        matches!((p, s), (Some(p), Some(s)) if p < s)
    }

    /// The node's log and table.
    pub fn core(&self) -> &Core {
        P::core(&self.node)
    }

    /// Where the node stands in `tx`.
    pub fn state(&self, tx: TxId) -> TxState {
        self.core().table.state(tx)
    }

    /// What the stable log says of `tx`.
    pub fn durable_state(&self, tx: TxId) -> TxState {
        self.wal.table().state(tx)
    }
}
