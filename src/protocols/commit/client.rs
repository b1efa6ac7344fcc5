//! The client actor: sends `Begin` to the coordinator, may have several transactions under way
//! at once, and asks again (the same request number) until it hears each outcome. The
//! coordinator recognises a repeated request by its client and number, so a retry never starts
//! a second transaction.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Begin, COORDINATOR, CommitFamily, Decision, TxId};
use crate::sim::{ClientId, Ctx};

/// An answered request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answered {
    /// Request number.
    pub seq: u64,
    /// The transaction it became.
    pub tx: TxId,
    /// Its outcome.
    pub decision: Decision,
    /// How many times it was sent.
    pub attempts: u32,
}

/// A commit client.
#[derive(Clone, Debug)]
pub struct CommitClient {
    /// Its id.
    pub id: ClientId,
    /// Requests sent and not answered, by number, with the attempts so far.
    pub pending: BTreeMap<u64, (Begin, u32)>,
    /// Answers, in the order they came.
    pub answered: Vec<Answered>,
    next_seq: u64,
}

impl CommitClient {
    /// An idle client.
    pub fn new(id: ClientId) -> Self {
        CommitClient { id, pending: BTreeMap::new(), answered: Vec::new(), next_seq: 1 }
    }

    /// Sends a new request to the coordinator at once.
    pub fn submit<P: CommitFamily>(&mut self, request: Begin, cfg: &P, ctx: &mut Ctx<P>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(seq, (request.clone(), 1));
        ctx.send_node(COORDINATOR, P::begin_msg(seq, request));
        ctx.set_timer(P::client_retry(), cfg.client_timeout_us());
    }

    /// The coordinator reports an outcome.
    pub fn on_outcome<P: CommitFamily>(&mut self, seq: u64, tx: TxId, decision: Decision, ctx: &mut Ctx<P>) {
        if let Some((_, attempts)) = self.pending.remove(&seq) {
            self.answered.push(Answered { seq, tx, decision, attempts });
            if self.pending.is_empty() {
                ctx.cancel_timer(P::client_retry());
            }
        }
    }

    /// A message from a server: only an `Outcome` answers.
    pub fn on_message<P: CommitFamily>(&mut self, msg: P::Msg, ctx: &mut Ctx<P>) {
        if let Some((seq, tx, decision)) = P::outcome_of(&msg) {
            self.on_outcome(seq, tx, decision, ctx);
        }
    }

    /// A client timer fired: only the retry timer is the client's.
    pub fn on_timer<P: CommitFamily>(&mut self, timer: P::Timer, cfg: &P, ctx: &mut Ctx<P>) {
        if timer == P::client_retry() {
            self.on_timeout(cfg, ctx);
        }
    }

    /// No news in time: ask again about every pending request.
    pub fn on_timeout<P: CommitFamily>(&mut self, cfg: &P, ctx: &mut Ctx<P>) {
        for (seq, (request, attempts)) in self.pending.iter_mut() {
            *attempts += 1;
            ctx.send_node(COORDINATOR, P::begin_msg(*seq, request.clone()));
        }
        if !self.pending.is_empty() {
            ctx.set_timer(P::client_retry(), cfg.client_timeout_us());
        }
    }
}
