//! `populate`'s progress on stderr: a progress bar over the users when
//! stderr is a terminal, else a plain line every few seconds (logs and CI).

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::Tally;

/// How often the plain line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// The running display; [`Display::finish`] stops it.
pub(super) struct Display {
    task: tokio::task::JoinHandle<()>,
    bar: Option<ProgressBar>,
}

/// `bytes` as megabytes with one decimal (`12.3 MB`).
pub(super) fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The counts after the bar or in the plain line.
fn counts(tally: &Tally) -> String {
    format!(
        "{} messages added ({}), {} folders created, {} failed",
        tally.messages_added.load(Ordering::Relaxed),
        megabytes(tally.bytes_added.load(Ordering::Relaxed)),
        tally.folders_created.load(Ordering::Relaxed),
        tally.users_failed.load(Ordering::Relaxed),
    )
}

/// The bar's message, short enough for an 80-column terminal.
fn short(tally: &Tally) -> String {
    let failed = tally.users_failed.load(Ordering::Relaxed);
    format!(
        "{} messages, {}{}",
        tally.messages_added.load(Ordering::Relaxed),
        megabytes(tally.bytes_added.load(Ordering::Relaxed)),
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    )
}

/// Starts the display for `users` users.
pub(super) fn start(users: u64, tally: Arc<Tally>) -> Display {
    if std::io::stderr().is_terminal() {
        let style = ProgressStyle::with_template(
            "{bar:20.cyan/blue} {pos}/{len} users  {msg}  [{elapsed}, eta {eta}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::new(users).with_style(style);
        let shown = bar.clone();
        let task = tokio::spawn(async move {
            loop {
                shown.set_position(tally.users_done.load(Ordering::Relaxed));
                shown.set_message(short(&tally));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        return Display {
            task,
            bar: Some(bar),
        };
    }
    let started = Instant::now();
    let task = tokio::spawn(async move {
        loop {
            tokio::time::sleep(PLAIN_EVERY).await;
            eprintln!(
                "populate: {}/{users} users, {} after {:.0} s",
                tally.users_done.load(Ordering::Relaxed),
                counts(&tally),
                started.elapsed().as_secs_f64()
            );
        }
    });
    Display { task, bar: None }
}

impl Display {
    /// Stops the updates and clears the bar (the summary line follows).
    pub(super) fn finish(self) {
        self.task.abort();
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
