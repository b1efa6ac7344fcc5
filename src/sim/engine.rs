//! The engine: virtual time, one event queue, the network, failures and the invariant checker.
//!
//! Events are ordered by (time, sequence number): two events due at the same microsecond run in
//! the order they were queued, so the run is a total order that never depends on a hash map or a
//! thread. One root seed fans out to the network's stream and to one stream per server and per
//! client. After every event the protocol's checker looks at the world; the first breach of each
//! invariant is kept with its time, event number and explanation.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::action::{Action, Scheduled, Target, When};
use super::checker::{Breach, Checked, Checker, Violation};
use super::counts::MessageCounts;
use super::event::Event;
use super::network::{DropReason, LinkProfile, MsgId, Network};
use super::protocol::{Addr, ClientId, Ctx, Effect, Message, NodeId, Note, Protocol};
use super::rng::Rng;
use super::time::Micros;
use super::trace::{Trace, TraceLine, TraceMode};
use super::world::{ClientSlot, NodeSlot, PendingTimer, Timers, World};

/// What a queue entry will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Deliver(MsgId),
    Timer { addr: Addr, id: u64 },
    Action(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Queued {
    at_us: Micros,
    seq: u64,
    ev: Ev,
}

/// An action pinned between two events: see [`When::After`].
#[derive(Clone, Debug, PartialEq)]
pub struct Planned<R> {
    /// It fires once this many events have happened...
    pub after_event: u64,
    /// ...at this virtual time (or now, if the clock is past it).
    pub at_us: Micros,
    /// What.
    pub action: Action<R>,
}

/// The planned actions in the order they fire: by event, then time; two at the same moment keep
/// the order they were written in. The sorting itself is one function for every protocol: a
/// `sort_by_key` here was a copy of the standard library's stable sort per call site and
/// protocol in the browser bundles (measured: 25 KB of the atomic commit page's wasm code).
fn in_firing_order<R>(planned: Vec<Planned<R>>) -> VecDeque<Planned<R>> {
    let order = firing_order(planned.iter().map(|p| (p.after_event, p.at_us)).collect());
    let mut slots: Vec<Option<Planned<R>>> = planned.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The indices of `moments` in ascending order, equal ones in their given order.
fn firing_order(moments: Vec<(u64, Micros)>) -> Vec<usize> {
    let mut keyed: Vec<(u64, Micros, usize)> = moments.into_iter().enumerate().map(|(i, (event, at))| (event, at, i)).collect();
    // Every key is distinct (the index breaks ties), so an unstable sort keeps the given order.
    keyed.sort_unstable();
    keyed.into_iter().map(|(.., i)| i).collect()
}

/// How a run is set up; everything else comes from the protocol value.
#[derive(Clone, Debug)]
pub struct Setup<P: Protocol> {
    /// The protocol and its configuration.
    pub protocol: P,
    /// Number of servers, N.
    pub nodes: u32,
    /// The root seed.
    pub seed: u64,
    /// The network's profile.
    pub network: LinkProfile,
    /// Durable state to start servers from, where not fresh (index `id - 1`).
    pub initial: Vec<Option<P::Durable>>,
    /// The schedule.
    pub schedule: Vec<Scheduled<P::Request>>,
    /// How much trace to keep.
    pub trace: TraceMode,
}

/// The part of an actor a handler works on.
enum Actor<'a, P: Protocol> {
    /// A server: its running state (none while crashed) and its stable storage.
    Node(&'a mut Option<P::Node>, &'a P::Durable),
    /// A client.
    Client(&'a mut P::Client),
}

/// A run in progress. `Clone` is a snapshot.
#[derive(Clone, Debug)]
pub struct Engine<P: Checked> {
    proto: P,
    seed: u64,
    now_us: Micros,
    seq: u64,
    events: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    nodes: Vec<NodeSlot<P>>,
    /// Queue entries of each paused server (index `id - 1`), run when it resumes.
    deferred: Vec<Vec<Queued>>,
    clients: Vec<ClientSlot<P>>,
    net: Network<P::Msg>,
    actions: Vec<Action<P::Request>>,
    triggers: Vec<(NodeId, String, usize)>,
    /// Actions pinned to a moment between events ([`When::After`]), in order.
    planned: VecDeque<Planned<P::Request>>,
    checker: P::Checker,
    violations: Vec<Option<Violation>>,
    first_violation: Option<Violation>,
    trace: Trace,
    effects: Vec<Effect<P>>,
    breaches: Vec<Breach>,
    /// Boots so far, per server: tells a handler's remaining effects apart from a new
    /// incarnation's when a trigger crashes and restarts its sender mid-handler.
    incarnations: Vec<u64>,
    /// A trigger fired during the current event: it may have touched any server.
    triggered: bool,
    /// What became of the messages so far, by type.
    messages: MessageCounts,
}

impl<P: Checked> Engine<P> {
    /// Starts a run: boots every server at time 0 and queues the schedule.
    pub fn new(setup: Setup<P>) -> Self {
        let Setup { protocol, nodes: n, seed, network, initial, schedule, trace } = setup;
        let nodes = (1..=n)
            .map(|id| NodeSlot {
                id,
                state: None,
                durable: initial.get(id as usize - 1).cloned().flatten().unwrap_or_else(|| protocol.fresh_durable(id)),
                paused: false,
                timers: Timers::default(),
                rng: Rng::stream(seed, &format!("node/{id}")),
            })
            .collect();
        let checker = protocol.checker(n);
        let invariants = checker.invariants().len();
        let mut engine = Engine {
            proto: protocol,
            seed,
            now_us: 0,
            seq: 0,
            events: 0,
            queue: BinaryHeap::new(),
            nodes,
            deferred: vec![Vec::new(); n as usize],
            clients: Vec::new(),
            net: Network::new(n, network, Rng::stream(seed, "network")),
            actions: Vec::new(),
            triggers: Vec::new(),
            planned: VecDeque::new(),
            checker,
            violations: vec![None; invariants],
            first_violation: None,
            trace: Trace::new(trace),
            effects: Vec::new(),
            breaches: Vec::new(),
            incarnations: vec![0; n as usize],
            triggered: false,
            messages: MessageCounts::default(),
        };
        for s in schedule {
            let index = engine.actions.len();
            engine.actions.push(s.action);
            match s.when {
                When::At(at_us) => engine.push(at_us, Ev::Action(index)),
                When::Sends { node, kind } => engine.triggers.push((node, kind, index)),
                When::After { event, at_us } => {
                    let action = engine.actions[index].clone();
                    engine.planned.push_back(Planned { after_event: event, at_us, action });
                }
            }
        }
        engine.planned = in_firing_order(std::mem::take(&mut engine.planned).into());
        for id in 1..=n {
            engine.trace.event(0, 0, &Event::Start { node: id });
            engine.boot(id);
        }
        engine.check(None);
        engine
    }

    fn push(&mut self, at_us: Micros, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse(Queued { at_us, seq: self.seq, ev }));
    }

    /// The protocol value.
    pub fn protocol(&self) -> &P {
        &self.proto
    }
    /// The root seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Current virtual time.
    pub fn now(&self) -> Micros {
        self.now_us
    }
    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
    /// The servers, index `id - 1`.
    pub fn nodes(&self) -> &[NodeSlot<P>] {
        &self.nodes
    }
    /// The client actors.
    pub fn clients(&self) -> &[ClientSlot<P>] {
        &self.clients
    }
    /// The network.
    pub fn network(&self) -> &Network<P::Msg> {
        &self.net
    }
    /// What became of the messages so far: sent, delivered, dropped, duplicated and in flight,
    /// by message type (see [`MessageCounts`]).
    pub fn messages(&self) -> &MessageCounts {
        &self.messages
    }
    /// The checker and its history.
    pub fn checker(&self) -> &P::Checker {
        &self.checker
    }
    /// What the checker and reports read.
    pub fn world(&self) -> World<'_, P> {
        World { now_us: self.now_us, events: self.events, nodes: &self.nodes, clients: &self.clients }
    }
    /// The first breach of each invariant (same order as the checker's list).
    pub fn violations(&self) -> &[Option<Violation>] {
        &self.violations
    }
    /// The first breach of any invariant.
    pub fn first_violation(&self) -> Option<&Violation> {
        self.first_violation.as_ref()
    }
    /// The trace digest so far.
    pub fn trace_hash(&self) -> String {
        self.trace.digest()
    }
    /// Takes the trace lines recorded since the last call (in [`TraceMode::Lines`]).
    pub fn drain_trace(&mut self) -> Vec<TraceLine> {
        self.trace.drain()
    }
    /// The trace lines not drained yet (with [`TraceMode::Lines`]).
    pub fn pending_trace(&self) -> &[TraceLine] {
        self.trace.pending()
    }
    /// How much trace is kept.
    pub fn trace_mode(&self) -> TraceMode {
        self.trace.mode()
    }
    /// Changes how much trace is kept from now on.
    pub fn set_trace_mode(&mut self, mode: TraceMode) {
        self.trace.set_mode(mode);
    }
    /// When the next event is due, if any is queued (a planned action counts once its event
    /// has passed).
    pub fn next_due(&mut self) -> Option<Micros> {
        self.discard_stale();
        let queued = self.queue.peek().map(|q| q.0.at_us);
        let planned = self.planned.front().filter(|p| self.events >= p.after_event).map(|p| p.at_us.max(self.now_us));
        match (queued, planned) {
            (Some(q), Some(p)) => Some(q.min(p)),
            (q, p) => q.or(p),
        }
    }

    /// Processes the next event. Returns false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.step_until(Micros::MAX)
    }

    /// Processes the next event if it is due at or before `until_us`; false if none is.
    pub fn step_until(&mut self, until_us: Micros) -> bool {
        loop {
            if self.fire_planned(until_us) {
                return true;
            }
            let Some(&Reverse(q)) = self.queue.peek() else {
                return false;
            };
            if q.at_us > until_us {
                return false;
            }
            self.queue.pop();
            if self.run(q) {
                return true;
            }
        }
    }

    /// Applies the first planned action if its moment has come: its event has passed, its time
    /// is within `until_us`, and nothing queued is due before it.
    fn fire_planned(&mut self, until_us: Micros) -> bool {
        let Some(p) = self.planned.front() else {
            return false;
        };
        let at_us = p.at_us.max(self.now_us);
        if self.events < p.after_event || at_us > until_us {
            return false;
        }
        self.discard_stale();
        if self.queue.peek().is_some_and(|q| q.0.at_us < at_us) {
            return false;
        }
        let Some(p) = self.planned.pop_front() else {
            return false;
        };
        self.now_us = at_us;
        self.act(p.action);
        true
    }

    /// Runs every event due at or before `until_us`, then sets the clock to `until_us`.
    pub fn run_until(&mut self, until_us: Micros) {
        while self.step_until(until_us) {}
        self.now_us = self.now_us.max(until_us);
    }

    /// Runs every event due at or before `until_us`, stopping early after the first violation.
    pub fn run_until_violation(&mut self, until_us: Micros) -> bool {
        while self.first_violation.is_none() && self.step_until(until_us) {}
        if self.first_violation.is_none() {
            self.now_us = self.now_us.max(until_us);
        }
        self.first_violation.is_some()
    }

    /// The actions still planned ([`When::After`]), in order.
    pub fn planned(&self) -> impl Iterator<Item = &Planned<P::Request>> {
        self.planned.iter()
    }

    /// Replaces the planned actions (time travel: after going back, the timeline plans the
    /// actions recorded after the restored moment).
    pub fn set_planned(&mut self, planned: impl IntoIterator<Item = Planned<P::Request>>) {
        self.planned = in_firing_order(planned.into_iter().collect());
    }

    /// Applies an action now, as one event (the UI's buttons).
    pub fn act(&mut self, action: Action<P::Request>) {
        self.events += 1;
        let touched = self.apply(action);
        self.check(touched);
    }

    fn discard_stale(&mut self) {
        while let Some(&Reverse(q)) = self.queue.peek() {
            if self.is_live(q) {
                return;
            }
            self.queue.pop();
        }
    }

    fn is_live(&self, q: Queued) -> bool {
        match q.ev {
            Ev::Deliver(id) => self.net.is_due(id, q.at_us),
            Ev::Timer { addr, id } => self.timers_of(addr).is_some_and(|ts| ts.has_id(id)),
            Ev::Action(_) => true,
        }
    }

    fn timers_of(&self, addr: Addr) -> Option<&Timers<P::Timer>> {
        match addr {
            Addr::Node(id) => self.nodes.get(id as usize - 1).map(|n| &n.timers),
            Addr::Client(id) => self.clients.get(id as usize - 1).map(|c| &c.timers),
        }
    }

    fn paused(&self, addr: Addr) -> bool {
        matches!(addr, Addr::Node(id) if self.nodes[id as usize - 1].paused)
    }

    fn up(&self, addr: Addr) -> bool {
        match addr {
            Addr::Node(id) => self.nodes[id as usize - 1].state.is_some(),
            Addr::Client(id) => (id as usize) <= self.clients.len(),
        }
    }

    /// Runs one queue entry; false if it turned out stale or waits on a paused server.
    fn run(&mut self, q: Queued) -> bool {
        if !self.is_live(q) {
            return false;
        }
        let touched = match q.ev {
            Ev::Deliver(id) => {
                let Some((_, to)) = self.net.route(id) else {
                    return false;
                };
                if self.paused(to) {
                    self.defer(to, q);
                    return false;
                }
                if self.net.park_if_held(id) {
                    return false;
                }
                self.now_us = q.at_us;
                self.events += 1;
                self.deliver(id)
            }
            Ev::Timer { addr, id } => {
                if self.paused(addr) {
                    self.defer(addr, q);
                    return false;
                }
                self.now_us = q.at_us;
                self.events += 1;
                self.fire_timer(addr, id);
                addr.node()
            }
            Ev::Action(index) => {
                self.now_us = q.at_us;
                self.events += 1;
                let action = self.actions[index].clone();
                self.apply(action)
            }
        };
        self.check(touched);
        true
    }

    fn defer(&mut self, addr: Addr, q: Queued) {
        if let Addr::Node(id) = addr {
            self.deferred[id as usize - 1].push(q);
        }
    }

    fn deliver(&mut self, id: MsgId) -> Option<NodeId> {
        let nodes = &self.nodes;
        let up = |to: Addr| match to {
            Addr::Node(id) => nodes[id as usize - 1].state.is_some(),
            Addr::Client(id) => (id as usize) <= self.clients.len(),
        };
        let lost = self.net.fate(id, up).ok()?;
        let env = self.net.take(id)?;
        if let Some(reason) = lost {
            self.messages.dropped(env.msg.kind());
            self.trace.event(self.events, self.now_us, &Event::Drop { id: env.id, from: env.from, to: env.to, kind: env.msg.kind(), reason });
            return None;
        }
        self.messages.delivered(env.msg.kind());
        self.trace.event(self.events, self.now_us, &Event::Deliver { id: env.id, from: env.from, to: env.to, msg: &env.msg });
        let (from, msg) = (env.from, env.msg);
        self.handle(env.to, |p, ctx, actor| match actor {
            Actor::Node(node, _) => p.on_message(node.as_mut().expect("checked up"), from, msg, ctx),
            Actor::Client(client) => p.client_on_message(client, from, msg, ctx),
        });
        env.to.node()
    }

    /// Fires the pending timer of `addr` the engine numbered `id` (a crashed server's none).
    fn fire_timer(&mut self, addr: Addr, id: u64) -> bool {
        let timers = match addr {
            Addr::Node(id) => {
                let slot = &mut self.nodes[id as usize - 1];
                if slot.state.is_none() {
                    return false;
                }
                &mut slot.timers
            }
            Addr::Client(id) => &mut self.clients[id as usize - 1].timers,
        };
        let Some(t) = timers.take(id) else {
            return false;
        };
        self.trace.event_with_words(self.events, self.now_us, &Event::Timer { at: addr, timer: &t.timer }, || super::protocol::Timer::words(&t.timer));
        self.handle(addr, |p, ctx, actor| match actor {
            Actor::Node(node, _) => p.on_timer(node.as_mut().expect("checked up"), t.timer, ctx),
            Actor::Client(client) => p.client_on_timer(client, t.timer, ctx),
        });
        true
    }

    fn boot(&mut self, id: NodeId) {
        self.incarnations[id as usize - 1] += 1;
        self.handle(Addr::Node(id), |p, ctx, actor| {
            if let Actor::Node(state, durable) = actor {
                *state = Some(p.boot(id, durable, ctx));
            }
        });
    }

    /// Runs one handler of actor `me`: gives it a context with the actor's own random stream,
    /// then applies the effects it recorded, in order.
    fn handle(&mut self, me: Addr, call: impl FnOnce(&P, &mut Ctx<'_, P>, Actor<'_, P>)) {
        let n = self.nodes.len() as u32;
        let mut effects = std::mem::take(&mut self.effects);
        let (rng, actor) = match me {
            Addr::Node(id) => {
                let NodeSlot { state, durable, rng, .. } = &mut self.nodes[id as usize - 1];
                (rng, Actor::Node(state, durable))
            }
            Addr::Client(id) => {
                let ClientSlot { state, rng, .. } = &mut self.clients[id as usize - 1];
                (rng, Actor::Client(state))
            }
        };
        call(&self.proto, &mut Ctx::new(self.now_us, me, n, rng, &mut effects), actor);
        self.apply_effects(me, &mut effects);
        self.effects = effects;
    }

    fn apply_effects(&mut self, me: Addr, effects: &mut Vec<Effect<P>>) {
        let mut drained = effects.drain(..);
        while let Some(effect) = drained.next() {
            match effect {
                Effect::Send(to, msg) => {
                    if !self.triggers.is_empty()
                        && let Some(node) = me.node()
                    {
                        let incarnation = self.incarnations[node as usize - 1];
                        self.fire_triggers(node, msg.kind());
                        if !self.up(me) || self.incarnations[node as usize - 1] != incarnation {
                            let id = self.net.burn_id();
                            self.messages.lost_with_sender(msg.kind());
                            self.trace.event(self.events, self.now_us, &Event::Drop { id, from: me, to, kind: msg.kind(), reason: DropReason::SenderCrashed });
                            // The sender is gone: nothing else it meant to do happens.
                            drained.for_each(drop);
                            return;
                        }
                    }
                    self.send(me, to, msg);
                }
                Effect::SetTimer(timer, after_us) => {
                    self.seq += 1;
                    let id = self.seq;
                    // A timer due past the end of time never fires, rather than wrapping to the past.
                    let pending = PendingTimer { timer, set_us: self.now_us, due_us: self.now_us.saturating_add(after_us), id };
                    if let Some(ts) = self.timers_mut(me) {
                        ts.set(pending);
                    }
                    self.queue.push(Reverse(Queued { at_us: pending.due_us, seq: id, ev: Ev::Timer { addr: me, id } }));
                }
                Effect::CancelTimer(timer) => {
                    if let Some(ts) = self.timers_mut(me) {
                        ts.cancel(timer);
                    }
                }
                Effect::Persist => {
                    if let Addr::Node(id) = me {
                        let slot = &mut self.nodes[id as usize - 1];
                        if let Some(node) = &mut slot.state {
                            self.proto.save(node, &mut slot.durable);
                        }
                    }
                }
                Effect::Note(note) => {
                    if self.trace.on() {
                        // The mark is for whoever reads the kept lines; the text does not show it.
                        let mark = if self.trace.mode() == TraceMode::Lines { note.mark() } else { None };
                        self.trace.event_with_words(self.events, self.now_us, &Event::Note { at: me, note: &note, mark }, || note.words());
                    }
                }
            }
        }
    }

    fn timers_mut(&mut self, addr: Addr) -> Option<&mut Timers<P::Timer>> {
        match addr {
            Addr::Node(id) => self.nodes.get_mut(id as usize - 1).map(|n| &mut n.timers),
            Addr::Client(id) => self.clients.get_mut(id as usize - 1).map(|c| &mut c.timers),
        }
    }

    fn send(&mut self, from: Addr, to: Addr, msg: P::Msg) {
        let kind = msg.kind();
        self.messages.sent(kind);
        let sent = self.net.send(self.now_us, from, to, msg);
        if self.trace.on() {
            let e = &self.net.in_flight()[&sent.id];
            self.trace.event(self.events, self.now_us, &Event::Send { id: sent.id, from, to, kind: e.msg.kind(), heartbeat: e.msg.heartbeat(), msg: &e.msg, due_us: sent.due_us });
        }
        self.push(sent.due_us, Ev::Deliver(sent.id));
        if let Some((copy, due_us)) = sent.copy {
            self.messages.duplicated(kind);
            self.trace.event(self.events, self.now_us, &Event::Duplicate { copy, of: sent.id, from, due_us });
            self.push(due_us, Ev::Deliver(copy));
        }
    }

    fn fire_triggers(&mut self, node: NodeId, kind: &'static str) {
        let mut i = 0;
        while i < self.triggers.len() {
            if self.triggers[i].0 == node && self.triggers[i].1 == kind {
                let (_, _, index) = self.triggers.remove(i);
                self.triggered = true;
                let action = self.actions[index].clone();
                self.trace.event(self.events, self.now_us, &Event::Trigger { node, kind, action: &action });
                self.apply(action);
            } else {
                i += 1;
            }
        }
    }

    fn resolve(&self, target: Target) -> Option<NodeId> {
        match target {
            Target::Node(id) => Some(id).filter(|&id| id >= 1 && id as usize <= self.nodes.len()),
            Target::Leader => {
                let states: Vec<Option<&P::Node>> = self.nodes.iter().map(|n| n.state.as_ref()).collect();
                self.proto.leader(&states)
            }
        }
    }

    /// Applies an action; returns the server it touched, if one.
    fn apply(&mut self, action: Action<P::Request>) -> Option<NodeId> {
        let target = match &action {
            Action::Crash(t) | Action::Restart(t) | Action::Pause(t) | Action::Resume(t) | Action::Timeout(t) | Action::Isolate(t) | Action::Reconnect(t) => Some(*t),
            Action::Client { to: Some(t), .. } => Some(*t),
            _ => None,
        };
        let id = match target {
            Some(t) => match self.resolve(t) {
                Some(id) if id >= 1 && id as usize <= self.nodes.len() => Some(id),
                _ => {
                    self.trace.event(self.events, self.now_us, &Event::Skipped { action: &action });
                    return None;
                }
            },
            None => None,
        };
        self.trace.event(self.events, self.now_us, &Event::Action { node: id, action: &action });
        let s = |id: Option<NodeId>| id.unwrap_or(0) as usize - 1;
        match action {
            Action::Crash(_) => {
                let i = s(id);
                if self.nodes[i].state.take().is_some() {
                    self.nodes[i].timers.clear();
                    self.nodes[i].paused = false;
                    let deferred = std::mem::take(&mut self.deferred[i]);
                    self.trace.event(self.events, self.now_us, &Event::Crash { node: i as NodeId + 1 });
                    for q in deferred {
                        if let Ev::Deliver(m) = q.ev
                            && let Some(e) = self.net.take(m)
                        {
                            self.messages.dropped(e.msg.kind());
                            self.trace.event(self.events, self.now_us, &Event::Drop { id: e.id, from: e.from, to: e.to, kind: e.msg.kind(), reason: DropReason::Down });
                        }
                    }
                }
                return None;
            }
            Action::Restart(_) => {
                let nid = id.unwrap_or(0);
                if self.nodes[s(id)].state.is_none() {
                    self.trace.event(self.events, self.now_us, &Event::Restart { node: nid });
                    self.boot(nid);
                }
                return None;
            }
            Action::Pause(_) => {
                let slot = &mut self.nodes[s(id)];
                if slot.state.is_some() && !slot.paused {
                    slot.paused = true;
                    self.trace.event(self.events, self.now_us, &Event::Pause { node: id.unwrap_or(0) });
                }
            }
            Action::Resume(_) => {
                let slot = &mut self.nodes[s(id)];
                if slot.paused {
                    slot.paused = false;
                    let deferred = std::mem::take(&mut self.deferred[s(id)]);
                    self.trace.event(self.events, self.now_us, &Event::Resume { node: id.unwrap_or(0) });
                    for q in deferred {
                        // What waited happens now, in the order it was due.
                        if let Ev::Deliver(m) = q.ev
                            && self.net.redue(m, self.now_us)
                        {
                            self.trace.event(self.events, self.now_us, &Event::Due { id: m, due_us: self.now_us });
                        }
                        self.push(self.now_us, q.ev);
                    }
                }
            }
            Action::Timeout(_) => {
                let nid = id.unwrap_or(0);
                let slot = &self.nodes[s(id)];
                if let (Some(node), false) = (slot.state.as_ref(), slot.paused) {
                    let named = self.proto.timeout_now_timer(node).and_then(|named| slot.timers.get(named));
                    // The protocol's timer for it if pending, else the one due first.
                    if let Some(id) = named.or_else(|| slot.timers.iter().min_by_key(|t| (t.due_us, t.id))).map(|t| t.id) {
                        self.fire_timer(Addr::Node(nid), id);
                    }
                }
            }
            Action::Partition(groups) => self.net.partition(&groups),
            Action::Isolate(_) => self.net.isolate(id.unwrap_or(0)),
            Action::Reconnect(_) => self.net.unisolate(id.unwrap_or(0)),
            Action::Heal => self.net.heal(),
            Action::Cut(a, b) => self.net.cut(Addr::Node(a), Addr::Node(b)),
            Action::Repair(a, b) => self.net.repair(Addr::Node(a), Addr::Node(b)),
            Action::Hold(a, b) => self.net.hold(Addr::Node(a), Addr::Node(b)),
            Action::Release(a, b) => {
                for m in self.net.release(Addr::Node(a), Addr::Node(b), self.now_us) {
                    self.trace.event(self.events, self.now_us, &Event::Due { id: m, due_us: self.now_us });
                    self.push(self.now_us, Ev::Deliver(m));
                }
            }
            Action::Loss(p) => self.net.set_loss(p),
            Action::Duplicate(p) => self.net.set_duplicate(p),
            Action::Latency(lo, hi) => self.net.set_latency(lo, hi),
            Action::Link(a, b, p) => self.net.set_link(Addr::Node(a), Addr::Node(b), p),
            Action::Client { request, to: None, client } => {
                let cid = client.max(1);
                while self.clients.len() < cid as usize {
                    let next = self.clients.len() as ClientId + 1;
                    self.clients.push(ClientSlot { id: next, state: self.proto.new_client(next), timers: Timers::default(), rng: Rng::stream(self.seed, &format!("client/{next}")) });
                }
                self.handle(Addr::Client(cid), |p, ctx, actor| {
                    if let Actor::Client(client) = actor {
                        p.client_submit(client, request, ctx);
                    }
                });
            }
            Action::Client { request, to: Some(_), .. } => {
                let nid = id?;
                if !self.nodes[nid as usize - 1].paused {
                    self.handle(Addr::Node(nid), |p, ctx, actor| {
                        if let Actor::Node(Some(node), _) = actor {
                            p.on_request(node, request, ctx);
                        }
                    });
                }
                return Some(nid);
            }
            Action::Drop(m) => {
                if let Some(e) = self.net.take(m) {
                    self.messages.dropped(e.msg.kind());
                    self.trace.event(self.events, self.now_us, &Event::Drop { id: e.id, from: e.from, to: e.to, kind: e.msg.kind(), reason: DropReason::User });
                }
            }
            Action::Delay(m, by_us) => {
                if let Some((due, held)) = self.net.delay(m, by_us) {
                    self.trace.event(self.events, self.now_us, &Event::Due { id: m, due_us: due });
                    if !held {
                        self.push(due, Ev::Deliver(m));
                    }
                }
            }
        }
        None
    }

    fn check(&mut self, touched: Option<NodeId>) {
        let touched = if std::mem::take(&mut self.triggered) { None } else { touched };
        let world = World { now_us: self.now_us, events: self.events, nodes: &self.nodes, clients: &self.clients };
        self.checker.check(&world, touched, &mut self.breaches);
        if self.breaches.is_empty() {
            return;
        }
        let invariants = self.checker.invariants();
        for b in self.breaches.drain(..) {
            let slot = &mut self.violations[b.invariant];
            if slot.is_some() {
                continue;
            }
            let name = invariants[b.invariant].name;
            self.trace.event_with_words(self.events, self.now_us, &Event::Violation { invariant: name, detail: &b.detail }, || b.detail.clone());
            let v = Violation { invariant: name, at_us: self.now_us, event: self.events, detail: b.detail, nodes: b.nodes, positions: b.positions };
            if self.first_violation.is_none() {
                self.first_violation = Some(v.clone());
            }
            *slot = Some(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::firing_order;

    #[test]
    fn planned_actions_fire_by_event_then_time_and_ties_keep_their_written_order() {
        assert_eq!(firing_order(vec![(3, 0), (1, 500), (1, 100), (3, 0), (0, 900), (1, 100)]), vec![4, 2, 5, 1, 0, 3]);
        assert_eq!(firing_order(Vec::new()), Vec::<usize>::new());
    }
}
