//! What a client asks for: a transaction, with how its participants will vote.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{TxId, Vote};
use crate::sim::NodeId;
use crate::sim::rng::{PPM_ONE, Ppm, Rng};

/// A request to run a transaction (a scenario's `"begin": {...}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Begin {
    /// The transaction's id; the coordinator numbers it when absent. Beginning an id that
    /// already exists asks for its outcome instead.
    pub id: Option<TxId>,
    /// Participants whose vote is forced.
    pub votes: BTreeMap<NodeId, Vote>,
    /// The chance that any other participant votes Yes; the protocol's default when absent.
    pub yes_ppm: Option<Ppm>,
}

impl Begin {
    /// How participant `p` will vote, given the protocol's default chance of Yes.
    pub fn plan_for(&self, p: NodeId, default_yes_ppm: Ppm) -> VotePlan {
        match self.votes.get(&p) {
            Some(&v) => VotePlan::Forced(v),
            None => match self.yes_ppm.unwrap_or(default_yes_ppm) {
                PPM_ONE => VotePlan::Forced(Vote::Yes),
                0 => VotePlan::Forced(Vote::No),
                ppm => VotePlan::Chance(ppm),
            },
        }
    }
}

/// A probability in parts per million written as a short decimal (`0.9`, `0.125`), with
/// integer arithmetic only.
pub fn ppm_text(ppm: Ppm) -> String {
    let whole = ppm / PPM_ONE;
    let frac = ppm % PPM_ONE;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:06}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl fmt::Display for Begin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("begin")?;
        if let Some(id) = self.id {
            write!(f, " T{id}")?;
        }
        for (p, v) in &self.votes {
            write!(f, " S{p}={}", v.as_str())?;
        }
        if let Some(ppm) = self.yes_ppm {
            write!(f, " yes={}", ppm_text(ppm))?;
        }
        Ok(())
    }
}

/// How one participant will vote, as the coordinator passes it along with the vote request:
/// a stand-in for the transaction's work succeeding or failing at that participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum VotePlan {
    /// This vote, whatever happens.
    Forced(Vote),
    /// Yes with this probability, drawn from the participant's own stream.
    Chance(Ppm),
}

impl VotePlan {
    /// The vote, drawing from `rng` when it is a matter of chance.
    pub fn decide(self, rng: &mut Rng) -> Vote {
        match self {
            VotePlan::Forced(v) => v,
            VotePlan::Chance(ppm) => {
                if rng.chance(ppm) {
                    Vote::Yes
                } else {
                    Vote::No
                }
            }
        }
    }
}

impl fmt::Display for VotePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VotePlan::Forced(v) => f.write_str(v.as_str()),
            VotePlan::Chance(ppm) => write!(f, "yes@{}", ppm_text(*ppm)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_forced_votes_then_the_chance() {
        let b = Begin { id: None, votes: BTreeMap::from([(3, Vote::No)]), yes_ppm: Some(250_000) };
        assert_eq!(b.plan_for(3, PPM_ONE), VotePlan::Forced(Vote::No));
        assert_eq!(b.plan_for(2, PPM_ONE), VotePlan::Chance(250_000));
        let d = Begin::default();
        assert_eq!(d.plan_for(2, PPM_ONE), VotePlan::Forced(Vote::Yes));
        assert_eq!(d.plan_for(2, 0), VotePlan::Forced(Vote::No));
        assert_eq!(b.to_string(), "begin S3=no yes=0.25");
        assert_eq!(Begin { id: Some(7), ..Begin::default() }.to_string(), "begin T7");
    }

    #[test]
    fn chance_votes_are_drawn_from_the_stream_at_about_the_rate() {
        let mut rng = Rng::stream(3, "node/2");
        let yes = (0..10_000).filter(|_| VotePlan::Chance(700_000).decide(&mut rng) == Vote::Yes).count();
        assert!((6_700..7_300).contains(&yes), "{yes}");
        let mut a = Rng::stream(9, "node/4");
        let mut b = Rng::stream(9, "node/4");
        let draws = |r: &mut Rng| (0..50).map(|_| VotePlan::Chance(500_000).decide(r)).collect::<Vec<_>>();
        assert_eq!(draws(&mut a), draws(&mut b), "the same stream gives the same votes");
    }

    #[test]
    fn ppm_text_is_short_and_exact() {
        assert_eq!(ppm_text(0), "0");
        assert_eq!(ppm_text(PPM_ONE), "1");
        assert_eq!(ppm_text(900_000), "0.9");
        assert_eq!(ppm_text(125_000), "0.125");
        assert_eq!(ppm_text(1), "0.000001");
    }
}
