//! The proposer (Paxos Made Simple, section 2.2): a round is a ballot; phase 1 collects
//! promises from a majority of acceptors, phase 2 asks them to accept a value — the value of
//! the highest-ballot proposal any of those promises reported, and the proposer's own value
//! only if none did. That one rule is what keeps a chosen value chosen;
//! [`PlantedBug::IgnorePromisedValues`](super::PlantedBug) breaks it on purpose.
//!
//! **Retries and back-off.** A round can be refused (a Nack: an acceptor promised a higher
//! ballot) or simply go unanswered (loss, crashes). When a round starts, the proposer arms its
//! retry timer; when it fires and the proposer still does not know the chosen value, it starts
//! a higher round. A refusal ends the round early (no more accept requests in it) and tells the
//! proposer which round to beat, but does not start the next one: two proposers that retried
//! straight on a Nack could not keep preempting each other (a Nack takes two trips, while a
//! rival's prepare must land within one round trip of the other's), whereas proposers retrying
//! on timers of the same length can duel forever — the livelock of section 2.4. With
//! `"backoff": "fixed"` the timer is exactly `retry_ms`; with `"random"` a random back-off of up
//! to `backoff_ms` (doubling with each failed round, up to 16 times) is added, and the duel ends.

use super::super::ballot::Ballot;
use super::messages::{Msg, PaxosNote, PaxosTimer};
use super::node::{PaxosNode, Phase};
use super::{Announce, Backoff, Paxos, PlantedBug};
use crate::sim::{ClientId, Ctx, Micros, NodeId};

impl PaxosNode {
    /// A request to propose `value` handed to this server (a scenario's `"to"`).
    pub fn on_request(&mut self, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if !self.roles.proposer {
            ctx.note(PaxosNote::NotProposer);
            return;
        }
        self.take_value(value, ctx);
        if !matches!(self.phase, Phase::Done { .. }) {
            self.start_round(cfg, ctx);
        }
        self.drain(cfg, ctx);
    }

    /// A client asks this proposer to propose `value`.
    pub fn on_client_propose(&mut self, client: ClientId, seq: u64, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if !self.roles.proposer {
            return;
        }
        if let Phase::Done { value: chosen } = &self.phase {
            let chosen = chosen.clone();
            ctx.send(crate::sim::Addr::Client(client), Msg::Chosen { seq, value: chosen });
            return;
        }
        if !self.waiting.contains(&(client, seq)) {
            self.waiting.push((client, seq));
        }
        if self.value.is_none() {
            self.take_value(value, ctx);
            self.start_round(cfg, ctx);
            self.drain(cfg, ctx);
        }
    }

    fn take_value(&mut self, value: String, ctx: &mut Ctx<Paxos>) {
        self.proposed.push(value.clone());
        self.value = Some(value);
        ctx.persist();
    }

    fn retry_after(&self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) -> Micros {
        match cfg.backoff {
            Backoff::Fixed => cfg.retry_us,
            Backoff::Random => {
                let doublings = self.attempts.saturating_sub(1).min(4);
                cfg.retry_us + ctx.rng().range_inclusive(0, cfg.backoff_us << doublings)
            }
        }
    }

    /// Called at boot: a proposer that had a value and does not know the outcome resumes
    /// after its retry timer.
    pub fn start(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if self.roles.proposer && self.value.is_some() && self.phase == Phase::Idle {
            let after = self.retry_after(cfg, ctx);
            ctx.set_timer(PaxosTimer::Retry, after);
        }
    }

    /// Phase 1a: a new ballot above every round used or seen, persisted before any prepare
    /// leaves, sent to every acceptor.
    pub fn start_round(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        // Rounds start at most at 2^53 (the scenario parser's limit); a wrapped round 0 would be
        // below every promise, and a value chosen in it would break the ballots' order.
        self.round = self.round.max(self.highest_seen).checked_add(1).expect("a round below 2^64 - 1: a ballot past the largest round would wrap to 0");
        let ballot = Ballot::new(self.round, self.id);
        self.phase = Phase::Preparing { ballot, promises: Default::default() };
        self.attempts += 1;
        self.started.push(ballot);
        ctx.persist();
        ctx.note(PaxosNote::Round { ballot });
        let after = self.retry_after(cfg, ctx);
        ctx.set_timer(PaxosTimer::Retry, after);
        for &a in &cfg.acceptors {
            self.send(a, Msg::Prepare { ballot }, ctx);
        }
    }

    /// The retry timer: no known outcome yet, so a higher round.
    pub fn on_retry(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if self.roles.proposer && self.value.is_some() && !matches!(self.phase, Phase::Done { .. }) {
            self.start_round(cfg, ctx);
            self.drain(cfg, ctx);
        }
    }

    /// Phase 1b arrives. With a majority of promises, phase 2a: propose the value of the
    /// highest-ballot proposal reported, or the own value if none was.
    pub fn on_promise(&mut self, from: NodeId, ballot: Ballot, accepted: Option<(Ballot, String)>, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        let Phase::Preparing { ballot: current, promises } = &mut self.phase else {
            return;
        };
        if *current != ballot {
            return;
        }
        promises.insert(from, accepted);
        if promises.len() < Self::majority(cfg) {
            return;
        }
        let reported = promises.values().flatten().max_by_key(|(b, _)| *b).map(|(_, v)| v.clone());
        let ignore = cfg.planted_bug == Some(PlantedBug::IgnorePromisedValues);
        let (value, adopted) = match (reported, &self.value) {
            (Some(_), Some(own)) if ignore => (own.clone(), false),
            (Some(v), _) => (v, true),
            (None, Some(own)) => (own.clone(), false),
            (None, None) => return,
        };
        self.phase = Phase::Accepting { ballot, value: value.clone(), accepted: Default::default() };
        ctx.note(PaxosNote::Propose { ballot, value: value.clone(), adopted });
        for &a in &cfg.acceptors {
            self.send(a, Msg::Accept { ballot, value: value.clone() }, ctx);
        }
    }

    /// Phase 2b arrives at the proposer: with a majority, its value is chosen and it knows.
    pub fn on_accepted_as_proposer(&mut self, from: NodeId, ballot: Ballot, value: &str, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        let Phase::Accepting { ballot: current, accepted, .. } = &mut self.phase else {
            return;
        };
        if *current != ballot {
            return;
        }
        accepted.insert(from);
        if accepted.len() >= Self::majority(cfg) {
            self.proposer_knows(value.to_string(), true, cfg, ctx);
        }
    }

    /// The proposer knows the chosen value: it stops, answers its clients, and (if it is the
    /// one that saw the majority and proposers announce) tells the learners.
    pub(super) fn proposer_knows(&mut self, value: String, saw_majority: bool, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if matches!(self.phase, Phase::Done { .. }) {
            return;
        }
        self.phase = Phase::Done { value: value.clone() };
        ctx.cancel_timer(PaxosTimer::Retry);
        if saw_majority && cfg.announce == Announce::Proposer {
            for &l in &cfg.learners {
                self.send(l, Msg::Decide { value: value.clone() }, ctx);
            }
        }
        self.answer_clients(&value, ctx);
    }

    /// A refusal: remember the round to beat; if it refuses the running round, that round is
    /// over (the retry timer starts the next).
    pub fn on_nack(&mut self, ballot: Ballot, promised: Ballot, ctx: &mut Ctx<Paxos>) {
        self.highest_seen = self.highest_seen.max(promised.round);
        if self.phase.ballot() == Some(ballot) && promised > ballot {
            self.phase = Phase::Idle;
            ctx.note(PaxosNote::Preempted { ballot, by: promised });
        }
    }
}
