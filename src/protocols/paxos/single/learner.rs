//! The learner (Paxos Made Simple, section 2.3): it learns a value once a majority of acceptors
//! has accepted the same ballot, counting their Accepted messages; or, when the proposer
//! announces (`"announce": "proposer"`), from the proposer's Decide. What it learned is
//! written down, so a restarted learner still knows.
//!
//! **Catching up** (issue 21). Messages get lost, so a learner can miss every Accepted (or the
//! one Decide) of the round that chose the value; and once the proposers know the outcome, no
//! round runs again to tell it. Section 2.3 leaves it to the learner to find out ("the learner
//! could ask the acceptors what proposals they have accepted"). So a learner that does not know
//! the outcome keeps a catch-up timer. It fires `catchup_ms` after the learner last heard of a
//! ballot higher than any before: a new round, which may yet tell it, so while ballots climb it
//! waits. A learner that has heard of no round since it booted (nor has its acceptor, on
//! stable storage) waits the longest, 16 times `catchup_ms`: nothing says a value was chosen,
//! but it may have missed every message of the round that chose one.
//!
//! When the timer fires, the learner asks every server (Ask). One that knows the chosen value
//! (it learned it, or its proposer saw it chosen) answers Decide; an acceptor that does not
//! know answers with what it accepted (Accepted, to the asker only), and the learner counts
//! that as any Accepted. It asks again after twice the last wait (up to 16 times
//! `catchup_ms`), until it knows; news of a higher ballot brings the wait back to
//! `catchup_ms`. A learner that learns in time (any run without loss) never asks: learning
//! cancels the timer.
//!
//! Every answer states a fact that stays true — this acceptor accepted that ballot, that
//! server knows that value, which only a chosen value can be — so answers of any age are safe
//! to count. Under any loss rate below 100 % a question and an answer get through sooner or
//! later, so every learner that is up learns the chosen value, as long as some server knows it
//! or a majority of acceptors still shows the ballot that chose it. If neither holds, no
//! proposer knows either, and a proposer stops only when it knows: the one that proposed the
//! value is still running rounds (or will resume them when it restarts), and their Accepted
//! reach the learner or reset the timer.

use std::collections::BTreeSet;

use super::super::ballot::Ballot;
use super::Paxos;
use super::messages::{Msg, PaxosNote, PaxosTimer};
use super::node::{PaxosNode, Phase};
use crate::sim::{Ctx, NodeId};

/// The longest wait between two questions, in catch-up periods.
const MOST_DOUBLINGS: u32 = 4;

impl PaxosNode {
    /// An acceptor accepted `ballot` with `value`.
    pub fn on_accepted_as_learner(&mut self, from: NodeId, ballot: Ballot, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        let entry = self.tally.entry(ballot).or_insert_with(|| (value.clone(), BTreeSet::new()));
        entry.1.insert(from);
        if entry.1.len() >= Self::majority(cfg) {
            self.learn(value, cfg, ctx);
        }
    }

    /// A server that knows announced the chosen value.
    pub fn on_decide(&mut self, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if self.roles.learner {
            self.learn(value, cfg, ctx);
        }
    }

    fn learn(&mut self, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if self.learned.contains_key(&1) {
            return;
        }
        self.learned.insert(1, value.clone());
        ctx.persist();
        ctx.note(PaxosNote::Learned { value: value.clone() });
        ctx.cancel_timer(PaxosTimer::CatchUp);
        // A proposer that learns the outcome stops proposing.
        if self.roles.proposer {
            self.proposer_knows(value, false, cfg, ctx);
        }
    }

    /// Whether this server is a learner that does not know the outcome.
    pub fn in_doubt(&self) -> bool {
        self.roles.learner && !self.learned.contains_key(&1)
    }

    /// The chosen value, if this server knows it: learned, or seen chosen as a proposer.
    pub fn knows(&self) -> Option<&String> {
        match &self.phase {
            Phase::Done { value } => Some(value),
            _ => self.learned.get(&1),
        }
    }

    /// At boot: a learner in doubt starts its catch-up timer. If its acceptor has promised a
    /// ballot (stable storage), a round ran and it asks after `catchup_us`; one that has heard
    /// of no round has little reason to think a value was chosen, and waits the longest.
    pub(super) fn start_learner(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if !self.in_doubt() {
            return;
        }
        if self.roles.acceptor {
            self.heard = self.acceptor.promised;
        }
        self.asks = if self.heard.is_zero() { MOST_DOUBLINGS } else { 0 };
        self.arm_catch_up(cfg, ctx);
    }

    /// Arms the catch-up timer: `catchup_us`, doubled for each question asked since the last
    /// news.
    pub(super) fn arm_catch_up(&self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        ctx.set_timer(PaxosTimer::CatchUp, cfg.catchup_us << self.asks.min(MOST_DOUBLINGS));
    }

    /// A message of a round reached this server. A ballot above any it heard of is news: a
    /// round is running that may yet tell it, so a learner in doubt waits a full catch-up
    /// period from now before asking.
    pub(super) fn heard_of(&mut self, ballot: Ballot, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if ballot <= self.heard {
            return;
        }
        self.heard = ballot;
        if self.in_doubt() {
            self.asks = 0;
            self.arm_catch_up(cfg, ctx);
        }
    }

    /// The catch-up timer: still in doubt, so ask every server (itself too, through the
    /// inbox: its own acceptor's vote counts, and after a restart the count starts afresh).
    pub fn on_catch_up(&mut self, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        if !self.in_doubt() {
            return;
        }
        let mut everyone: Vec<NodeId> = cfg.proposers.iter().chain(&cfg.acceptors).chain(&cfg.learners).copied().collect();
        everyone.sort_unstable();
        everyone.dedup();
        for to in everyone {
            self.send(to, Msg::Ask, ctx);
        }
        self.asks += 1;
        self.arm_catch_up(cfg, ctx);
        self.drain(cfg, ctx);
    }

    /// A learner asks: tell it the chosen value if this server knows it, else what this
    /// acceptor accepted, if anything.
    pub fn on_ask(&mut self, from: NodeId, ctx: &mut Ctx<Paxos>) {
        let answer = match (self.knows(), self.acceptor.accepted.get(&1)) {
            (Some(value), _) => Msg::Decide { value: value.clone() },
            (None, Some((ballot, value))) if self.roles.acceptor => Msg::Accepted { ballot: *ballot, value: value.clone() },
            _ => return,
        };
        self.send(from, answer, ctx);
    }
}
