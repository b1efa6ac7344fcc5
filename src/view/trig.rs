//! Sine and cosine for the stage's geometry (servers on a ring, arcs of a hash ring).
//!
//! `f64::sin` and `f64::cos` compile, on wasm, to libm's, whose argument reduction is built for
//! any angle up to 1e308 (Payne–Hanek, with a table of 2/π's bits): some 7 KB of code, 3 KB
//! gzipped on every page, for angles that here never leave a few turns. These reduce by whole
//! quarter turns and sum the Taylor series on what is left (at most π/4), to within a few units
//! in the last place of std's over the angles the stage uses (tested below).

use std::f64::consts::{FRAC_PI_2, TAU};

/// `(sin a, cos a)`, for angles of a few turns either way (exact to about 1e-15 there; larger
/// angles lose precision with the reduction, not correctness of sign or range).
pub fn sin_cos(a: f64) -> (f64, f64) {
    if !a.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    // Into [-π, π], then to the nearest quarter turn: a = q·π/2 + x with |x| ≤ π/4.
    let a = a - TAU * (a / TAU).round();
    let q = (a / FRAC_PI_2).round();
    let x = a - q * FRAC_PI_2;
    let (s, c) = (sin_series(x), cos_series(x));
    match (q as i64).rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}

/// sin x for |x| ≤ π/4: terms to x^15 (the next is below 1e-17 there).
fn sin_series(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    for k in 1..=7 {
        let k = f64::from(k);
        term *= -x2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

/// cos x for |x| ≤ π/4: terms to x^16.
fn cos_series(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=8 {
        let k = f64::from(k);
        term *= -x2 / ((2.0 * k - 1.0) * (2.0 * k));
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_std_over_a_few_turns_either_way() {
        let mut worst: f64 = 0.0;
        for i in -40_000..=40_000 {
            let a = f64::from(i) * 0.000_5 * std::f64::consts::PI;
            let (s, c) = sin_cos(a);
            worst = worst.max((s - a.sin()).abs()).max((c - a.cos()).abs());
        }
        assert!(worst < 1e-14, "off by {worst:e}");
    }

    #[test]
    fn quarter_turns_land_on_the_axes() {
        let (s, c) = sin_cos(-FRAC_PI_2);
        assert!((s + 1.0).abs() < 1e-15 && c.abs() < 1e-15, "the top of the ring: ({s}, {c})");
        let (s, c) = sin_cos(std::f64::consts::PI);
        assert!(s.abs() < 1e-15 && (c + 1.0).abs() < 1e-15, "({s}, {c})");
        assert!(sin_cos(f64::NAN).0.is_nan());
    }
}
