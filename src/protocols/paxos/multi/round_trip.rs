//! How long a Multi-Paxos leader waits for an acceptor's Accepted before it sends the Accept
//! again: a retransmission timeout per acceptor, computed as TCP computes its own (RFC 6298,
//! after Jacobson and Karels), so that it stays above the round trip of each link whatever the
//! scenario's latency, and a resend happens only when a reply could have come and did not.
//!
//! Each Accepted answering an Accept sent once gives a sample R of the round trip: the first
//! sets SRTT = R and RTTVAR = R/2, the next RTTVAR = 3/4 RTTVAR + 1/4 |SRTT − R| and SRTT =
//! 7/8 SRTT + 1/8 R. The timeout is SRTT + max(G, 4 RTTVAR), where G is the clock's grain (the
//! leader looks at its pending accepts on each heartbeat), never below `resend_ms` (also the
//! timeout before any sample). An answer to an Accept sent twice is no sample — it may answer either
//! (Karn's rule) — and each resend doubles the timeout until a sample comes, so a link slower
//! than the first guess still yields one. Integers only: the same run gives the same numbers
//! natively and in wasm.

use crate::sim::Micros;

/// The timeout's ceiling, in multiples of its floor: an acceptor that is down gets an Accept
/// at least this often.
pub const MOST_BACKOFF: u64 = 64;

/// The leader's estimate of the round trip to one acceptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundTrip {
    /// Smoothed round trip (SRTT), once measured.
    pub smoothed_us: Option<Micros>,
    /// Its mean deviation (RTTVAR).
    pub deviation_us: Micros,
    /// The current timeout (RTO).
    pub timeout_us: Micros,
}

impl RoundTrip {
    /// Nothing measured yet: the timeout is the floor.
    pub fn new(floor_us: Micros) -> Self {
        RoundTrip { smoothed_us: None, deviation_us: 0, timeout_us: floor_us }
    }

    /// An Accepted came `r_us` after the one Accept it answers; the leader checks its
    /// timeouts every `grain_us`.
    pub fn sample(&mut self, r_us: Micros, floor_us: Micros, grain_us: Micros) {
        let smoothed = match self.smoothed_us {
            None => {
                self.deviation_us = r_us / 2;
                r_us
            }
            Some(s) => {
                self.deviation_us = (3 * self.deviation_us + s.abs_diff(r_us)) / 4;
                (7 * s + r_us) / 8
            }
        };
        self.smoothed_us = Some(smoothed);
        self.timeout_us = (smoothed + grain_us.max(4 * self.deviation_us)).clamp(floor_us, floor_us * MOST_BACKOFF);
    }

    /// The timeout passed without an answer: wait twice as long next time.
    pub fn back_off(&mut self, floor_us: Micros) {
        self.timeout_us = (self.timeout_us * 2).min(floor_us * MOST_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ms;

    #[test]
    fn the_timeout_follows_the_measured_round_trip_but_never_drops_below_the_floor() {
        let mut rt = RoundTrip::new(ms(100));
        assert_eq!(rt.timeout_us, ms(100));
        // Round trips of 20 to 60 ms (links of 10 to 30 ms): the floor holds.
        for r in [20, 60, 40, 30, 50] {
            rt.sample(ms(r), ms(100), ms(50));
        }
        assert_eq!(rt.timeout_us, ms(100));
        // Round trips of 600 ms: the timeout climbs above them.
        let mut rt = RoundTrip::new(ms(100));
        rt.sample(ms(600), ms(100), ms(50));
        assert_eq!((rt.smoothed_us, rt.deviation_us, rt.timeout_us), (Some(ms(600)), ms(300), ms(1800)));
        for _ in 0..30 {
            rt.sample(ms(600), ms(100), ms(50));
        }
        assert!(rt.timeout_us > ms(600) && rt.timeout_us < ms(700), "{}", rt.timeout_us);
    }

    #[test]
    fn each_resend_doubles_the_timeout_up_to_the_ceiling() {
        let mut rt = RoundTrip::new(ms(100));
        let mut seen = Vec::new();
        for _ in 0..8 {
            rt.back_off(ms(100));
            seen.push(rt.timeout_us / ms(100));
        }
        assert_eq!(seen, vec![2, 4, 8, 16, 32, 64, 64, 64]);
        // A sample brings it back to what the link shows: 40 ms, give or take 4 × 20.
        rt.sample(ms(40), ms(100), ms(50));
        assert_eq!(rt.timeout_us, ms(120));
    }
}
