//! The load balancer's backend colours: twelve qualitative colours, one per backend (S2 takes the
//! first, S13 the twelfth, then they come round again), the same on the stage (a backend's
//! fill, the ring's arcs, Maglev's cells) and in the panel (bars, sparklines, ring, table).
//!
//! Picked from Paul Tol's (vibrant, muted, bright, light) and Okabe and Ito's palettes, with
//! three of our own (the blue, the light green, the brown) to make twelve, so that any two differ by a CIE Lab ΔE of 30 or more for most people and still by 13 or more
//! for the protanopes and deuteranopes (Machado et al.'s simulation at full severity), in an
//! order where each first few are as far apart as the twelve allow. Every one is light enough
//! that a backend's fill stands at 3:1 or more on the dark stage; its name is drawn in the ink
//! given beside it (dark on all but purple), at 4.5:1 or more. Colour never works alone: every
//! backend is named wherever its colour is drawn.

use crate::sim::NodeId;

/// Backends' colours and the ink of words drawn on each, in the order backends take them.
pub const BACKENDS: [(&str, &str); 12] = [
    ("#88aaff", INK_DARK),  // blue
    ("#e69f00", INK_DARK),  // orange (Okabe–Ito)
    ("#ee3377", INK_DARK),  // magenta (Tol vibrant)
    ("#aa4499", INK_WHITE), // purple (Tol muted)
    ("#f0e442", INK_DARK),  // yellow (Okabe–Ito)
    ("#009988", INK_DARK),  // teal (Tol vibrant)
    ("#99dd88", INK_DARK),  // light green
    ("#66ccee", INK_DARK),  // cyan (Tol bright)
    ("#999933", INK_DARK),  // olive (Tol muted)
    ("#bb8855", INK_DARK),  // brown
    ("#d55e00", INK_DARK),  // vermilion (Okabe–Ito)
    ("#ffaabb", INK_DARK),  // pink (Tol light)
];

/// The stage's dark ink (`--node-text` in `static/stage.css`).
pub const INK_DARK: &str = "#101317";
/// White ink.
pub const INK_WHITE: &str = "#ffffff";

/// Backend `id`'s colour (S2 the first; a balancer's S1 and anything below take the first too).
pub fn backend_colour(id: NodeId) -> &'static str {
    BACKENDS[index(id)].0
}

/// The ink of words drawn on backend `id`'s colour.
pub fn backend_ink(id: NodeId) -> &'static str {
    BACKENDS[index(id)].1
}

