//! The client actor: submits commands one at a time, follows redirects, retries on timeout
//! (the Raft paper, section 8). Request numbers let the cluster apply a retried command once.
//! It speaks to any [`KvService`]: Raft and Multi-Paxos servers alike.

use std::collections::VecDeque;

use serde::Serialize;

use super::command::{Answer, Command};
use super::{ClientOutcome, KvService};
use crate::sim::{Addr, ClientId, Ctx, Micros, NodeId};

/// A finished request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answered {
    /// Request number.
    pub seq: u64,
    /// The command (as its text in reports).
    #[serde(serialize_with = "as_text")]
    pub command: Command,
    /// The state machine's answer.
    pub result: Answer,
    /// How many times it was sent.
    pub attempts: u32,
    /// When the client first sent it (in reports, in the run's `history`).
    #[serde(skip)]
    pub sent_us: Micros,
    /// When the answer came (in reports, in the run's `history`).
    #[serde(skip)]
    pub answered_us: Micros,
}

fn as_text<S: serde::Serializer>(command: &Command, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(command)
}

/// One client operation, as linearizability and history checkers (Porcupine, Knossos, Elle)
/// take one after a small conversion: who, what, when it was invoked and completed, and what it
/// returned. A run's history is every client's, in [`history`]; the README documents its JSON
/// and the conversions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operation {
    /// The client (1 for C1): a checker's process.
    pub client: ClientId,
    /// Its request number, 1, 2, ... per client.
    pub seq: u64,
    /// The command as written.
    #[serde(serialize_with = "as_text")]
    pub command: Command,
    /// What it does: `set`, `get`, `del` or `noop`.
    pub f: &'static str,
    /// The key it names; null for a no-op.
    pub key: Option<String>,
    /// The value a `set` writes; null for the others.
    pub value: Option<String>,
    /// When the client first sent it, in µs of virtual time: the operation cannot take effect
    /// before. A request still waiting in the client's queue was not invoked and is left out.
    pub invoked_us: Micros,
    /// When its answer reached the client; null if none had by the end of the run.
    pub completed_us: Option<Micros>,
    /// `ok`: answered; `pending`: no answer by the end of the run, so it may or may not have
    /// taken effect, then or later (Jepsen's `:info`).
    pub status: &'static str,
    /// The answer: `"ok"` for `set`, the value for `get` (null for a missing key), `"1"` or
    /// `"0"` for `del`, `""` for `noop`; null while pending.
    pub result: Option<Answer>,
}

impl Operation {
    fn new(client: ClientId, seq: u64, command: &Command, invoked_us: Micros, completed: Option<(Micros, &Answer)>) -> Self {
        Operation {
            client,
            seq,
            command: command.clone(),
            f: command.verb(),
            key: command.key().map(str::to_string),
            value: command.value().map(str::to_string),
            invoked_us,
            completed_us: completed.map(|(at, _)| at),
            status: if completed.is_some() { "ok" } else { "pending" },
            result: completed.map(|(_, a)| a.clone()),
        }
    }
}

/// Every client's operations, ordered by invocation time (then client, then number): the run's
/// history as clients saw it.
pub fn history<'a>(clients: impl IntoIterator<Item = &'a KvClient>) -> Vec<Operation> {
    let mut ops: Vec<Operation> = clients.into_iter().flat_map(KvClient::history).collect();
    ops.sort_by_key(|o| (o.invoked_us, o.client, o.seq));
    ops
}

/// A key-value client.
#[derive(Clone, Debug)]
pub struct KvClient {
    /// Its id.
    pub id: ClientId,
    /// Commands not yet sent.
    pub queue: VecDeque<Command>,
    /// The command in flight, its number and the attempts so far.
    pub current: Option<(u64, Command, u32)>,
    /// The server it will try next.
    pub target: Option<NodeId>,
    /// Answers received, in order.
    pub answered: Vec<Answered>,
    /// When the command in flight was first sent.
    pub current_since_us: Micros,
    next_seq: u64,
}

impl KvClient {
    /// An idle client.
    pub fn new(id: ClientId) -> Self {
        KvClient { id, queue: VecDeque::new(), current: None, target: None, answered: Vec::new(), current_since_us: 0, next_seq: 1 }
    }

    /// This client's operations: those answered, then the one in flight (not those queued,
    /// which were never sent).
    pub fn history(&self) -> Vec<Operation> {
        let answered = self.answered.iter().map(|a| Operation::new(self.id, a.seq, &a.command, a.sent_us, Some((a.answered_us, &a.result))));
        let pending = self.current.iter().map(|(seq, command, _)| Operation::new(self.id, *seq, command, self.current_since_us, None));
        answered.chain(pending).collect()
    }

    /// Queues a command; sends it now if nothing is in flight.
    pub fn submit<P: KvService>(&mut self, command: Command, cfg: &P, ctx: &mut Ctx<P>) {
        self.queue.push_back(command);
        if self.current.is_none() {
            self.start_next(cfg, ctx);
        }
    }

    fn start_next<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        if let Some(command) = self.queue.pop_front() {
            self.current = Some((self.next_seq, command, 0));
            self.current_since_us = ctx.now();
            self.next_seq += 1;
            self.send_current(cfg, ctx);
        }
    }

    fn send_current<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        let nodes = ctx.nodes();
        let target = match self.target {
            Some(t) => t,
            None => ctx.rng().range_inclusive(1, nodes as u64) as NodeId,
        };
        self.target = Some(target);
        if let Some((seq, command, attempts)) = &mut self.current {
            *attempts += 1;
            ctx.send_node(target, P::client_request(*seq, command.clone()));
            ctx.set_timer(P::client_retry_timer(), cfg.client_timeout_us());
        }
    }

    fn rotate(&mut self, nodes: u32) {
        self.target = self.target.map(|t| t % nodes + 1);
    }

    /// A reply: done, or redirected.
    pub fn on_reply<P: KvService>(&mut self, from: Addr, seq: u64, outcome: ClientOutcome, cfg: &P, ctx: &mut Ctx<P>) {
        let Some((current, command, attempts)) = &self.current else {
            return;
        };
        if *current != seq {
            return;
        }
        match outcome {
            ClientOutcome::Done(result) => {
                self.answered.push(Answered { seq, command: command.clone(), result, attempts: *attempts, sent_us: self.current_since_us, answered_us: ctx.now() });
                self.current = None;
                ctx.cancel_timer(P::client_retry_timer());
                self.start_next(cfg, ctx);
            }
            ClientOutcome::NotLeader(Some(hint)) if Some(hint) != from.node() => {
                self.target = Some(hint);
                self.send_current(cfg, ctx);
            }
            // No leader known: try another server when the retry timer fires, rather than
            // spinning on servers that are mid-election.
            ClientOutcome::NotLeader(_) => self.rotate(ctx.nodes()),
        }
    }

    /// No answer in time: try the next server.
    pub fn on_timeout<P: KvService>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        if self.current.is_some() {
            self.rotate(ctx.nodes());
            self.send_current(cfg, ctx);
        }
    }
}
