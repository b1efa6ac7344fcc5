//! The marks on the time-travel bar ([`ScrubMark`]) and the choice of which to draw
//! ([`thin`]): a long run holds thousands of commits and elections, and drawing a button for
//! each would make every frame slow and the bar unreadable, while a crash or a broken invariant
//! is exactly what a person scrubs back to find, so those are never dropped.

use crate::sim::Micros;
use crate::sim::time::AsMs;

/// Most marks [`thin`] keeps besides violations and crashes (and its default bucket count).
pub const DRAWN_MAX: usize = 200;

/// A moment worth a tick on the time-travel bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrubMark {
    /// Virtual time.
    pub at_us: Micros,
    /// What happened: one of [`KINDS`] (`"election"`, `"commit"`, `"chosen"`, `"learned"`,
    /// `"crash"`, ...), also its CSS class.
    pub kind: &'static str,
    /// In words, for the tick's title and accessible name.
    pub label: String,
}

/// Every kind of mark with its symbol and a word for the legend, in the legend's order.
pub const KINDS: [(&str, &str, &str); 9] = [
    ("election", "★", crate::tr_key!("leader elected")),
    ("commit", "✓", crate::tr_key!("commit")),
    ("chosen", "◆", crate::tr_key!("value chosen (known or not)")),
    ("learned", "L", crate::tr_key!("value learned")),
    ("crash", "✕", crate::tr_key!("crash")),
    ("restart", "↻", crate::tr_key!("restart")),
    ("partition", "⋮", crate::tr_key!("partition")),
    ("heal", "∪", crate::tr_key!("heal")),
    ("violation", "⚠", crate::tr_key!("invariant broken")),
];

/// The symbol drawn for a kind, so that kinds differ by shape and not by colour alone (`•`
/// for a kind this list does not know).
pub fn symbol(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _, _)| *k == kind).map_or("•", |(_, s, _)| s)
}

/// Whether a mark of this kind is always drawn.
fn always_kept(kind: &str) -> bool {
    matches!(kind, "violation" | "crash")
}

/// Which of the other kinds wins a shared bucket: the rare, telling ones before the commits
/// that come by the hundred.
fn rank(kind: &str) -> u8 {
    match kind {
        "election" | "chosen" => 0,
        "partition" | "heal" => 1,
        "restart" => 2,
        "commit" => 4,
        _ => 3,
    }
}

/// The bucket (of `buckets` equal slices of `0..=frontier_us`) a time falls in.
fn bucket(at_us: Micros, frontier_us: Micros, buckets: usize) -> usize {
    let b = u128::from(at_us) * buckets as u128 / (u128::from(frontier_us) + 1);
    (b as usize).min(buckets - 1)
}

/// The indices (into `marks`, ascending) of the marks to draw on a bar over `0..=frontier_us`
/// cut into `buckets` slices (about one per few pixels): every violation and crash, and in each
/// slice holding neither, at most one other mark (an election before a partition or a heal,
/// before a restart, before a commit; the earliest among equals). Marks after the frontier are
/// left out. So at most `buckets` marks besides violations and crashes are drawn, however
/// many there are.
pub fn thin(marks: &[ScrubMark], frontier_us: Micros, buckets: usize) -> Vec<usize> {
    let buckets = buckets.max(1);
    let mut kept = vec![false; marks.len()];
    let mut taken: Vec<Option<usize>> = vec![None; buckets];
    let mut occupied = vec![false; buckets];
    for (i, m) in marks.iter().enumerate() {
        if m.at_us > frontier_us {
            continue;
        }
        let b = bucket(m.at_us, frontier_us, buckets);
        if always_kept(m.kind) {
            kept[i] = true;
            occupied[b] = true;
        } else if taken[b].is_none_or(|j| rank(m.kind) < rank(marks[j].kind)) {
            taken[b] = Some(i);
        }
    }
    for (b, pick) in taken.into_iter().enumerate() {
        if let (Some(i), false) = (pick, occupied[b]) {
            kept[i] = true;
        }
    }
    kept.iter().enumerate().filter_map(|(i, &k)| k.then_some(i)).collect()
}

/// Where a time sits along the bar, in percent (0 to 100; 0 for an empty run).
pub fn percent(at_us: Micros, frontier_us: Micros) -> f64 {
    if frontier_us == 0 {
        return 0.0;
    }
    (at_us.min(frontier_us) as f64 / frontier_us as f64) * 100.0
}

