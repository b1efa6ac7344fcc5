//! The 3PC participant's transitions: vote (a Yes logged as `prepared` before it is sent, a No
//! logged as `voted-no`: the opening both protocols share,
//! [`Core::vote`](crate::protocols::commit::Core::vote)), pre-commit when told (logged before the acknowledgement), and decide
//! when told; its timer starts the termination protocol ([`super::termination`]).

use super::ThreePc;
use super::messages::{Msg, ThreePcTimer};
use super::node::{Term, ThreePcNode};
use crate::protocols::commit::{CommitNote, Decision, Entry, Refusal, TxId, TxState};
use crate::sim::{Ctx, NodeId};

impl ThreePcNode {
    /// Phase 2, from the coordinator or a backup: everyone voted Yes. Logged before the
    /// acknowledgement, so a participant that acknowledged is pre-committed even after a crash.
    pub fn on_precommit(&mut self, from: NodeId, tx: TxId, cfg: &ThreePc, ctx: &mut Ctx<ThreePc>) {
        if self.core.is_coordinator() {
            return;
        }
        match self.core.table.state(tx) {
            TxState::Prepared => {
                self.core.write(tx, Entry::PreCommitted, ctx);
                ctx.note(CommitNote::PreCommitted { tx });
            }
            TxState::PreCommitted | TxState::Committed => {}
            TxState::Aborted => {
                ctx.send_node(from, Msg::DecisionReply { tx, decision: Decision::Abort });
                return;
            }
            TxState::Init => {
                ctx.note(CommitNote::Refused { tx, what: Refusal::PreCommitNeverVoted });
                return;
            }
        }
        ctx.send_node(from, Msg::Ack { tx });
        if self.core.table.state(tx) != TxState::PreCommitted || self.recovering.contains(&tx) {
            return;
        }
        // Someone is driving the transaction to commit: wait for it, afresh.
        // A backup coordinator keeps its role against a higher-numbered one (the bully rule).
        let backup = matches!(self.term.get(&tx), Some(Term::Gathering { .. } | Term::Committing { .. }));
        if !(backup && from > self.core.id) {
            if backup {
                ctx.note(CommitNote::StepDown { tx, to: from });
            }
            self.term.remove(&tx);
            for t in [ThreePcTimer::Election(tx), ThreePcTimer::Gather(tx), ThreePcTimer::BackupAcks(tx)] {
                ctx.cancel_timer(t);
            }
            ctx.set_timer(ThreePcTimer::Uncertain(tx), cfg.decision_timeout_us);
        }
    }
}
