//! Several logs read as one stream in time order: a k-way merge over the
//! sources, each opened only when the stream reaches its first time (a
//! directory of thousands of per-connection rawlogs holds only the
//! connections open at that time). Exchange logs are streamed row by row;
//! a per-connection file is read whole when it opens (one session, small).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fs::File;
use std::io::BufReader;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::conversation;
use super::event::{Event, SessionKey};
use super::exchange::ExchangeReader;
use super::source::{Format, Source};
use super::{protolog, rawlog};

/// The part of the logs replayed: `[from, to)` in µs since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First time replayed.
    pub from_us: i64,
    /// First time no longer replayed.
    pub to_us: i64,
}

enum Stream {
    Exchange(Box<ExchangeReader<BufReader<File>>>),
    Whole(VecDeque<Event>),
}

impl Stream {
    fn next(&mut self) -> Option<Event> {
        match self {
            Stream::Exchange(r) => r.next(),
            Stream::Whole(q) => q.pop_front(),
        }
    }
}

/// The merged stream of every source.
pub struct Merge {
    sources: Vec<Source>,
    pending: usize,
    streams: Vec<(Stream, Option<Event>)>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    window: Window,
    /// Bytes read so far (progress).
    pub read: Arc<AtomicU64>,
    /// Lines no format could read, and files that could not be opened.
    pub unreadable: u64,
}

impl Merge {
    /// A merge over `sources` (sorted by first time) within `window`.
    pub fn new(sources: Vec<Source>, window: Window) -> Merge {
        Merge {
            sources,
            pending: 0,
            streams: Vec::new(),
            heap: BinaryHeap::new(),
            window,
            read: Arc::new(AtomicU64::new(0)),
            unreadable: 0,
        }
    }

    /// Total bytes of the sources.
    pub fn total_bytes(&self) -> u64 {
        self.sources.iter().map(|s| s.bytes).sum()
    }

    fn open(&mut self, i: usize) {
        let s = &self.sources[i];
        if s.last_us < self.window.from_us || s.first_us >= self.window.to_us {
            self.read.fetch_add(s.bytes, Ordering::Relaxed);
            return;
        }
        let stream = match &s.format {
            Format::Exchange => match File::open(&s.path) {
                Ok(f) => Stream::Exchange(Box::new(ExchangeReader::new(
                    BufReader::with_capacity(256 * 1024, f),
                    s.server,
                    self.read.clone(),
                ))),
                Err(e) => return self.lost(i, &e.to_string()),
            },
            _ => match whole(s, &mut self.unreadable) {
                Ok(events) => {
                    self.read.fetch_add(s.bytes, Ordering::Relaxed);
                    Stream::Whole(events.into())
                }
                Err(e) => return self.lost(i, &e.to_string()),
            },
        };
        let index = self.streams.len();
        self.streams.push((stream, None));
        self.advance(index);
    }

    fn lost(&mut self, i: usize, e: &str) {
        self.unreadable += 1;
        eprintln!(
            "imapload: replay: {} left out: {e}",
            self.sources[i].path.display()
        );
    }

    /// Reads the stream's next event into its head and the heap.
    fn advance(&mut self, stream: usize) {
        let next = self.streams[stream].0.next();
        if let Some(e) = &next {
            self.heap.push(Reverse((e.at_us, stream)));
        } else if let Stream::Exchange(r) = &self.streams[stream].0 {
            self.unreadable += r.unreadable;
        }
        self.streams[stream].1 = next;
    }

    fn next_any(&mut self) -> Option<Event> {
        loop {
            let min = self.heap.peek().map(|Reverse((t, _))| *t);
            if let Some(s) = self.sources.get(self.pending) {
                if min.is_none_or(|m| s.first_us <= m) {
                    self.pending += 1;
                    self.open(self.pending - 1);
                    continue;
                }
            }
            let Reverse((_, stream)) = self.heap.pop()?;
            let event = self.streams[stream].1.take();
            self.advance(stream);
            if event.is_some() {
                return event;
            }
        }
    }
}

impl Iterator for Merge {
    type Item = Event;

    /// The next event within the window, in time order.
    fn next(&mut self) -> Option<Event> {
        loop {
            let e = self.next_any()?;
            if e.at_us >= self.window.from_us && e.at_us < self.window.to_us {
                return Some(e);
            }
        }
    }
}

/// A one-session file's events.
fn whole(s: &Source, unreadable: &mut u64) -> std::io::Result<Vec<Event>> {
    let text = String::from_utf8_lossy(&std::fs::read(&s.path)?).to_string();
    let key = SessionKey {
        server: s.server,
        id: 0,
    };
    let lines = match &s.format {
        Format::RawlogPair(out) => {
            let out = match out {
                Some(o) => Some(String::from_utf8_lossy(&std::fs::read(o)?).to_string()),
                None => None,
            };
            rawlog::pair(&text, out.as_deref(), unreadable)
        }
        Format::RawlogSingle => rawlog::single(&text, unreadable),
        Format::Protolog => protolog::lines(&text, unreadable),
        Format::Exchange => Vec::new(),
    };
    let hint = match &s.format {
        Format::Protolog => text
            .lines()
            .next()
            .and_then(protolog::header)
            .map(|(u, _)| u),
        _ => s.user_hint.clone(),
    };
    Ok(conversation::events(&lines, key, hint.as_deref()))
}