/// The stretch of virtual time the ticks are laid out over: the frontier rounded up to a quarter
/// of its power of two. While a run plays, its frontier grows at every refresh of the bar; the
/// ticks keep their places (a share of this span) and the bar stretches them all at once by
/// `span / frontier` (one style property), until the frontier passes the span.
pub fn tick_span_us(frontier_us: Micros) -> Micros {
    if frontier_us == 0 {
        return 0;
    }
    let step = ((1u64 << (63 - frontier_us.leading_zeros())) / 4).max(1);
    frontier_us.div_ceil(step) * step
}

/// The latest mark strictly before `now_us` (going back) or the earliest strictly after it
/// (going forward), among marks up to the frontier: where "previous mark" and "next mark" seek.
pub fn neighbour(marks: &[ScrubMark], now_us: Micros, frontier_us: Micros, forward: bool) -> Option<Micros> {
    let times = marks.iter().map(|m| m.at_us).filter(|&t| t <= frontier_us);
    if forward { times.filter(|&t| t > now_us).min() } else { times.filter(|&t| t < now_us).max() }
}

/// Milliseconds without trailing zeros: `412`, `412.5`, `0.005` (the range input's value and
/// the bar's labels).
pub fn ms_decimal(us: Micros) -> String {
    let s = AsMs(us).to_string();
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What a screen reader says for the bar's position: `412 ms of 1500 ms`.
pub fn position_text(now_us: Micros, frontier_us: Micros) -> String {
    crate::tr!("{now} ms of {end} ms", now = ms_decimal(now_us.min(frontier_us)), end = ms_decimal(frontier_us))
}

/// The time for a range input's value in ms (`"412.5"`), to the µs, within `0..=frontier_us`;
/// `None` for text that is no such number.
pub fn parse_ms(text: &str, frontier_us: Micros) -> Option<Micros> {
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) {
        return None;
    }
    let ms: Micros = whole.parse().ok()?;
    // Finer than a µs cannot be reached: drop those digits.
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let us = ms.checked_mul(1000)?.checked_add(frac.parse().ok()?)?;
    Some(us.min(frontier_us))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(at_us: Micros, kind: &'static str) -> ScrubMark {
        ScrubMark { at_us, kind, label: format!("{kind} at {at_us}") }
    }

    #[test]
    fn few_marks_are_all_drawn() {
        let marks = vec![mark(0, "election"), mark(500, "commit"), mark(900, "crash"), mark(1000, "heal")];
        assert_eq!(thin(&marks, 1000, DRAWN_MAX), vec![0, 1, 2, 3]);
        assert!(thin(&[], 1000, DRAWN_MAX).is_empty());
        assert_eq!(thin(&marks, 0, DRAWN_MAX), vec![0], "a run at 0 shows only what happened at 0");
    }

    #[test]
    fn thousands_of_marks_thin_to_one_per_bucket_keeping_violations_and_crashes() {
        let mut marks: Vec<ScrubMark> = (0..10_000).map(|i| mark(i * 100, "commit")).collect();
        marks[4_321].kind = "crash";
        marks[4_322].kind = "violation";
        marks[7_000].kind = "crash";
        let frontier = 999_900;
        let drawn = thin(&marks, frontier, DRAWN_MAX);
        assert!(drawn.len() <= DRAWN_MAX + 3, "{} drawn", drawn.len());
        assert!(drawn.len() >= DRAWN_MAX - 3, "one per bucket: {} drawn", drawn.len());
        for must in [4_321, 4_322, 7_000] {
            assert!(drawn.contains(&must), "{must} kept");
        }
        assert!(drawn.windows(2).all(|w| w[0] < w[1]), "ascending");
        // No bucket has two commits, and no commit shares a bucket with a crash or violation.
        let mut seen = vec![0; DRAWN_MAX];
        for &i in &drawn {
            seen[bucket(marks[i].at_us, frontier, DRAWN_MAX)] += 1;
        }
        assert!(seen.iter().all(|&n| n <= 2), "at most the crash and violation together");
    }

    #[test]
    fn crashes_and_violations_are_never_dropped_even_in_crowds() {
        let marks: Vec<ScrubMark> = (0..1_000).map(|i| mark(i, if i % 2 == 0 { "crash" } else { "violation" })).collect();
        assert_eq!(thin(&marks, 1_000, 10).len(), 1_000);
    }

    #[test]
    fn an_election_wins_its_bucket_over_commits() {
        let marks = vec![mark(10, "commit"), mark(11, "commit"), mark(12, "election"), mark(13, "restart"), mark(950, "commit"), mark(951, "commit")];
        assert_eq!(thin(&marks, 1_000, 10), vec![2, 4]);
        let marks = vec![mark(10, "restart"), mark(11, "heal"), mark(12, "partition")];
        assert_eq!(thin(&marks, 1_000, 10), vec![1], "the earliest among equals");
    }

    #[test]
    fn marks_past_the_frontier_are_left_out() {
        let marks = vec![mark(10, "crash"), mark(2_000, "crash"), mark(3_000, "election")];
        assert_eq!(thin(&marks, 1_000, 10), vec![0]);
        assert_eq!(neighbour(&marks, 10, 1_000, true), None);
    }

    #[test]
    fn huge_times_do_not_overflow() {
        let marks = vec![mark(u64::MAX, "commit"), mark(u64::MAX / 2, "election")];
        assert_eq!(thin(&marks, u64::MAX, DRAWN_MAX), vec![0, 1]);
        assert_eq!(bucket(u64::MAX, u64::MAX, DRAWN_MAX), DRAWN_MAX - 1);
        assert_eq!(thin(&marks, u64::MAX, 0), vec![1], "zero buckets act as one");
    }

    #[test]
    fn neighbours_are_strictly_before_or_after() {
        let marks = vec![mark(100, "commit"), mark(200, "crash"), mark(300, "election")];
        assert_eq!(neighbour(&marks, 200, 1_000, true), Some(300));
        assert_eq!(neighbour(&marks, 200, 1_000, false), Some(100));
        assert_eq!(neighbour(&marks, 50, 1_000, false), None);
        assert_eq!(neighbour(&marks, 300, 1_000, true), None);
    }

    #[test]
    fn positions_and_texts() {
        assert_eq!(percent(500, 1_000), 50.0);
        assert_eq!(percent(5, 0), 0.0);
        assert_eq!(percent(2_000, 1_000), 100.0);
        assert_eq!(ms_decimal(0), "0");
        assert_eq!(ms_decimal(412_000), "412");
        assert_eq!(ms_decimal(412_500), "412.5");
        assert_eq!(ms_decimal(5), "0.005");
        assert_eq!(ms_decimal(10_000), "10");
        assert_eq!(position_text(412_000, 1_500_000), "412 ms of 1500 ms");
        assert_eq!(symbol("violation"), "⚠");
        assert_eq!(symbol("nonsense"), "•");
    }

    #[test]
    fn the_ticks_span_covers_the_frontier_by_at_most_a_quarter_more_and_moves_in_steps() {
        assert_eq!(tick_span_us(0), 0);
        assert_eq!(tick_span_us(1), 1);
        for frontier in [1, 2, 3, 7, 999, 1_000, 1_024, 1_025, 1_499_999, 1_500_000, 60_000_000, u64::MAX / 2] {
            let span = tick_span_us(frontier);
            assert!(span >= frontier && span - frontier <= frontier / 4, "{frontier}: {span}");
        }
        // A second of a run's growth at 1/10x (100 ms) near 1.5 s leaves the span as it was:
        // the ticks are not redrawn at each of the bar's refreshes.
        assert_eq!(tick_span_us(1_400_000), tick_span_us(1_500_000));
        assert_ne!(tick_span_us(1_500_000), tick_span_us(1_600_000));
    }

    #[test]
    fn range_values_parse_to_microseconds_within_the_run() {
        assert_eq!(parse_ms("412", 2_000_000), Some(412_000));
        assert_eq!(parse_ms("412.5", 2_000_000), Some(412_500));
        assert_eq!(parse_ms("0.0051", 2_000_000), Some(5));
        assert_eq!(parse_ms("3000", 2_000_000), Some(2_000_000));
        assert_eq!(parse_ms("12.", 2_000_000), Some(12_000));
        for bad in ["", "-1", "1e3", ".5", "abc", "1.2.3"] {
            assert_eq!(parse_ms(bad, 2_000_000), None, "{bad:?}");
        }
    }
}
