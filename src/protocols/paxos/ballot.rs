//! Ballots ("proposal numbers" in Paxos Made Simple): totally ordered, and never issued twice.
//!
//! A ballot is a pair (round, proposer id) compared round first, then id. Two proposers can
//! never pick the same ballot (their ids differ), and a proposer that wants to beat a ballot
//! it has heard of takes a higher round. A proposer persists the highest round it used before
//! sending a prepare with it, so a restarted proposer never reuses one.

use std::fmt;

use serde::Serialize;
use serde_json::{Value, json};

use crate::sim::NodeId;

/// A ballot: round first, then proposer id. [`Ballot::ZERO`] is below every real ballot and
/// means "none yet".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    /// The round, 1.. for real ballots.
    pub round: u64,
    /// The proposer that owns it.
    pub node: NodeId,
}

impl Ballot {
    /// No ballot.
    pub const ZERO: Ballot = Ballot { round: 0, node: 0 };

    /// Round `round` of proposer `node`.
    pub const fn new(round: u64, node: NodeId) -> Self {
        Ballot { round, node }
    }

    /// Whether this is [`Ballot::ZERO`].
    pub fn is_zero(self) -> bool {
        self == Ballot::ZERO
    }

    /// `{"round": 2, "node": 1}`, or null for [`Ballot::ZERO`] (reports and views).
    pub fn json(self) -> Value {
        if self.is_zero() { Value::Null } else { json!({"round": self.round, "node": self.node}) }
    }
}

impl fmt::Display for Ballot {
    /// `2.1`: round 2 of S1 (`0.0` for none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_order_by_round_then_proposer() {
        assert!(Ballot::new(1, 5) < Ballot::new(2, 1));
        assert!(Ballot::new(2, 1) < Ballot::new(2, 3));
        assert!(Ballot::ZERO < Ballot::new(1, 1));
        assert_eq!(Ballot::new(3, 2).to_string(), "3.2");
        assert_eq!(Ballot::ZERO.json(), Value::Null);
        assert_eq!(Ballot::new(3, 2).json(), json!({"round": 3, "node": 2}));
    }
}