fn index(id: NodeId) -> usize {
    id.saturating_sub(2) as usize % BACKENDS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(hex: &str) -> [f64; 3] {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("a hex colour");
        [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff].map(|c| f64::from(c) / 255.0)
    }

    fn linear(c: f64) -> f64 {
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    }

    /// WCAG's relative luminance.
    fn luminance(hex: &str) -> f64 {
        let [r, g, b] = rgb(hex).map(linear);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// WCAG's contrast ratio.
    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// CIE L*a*b* (D65) of linear sRGB.
    fn lab_of_linear([r, g, b]: [f64; 3]) -> [f64; 3] {
        let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
        let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
        let z = 0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b;
        let f = |t: f64| if t > 216.0 / 24_389.0 { t.cbrt() } else { (24_389.0 / 27.0 * t + 16.0) / 116.0 };
        let (fx, fy, fz) = (f(x / 0.950_47), f(y), f(z / 1.088_83));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    fn lab(hex: &str) -> [f64; 3] {
        lab_of_linear(rgb(hex).map(linear))
    }

    /// CIE76 ΔE.
    fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// What a protanope (`PROTAN`) or deuteranope (`DEUTAN`) sees, in Lab: Machado, Oliveira and
    /// Fernandes (2009), severity 1, on linear sRGB.
    const PROTAN: [[f64; 3]; 3] = [[0.152_286, 1.052_583, -0.204_868], [0.114_503, 0.786_281, 0.099_216], [-0.003_882, -0.048_116, 1.051_998]];
    const DEUTAN: [[f64; 3]; 3] = [[0.367_322, 0.860_646, -0.227_968], [0.280_085, 0.672_501, 0.047_413], [-0.011_820, 0.042_940, 0.968_881]];
    const TRITAN: [[f64; 3]; 3] = [[1.255_528, -0.076_749, -0.178_779], [-0.078_411, 0.930_809, 0.147_602], [0.004_733, 0.691_367, 0.303_900]];

    fn seen(hex: &str, m: &[[f64; 3]; 3]) -> [f64; 3] {
        let c = rgb(hex).map(linear);
        lab_of_linear([0, 1, 2].map(|i| (m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2]).clamp(0.0, 1.0)))
    }

    fn min_pair(f: impl Fn(&str) -> [f64; 3]) -> (f64, usize, usize) {
        let mut worst = (f64::INFINITY, 0, 0);
        for (i, a) in BACKENDS.iter().enumerate() {
            for (j, b) in BACKENDS.iter().enumerate().skip(i + 1) {
                let d = delta_e(f(a.0), f(b.0));
                if d < worst.0 {
                    worst = (d, i, j);
                }
            }
        }
        worst
    }

    #[test]
    fn lab_is_right_on_known_colours() {
        let close = |a: [f64; 3], b: [f64; 3]| delta_e(a, b) < 0.05;
        assert!(close(lab("#ffffff"), [100.0, 0.0, 0.0]), "{:?}", lab("#ffffff"));
        assert!(close(lab("#000000"), [0.0, 0.0, 0.0]));
        assert!(close(lab("#ff0000"), [53.24, 80.09, 67.20]), "{:?}", lab("#ff0000"));
        assert!(close(lab("#0000ff"), [32.30, 79.19, -107.86]), "{:?}", lab("#0000ff"));
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    }

    #[test]
    fn twelve_colours_any_two_far_apart_also_for_colour_blind_eyes() {
        let (d, i, j) = min_pair(lab);
        assert!(d >= 30.0, "S{} and S{}: ΔE {d:.1}", i + 2, j + 2);
        for (m, name) in [(&PROTAN, "protan"), (&DEUTAN, "deutan")] {
            let (d, i, j) = min_pair(|h| seen(h, m));
            assert!(d >= 13.0, "{name}: S{} and S{}: ΔE {d:.1}", i + 2, j + 2);
        }
        let (d, i, j) = min_pair(|h| seen(h, &TRITAN));
        assert!(d >= 15.0, "tritan: S{} and S{}: ΔE {d:.1}", i + 2, j + 2);
        // The first four (the smallest scenarios have three to five backends) are further apart
        // still.
        let first: Vec<[f64; 3]> = BACKENDS[..4].iter().map(|c| lab(c.0)).collect();
        for (i, a) in first.iter().enumerate() {
            for b in &first[i + 1..] {
                assert!(delta_e(*a, *b) >= 40.0);
            }
        }
    }

    #[test]
    fn names_read_on_every_colour_and_every_fill_stands_out_on_the_dark_stage() {
        for (i, (fill, ink)) in BACKENDS.iter().enumerate() {
            assert!(contrast(fill, ink) >= 4.5, "S{}: {ink} on {fill}: {:.2}", i + 2, contrast(fill, ink));
            // Light stage: the dark outline (--node-stroke) carries the shape; dark stage: the fill.
            assert!(contrast(fill, "#13161b") >= 3.0, "S{}: {fill} on the dark stage: {:.2}", i + 2, contrast(fill, "#13161b"));
            assert!(contrast("#1b2029", "#fbfbfd") >= 3.0);
        }
    }

    #[test]
    fn backends_take_them_in_turn_from_s2() {
        assert_eq!(backend_colour(2), BACKENDS[0].0);
        assert_eq!(backend_colour(13), BACKENDS[11].0);
        assert_eq!(backend_colour(14), BACKENDS[0].0, "round again after twelve");
        assert_eq!(backend_ink(5), INK_WHITE);
        let mut all: Vec<&str> = (2..14).map(backend_colour).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 12);
    }
}
