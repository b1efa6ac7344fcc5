//! The 2PC participant's transitions (Bernstein et al., Figure 7-2): vote when asked — a Yes
//! is logged (`prepared`) before it is sent and from then on the participant may not decide
//! alone; a No is logged as `voted-no` (an abort) before it is sent — then log the decision when it comes
//! and acknowledge it.

use super::TwoPc;
use super::messages::{Msg, TwoPcTimer};
use super::node::TwoPcNode;
use crate::protocols::commit::{COORDINATOR, CommitNote, Decision, Entry, TxId, TxState, Vote, VotePlan};
use crate::sim::{Ctx, NodeId};

impl TwoPcNode {
    /// Phase 1: the coordinator asks for a vote.
    pub fn on_prepare(&mut self, from: NodeId, tx: TxId, participants: Vec<NodeId>, plan: VotePlan, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        if self.core.is_coordinator() {
            return;
        }
        if let Some(t) = self.core.table.get(tx) {
            // A repeated request: the same vote again (aborted without voting: a No).
            let vote = t.vote.unwrap_or(Vote::No);
            ctx.send_node(from, Msg::Vote { tx, vote });
            return;
        }
        let vote = plan.decide(ctx.rng());
        match vote {
            Vote::Yes => {
                self.core.write(tx, Entry::Prepared { coordinator: from, participants }, ctx);
                ctx.set_timer(TwoPcTimer::Uncertain(tx), cfg.decision_timeout_us);
            }
            Vote::No => self.core.write(tx, Entry::VotedNo, ctx),
        }
        ctx.note(CommitNote::Voted { tx, vote });
        ctx.send_node(from, Msg::Vote { tx, vote });
    }

    /// Phase 2, or an answer to the termination protocol: the decision. `from_coordinator`
    /// says it came as Commit/Abort (which the coordinator wants acknowledged even if repeated).
    pub fn on_decision(&mut self, from: NodeId, tx: TxId, decision: Decision, from_coordinator: bool, ctx: &mut Ctx<TwoPc>) {
        if self.core.is_coordinator() {
            // A participant's answer to nobody's question: the coordinator knows its decisions.
            return;
        }
        match self.core.table.state(tx) {
            TxState::Prepared => self.learn(tx, decision, ctx),
            TxState::Committed | TxState::Aborted => {
                let had = self.core.table.get(tx).and_then(|t| t.decision());
                if had != Some(decision) {
                    ctx.note(CommitNote::Refused { tx, what: "conflicting decision ignored" });
                } else if from_coordinator {
                    ctx.send_node(from, Msg::Ack { tx });
                }
            }
            // Never voted: an abort is remembered (a later Prepare gets a No); a commit cannot
            // be honoured without this participant's Yes.
            TxState::Init | TxState::PreCommitted => match decision {
                Decision::Abort => {
                    self.core.write(tx, Entry::Abort, ctx);
                    ctx.note(CommitNote::Decided { tx, decision });
                    if from_coordinator {
                        ctx.send_node(from, Msg::Ack { tx });
                    }
                }
                Decision::Commit => ctx.note(CommitNote::Refused { tx, what: "commit refused: never voted yes" }),
            },
        }
    }

    /// Logs a decision this uncertain participant has learnt, releases its locks and
    /// acknowledges it to the coordinator.
    pub fn learn(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<TwoPc>) {
        self.core.write(tx, if decision == Decision::Commit { Entry::Commit } else { Entry::Abort }, ctx);
        ctx.note(CommitNote::Decided { tx, decision });
        ctx.cancel_timer(TwoPcTimer::Uncertain(tx));
        self.asking.remove(&tx);
        ctx.send_node(COORDINATOR, Msg::Ack { tx });
    }
}
