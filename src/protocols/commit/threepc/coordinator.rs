//! The 3PC coordinator's transitions (Skeen 1981; Bernstein et al., section 7.5): log `start`
//! and ask `CanCommit` (the opening both protocols share,
//! [`Core::begin`](crate::protocols::commit::Core::begin)); on a Yes from everyone, log `precommitted` and send `PreCommit`; once
//! every participant has acknowledged — or at the timeout, a silent participant being a crashed
//! one that will learn the outcome when it recovers — log `commit` and send `DoCommit`. A No, or
//! votes missing at the timeout, logs `abort` and sends `Abort`.

use std::collections::BTreeSet;

use super::ThreePc;
use super::messages::{Msg, ThreePcTimer};
use super::node::ThreePcNode;
use crate::protocols::commit::{CommitNote, Decision, Entry, TxId, TxState, Vote, participants};
use crate::sim::{Ctx, NodeId};

impl ThreePcNode {
    /// A vote arrives: a No aborts; the last Yes starts phase 2.
    pub fn on_vote(&mut self, from: NodeId, tx: TxId, vote: Vote, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        match self.core.tally(from, tx, vote) {
            Some(Vote::No) => self.decide(tx, Decision::Abort, cfg, ctx),
            Some(Vote::Yes) => {
                self.core.collecting.remove(&tx);
                ctx.cancel_timer(ThreePcTimer::Votes(tx));
                self.core.write(tx, Entry::PreCommitted, ctx);
                ctx.note(CommitNote::PreCommitted { tx });
                for p in participants(ctx.nodes()) {
                    ctx.send_node(p, Msg::PreCommit { tx });
                }
                self.core.acks.insert(tx, BTreeSet::new());
                ctx.set_timer(ThreePcTimer::Acks(tx), cfg.ack_timeout_us);
            }
            None => {}
        }
    }

    /// Votes are missing: abort, since nobody can be pre-committed yet.
    pub fn on_votes_timeout(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if self.core.collecting.contains_key(&tx) {
            self.decide(tx, Decision::Abort, cfg, ctx);
        }
    }

    /// A pre-commit acknowledgement: to the coordinator, or to a backup coordinator.
    pub fn on_ack(&mut self, from: NodeId, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if !self.core.is_coordinator() {
            self.on_backup_ack(from, tx, ctx);
            return;
        }
        let Some(acked) = self.core.acks.get_mut(&tx) else {
            return;
        };
        acked.insert(from);
        if acked.len() == participants(ctx.nodes()).len() {
            self.decide(tx, Decision::Commit, cfg, ctx);
        }
    }

    /// Acknowledgements are missing: the silent participants are taken for crashed; commit.
    pub fn on_acks_timeout(&mut self, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if self.core.acks.contains_key(&tx) && self.core.table.state(tx) == TxState::PreCommitted {
            self.decide(tx, Decision::Commit, cfg, ctx);
        }
    }

    /// Logs the decision, then sends it to every participant (and reports it to the clients).
    pub fn decide(&mut self, tx: TxId, decision: Decision, _cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        self.record_decision(tx, decision, ctx);
        for p in participants(ctx.nodes()) {
            ctx.send_node(p, decision_msg(tx, decision));
        }
        self.core.report(tx, decision, ctx);
    }
}

/// The message carrying `decision`.
pub fn decision_msg(tx: TxId, decision: Decision) -> Msg {
    match decision {
        Decision::Commit => Msg::DoCommit { tx },
        Decision::Abort => Msg::Abort { tx },
    }
}
