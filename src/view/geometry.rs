//! Stage geometry: where servers sit, where a message is on its way, how much of a timer is
//! left, and the speed slider's log scale. Integer microseconds in, floating point out.

use crate::sim::Micros;

/// Height of the stage's SVG viewBox, and the width of a ring's (a square).
pub const VIEW_SIZE: f64 = 600.0;

/// Where a balancer's fan puts things, across (every part is centred down the stage).
#[derive(Clone, Copy, Debug, PartialEq)]
struct FanShape {
    /// The viewBox's width.
    width: f64,
    /// The clients' mark.
    clients_x: f64,
    /// The balancer (S1), with its key space (a ring around it, or a strip under it).
    balancer_x: f64,
    /// The backends' part: from here to the right edge, in cells of a circle with its slots and
    /// queue beside it.
    backends_x: f64,
}

/// [`Layout::Fan`]: landscape, as the stage's box is on laptops and projectors, so that the
/// backends get the room their slots and queues take beside them.
const FAN: FanShape = FanShape { width: 900.0, clients_x: 52.0, balancer_x: 230.0, backends_x: 390.0 };
/// [`Layout::FanNarrow`], for a phone: square, as the other pages' rings are, the same places
/// closer together, so that on a 390 px screen the words are drawn larger than the wide fan's.
const FAN_NARROW: FanShape = FanShape { width: 600.0, clients_x: 44.0, balancer_x: 176.0, backends_x: 266.0 };

/// The shape of the fan `layout` is (the wide one for any other layout).
fn fan_shape(layout: Layout) -> FanShape {
    if layout == Layout::FanNarrow { FAN_NARROW } else { FAN }
}

/// Whether this build draws a fan: only the load balancer's does. Elsewhere the fan's arms
/// below are dead code the optimizer drops, rather than weight in the page's download.
pub const FANS: bool = cfg!(feature = "balancer");

/// Width of the stage's viewBox in `layout`.
pub fn view_width(layout: Layout) -> f64 {
    match layout {
        _ if layout.is_fan() => fan_shape(layout).width,
        _ => VIEW_SIZE,
    }
}

/// Height of the stage's viewBox in `layout`.
pub fn view_height(_layout: Layout) -> f64 {
    VIEW_SIZE
}
/// Largest cluster the stage lays out.
pub const MAX_NODES: u32 = 15;

/// A point of the viewBox.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Rightwards.
    pub x: f64,
    /// Downwards.
    pub y: f64,
}

impl Point {
    /// The point `t` (0..=1) of the way from `self` to `to`.
    pub fn lerp(self, to: Point, t: f64) -> Point {
        Point { x: self.x + (to.x - self.x) * t, y: self.y + (to.y - self.y) * t }
    }

    /// Distance to `other`.
    pub fn dist(self, other: Point) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }
}

/// The centre of the stage (where the client actors are drawn).
pub fn center() -> Point {
    Point { x: VIEW_SIZE / 2.0, y: VIEW_SIZE / 2.0 }
}

/// Radius of the ring the servers sit on: room above the top server for a partition side's
/// letter and under the bottom one for its caption (see [`crate::view::labels`]).
pub fn ring_radius() -> f64 {
    VIEW_SIZE * 0.35
}

/// Centres of `n` servers on a ring, S1 at the top and clockwise; one server sits at the top
/// too. `n` is clamped to 1..=[`MAX_NODES`].
pub fn ring_positions(n: u32) -> Vec<Point> {
    let n = n.clamp(1, MAX_NODES);
    let c = center();
    let r = ring_radius();
    (0..n)
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * f64::from(i) / f64::from(n);
            let (sin, cos) = super::trig::sin_cos(angle);
            Point { x: c.x + r * cos, y: c.y + r * sin }
        })
        .collect()
}

/// How a protocol's servers are placed on the stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Peers on a ring, clients in the middle (consensus, atomic commit).
    #[default]
    Ring,
    /// A load balancer: S1 left of centre, clients further left, backends S2.. in columns on
    /// the right.
    Fan,
    /// [`Layout::Fan`] on a narrow screen: the same places, closer together in a square.
    FanNarrow,
}

