//! Component stdout/stderr, written to the host's log one line at a time with
//! the component id in front, as `spin up` does.

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Where a component's output goes.
#[derive(Clone)]
pub struct PrefixedOutput {
    prefix: Arc<str>,
    to_stderr: bool,
}

impl PrefixedOutput {
    /// The component's stdout, each line prefixed with `[component] `.
    pub fn stdout(component: &str) -> Self {
        Self {
            prefix: format!("[{component}] ").into(),
            to_stderr: false,
        }
    }

    /// The component's stderr, each line prefixed with `[component] `.
    pub fn stderr(component: &str) -> Self {
        Self {
            prefix: format!("[{component}] ").into(),
            to_stderr: true,
        }
    }
}

impl IsTerminal for PrefixedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for PrefixedOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            out: self.clone(),
            pending: Vec::new(),
        })
    }
}

/// Buffers a partial line until its newline arrives (or the stream is dropped).
struct LineWriter {
    out: PrefixedOutput,
    pending: Vec<u8>,
}

impl LineWriter {
    fn emit(&self, line: &[u8]) {
        let mut text = Vec::with_capacity(self.out.prefix.len() + line.len() + 1);
        text.extend_from_slice(self.out.prefix.as_bytes());
        text.extend_from_slice(line);
        text.push(b'\n');
        // Log output is best effort: a closed terminal must not fail a request.
        if self.out.to_stderr {
            let _ = std::io::stderr().lock().write_all(&text);
        } else {
            let _ = std::io::stdout().lock().write_all(&text);
        }
    }

    fn flush_lines(&mut self) {
        while let Some(pos) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            self.emit(&line[..line.len() - 1]);
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.pending.extend_from_slice(buf);
        self.flush_lines();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        self.flush_lines();
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest);
        }
    }
}
