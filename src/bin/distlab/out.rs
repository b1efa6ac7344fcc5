//! Writing to stdout without panicking when the reader goes away (`distlab trace | head`).
//!
//! Rust ignores SIGPIPE, so a write to a pipe whose reader has exited returns an error of
//! kind `BrokenPipe` instead of ending the process: the writer has to notice and stop.

use std::io::{self, BufWriter, ErrorKind, Stdout, Write};

/// A buffered stdout that remembers why writing stopped, if it did.
pub struct Out {
    w: BufWriter<Stdout>,
    failed: Option<io::Error>,
}

impl Out {
    /// Standard output.
    pub fn new() -> Self {
        Out { w: BufWriter::with_capacity(1 << 16, io::stdout()), failed: None }
    }

    /// Writes one line; returns false once writing has failed (the reader is gone).
    pub fn line(&mut self, s: &str) -> bool {
        if self.failed.is_none()
            && let Err(e) = self.w.write_all(s.as_bytes()).and_then(|()| self.w.write_all(b"\n"))
        {
            self.failed = Some(e);
        }
        self.failed.is_none()
    }

    /// Flushes what is buffered; returns false once writing has failed.
    pub fn flush(&mut self) -> bool {
        if self.failed.is_none()
            && let Err(e) = self.w.flush()
        {
            self.failed = Some(e);
        }
        self.failed.is_none()
    }

    /// Why writing stopped, unless it stopped because the reader went away (a closed pipe,
    /// which is how `| head` says it has read enough: no error).
    pub fn error(&self) -> Option<&io::Error> {
        self.failed.as_ref().filter(|e| e.kind() != ErrorKind::BrokenPipe)
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.flush();
    }
}
