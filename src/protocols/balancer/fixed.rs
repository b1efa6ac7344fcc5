//! Reproducible arithmetic for the decisions the balancer model makes: a logarithm and an
//! exponential built from IEEE 754's exactly rounded `+ - * /` alone, and an integer decay
//! factor for peak-EWMA.
//!
//! `f64::ln` and `f64::exp` call the platform's libm, which differs between a native build and
//! wasm in the last bits; a draw that crosses a threshold differently would change a run. The
//! functions here use a fixed number of basic operations (Rust never contracts them into fused
//! multiply-adds), so they return the same bits everywhere.

use std::sync::OnceLock;

const LN2: f64 = std::f64::consts::LN_2;
const SQRT2: f64 = std::f64::consts::SQRT_2;

/// The natural logarithm of a positive, normal `x`, to within a few ulps, reproducibly.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > SQRT2 {
        m /= 2.0;
        e += 1;
    }
    // ln(m) = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.172, z² < 0.0295: the 14th term is
    // below 2^-70 of the first.
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut term = z;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..14 {
        sum += term / k;
        term *= z2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * LN2
}

/// e^x, reproducibly; 0 below -700, +inf above 700.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < -700.0 {
        return 0.0;
    }
    if x > 700.0 {
        return f64::INFINITY;
    }
    // x = k ln2 + r, |r| <= ln2 / 2 (about): e^x = 2^k e^r, e^r by its Taylor series.
    let k = (x / LN2 + 0.5).floor();
    // Cody and Waite's split of ln 2: k * LN2_HI is exact, so r keeps its precision.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // fdlibm's ln2_hi
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // fdlibm's ln2_lo
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=24 {
        term = term * r / i as f64;
        sum += term;
    }
    let k = k as i64;
    // 2^k in two steps, each a normal number for |k| <= 1010.
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// `2^32`, the scale of the Q32 fixed-point fractions below.
pub const Q32: u64 = 1 << 32;

/// e^(-j/8) and e^(-l/1024) in Q32, built once with [`exp`].
fn tables() -> &'static ([u64; 256], [u64; 128]) {
    static T: OnceLock<([u64; 256], [u64; 128])> = OnceLock::new();
    T.get_or_init(|| {
        let mut hi = [0u64; 256];
        let mut lo = [0u64; 128];
        for (j, v) in hi.iter_mut().enumerate() {
            *v = (exp(-(j as f64) / 8.0) * Q32 as f64) as u64;
        }
        for (l, v) in lo.iter_mut().enumerate() {
            *v = (exp(-(l as f64) / 1024.0) * Q32 as f64) as u64;
        }
        (hi, lo)
    })
}

/// The decay factor e^(-dt/tau) as a Q32 fraction, in steps of tau/1024 (zero past 32 tau):
/// two table lookups and one multiplication, integers only.
pub fn decay_q32(dt_us: u64, tau_us: u64) -> u64 {
    if tau_us == 0 {
        return 0;
    }
    let steps = (dt_us as u128 * 1024 / tau_us as u128) as u64;
    if steps >= 256 * 128 {
        return 0;
    }
    let (hi, lo) = tables();
    ((hi[(steps >> 7) as usize] as u128 * lo[(steps & 127) as usize] as u128) >> 32) as u64
}

/// A uniform quantile in (0, 1) from 32 random bits: never 0, so its logarithm is finite.
pub fn unit(q: u32) -> f64 {
    (q as f64 + 0.5) / Q32 as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_and_exp_agree_with_the_platform_to_a_few_ulps() {
        for &x in &[1e-9, 0.001, 0.5, 0.7, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e12] {
            let (a, b) = (ln(x), x.ln());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0), "ln({x}) = {a}, libm {b}");
        }
        for &x in &[-50.0, -3.3, -1.0, -1e-6, 0.0, 0.25, 1.0, 7.5, 300.0] {
            let (a, b) = (exp(x), x.exp());
            assert!((a - b).abs() <= 8.0 * f64::EPSILON * b.abs(), "exp({x}) = {a}, libm {b}");
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
    }

    /// Golden bits: these must be the same on every platform (checked in wasm by the
    /// determinism test through the traces, here natively).
    #[test]
    fn golden_bits() {
        assert_eq!(decay_q32(0, 1000), Q32);
        assert_eq!(decay_q32(1000, 1000) >> 20, ((exp(-1.0) * Q32 as f64) as u64) >> 20);
        assert_eq!(decay_q32(40_000, 1000), 0);
    }

    #[test]
    fn decay_falls_from_one_to_zero() {
        let mut last = u64::MAX;
        for dt in (0..20_000).step_by(97) {
            let d = decay_q32(dt, 1_000);
            assert!(d <= last);
            last = d;
        }
        assert!(decay_q32(0, 5) > Q32 - 2);
        assert!(decay_q32(700, 1_000) > Q32 / 2 - Q32 / 100 && decay_q32(700, 1_000) < Q32 / 2 + Q32 / 100);
    }
}
