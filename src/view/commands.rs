//! What a person can do to a run from the lab, as engine [`Action`]s: commands on one server
//! (its menu) and on the network (the network panel). Turning them into actions here, rather
//! than in the UI, keeps them tested natively, and every one of them is a scenario action, so a
//! session can be written down and replayed exactly.

use crate::sim::network::ppm_from_ratio;
use crate::sim::{Action, Micros, NodeId, Target};

/// A command on one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCommand {
    /// Crash it.
    Crash,
    /// Restart it from durable state.
    Restart,
    /// Freeze it.
    Pause,
    /// Unfreeze it.
    Resume,
    /// Fire its timer now.
    Timeout,
    /// Cut it off from everyone.
    Isolate,
    /// Undo [`NodeCommand::Isolate`].
    Reconnect,
    /// Hand it a client request (the protocol's own: Raft's `set k<n> <n>`).
    ClientRequest,
}

/// A command on the network.
#[derive(Clone, Debug, PartialEq)]
pub enum NetCommand {
    /// Cut the current leader (or S1, without one) off from everyone.
    IsolateLeader,
    /// Split the cluster into a minority holding the leader and a majority without it: the
    /// setting of a stale leader (§5.4, §8 of the Raft paper).
    SplitMajority,
    /// A partition the person drew: each server's group (servers in no group form one more).
    Partition(Vec<Vec<NodeId>>),
    /// Undo partitions, isolation and cuts.
    Heal,
    /// Latency range of every link, in ms.
    Latency { ms_min: u32, ms_max: u32 },
    /// Loss rate of every link, in percent.
    LossPercent(u32),
    /// Duplication rate of every link, in percent.
    DuplicatePercent(u32),
}

/// Largest latency the network panel offers, in ms.
pub const LATENCY_MS_LIMIT: u32 = 10_000;

/// The action for a server command; `request` makes the request a client request carries.
/// `None` for an id outside 1..=`nodes`.
pub fn node_action<R>(id: NodeId, command: NodeCommand, nodes: u32, request: impl FnOnce() -> R) -> Option<Action<R>> {
    if id == 0 || id > nodes {
        return None;
    }
    let t = Target::Node(id);
    Some(match command {
        NodeCommand::Crash => Action::Crash(t),
        NodeCommand::Restart => Action::Restart(t),
        NodeCommand::Pause => Action::Pause(t),
        NodeCommand::Resume => Action::Resume(t),
        NodeCommand::Timeout => Action::Timeout(t),
        NodeCommand::Isolate => Action::Isolate(t),
        NodeCommand::Reconnect => Action::Reconnect(t),
        NodeCommand::ClientRequest => Action::Client { request: request(), to: Some(t), client: 1 },
    })
}

/// The action for a network command, given the current leader. `None` when the command makes
/// no sense here (a split of a one-server cluster, an empty or invalid partition, a latency range
/// upside down or too large, a rate above 100 %).
pub fn net_action<R>(command: &NetCommand, leader: Option<NodeId>, nodes: u32) -> Option<Action<R>> {
    let ms = |v: u32| Micros::from(v) * 1000;
    let ppm = |percent: u32| ppm_from_ratio(f64::from(percent) / 100.0);
    match command {
        NetCommand::IsolateLeader => Some(Action::Isolate(Target::Node(leader.unwrap_or(1)))),
        NetCommand::SplitMajority => {
            let (minority, majority) = split_minority(leader.unwrap_or(1), nodes)?;
            Some(Action::Partition(vec![minority, majority]))
        }
        NetCommand::Partition(groups) => {
            let valid = groups.iter().flatten().all(|&id| id >= 1 && id <= nodes);
            let named: usize = groups.iter().map(Vec::len).sum();
            let nonempty = groups.iter().filter(|g| !g.is_empty()).count();
            // One group holding everyone is no partition at all.
            (valid && nonempty >= 1 && !(nonempty == 1 && named == nodes as usize)).then(|| Action::Partition(groups.iter().filter(|g| !g.is_empty()).cloned().collect()))
        }
        NetCommand::Heal => Some(Action::Heal),
        NetCommand::Latency { ms_min, ms_max } => (ms_min <= ms_max && *ms_max <= LATENCY_MS_LIMIT).then(|| Action::Latency(ms(*ms_min), ms(*ms_max))),
        NetCommand::LossPercent(p) => Some(Action::Loss(ppm(*p)?)),
        NetCommand::DuplicatePercent(p) => Some(Action::Duplicate(ppm(*p)?)),
    }
}

