//! The known results of load balancing, reproduced within stated tolerances: each test is
//! named after the result it checks. The pure ones drive the strategies directly (a hundred
//! thousand keys or backends); the queueing one runs the shipped scenarios through the engine.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use distlab::protocols::balancer::strategy::{AnyStrategy, BackendIx, Loads, Maglev, Ring, Strategy, StrategyConfig, owners};
use distlab::protocols::balancer::{Balancer, Node};
use distlab::scenario::Scenario;
use distlab::scenario::protocol::setup;
use distlab::sim::rng::Rng;
use distlab::sim::{Engine, TraceMode};
use serde_json::Value;

const KEYS: u64 = 100_000;

/// `n` backends of which those in `out` are not eligible.
fn loads(n: usize, out: &[BackendIx]) -> Loads {
    let mut l = Loads::new(n);
    for &b in out {
        l.set_eligible(b, false);
    }
    l
}

fn key_owners(cfg: &StrategyConfig, l: &Loads) -> Vec<BackendIx> {
    owners(&cfg.build(l), KEYS).into_iter().map(|o| o.expect("an owner")).collect()
}

/// Keys per backend.
fn spread(owners: &[BackendIx], n: usize) -> Vec<u64> {
    let mut c = vec![0; n];
    for &o in owners {
        c[o as usize] += 1;
    }
    c
}

fn max_over_mean(counts: &[u64]) -> f64 {
    let nonzero: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    let mean = nonzero.iter().sum::<u64>() as f64 / nonzero.len() as f64;
    *nonzero.iter().max().unwrap() as f64 / mean
}

#[test]
fn round_robin_counts_differ_by_at_most_one() {
    for (n, picks) in [(3, 1000), (7, 1003), (10, 99_999)] {
        let l = Loads::new(n);
        let mut s = StrategyConfig::RoundRobin.build(&l);
        let mut rng = Rng::stream(1, "t");
        let mut c = vec![0u64; n];
        for k in 0..picks {
            c[s.pick(k, &l, &mut rng).unwrap() as usize] += 1;
            let (lo, hi) = (c.iter().min().unwrap(), c.iter().max().unwrap());
            assert!(hi - lo <= 1, "after {} picks over {n}: {c:?}", k + 1);
        }
    }
}

fn letters(s: &mut AnyStrategy, l: &Loads, n: usize) -> String {
    let mut rng = Rng::stream(1, "t");
    (0..n).map(|k| (b'a' + s.pick(k as u64, l, &mut rng).unwrap() as u8) as char).collect()
}

#[test]
fn smooth_weighted_round_robin_with_weights_5_1_1_yields_nginx_sequence_and_matches_the_weights_over_every_cycle() {
    let mut l = Loads::new(3);
    l.set_weight(0, 5);
    let mut s = StrategyConfig::SmoothWrr.build(&l);
    assert_eq!(letters(&mut s, &l, 7), "aabacaa", "nginx's sequence");
    // Other weights: every cycle of `total` picks holds each backend exactly `weight` times.
    for weights in [vec![5, 1, 1], vec![3, 2, 1], vec![1, 1, 1, 1], vec![7, 4, 2, 9, 1]] {
        let mut l = Loads::new(weights.len());
        for (b, &w) in weights.iter().enumerate() {
            l.set_weight(b as u32, w);
        }
        let mut s = StrategyConfig::SmoothWrr.build(&l);
        let total: u32 = weights.iter().sum();
        let seq = letters(&mut s, &l, total as usize * 20);
        for cycle in seq.as_bytes().chunks(total as usize) {
            for (b, &w) in weights.iter().enumerate() {
                assert_eq!(cycle.iter().filter(|&&x| x == b'a' + b as u8).count(), w as usize, "weights {weights:?}: {}", String::from_utf8_lossy(cycle));
            }
        }
    }
}

#[test]
fn consistent_hashing_10_to_11_backends_moves_one_eleventh_of_the_keys_all_to_the_new_backend() {
    let cfg = StrategyConfig::RingHash { vnodes: 100 };
    let before = key_owners(&cfg, &loads(11, &[10]));
    let after = key_owners(&cfg, &loads(11, &[]));
    let moved: Vec<usize> = (0..KEYS as usize).filter(|&k| before[k] != after[k]).collect();
    let fraction = moved.len() as f64 / KEYS as f64;
    assert!((fraction - 1.0 / 11.0).abs() <= 0.02, "moved {fraction:.4}, expected 1/11 = {:.4} ± 0.02", 1.0 / 11.0);
    assert!(moved.iter().all(|&k| after[k] == 10), "every moved key goes to the new backend");
    println!("ring_hash 100 vnodes, 10 -> 11 backends: {:.4} of {KEYS} keys moved (1/11 = {:.4})", fraction, 1.0 / 11.0);
}

