//! What a participant does alike in both protocols when the coordinator asks for its vote: a
//! Yes is logged (`prepared`) before it is sent, and from then on the participant may not
//! decide alone, so it arms its timer for what should come next; a No is logged as `voted-no`
//! (an abort: nobody can commit without its Yes) before it is sent. A repeated request gets the
//! same vote again. What the participant does next — wait for a decision, pre-commit, run a
//! termination protocol — is each protocol's own.

use super::core::Core;
use super::wal::Entry;
use super::{CommitFamily, CommitNote, TxId, Vote, VotePlan};
use crate::sim::{Ctx, NodeId};

impl Core {
    /// Phase 1: the coordinator `from` asks for a vote on `tx`, naming every participant.
    pub fn vote<P: CommitFamily>(&mut self, from: NodeId, tx: TxId, participants: Vec<NodeId>, plan: VotePlan, cfg: &P, ctx: &mut Ctx<P>) {
        if self.is_coordinator() {
            return;
        }
        if let Some(t) = self.table.get(tx) {
            // A repeated request: the same vote again (aborted without voting: a No).
            let vote = t.vote.unwrap_or(Vote::No);
            ctx.send_node(from, P::vote_msg(tx, vote));
            return;
        }
        let vote = plan.decide(ctx.rng());
        match vote {
            Vote::Yes => {
                self.write(tx, Entry::Prepared { coordinator: from, participants }, ctx);
                ctx.set_timer(P::uncertain_timer(tx), cfg.decision_timeout_us());
            }
            Vote::No => self.write(tx, Entry::VotedNo, ctx),
        }
        ctx.note(CommitNote::Voted { tx, vote });
        ctx.send_node(from, P::vote_msg(tx, vote));
    }
}
