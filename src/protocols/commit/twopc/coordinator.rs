//! The 2PC coordinator's transitions (Bernstein et al., Figure 7-2): once it has logged
//! `start` and asked for votes (the opening both protocols share,
//! [`Core::begin`](crate::protocols::commit::Core::begin)), decide Commit on a Yes from
//! everyone, Abort on any No or when votes are missing at the timeout; log the decision before
//! announcing it; send it again until every participant acknowledges, then log `end`.

use std::collections::BTreeSet;

use super::TwoPc;
use super::messages::{Msg, TwoPcTimer};
use super::node::TwoPcNode;
use crate::protocols::commit::{Decision, Entry, TxId, Vote, participants};
use crate::sim::{Ctx, NodeId};

impl TwoPcNode {
    /// A vote arrives: a No decides Abort; the last Yes decides Commit.
    pub fn on_vote(&mut self, from: NodeId, tx: TxId, vote: Vote, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        match self.core.tally(from, tx, vote) {
            Some(Vote::No) => self.decide(tx, Decision::Abort, cfg, ctx),
            Some(Vote::Yes) => self.decide(tx, Decision::Commit, cfg, ctx),
            None => {}
        }
    }

    /// Votes are missing: the coordinator may abort, since no one can have committed.
    pub fn on_votes_timeout(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        if self.core.collecting.contains_key(&tx) {
            self.decide(tx, Decision::Abort, cfg, ctx);
        }
    }

    /// Logs the decision, then announces it and reports it to the waiting clients.
    pub fn decide(&mut self, tx: TxId, decision: Decision, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.core.collecting.remove(&tx);
        ctx.cancel_timer(TwoPcTimer::Votes(tx));
        self.core.write_decision(tx, decision, ctx);
        self.announce(tx, decision, cfg, ctx);
        self.core.report(tx, decision, ctx);
    }

    /// Sends a logged decision to every participant and waits for their acknowledgements.
    pub fn announce(&mut self, tx: TxId, decision: Decision, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.core.acks.insert(tx, BTreeSet::new());
        for p in participants(ctx.nodes()) {
            ctx.send_node(p, decision_msg(tx, decision));
        }
        ctx.set_timer(TwoPcTimer::Resend(tx), cfg.retry_us);
    }

    /// Sends the decision again to those that have not acknowledged it.
    pub fn on_resend(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        let (Some(acked), Some(decision)) = (self.core.acks.get(&tx), self.core.table.get(tx).and_then(|t| t.decision())) else {
            return;
        };
        for p in participants(ctx.nodes()).into_iter().filter(|p| !acked.contains(p)) {
            ctx.send_node(p, decision_msg(tx, decision));
        }
        ctx.set_timer(TwoPcTimer::Resend(tx), cfg.retry_us);
    }

    /// A participant has logged the decision; once all have, the coordinator logs `end`.
    pub fn on_ack(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<TwoPc>) {
        let Some(acked) = self.core.acks.get_mut(&tx) else {
            return;
        };
        acked.insert(from);
        if acked.len() == participants(ctx.nodes()).len() {
            self.core.acks.remove(&tx);
            ctx.cancel_timer(TwoPcTimer::Resend(tx));
            self.core.write(tx, Entry::End, ctx);
        }
    }
}

/// The phase-2 message carrying `decision`.
pub fn decision_msg(tx: TxId, decision: Decision) -> Msg {
    match decision {
        Decision::Commit => Msg::Commit { tx },
        Decision::Abort => Msg::Abort { tx },
    }
}
