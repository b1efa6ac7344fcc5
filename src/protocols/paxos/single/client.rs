//! A client of single-decree Paxos: asks a proposer to propose a value and waits to hear which
//! value was chosen (not necessarily its own). It tries the proposers in turn on a timeout.

use std::collections::VecDeque;

use serde::Serialize;

use super::messages::{Msg, PaxosTimer};
use super::{Paxos, Proposal};
use crate::sim::{ClientId, Ctx};

/// A finished request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Request number.
    pub seq: u64,
    /// The value it asked for.
    pub proposed: String,
    /// The value chosen.
    pub chosen: String,
    /// How many times it was sent.
    pub attempts: u32,
}

/// A client.
#[derive(Clone, Debug)]
pub struct PaxosClient {
    /// Its id.
    pub id: ClientId,
    /// Values not yet sent.
    pub queue: VecDeque<String>,
    /// The request in flight: number, value, attempts.
    pub current: Option<(u64, String, u32)>,
    /// Answers, in order.
    pub answered: Vec<Answer>,
    target: usize,
    next_seq: u64,
}

impl PaxosClient {
    /// An idle client; it starts with the first proposer (by id), or the client's id-th.
    pub fn new(id: ClientId) -> Self {
        PaxosClient { id, queue: VecDeque::new(), current: None, answered: Vec::new(), target: id as usize - 1, next_seq: 1 }
    }

    /// Queues a request; sends it now if nothing is in flight.
    pub fn submit(&mut self, p: Proposal, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        self.queue.push_back(p.value);
        if self.current.is_none() {
            self.start_next(cfg, ctx);
        }
    }

    fn start_next(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if let Some(value) = self.queue.pop_front() {
            self.current = Some((self.next_seq, value, 0));
            self.next_seq += 1;
            self.send_current(cfg, ctx);
        }
    }

    fn send_current(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if cfg.proposers.is_empty() {
            return;
        }
        let to = cfg.proposers[self.target % cfg.proposers.len()];
        if let Some((seq, value, attempts)) = &mut self.current {
            *attempts += 1;
            ctx.send_node(to, Msg::Propose { seq: *seq, value: value.clone() });
            ctx.set_timer(PaxosTimer::ClientRetry, cfg.client_timeout_us);
        }
    }

    /// A proposer says which value was chosen.
    pub fn on_chosen(&mut self, seq: u64, chosen: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        let Some((current, proposed, attempts)) = &self.current else {
            return;
        };
        if *current != seq {
            return;
        }
        self.answered.push(Answer { seq, proposed: proposed.clone(), chosen, attempts: *attempts });
        self.current = None;
        ctx.cancel_timer(PaxosTimer::ClientRetry);
        self.start_next(cfg, ctx);
    }

    /// No answer in time: try the next proposer.
    pub fn on_timeout(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if self.current.is_some() {
            self.target += 1;
            self.send_current(cfg, ctx);
        }
    }
}