impl Layout {
    /// Whether this is a balancer's fan, wide or narrow.
    pub fn is_fan(self) -> bool {
        FANS && matches!(self, Layout::Fan | Layout::FanNarrow)
    }

    /// This layout on a narrow screen (a phone): a fan narrows; a ring is square already.
    pub fn narrow(self) -> Layout {
        match self {
            Layout::Fan => Layout::FanNarrow,
            other => other,
        }
    }
}

/// Most columns of backends in [`Layout::Fan`].
pub const FAN_COLUMNS_MAX: u32 = 8;
/// Most servers [`Layout::Fan`] lays out: S1 and 200 backends, as many as a balancer scenario
/// may have.
pub const FAN_MAX_NODES: u32 = 201;
/// Where the balancer (S1) sits in a fan: left of the middle, with the clients further left
/// and its key space (a ring around it, or a strip of cells under it) about it.
pub fn balancer_point(layout: Layout) -> Point {
    Point { x: fan_shape(layout).balancer_x, y: VIEW_SIZE / 2.0 }
}

/// Space kept clear at the fan's edges.
const FAN_MARGIN: f64 = 8.0;
/// The largest radius of a fan's servers.
const FAN_R_MAX: f64 = 40.0;
/// A backend's cell, in radii: its circle, then its meter (eight slots, the queue and its
/// length), across; a little more than its circle, down.
const FAN_CELL_W: f64 = 7.2;
const FAN_CELL_H: f64 = 2.5;

/// A fan's cell size for `columns` of `rows` backends.
fn fan_cell(layout: Layout, columns: u32, rows: u32) -> (f64, f64) {
    let fan = fan_shape(layout);
    ((fan.width - fan.backends_x - FAN_MARGIN) / f64::from(columns.max(1)), (VIEW_SIZE - 2.0 * FAN_MARGIN) / f64::from(rows.max(1)))
}

/// The radius a grid of `columns` of `rows` backends allows.
fn fan_cell_r(layout: Layout, columns: u32, rows: u32) -> f64 {
    let (w, h) = fan_cell(layout, columns, rows);
    (w / FAN_CELL_W).min(h / FAN_CELL_H).min(FAN_R_MAX)
}

/// Columns of backends and backends per column for `backends` in a fan: the grid with the
/// largest circles, the fewest columns among equals.
fn fan_grid(layout: Layout, backends: u32) -> (u32, u32) {
    let backends = backends.max(1);
    let mut best = (1, backends);
    for columns in 2..=FAN_COLUMNS_MAX {
        let rows = backends.div_ceil(columns);
        if fan_cell_r(layout, columns, rows) > fan_cell_r(layout, best.0, best.1) + 1e-9 {
            best = (columns, rows);
        }
    }
    best
}

/// Centres of `n` servers in `layout`.
pub fn positions(layout: Layout, n: u32) -> Vec<Point> {
    match layout {
        _ if layout.is_fan() => {
            let n = n.clamp(1, FAN_MAX_NODES);
            let backends = n - 1;
            let (columns, per_column) = fan_grid(layout, backends);
            let (_, h) = fan_cell(layout, columns, per_column);
            let r = fan_cell_r(layout, columns, per_column);
            // The cells at the right edge, no wider than they need: a few backends stand far from
            // the balancer, with room for their requests' flights.
            let w = FAN_CELL_W * r;
            let fan = fan_shape(layout);
            let left = (fan.width - FAN_MARGIN - f64::from(columns) * w).max(fan.backends_x);
            let mut out = vec![balancer_point(layout)];
            for b in 0..backends {
                let (col, row) = (b / per_column, b % per_column);
                // A shorter last column is centred on the rows of the others.
                let in_column = per_column.min(backends - col * per_column);
                let x = left + f64::from(col) * w + 1.15 * r;
                let y = VIEW_SIZE / 2.0 + (f64::from(row) - f64::from(in_column - 1) / 2.0) * h;
                out.push(Point { x, y });
            }
            out
        }
        _ => ring_positions(n),
    }
}