#[test]
fn more_virtual_nodes_reduce_the_spread_of_load() {
    let mut ratios = Vec::new();
    for vnodes in [1, 10, 100, 1000] {
        let o = key_owners(&StrategyConfig::RingHash { vnodes }, &loads(10, &[]));
        ratios.push((vnodes, max_over_mean(&spread(&o, 10))));
    }
    println!("ring_hash, 10 backends, {KEYS} keys, max/mean keys per backend: {ratios:?}");
    assert!(ratios.windows(2).all(|w| w[1].1 < w[0].1), "the spread must shrink as virtual nodes grow: {ratios:?}");
    assert!(ratios[0].1 > 1.5 && ratios[3].1 < 1.1, "{ratios:?}");
}

/// Removing backend `gone` of `n`: (keys that moved, keys `gone` owned, keys of other backends
/// that moved).
fn removal(cfg: &StrategyConfig, n: usize, gone: BackendIx) -> (usize, usize, usize) {
    let before = key_owners(cfg, &loads(n, &[]));
    let after = key_owners(cfg, &loads(n, &[gone]));
    let moved = (0..KEYS as usize).filter(|&k| before[k] != after[k]).count();
    let owned = before.iter().filter(|&&b| b == gone).count();
    let others = (0..KEYS as usize).filter(|&k| before[k] != gone && before[k] != after[k]).count();
    (moved, owned, others)
}

#[test]
fn rendezvous_removing_one_of_n_moves_only_that_backends_keys() {
    for (n, gone) in [(10, 3), (11, 10), (50, 0)] {
        let (moved, owned, others) = removal(&StrategyConfig::Rendezvous, n, gone);
        assert_eq!(others, 0, "n = {n}");
        assert_eq!(moved, owned, "n = {n}");
    }
}

#[test]
fn maglev_removing_one_of_n_moves_that_backends_keys_and_little_else() {
    for (n, gone) in [(10, 3), (20, 0), (100, 42)] {
        let (moved, owned, others) = removal(&StrategyConfig::Maglev { table_size: 65_537 }, n, gone);
        let extra = others as f64 / KEYS as f64;
        println!("maglev M=65537, {n} -> {} backends: {moved} keys moved, {owned} were the removed backend's, {others} others ({:.2} %)", n - 1, extra * 100.0);
        assert_eq!(moved - others, owned, "every key of the removed backend moves");
        // Eisenbud et al. (Figure 13): a few per cent of extra disruption at M = 65537.
        assert!(extra < 0.03, "n = {n}: {:.2} % of the keys moved between surviving backends", extra * 100.0);
    }
}

#[test]
fn maglev_table_gives_every_backend_floor_or_ceil_of_m_over_n_entries() {
    for (m, n) in [(65_537u32, 10usize), (65_537, 100), (65_537, 7), (251, 10), (251, 3), (13, 5)] {
        let mut t = Maglev::new(m);
        t.rebuild(&Loads::new(n));
        let c = t.counts(n);
        let (lo, hi) = (m / n as u32, m.div_ceil(n as u32));
        assert!(c.iter().all(|&x| x == lo || x == hi), "M = {m}, N = {n}: {c:?}");
        assert_eq!(c.iter().sum::<u32>(), m);
    }
}

/// n requests into n backends, none ever finishing: the fullest backend's load.
fn balls_into_bins(cfg: StrategyConfig, n: usize, seed: u64) -> u32 {
    let mut l = Loads::new(n);
    let mut s = cfg.build(&l);
    let mut rng = Rng::stream(seed, "bins");
    for k in 0..n as u64 {
        let b = s.pick(k, &l, &mut rng).unwrap();
        l.add(b);
    }
    l.in_flight_all().iter().copied().max().unwrap()
}

#[test]
fn balls_into_bins_max_load_is_7_to_9_under_random_and_3_to_4_under_two_choices() {
    let n = 100_000;
    let mut seen = BTreeMap::new();
    for seed in 1..=3 {
        let random = balls_into_bins(StrategyConfig::Random, n, seed);
        let two = balls_into_bins(StrategyConfig::TwoChoices, n, seed);
        seen.insert(seed, (random, two));
        assert!((7..=9).contains(&random), "random, seed {seed}: max load {random} (theory Θ(ln n / ln ln n))");
        assert!((3..=4).contains(&two), "two choices, seed {seed}: max load {two} (theory ln ln n / ln 2 + O(1) ≈ 3.5)");
    }
    println!("balls into bins, n = {n}: seed -> (random, two choices) max load {seen:?}");
}

