//! The 2PC participant's transitions (Bernstein et al., Figure 7-2): once it has voted (the
//! opening both protocols share, [`Core::vote`](crate::protocols::commit::Core::vote): a Yes
//! logged as `prepared` before it is sent, after which it may not decide alone; a No logged as
//! `voted-no`), log the decision when it comes and acknowledge it.

use super::TwoPc;
use super::messages::{Msg, TwoPcTimer};
use super::node::TwoPcNode;
use crate::protocols::commit::{COORDINATOR, CommitNote, Decision, Refusal, TxId, TxState};
use crate::sim::{Ctx, NodeId};

impl TwoPcNode {
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
                    ctx.note(CommitNote::Refused { tx, what: Refusal::Conflicting });
                } else if from_coordinator {
                    ctx.send_node(from, Msg::Ack { tx });
                }
            }
            // Never voted: an abort is remembered (a later Prepare gets a No); a commit cannot
            // be honoured without this participant's Yes.
            TxState::Init | TxState::PreCommitted => match decision {
                Decision::Abort => {
                    self.core.write_decision(tx, decision, ctx);
                    if from_coordinator {
                        ctx.send_node(from, Msg::Ack { tx });
                    }
                }
                Decision::Commit => ctx.note(CommitNote::Refused { tx, what: Refusal::CommitNeverVoted }),
            },
        }
    }

    /// Logs a decision this uncertain participant has learnt, releases its locks and
    /// acknowledges it to the coordinator.
    pub fn learn(&mut self, tx: TxId, decision: Decision, ctx: &mut Ctx<TwoPc>) {
        self.core.write_decision(tx, decision, ctx);
        ctx.cancel_timer(TwoPcTimer::Uncertain(tx));
        self.asking.remove(&tx);
        ctx.send_node(COORDINATOR, Msg::Ack { tx });
    }
}
