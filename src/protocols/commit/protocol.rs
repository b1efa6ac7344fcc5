//! How a commit protocol meets the engine. Its `Protocol`, `Checked` and `Report` impls
//! ([`crate::sim::Protocol`], [`crate::sim::Checked`], [`crate::sim::Report`]) are the same for
//! 2PC and 3PC but for the types they name, and the engine's traits must be implemented per
//! type: so `commit_protocol!` writes them, each method a call into the shared modules or the
//! protocol's [`CommitFamily`] hooks.
//!
//! Both protocols alike: a client's `Begin` opens a transaction at the coordinator
//! ([`super::Core::begin`]); messages between servers and timers go to the protocol's node; the
//! client is [`super::CommitClient`], the stable storage the write-ahead log (empty at first),
//! the checker [`super::CommitChecker`], and the scenario target `"leader"` the coordinator.

use super::CommitFamily;
use crate::sim::{Addr, Ctx, NodeId};

/// A message delivered to a node: a client's `Begin` opens a transaction (only the
/// coordinator accepts it); anything else a client sends is ignored; a server's message goes to
/// the protocol.
pub fn on_message<P: CommitFamily>(cfg: &P, node: &mut P::Node, from: Addr, msg: P::Msg, ctx: &mut Ctx<P>) {
    match from {
        Addr::Client(c) => {
            if let Some((seq, request)) = P::begin_of(msg) {
                P::core_mut(node).begin(Some((c, seq)), request, cfg, ctx);
            }
        }
        Addr::Node(f) => cfg.on_server_message(node, f, msg, ctx),
    }
}

/// The coordinator, while it runs: what a scenario's target `"leader"` names.
pub fn leader<P: CommitFamily>(nodes: &[Option<&P::Node>]) -> Option<NodeId> {
    nodes.first().copied().flatten().map(|n| P::core(n).id)
}

/// Writes `impl Protocol`, `impl Checked` and `impl Report` for a commit protocol `$ty` named
/// `$name`, whose nodes, messages and timers are `$node`, `$msg` and `$timer`, from its
/// [`CommitFamily`] impl and the shared modules.
macro_rules! commit_protocol {
    ($ty:ty, $name:literal, $node:ty, $msg:ty, $timer:ty) => {
        // A block of its own, so that its imports stay out of the protocol's module.
        const _: () = {
            use serde_json::Value;
            use $crate::protocols::commit::{Begin, CommitChecker, CommitClient, CommitFamily, CommitNote, Wal, protocol, view};
            use $crate::sim::{Addr, Checked, ClientId, Ctx, NodeId, Protocol, Report, World};

            impl Protocol for $ty {
                type Msg = $msg;
                type Timer = $timer;
                type Note = CommitNote;
                type Durable = Wal;
                type Node = $node;
                type Client = CommitClient;
                type Request = Begin;

                fn name(&self) -> &'static str {
                    $name
                }

                fn fresh_durable(&self, id: NodeId) -> Wal {
                    Wal::new(id)
                }

                fn boot(&self, _id: NodeId, durable: &Wal, ctx: &mut Ctx<Self>) -> $node {
                    self.boot_node(durable, ctx)
                }

                fn on_message(&self, node: &mut $node, from: Addr, msg: $msg, ctx: &mut Ctx<Self>) {
                    protocol::on_message(self, node, from, msg, ctx);
                }

                fn on_timer(&self, node: &mut $node, timer: $timer, ctx: &mut Ctx<Self>) {
                    self.on_server_timer(node, timer, ctx);
                }

                fn on_request(&self, node: &mut $node, request: Begin, ctx: &mut Ctx<Self>) {
                    Self::core_mut(node).begin(None, request, self, ctx);
                }

                fn save(&self, node: &mut $node, durable: &mut Wal) {
                    Self::core_mut(node).save(durable);
                }

                fn new_client(&self, id: ClientId) -> CommitClient {
                    CommitClient::new(id)
                }

                fn client_submit(&self, client: &mut CommitClient, request: Begin, ctx: &mut Ctx<Self>) {
                    client.submit(request, self, ctx);
                }

                fn client_on_message(&self, client: &mut CommitClient, _from: Addr, msg: $msg, ctx: &mut Ctx<Self>) {
                    client.on_message(msg, ctx);
                }

                fn client_on_timer(&self, client: &mut CommitClient, timer: $timer, ctx: &mut Ctx<Self>) {
                    client.on_timer(timer, self, ctx);
                }

                /// The scenario target `"leader"` names the coordinator, while it runs.
                fn leader(&self, nodes: &[Option<&$node>]) -> Option<NodeId> {
                    protocol::leader::<Self>(nodes)
                }
            }

            impl Checked for $ty {
                type Checker = CommitChecker;

                fn checker(&self, nodes: u32) -> CommitChecker {
                    CommitChecker::new(nodes)
                }
            }

            impl Report for $ty {
                fn node_view(&self, node: &$node) -> Value {
                    view::node_view(self, node)
                }

                fn durable_view(&self, durable: &Wal) -> Value {
                    view::durable_view(durable)
                }

                fn client_view(&self, client: &CommitClient) -> Value {
                    view::client_view(client)
                }

                fn outcome(&self, world: &World<'_, Self>, checker: &CommitChecker) -> Value {
                    view::outcome(world, checker)
                }
            }
        };
    };
}

pub(crate) use commit_protocol;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::commit::threepc::ThreePc;
    use crate::protocols::commit::twopc::TwoPc;
    use crate::protocols::commit::{Begin, CommitClient, Decision};
    use crate::sim::protocol::Effect;
    use crate::sim::rng::Rng;

    /// The client's messages and timers reach the shared client the same way in both.
    fn client_hears_its_outcome<P: CommitFamily + Default>() {
        let cfg = P::default();
        let mut client = CommitClient::new(1);
        let mut rng = Rng::stream(1, "client/1");
        let mut effects: Vec<Effect<P>> = Vec::new();
        let mut ctx = Ctx::new(0, Addr::Client(1), 3, &mut rng, &mut effects);
        cfg.client_submit(&mut client, Begin::default(), &mut ctx);
        cfg.client_on_timer(&mut client, P::client_retry(), &mut ctx);
        assert_eq!(client.pending[&1].1, 2, "the retry timer asks again");
        cfg.client_on_message(&mut client, Addr::Node(1), P::begin_msg(9, Begin::default()), &mut ctx);
        assert_eq!(client.pending.len(), 1, "only an outcome answers");
        cfg.client_on_message(&mut client, Addr::Node(1), P::outcome_msg(1, 4, Decision::Abort), &mut ctx);
        assert!(client.pending.is_empty());
        assert_eq!((client.answered[0].tx, client.answered[0].decision, client.answered[0].attempts), (4, Decision::Abort, 2));
        assert!(matches!(effects.last(), Some(Effect::CancelTimer(t)) if *t == P::client_retry()));
    }

    #[test]
    fn both_protocols_wire_the_client_alike() {
        client_hears_its_outcome::<TwoPc>();
        client_hears_its_outcome::<ThreePc>();
    }
}
