//! The learner (Paxos Made Simple, section 2.3): it learns a value once a majority of acceptors
//! has accepted the same ballot, counting their Accepted messages; or, when the proposer
//! announces (`"announce": "proposer"`), from the proposer's Decide. What it learned is
//! written down, so a restarted learner still knows.

use std::collections::BTreeSet;

use super::super::ballot::Ballot;
use super::Paxos;
use super::messages::PaxosNote;
use super::node::PaxosNode;
use crate::sim::{Ctx, NodeId};

impl PaxosNode {
    /// An acceptor accepted `ballot` with `value`.
    pub fn on_accepted_as_learner(&mut self, from: NodeId, ballot: Ballot, value: String, cfg: &Paxos, ctx: &mut Ctx<Paxos>) {
        let entry = self.tally.entry(ballot).or_insert_with(|| (value.clone(), BTreeSet::new()));
        entry.1.insert(from);
        if entry.1.len() >= Self::majority(cfg) {
            self.learn(value, cfg, ctx);
        }
    }

    /// A proposer announced the chosen value.
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
        // A proposer that learns the outcome stops proposing.
        if self.roles.proposer {
            self.proposer_knows(value, false, cfg, ctx);
        }
    }
}
