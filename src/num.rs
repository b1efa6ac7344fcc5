//! Numbers as people and the page read them: a fixed number of decimals, by integer
//! arithmetic. Rust's float formatting (`{:.1}`, `{}` of an f64) brings some 10 KB of code into
//! each page's download, for what an SVG coordinate, a speed or a factor needs: a rounded
//! number. (Reports and traces are JSON or integers, and do not come through here.)

/// `v` with at most `decimals` digits after the point, trailing zeros and the point dropped:
/// 1.25, 2, 0.5.
pub fn short(v: f64, decimals: u32) -> String {
    let s = fixed(v, decimals);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// `v` with `decimals` digits after the point (at most 9), rounded half away from zero; 0 for
/// what is not a finite number.
pub fn fixed(v: f64, decimals: u32) -> String {
    let decimals = decimals.min(9);
    let scale = 10_i64.pow(decimals);
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e18 {
        return "0".to_string();
    }
    let t = scaled as i64;
    let (whole, frac) = (t.unsigned_abs() / scale as u64, t.unsigned_abs() % scale as u64);
    let sign = if t < 0 { "-" } else { "" };
    if decimals == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac:0width$}", width = decimals as usize) }
}

#[cfg(test)]
mod tests {
    use super::{fixed, short};

    #[test]
    fn numbers_are_written_with_the_decimals_asked_for() {
        assert_eq!(fixed(3.16, 1), "3.2");
        assert_eq!(fixed(0.04, 1), "0.0");
        assert_eq!(fixed(-0.04, 1), "0.0", "no negative zero");
        assert_eq!(fixed(-12.345, 2), "-12.35");
        assert_eq!(fixed(600.0, 1), "600.0");
        assert_eq!(fixed(1.23456, 4), "1.2346");
        assert_eq!(fixed(7.5, 0), "8");
        assert_eq!(fixed(0.000_5, 3), "0.001");
        assert_eq!(fixed(f64::NAN, 2), "0");
        assert_eq!(fixed(f64::INFINITY, 2), "0");
        assert_eq!((short(1.25, 3), short(2.0, 2), short(0.5, 2), short(10.0, 0), short(1.006, 2)), ("1.25".into(), "2".into(), "0.5".into(), "10".into(), "1.01".into()));
        // 1.005 is stored as 1.00499999…: rounded as Rust's own formatting rounds it, down.
        assert_eq!((short(1.005, 2), format!("{:.2}", 1.005)), ("1".into(), "1.00".into()));
        for v in [0.0, 1.0, 12.5, 599.9, 123.456, 0.1 + 0.2] {
            assert_eq!(fixed(v, 3), format!("{v:.3}"), "{v}");
        }
    }
}