/// Where client actors are drawn in `layout`.
pub fn client_point(layout: Layout) -> Point {
    match layout {
        _ if layout.is_fan() => Point { x: fan_shape(layout).clients_x, y: VIEW_SIZE / 2.0 },
        _ => center(),
    }
}

/// Radius of a server's circle for `n` servers in `layout`.
pub fn radius(layout: Layout, n: u32) -> f64 {
    match layout {
        _ if layout.is_fan() => {
            let (columns, per_column) = fan_grid(layout, n.clamp(2, FAN_MAX_NODES) - 1);
            fan_cell_r(layout, columns, per_column).max(4.0)
        }
        _ => node_radius(n),
    }
}

/// Slots a backend's meter draws (a backend with more shows this many).
pub const METER_SLOTS: u32 = 8;

/// Where a backend's meter goes, right of its circle: a row of slots (squares, filled while
/// busy), under it its queue (a bar) and the queue's length after the bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meter {
    /// Its left edge.
    pub x: f64,
    /// A slot's side (and the queue bar's height), and the step from one slot to the next.
    pub slot: f64,
    pub pitch: f64,
    /// The top of the slots' row and of the queue's.
    pub slots_y: f64,
    pub queue_y: f64,
    /// The font of the queue's length.
    pub font: f64,
}

impl Meter {
    /// The meter of a backend at `c` of radius `r`.
    pub fn of(c: Point, r: f64) -> Meter {
        let slot = r * 0.3;
        Meter { x: c.x + 1.25 * r, slot, pitch: slot * 1.25, slots_y: c.y - 0.8 * r, queue_y: c.y - 0.35 * r, font: (r * 0.4).clamp(9.0, 14.0) }
    }

    /// The longest the queue's bar grows: as wide as the row of slots.
    pub fn queue_max(&self) -> f64 {
        self.pitch * f64::from(METER_SLOTS - 1) + self.slot
    }

    /// The queue's bar for `queued` requests: half a slot's step each, up to [`Self::queue_max`]
    /// (its length is written after it).
    pub fn queue_width(&self, queued: u32) -> f64 {
        // max/min, not clamp: clamp's check of its (here variable) bounds brings f64's Debug
        // formatting into the page's download.
        (f64::from(queued) * self.pitch / 2.0).min(self.queue_max()).max(2.0)
    }

    /// Where the queue's length starts (left-aligned) and its middle, for `queued`.
    pub fn queue_text_at(&self, queued: u32) -> Point {
        Point { x: self.x + self.queue_width(queued) + self.slot * 0.4, y: self.queue_y + self.slot / 2.0 }
    }
}

/// The queue lengths a meter writes: up to 999, then "999+".
pub fn queue_text(queued: u32) -> String {
    if queued > 999 { "999+".to_string() } else { queued.to_string() }
}

/// A balancer's hash ring around S1 (centre [`balancer_point`]) for servers of radius `r`: the
/// radius of its arcs, their width and that of the arcs the last change moved keys to, and the
/// radius of the dashed arcs a leaving backend held (inside the ring).
pub fn key_ring(r: f64) -> (f64, f64, f64, f64) {
    (r + 30.0, 16.0, 24.0, r + 10.0)
}

/// The outer edge of the ring of [`key_ring`], its widest arcs and their outline included.
pub fn key_ring_outer(r: f64) -> f64 {
    let (ring, _, moved, _) = key_ring(r);
    ring + moved / 2.0 + 1.5
}

/// Cells of a key strip under S1 (Maglev's table, rendezvous hashing's first keys), per row.
pub const STRIP_COLUMNS: usize = 16;
/// A strip cell's side and step.
pub const STRIP_CELL: f64 = 12.0;
pub const STRIP_PITCH: f64 = 14.0;

/// The top-left corner of cell `i` of a strip whose top is at `top`, centred under S1 at
/// `centre_x`.
pub fn strip_cell(i: usize, centre_x: f64, top: f64) -> Point {
    let width = STRIP_PITCH * STRIP_COLUMNS as f64 - (STRIP_PITCH - STRIP_CELL);
    let (row, col) = (i / STRIP_COLUMNS, i % STRIP_COLUMNS);
    Point { x: centre_x - width / 2.0 + col as f64 * STRIP_PITCH, y: top + row as f64 * STRIP_PITCH }
}

