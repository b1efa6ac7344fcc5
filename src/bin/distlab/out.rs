//! Writing to stdout without panicking when the reader goes away (`distlab trace | head`).

use std::io::{self, BufWriter, Stdout, Write};

/// A buffered stdout that remembers whether the reader is gone.
pub struct Out {
    w: BufWriter<Stdout>,
    closed: bool,
}

impl Out {
    /// Standard output.
    pub fn new() -> Self {
        Out { w: BufWriter::with_capacity(1 << 16, io::stdout()), closed: false }
    }

    /// Writes one line; returns false once the reader is gone.
    pub fn line(&mut self, s: &str) -> bool {
        if !self.closed && (self.w.write_all(s.as_bytes()).is_err() || self.w.write_all(b"\n").is_err()) {
            self.closed = true;
        }
        !self.closed
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) {
        if !self.closed && self.w.flush().is_err() {
            self.closed = true;
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.flush();
    }
}
