//! The cooperative termination protocol (Bernstein et al., section 7.4): a participant that
//! voted Yes and hears no decision cannot decide alone — the coordinator may have decided
//! either way — so it asks every other process. Whoever knows the decision answers with it; a
//! participant that has not voted yet may abort (nobody can have committed without its Yes)
//! and answers Abort; an uncertain one cannot help. If every process it reaches is uncertain,
//! the participant stays **blocked**, holding its locks, and asks again until the coordinator
//! (or someone who heard from it) answers.

use super::messages::{Msg, TwoPcTimer};
use super::node::TwoPcNode;
use super::{PlantedBug, TwoPc};
use crate::protocols::commit::{COORDINATOR, CommitNote, Decision, TxId, TxState};
use crate::sim::{Ctx, NodeId};

impl TwoPcNode {
    /// The participant's decision timer: still uncertain, so ask everyone (again).
    pub fn on_uncertain_timeout(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        if self.core.table.state(tx) != TxState::Prepared {
            return;
        }
        if cfg.planted_bug == Some(PlantedBug::CommitOnTimeout) {
            // Wrong on purpose: an uncertain participant does not know the decision.
            ctx.note(CommitNote::PlantedBug { tx });
            self.learn(tx, Decision::Commit, ctx);
            return;
        }
        if self.asking.insert(tx) {
            ctx.note(CommitNote::Blocked { tx });
        }
        self.ask(tx, cfg, ctx);
    }

    /// Sends DecisionRequest to the coordinator and the other participants, and arms the retry.
    pub fn ask(&mut self, tx: TxId, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.asking.insert(tx);
        let others: Vec<NodeId> = match self.core.table.get(tx) {
            Some(t) => std::iter::once(COORDINATOR).chain(t.participants.iter().copied()).filter(|&p| p != self.core.id).collect(),
            None => return,
        };
        for p in others {
            ctx.send_node(p, Msg::DecisionRequest { tx });
        }
        ctx.set_timer(TwoPcTimer::Uncertain(tx), cfg.retry_us);
    }

    /// Someone asks for the decision of `tx`.
    pub fn on_decision_request(&mut self, from: NodeId, tx: TxId, ctx: &mut Ctx<TwoPc>) {
        match self.core.table.get(tx).map(|t| t.state) {
            Some(s) if s.decision().is_some() => {
                let decision = s.decision().expect("checked");
                ctx.send_node(from, Msg::DecisionReply { tx, decision });
            }
            // Not voted yet: this participant may abort on its own, and answers so.
            None if !self.core.is_coordinator() => {
                self.core.write_decision(tx, Decision::Abort, ctx);
                ctx.send_node(from, Msg::DecisionReply { tx, decision: Decision::Abort });
            }
            // Uncertain too, or a coordinator still collecting votes: nothing to tell.
            _ => {}
        }
    }
}