/// The size of a strip of `cells` cells.
pub fn strip_size(cells: usize) -> (f64, f64) {
    let rows = cells.div_ceil(STRIP_COLUMNS).max(1);
    let cols = cells.clamp(1, STRIP_COLUMNS);
    (STRIP_PITCH * cols as f64 - (STRIP_PITCH - STRIP_CELL), STRIP_PITCH * rows as f64 - (STRIP_PITCH - STRIP_CELL))
}

/// Radius of a server's circle for a cluster of `n`: as large as 52 units, small enough that
/// neighbours (and their timer rings) never touch.
pub fn node_radius(n: u32) -> f64 {
    let n = n.clamp(1, MAX_NODES);
    if n == 1 {
        return NODE_R_MAX;
    }
    let chord = 2.0 * ring_radius() * super::trig::sin_cos(std::f64::consts::PI / f64::from(n)).0;
    (chord * 0.36).min(NODE_R_MAX)
}

/// The largest server's radius.
const NODE_R_MAX: f64 = 52.0;

/// How far (0..=1) a message sent at `sent_us` and due at `due_us` has travelled at `now_us`.
pub fn travel_fraction(sent_us: Micros, due_us: Micros, now_us: Micros) -> f64 {
    if due_us <= sent_us {
        return 1.0;
    }
    let done = now_us.saturating_sub(sent_us).min(due_us - sent_us);
    done as f64 / (due_us - sent_us) as f64
}

/// Where a message is drawn: on the straight line between the two circles' edges (`gap` is the
/// circles' radius), `travel_fraction` of the way along.
pub fn message_position(from: Point, to: Point, gap: f64, sent_us: Micros, due_us: Micros, now_us: Micros) -> Point {
    let d = from.dist(to);
    let (start, end) = if d > 2.0 * gap {
        let k = gap / d;
        (from.lerp(to, k), to.lerp(from, k))
    } else {
        (from, to)
    };
    start.lerp(end, travel_fraction(sent_us, due_us, now_us))
}

/// The part (1 = all, 0 = none) of a timer armed at `set_us` and due at `due_us` that is still
/// left at `now_us`: the election-timer ring drains from 1 to 0.
pub fn timer_left(set_us: Micros, due_us: Micros, now_us: Micros) -> f64 {
    1.0 - travel_fraction(set_us, due_us, now_us)
}

/// `stroke-dasharray` of a circle of radius `r` that shows `fraction` of its circumference:
/// (dash, gap).
pub fn ring_dash(r: f64, fraction: f64) -> (f64, f64) {
    let circumference = std::f64::consts::TAU * r;
    let dash = circumference * fraction.clamp(0.0, 1.0);
    (dash, circumference - dash)
}

/// Draw one message in this many, by id, when `n` would be drawn and at most about `max` should
/// be (the stage and the space-time diagram at thousands of messages a second): 1 up to
/// `over`, else a power of two. Powers of two nest: as the count changes, each coarser sample
/// is part of the finer one, so a message drawn stays drawn unless the sample thins.
pub fn sample_every(n: usize, over: usize, max: usize) -> u64 {
    if n <= over { 1 } else { n.div_ceil(max.max(1)).next_power_of_two() as u64 }
}

/// Slowest speed: virtual time per wall time.
pub const SPEED_MIN: f64 = 0.01;
/// Fastest speed.
pub const SPEED_MAX: f64 = 10.0;
/// Steps of the speed slider (0..=SLIDER_STEPS).
pub const SLIDER_STEPS: u32 = 300;

/// The speed a slider position stands for, on a log scale from [`SPEED_MIN`] to [`SPEED_MAX`].
pub fn speed_from_slider(pos: u32) -> f64 {
    let t = f64::from(pos.min(SLIDER_STEPS)) / f64::from(SLIDER_STEPS);
    SPEED_MIN * (SPEED_MAX / SPEED_MIN).powf(t)
}

/// The slider position nearest to `speed`.
pub fn slider_from_speed(speed: f64) -> u32 {
    let speed = if speed.is_finite() { speed.clamp(SPEED_MIN, SPEED_MAX) } else { SPEED_MIN };
    let t = (speed / SPEED_MIN).ln() / (SPEED_MAX / SPEED_MIN).ln();
    (t * f64::from(SLIDER_STEPS)).round() as u32
}