/// A minority of ⌊(n−1)/2⌋ servers starting at `first` and going round the ring, and the
/// majority of the rest, both in id order; `None` below three servers (no minority exists
/// that leaves a majority).
pub fn split_minority(first: NodeId, nodes: u32) -> Option<(Vec<NodeId>, Vec<NodeId>)> {
    if nodes < 3 || first == 0 || first > nodes {
        return None;
    }
    let size = (nodes - 1) / 2;
    let mut minority: Vec<NodeId> = (0..size).map(|i| (first - 1 + i) % nodes + 1).collect();
    minority.sort_unstable();
    let majority = (1..=nodes).filter(|id| !minority.contains(id)).collect();
    Some((minority, majority))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Command;

    #[test]
    fn server_commands_name_their_server_and_only_valid_ones() {
        let req = || "set k 1";
        assert_eq!(node_action(3, NodeCommand::Crash, 5, req), Some(Action::Crash(Target::Node(3))));
        assert_eq!(node_action(2, NodeCommand::Reconnect, 5, req), Some(Action::Reconnect(Target::Node(2))));
        assert_eq!(node_action(0, NodeCommand::Crash, 5, req), None);
        assert_eq!(node_action(6, NodeCommand::Crash, 5, req), None);
        assert_eq!(node_action(1, NodeCommand::ClientRequest, 5, req), Some(Action::Client { request: "set k 1", to: Some(Target::Node(1)), client: 1 }));
    }

    #[test]
    fn the_split_puts_the_leader_in_a_minority() {
        assert_eq!(split_minority(4, 5), Some((vec![4, 5], vec![1, 2, 3])));
        assert_eq!(split_minority(5, 5), Some((vec![1, 5], vec![2, 3, 4])));
        assert_eq!(split_minority(1, 3), Some((vec![1], vec![2, 3])));
        assert_eq!(split_minority(2, 4), Some((vec![2], vec![1, 3, 4])));
        let (minority, majority) = split_minority(9, 15).expect("splits");
        assert_eq!(minority.len(), 7);
        assert_eq!(majority.len(), 8);
        assert!(minority.contains(&9));
        assert_eq!(split_minority(1, 2), None);
        assert_eq!(split_minority(6, 5), None);
    }

    #[test]
    fn network_presets_follow_the_leader() {
        assert_eq!(net_action::<Command>(&NetCommand::IsolateLeader, Some(3), 5), Some(Action::Isolate(Target::Node(3))));
        assert_eq!(net_action::<Command>(&NetCommand::IsolateLeader, None, 5), Some(Action::Isolate(Target::Node(1))));
        assert_eq!(net_action::<Command>(&NetCommand::SplitMajority, Some(2), 5), Some(Action::Partition(vec![vec![2, 3], vec![1, 4, 5]])));
        assert_eq!(net_action::<Command>(&NetCommand::SplitMajority, None, 1), None);
    }

    #[test]
    fn free_partitions_are_checked() {
        let p = |g: Vec<Vec<NodeId>>| net_action::<Command>(&NetCommand::Partition(g), None, 5);
        assert_eq!(p(vec![vec![1, 2], vec![3, 4, 5]]), Some(Action::Partition(vec![vec![1, 2], vec![3, 4, 5]])));
        assert_eq!(p(vec![vec![1], vec![]]), Some(Action::Partition(vec![vec![1]])), "the rest form a group");
        assert_eq!(p(vec![vec![1, 2, 3, 4, 5]]), None, "everyone together is no partition");
        assert_eq!(p(vec![vec![], vec![]]), None);
        assert_eq!(p(vec![vec![1, 9]]), None);
    }

    #[test]
    fn rates_and_latencies_are_bounded() {
        let n = |c: NetCommand| net_action::<Command>(&c, None, 5);
        assert_eq!(n(NetCommand::Latency { ms_min: 10, ms_max: 30 }), Some(Action::Latency(10_000, 30_000)));
        assert_eq!(n(NetCommand::Latency { ms_min: 30, ms_max: 10 }), None);
        assert_eq!(n(NetCommand::Latency { ms_min: 0, ms_max: LATENCY_MS_LIMIT + 1 }), None);
        assert_eq!(n(NetCommand::LossPercent(25)), Some(Action::Loss(250_000)));
        assert_eq!(n(NetCommand::DuplicatePercent(100)), Some(Action::Duplicate(1_000_000)));
        assert_eq!(n(NetCommand::LossPercent(101)), None);
        assert_eq!(n(NetCommand::Heal), Some(Action::Heal));
    }
}