/// Runs a shipped scenario under another strategy (same seed, same workload).
fn run(file: &str, strategy: Option<&str>) -> Engine<Balancer> {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut sc = Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    if let Some(s) = strategy {
        sc.config["strategy"] = Value::from(s);
    }
    let setup = setup::<Balancer>(&sc, sc.seed, TraceMode::Off).unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(setup);
    e.run_until(sc.until_us);
    assert!(e.first_violation().is_none(), "{:?}", e.first_violation());
    e
}

fn outcome(e: &Engine<Balancer>) -> Value {
    distlab::sim::report::report(e)["outcome"].clone()
}

#[test]
fn with_one_backend_three_times_slower_least_connections_and_peak_ewma_beat_round_robin_at_p99() {
    let file = "balancer-round-robin-slow-backend.json";
    let p99 = |e: &Engine<Balancer>| e.nodes()[0].state().and_then(Node::lb).unwrap().latency.percentile(990);
    let rr = run(file, None);
    let lc = run(file, Some("least_conn"));
    let ewma = run(file, Some("peak_ewma"));
    let (rr99, lc99, ewma99) = (p99(&rr), p99(&lc), p99(&ewma));
    println!("p99 with S4 three times slower: round robin {} ms, least connections {} ms, peak-EWMA {} ms", rr99 / 1000, lc99 / 1000, ewma99 / 1000);
    assert!(lc99 < rr99, "least connections {lc99} µs against round robin {rr99} µs");
    assert!(ewma99 < rr99, "peak-EWMA {ewma99} µs against round robin {rr99} µs");
    // The same requests: keys in the same order under all three.
    let keys = |e: &Engine<Balancer>| outcome(e)["first_assignments"].as_array().unwrap().iter().map(|a| a["key"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(keys(&rr), keys(&lc));
    assert_eq!(keys(&rr), keys(&ewma));
    let requests = |e: &Engine<Balancer>| outcome(e)["overall"]["requests"].clone();
    assert_eq!(requests(&rr), requests(&lc));
    // Round robin keeps sending S4 its fifth and its queue grows; the others keep it short.
    let longest = |e: &Engine<Balancer>| outcome(e)["backends"][2]["queue_series"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).max().unwrap();
    println!("S4's longest queue: round robin {}, least connections {}, peak-EWMA {}", longest(&rr), longest(&lc), longest(&ewma));
    assert!(longest(&rr) > 100 && longest(&lc) < 20 && longest(&ewma) < 20);
}

#[test]
fn a_run_adding_an_eleventh_backend_reports_one_eleventh_of_the_keys_moved_to_it() {
    let e = run("balancer-ring-hash-add-backend.json", None);
    let o = outcome(&e);
    let m = &o["moves"][0];
    assert_eq!(m["change"], "add S12");
    let f = m["fraction"].as_f64().unwrap();
    assert!((f - 1.0 / 11.0).abs() <= 0.02, "{f}");
    assert_eq!(m["to"].as_array().unwrap().len(), 1);
    assert_eq!(m["to"][0]["id"], 12);
    assert_eq!(m["to"][0]["keys"], m["keys_moved"]);
    assert!(o["backends"][10]["served"].as_u64().unwrap() > 0, "S12 serves once added");
}

#[test]
fn smooth_weighted_round_robin_assigns_a_a_b_a_c_a_a_in_a_run() {
    let e = run("balancer-smooth-wrr.json", None);
    let first: Vec<u64> = outcome(&e)["first_assignments"].as_array().unwrap().iter().take(14).map(|a| a["backend"].as_u64().unwrap()).collect();
    assert_eq!(first, [2, 2, 3, 2, 4, 2, 2, 2, 2, 3, 2, 4, 2, 2]);
}

#[test]
fn ring_points_are_sorted_and_bounded_loads_cap_the_hot_key() {
    let l = Loads::new(4);
    let mut r = Ring::new(100, None);
    r.rebuild(&l);
    assert!(r.points().windows(2).all(|w| w[0].0 <= w[1].0));
    let plain = run("balancer-zipf-ring-hash.json", None);
    let bounded = run("balancer-zipf-bounded-load.json", None);
    let ratio = |e: &Engine<Balancer>| outcome(e)["overall"]["max_mean_load_ratio"].as_f64().unwrap();
    println!("Zipf keys, max/mean served: ring_hash {:.2}, bounded_load {:.2}", ratio(&plain), ratio(&bounded));
    assert!(ratio(&bounded) < ratio(&plain));
    assert!(ratio(&bounded) < 1.5, "{}", ratio(&bounded));
}