/// Slider positions one press of `+` or `-` moves: 1/12 of the range, about ×1.8.
pub const SPEED_KEY_STEP: u32 = SLIDER_STEPS / 12;

/// The speed `steps` key presses away (positive = faster), within the slider's range.
pub fn speed_step(speed: f64, steps: i32) -> f64 {
    let pos = i64::from(slider_from_speed(speed)) + i64::from(steps) * i64::from(SPEED_KEY_STEP);
    speed_from_slider(pos.clamp(0, i64::from(SLIDER_STEPS)) as u32)
}

/// A speed as people read it: "1/10×", "1×", "3.2×".
pub fn speed_label(speed: f64) -> String {
    if speed >= 0.995 {
        let s = crate::num::fixed(speed, 1);
        format!("{}×", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("1/{}×", (1.0 / speed).round() as u64)
    }
}

/// Virtual microseconds that pass in `wall_ms` of wall time at `speed`, never negative and at
/// most `cap_us` (a frame after the tab slept must not jump minutes ahead).
pub fn virtual_advance_us(wall_ms: f64, speed: f64, cap_us: Micros) -> Micros {
    if !wall_ms.is_finite() || !speed.is_finite() || wall_ms <= 0.0 || speed <= 0.0 {
        return 0;
    }
    let us = wall_ms * 1000.0 * speed;
    if us >= cap_us as f64 { cap_us } else { us.round() as Micros }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_is_all_up_to_the_threshold_then_nested_powers_of_two_of_about_max() {
        assert_eq!(sample_every(80, 80, 60), 1);
        assert_eq!(sample_every(81, 80, 60), 2);
        assert_eq!(sample_every(5_000, 160, 160), 32);
        for n in [161, 500, 1_000, 8_000, 100_000] {
            let k = sample_every(n, 160, 160);
            assert!(k.is_power_of_two() && n as u64 / k <= 160 && n as u64 / k > 40, "{n}: {k}");
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ring_puts_s1_on_top_and_goes_clockwise() {
        let p = ring_positions(4);
        assert_eq!(p.len(), 4);
        let c = center();
        let r = ring_radius();
        assert!(close(p[0].x, c.x) && close(p[0].y, c.y - r));
        assert!(close(p[1].x, c.x + r) && close(p[1].y, c.y));
        assert!(close(p[2].x, c.x) && close(p[2].y, c.y + r));
        assert!(close(p[3].x, c.x - r) && close(p[3].y, c.y));
    }

    #[test]
    fn ring_sizes_1_to_15_fit_the_view_and_never_overlap() {
        for n in 1..=15 {
            let p = ring_positions(n);
            assert_eq!(p.len(), n as usize);
            let r = node_radius(n);
            // The timer ring is drawn 6 units outside the circle.
            let outer = r + 8.0;
            for a in &p {
                assert!(a.x - outer >= 0.0 && a.x + outer <= VIEW_SIZE, "n={n}");
                assert!(a.y - outer >= 0.0 && a.y + outer <= VIEW_SIZE, "n={n}");
                assert!(close(a.dist(center()), ring_radius()));
            }
            for i in 0..p.len() {
                for j in i + 1..p.len() {
                    assert!(p[i].dist(p[j]) > 2.0 * outer, "n={n}: S{} and S{} touch", i + 1, j + 1);
                }
            }
        }
        assert_eq!(ring_positions(0).len(), 1);
        assert_eq!(positions(Layout::Ring, 5), ring_positions(5));
        assert_eq!(ring_positions(99).len(), 15);
    }

    #[test]
    fn travel_fraction_clamps_and_interpolates() {
        assert!(close(travel_fraction(1000, 3000, 500), 0.0));
        assert!(close(travel_fraction(1000, 3000, 1000), 0.0));
        assert!(close(travel_fraction(1000, 3000, 1500), 0.25));
        assert!(close(travel_fraction(1000, 3000, 3000), 1.0));
        assert!(close(travel_fraction(1000, 3000, 9000), 1.0));
        assert!(close(travel_fraction(1000, 1000, 0), 1.0));
    }

    #[test]
    fn messages_travel_between_circle_edges() {
        let a = Point { x: 0.0, y: 0.0 };
        let b = Point { x: 100.0, y: 0.0 };
        assert_eq!(message_position(a, b, 10.0, 0, 100, 0), Point { x: 10.0, y: 0.0 });
        assert_eq!(message_position(a, b, 10.0, 0, 100, 50), Point { x: 50.0, y: 0.0 });
        assert_eq!(message_position(a, b, 10.0, 0, 100, 100), Point { x: 90.0, y: 0.0 });
        // Circles that overlap: centre to centre.
        assert_eq!(message_position(a, b, 60.0, 0, 100, 100), b);
    }

    #[test]
    fn timer_ring_drains() {
        assert!(close(timer_left(0, 200_000, 0), 1.0));
        assert!(close(timer_left(0, 200_000, 50_000), 0.75));
        assert!(close(timer_left(0, 200_000, 300_000), 0.0));
        let (dash, gap) = ring_dash(10.0, 0.25);
        assert!(close(dash + gap, std::f64::consts::TAU * 10.0));
        assert!(close(dash, std::f64::consts::TAU * 10.0 / 4.0));
        assert_eq!(ring_dash(10.0, 2.0).1, 0.0);
        assert_eq!(ring_dash(10.0, -1.0).0, 0.0);
    }

    #[test]
    fn speed_slider_is_logarithmic_and_round_trips() {
        assert!(close(speed_from_slider(0), SPEED_MIN));
        assert!(close(speed_from_slider(SLIDER_STEPS), SPEED_MAX));
        assert!((speed_from_slider(SLIDER_STEPS / 3) - 0.1).abs() < 1e-9);
        assert!((speed_from_slider(2 * SLIDER_STEPS / 3) - 1.0).abs() < 1e-9);
        for pos in 0..=SLIDER_STEPS {
            assert_eq!(slider_from_speed(speed_from_slider(pos)), pos);
        }
        assert_eq!(slider_from_speed(f64::NAN), 0);
        assert_eq!(slider_from_speed(1e9), SLIDER_STEPS);
        assert_eq!(speed_label(0.1), "1/10×");
        assert_eq!(speed_label(1.0), "1×");
        assert_eq!(speed_label(3.16), "3.2×");
    }

    #[test]
    fn speed_keys_step_on_the_log_scale_and_stop_at_the_ends() {
        let faster = speed_step(0.1, 1);
        assert!(faster > 0.17 && faster < 0.19, "{faster}");
        assert!((speed_step(faster, -1) - 0.1).abs() < 1e-9);
        assert!(close(speed_step(0.1, 100), SPEED_MAX));
        assert!(close(speed_step(0.1, -100), SPEED_MIN));
    }

    #[test]
    fn virtual_time_advance_is_capped_and_never_negative() {
        assert_eq!(virtual_advance_us(16.0, 0.1, 1_000_000), 1_600);
        assert_eq!(virtual_advance_us(-5.0, 1.0, 1_000_000), 0);
        assert_eq!(virtual_advance_us(f64::NAN, 1.0, 1_000_000), 0);
        assert_eq!(virtual_advance_us(60_000.0, 10.0, 100_000), 100_000);
    }

    #[test]
    fn a_fan_puts_the_balancer_left_and_backends_in_columns_that_do_not_touch() {
        assert_eq!((view_width(Layout::Fan), view_height(Layout::Fan)), (900.0, 600.0), "landscape");
        assert_eq!((view_width(Layout::FanNarrow), view_height(Layout::FanNarrow)), (600.0, 600.0), "square");
        for layout in [Layout::Fan, Layout::FanNarrow] {
            let width = view_width(layout);
            for n in [2, 5, 7, 11, 12, 13, 21, 41, 97, 101, 150, 201, 300] {
                let p = positions(layout, n);
                assert_eq!(p.len() as u32, n.min(FAN_MAX_NODES));
                let r = radius(layout, n);
                if n <= 13 {
                    assert!(r >= 20.0, "{layout:?} {n}: up to 12 backends are large ({r:.1})");
                }
                assert!(p[1..].iter().all(|b| b.x > p[0].x + 80.0), "{layout:?}: backends right of S1 ({n})");
                assert!(p[1..].iter().all(|b| b.x - r >= fan_shape(layout).backends_x), "{layout:?}: backends in their part ({n})");
                assert!(client_point(layout).x < p[0].x);
                for (i, a) in p.iter().enumerate() {
                    assert!(a.x - r >= 0.0 && a.x + r <= width && a.y - r >= 0.0 && a.y + r <= VIEW_SIZE, "{layout:?} {n}: S{} inside", i + 1);
                    for b in &p[i + 1..] {
                        assert!(a.dist(*b) >= 2.0 * r, "{layout:?} {n}: servers overlap");
                    }
                }
                // A backend's meter ends before the next column's circles (and the stage's edge).
                for a in &p[1..] {
                    let m = Meter::of(*a, r);
                    let end = m.x + m.queue_max();
                    assert!(end < width, "{layout:?} {n}: meter inside");
                    assert!(p[1..].iter().all(|b| b.x <= a.x || end < b.x - r), "{layout:?} {n}: a meter runs into the next column");
                }
            }
            // Rows line up across columns.
            let p = positions(layout, 21);
            let second = p[1..].iter().find(|b| b.x > p[1].x).expect("two columns");
            assert_eq!(p[1].y, second.y);
        }
        // On a screen of one width, the narrow fan draws its servers larger than the wide one
        // would: half as large again up to 6 backends; with many, the backends share the column's
        // height in both, and are as large (within 5 %).
        let on_screen = |layout: Layout, n: u32| radius(layout, n) / view_width(layout);
        for n in 2..=201 {
            let gain = on_screen(Layout::FanNarrow, n) / on_screen(Layout::Fan, n);
            assert!(gain >= if n <= 7 { 1.45 } else { 0.95 }, "{n} servers: the narrow fan's are {gain:.2} times the wide one's");
        }
    }

    #[test]
    fn a_meter_keeps_its_slots_and_queue_beside_the_circle_and_its_bar_grows_to_a_cap() {
        let c = Point { x: 500.0, y: 300.0 };
        let m = Meter::of(c, 30.0);
        assert!(m.x > c.x + 30.0);
        assert!(m.slots_y + m.slot < m.queue_y, "the queue under the slots");
        assert!(m.slots_y > c.y - 30.0 && m.queue_y + m.slot < c.y + 30.0, "beside the circle");
        assert_eq!(m.queue_width(0), 2.0);
        assert!(m.queue_width(4) < m.queue_width(8));
        assert_eq!(m.queue_width(10_000), m.queue_max());
        assert!(m.queue_text_at(10_000).x > m.x + m.queue_max());
        assert_eq!(queue_text(12), "12");
        assert_eq!(queue_text(5_000), "999+");
    }

    #[test]
    fn the_key_space_sits_about_s1_clear_of_it() {
        for layout in [Layout::Fan, Layout::FanNarrow] {
            let s1 = balancer_point(layout);
            for n in [5, 11, 21] {
                let r = radius(layout, n);
                let (ring, width, moved, left) = key_ring(r);
                assert!(left - 2.5 > r + 2.0, "the former arcs clear S1's circle");
                assert!(ring - moved / 2.0 - 1.5 > left + 3.5, "the ring clears the former arcs");
                assert!(width < moved && key_ring_outer(r) < 90.0);
                assert!(s1.x + key_ring_outer(r) < fan_shape(layout).backends_x && s1.x - key_ring_outer(r) > client_point(layout).x + 40.0, "{layout:?} {n}");
            }
        }
        let (w, h) = strip_size(64);
        assert_eq!((w, h), (222.0, 54.0));
        assert_eq!(strip_cell(0, 230.0, 400.0), Point { x: 230.0 - 111.0, y: 400.0 });
        assert_eq!(strip_cell(17, 230.0, 400.0), Point { x: 230.0 - 111.0 + 14.0, y: 414.0 });
        assert_eq!(strip_size(3), (40.0, 12.0));
    }
}
