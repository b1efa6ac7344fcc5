//! A one-line progress bar on stderr, drawn only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress through `total` steps.
pub struct Progress {
    total: u64,
    on: bool,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// A bar for `total` steps; silent unless stderr is a terminal.
    pub fn new(total: u64) -> Self {
        Progress { total, on: std::io::stderr().is_terminal(), started: Instant::now(), drawn: None }
    }

    /// Redraws (at most ten times a second) after `done` steps and `events` events.
    pub fn update(&mut self, done: u64, events: u64) {
        if !self.on || self.drawn.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.drawn = Some(Instant::now());
        const WIDTH: u64 = 30;
        let filled = (done * WIDTH).checked_div(self.total).unwrap_or(WIDTH) as usize;
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(WIDTH as usize - filled));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] {done}/{} seeds, {} events/s ", self.total, human(events as f64 / secs));
        let _ = err.flush();
    }

    /// Erases the bar.
    pub fn finish(&mut self) {
        if self.on && self.drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(80));
            let _ = err.flush();
        }
    }
}

/// 1234567.0 -> "1.23M".
pub fn human(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2}G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}
