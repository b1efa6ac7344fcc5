//! Virtual time. The engine counts integer microseconds from the start of a run; nothing in the
//! core reads a wall clock. Scenario files and reports speak milliseconds.

use std::fmt;

/// A moment or a span of virtual time, in microseconds.
pub type Micros = u64;

/// Microseconds in one millisecond.
pub const US_PER_MS: Micros = 1_000;

/// Converts whole milliseconds to [`Micros`], saturating rather than wrapping.
pub const fn ms(ms: u64) -> Micros {
    ms.saturating_mul(US_PER_MS)
}

/// Displays a [`Micros`] value as milliseconds with three decimals (`1234.567`), the stable form
/// used in traces: integer arithmetic only, so it prints the same natively and in wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsMs(pub Micros);

impl fmt::Display for AsMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / US_PER_MS, self.0 % US_PER_MS)
    }
}

/// A [`Micros`] value as a JSON number of milliseconds. The division is exact for every value a
/// run reaches (below 2^53 µs), so reports are identical on every platform.
pub fn to_ms_f64(t: Micros) -> f64 {
    t as f64 / US_PER_MS as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_microseconds_as_milliseconds() {
        assert_eq!(AsMs(0).to_string(), "0.000");
        assert_eq!(AsMs(1_234_567).to_string(), "1234.567");
        assert_eq!(AsMs(5).to_string(), "0.005");
        assert_eq!(ms(3), 3_000);
        assert_eq!(ms(u64::MAX), u64::MAX);
    }
}
