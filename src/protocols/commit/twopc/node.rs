//! A 2PC node: its log, table and coordinator's bookkeeping ([`Core`]), the transactions its
//! termination protocol asks about, and recovery from the log at boot.

use std::collections::BTreeSet;

use super::TwoPc;
use super::messages::{Msg, TwoPcTimer};
use crate::protocols::commit::{CommitNote, Core, Decision, TxId, TxState, Wal};
use crate::sim::{Ctx, NodeId};

/// A running 2PC node (coordinator or participant: node 1 is the coordinator).
#[derive(Clone, Debug)]
pub struct TwoPcNode {
    /// Log, table, clock, and the coordinator's bookkeeping (its `acks` are of the decision).
    pub core: Core,
    /// Participant: uncertain transactions for which it runs the termination protocol.
    pub asking: BTreeSet<TxId>,
}

impl TwoPcNode {
    /// Boots from stable storage and recovers (Bernstein et al., section 7.4): a coordinator
    /// aborts what it had not decided (no participant can have committed it) and sends again
    /// the decisions not yet acknowledged; a participant that voted Yes and has no decision is
    /// uncertain, so it asks the others at once. Anything else needs nothing: a participant with
    /// no `prepared` record for a transaction may abort it whenever it is asked.
    pub fn boot(wal: &Wal, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) -> Self {
        let core = Core::boot(ctx.nodes(), wal, ctx.now());
        let mut node = TwoPcNode { core, asking: BTreeSet::new() };
        let txs: Vec<(TxId, TxState, bool)> = node.core.table.iter().map(|t| (t.id, t.state, t.ended)).collect();
        for (tx, state, ended) in txs {
            if node.core.is_coordinator() {
                match state.decision() {
                    None => node.decide(tx, Decision::Abort, cfg, ctx),
                    Some(d) if !ended => node.announce(tx, d, cfg, ctx),
                    Some(_) => {}
                }
            } else if state == TxState::Prepared {
                ctx.note(CommitNote::Recovering { tx, state });
                node.ask(tx, cfg, ctx);
            }
        }
        node
    }

    /// Handles a message.
    pub fn on_message(&mut self, from: NodeId, msg: Msg, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.core.tick(ctx);
        match msg {
            Msg::Prepare { tx, participants, plan } => self.core.vote(from, tx, participants, plan, cfg, ctx),
            Msg::Vote { tx, vote } => self.on_vote(from, tx, vote, cfg, ctx),
            Msg::Commit { tx } => self.on_decision(from, tx, Decision::Commit, true, ctx),
            Msg::Abort { tx } => self.on_decision(from, tx, Decision::Abort, true, ctx),
            Msg::DecisionReply { tx, decision } => self.on_decision(from, tx, decision, false, ctx),
            Msg::Ack { tx } => self.on_ack(from, tx, ctx),
            Msg::DecisionRequest { tx } => self.on_decision_request(from, tx, ctx),
            // Client traffic arrives through `Core::begin`; outcomes go to clients only.
            Msg::Begin { .. } | Msg::Outcome { .. } => {}
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, timer: TwoPcTimer, cfg: &TwoPc, ctx: &mut Ctx<TwoPc>) {
        self.core.tick(ctx);
        match timer {
            TwoPcTimer::Votes(tx) => self.on_votes_timeout(tx, cfg, ctx),
            TwoPcTimer::Resend(tx) => self.on_resend(tx, cfg, ctx),
            TwoPcTimer::Uncertain(tx) => self.on_uncertain_timeout(tx, cfg, ctx),
            TwoPcTimer::ClientRetry => {}
        }
    }
}
