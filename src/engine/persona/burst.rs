//! A persona's lines pipelined (`pipeline = N` in a persona): consecutive
//! lines of a list that [`burstable`] allows, up to N, go out in one write
//! and their answers are read in order, as clients that pipeline fetch
//! bursts and flag stores do. Each line's placeholders and condition are
//! filled from what the connection knew before the burst (a pipelining
//! client decides its burst from that too). Each command is recorded on its
//! row and its persona with its own latency, from the burst's due time to
//! its own answer. A NO or BAD is that command's error and the rest are
//! still read; a failure of the connection fails every command not yet
//! answered, each counted.

use std::time::Instant;

use crate::command::CommandKind;
use crate::imap::client::{self, Expect, Tag};
use crate::imap::conn::Connection;
use crate::plan::persona::{Line, Placeholder, Segment};
use crate::results::ErrorReason;

use super::super::failure::{CommandError, FailedCommand};
use super::super::guard::Phase;
use super::super::session::Session;
use super::tally::Tally;
use super::wire::{answer, failure, Known};

/// Whether `line` may go out with others: a pipelinable kind without a
/// message literal.
pub fn burstable(line: &Line) -> bool {
    line.kind.pipelinable() && !(line.segments).contains(&Segment::Var(Placeholder::Message))
}

impl Session<'_> {
    /// Sends `lines` in one write and reads their answers in order;
    /// `intended` is when the burst was due. Returns when the last answer
    /// came, or the first failure once every command is accounted for.
    pub(super) async fn burst(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        tally: &Tally,
        lines: &[&Line],
        intended: Instant,
        tag_prefix: &str,
    ) -> Result<Instant, FailedCommand> {
        let mut text = Vec::with_capacity(96 * lines.len());
        let mut tags = Vec::with_capacity(lines.len());
        for line in lines {
            known.tag += 1;
            let tag = format!("{tag_prefix}{}", known.tag);
            text.extend_from_slice(tag.as_bytes());
            text.push(b' ');
            self.fill(&mut text, line, known);
            text.extend_from_slice(b"\r\n");
            tags.push((tag, line.kind, self.ctx.queues.due(self.route, line.kind)));
        }
        let phase = Phase::command();
        let sent = self.guard().run(&phase, async {
            conn.send(&text)
                .await
                .map_err(|e| CommandError::transport(&e))?;
            Ok(Instant::now())
        });
        let sent = match sent.await {
            Ok(at) => at,
            Err(e) => return Err(self.fail_each(tags.iter().map(|t| t.1), e)),
        };
        let (mut done, mut first) = (sent, None);
        for (i, (tag, kind, _queued)) in tags.iter().enumerate() {
            let expect = Expect::tagged(Tag::Text(tag.as_bytes()));
            let mut obs = |resp: &crate::imap::response::Response<'_>| -> Result<(), CommandError> {
                known.observe(resp);
                Ok(())
            };
            let read = async {
                let status = client::read(conn, &expect, &mut obs)
                    .await
                    .map_err(failure)?;
                match status {
                    client::Reply::Tagged(status) => answer(conn, status),
                    client::Reply::Continue => {
                        unreachable!("a tagged read fails on a continuation")
                    }
                }
            };
            match self.guard().run(&phase, read).await {
                Ok(()) => {
                    done = self.ok(*kind, intended, sent);
                    tally.command(done.saturating_duration_since(intended));
                }
                Err(e) if matches!(e.reason, ErrorReason::No | ErrorReason::Bad) => {
                    done = Instant::now();
                    first.get_or_insert(self.fail(*kind, e));
                }
                Err(e) => {
                    let failed = self.fail_each(tags[i..].iter().map(|t| t.1), e);
                    return Err(first.unwrap_or(failed));
                }
            }
        }
        first.map_or(Ok(done), Err)
    }

    /// Records `error` for each of `kinds` and returns the first's failure.
    fn fail_each(
        &self,
        kinds: impl Iterator<Item = CommandKind>,
        error: CommandError,
    ) -> FailedCommand {
        let mut first = None;
        for kind in kinds {
            let failed = self.fail(kind, error.clone());
            first.get_or_insert(failed);
        }
        first.unwrap_or(FailedCommand {
            kind: CommandKind::Noop,
            error,
        })
    }
}
