//! `imapload populate`: fills a real server with the [`MailSet`] for every
//! user, so load runs meet realistic mailboxes (folder tree, sizes,
//! threads, flags) instead of empty ones.
//!
//! It is idempotent and resumable: per user and folder it CREATEs (and
//! SUBSCRIBEs) what is missing, counts what the folder holds (STATUS) and
//! stores only the messages from that count on, so a rerun adds nothing and
//! an interrupted run picks up where it stopped. Messages go in by APPEND
//! (with their flags and date), INBOX's by LMTP when an LMTP address is given
//! (then they arrive as the server delivers mail: unseen, dated on arrival).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::error::Failure;
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::mailset::lmtp::Lmtp;
use crate::mailset::MailSet;

mod progress;
mod session;

use session::{Failed, Session};

/// What `imapload populate` fills, where, and how.
pub struct PopulateOptions {
    /// The IMAP server.
    pub endpoint: Endpoint,
    /// TLS trust for `imaps://` and `?starttls` (`None` for plain IMAP).
    pub tls: Option<TlsClient>,
    /// The users to fill: (login name, password).
    pub users: Vec<(String, String)>,
    /// `host:port` of an LMTP server to deliver INBOX's messages through.
    pub lmtp: Option<String>,
    /// How many users are filled at once (one IMAP connection each).
    pub concurrency: usize,
    /// What every user's mailbox is to hold.
    pub mailset: MailSet,
}

/// Where the sessions connect.
pub(crate) struct Target {
    endpoint: Endpoint,
    tls: Option<TlsClient>,
}

/// The running totals, shared by the workers and the progress display.
#[derive(Debug, Default)]
pub struct Tally {
    /// Users finished (filled or failed).
    pub users_done: AtomicU64,
    /// Users that failed.
    pub users_failed: AtomicU64,
    /// Folders created.
    pub folders_created: AtomicU64,
    /// Messages stored.
    pub messages_added: AtomicU64,
    /// Bytes of the messages stored.
    pub bytes_added: AtomicU64,
}

/// What a populate run did.
#[derive(Debug)]
pub struct Summary {
    /// Users asked for.
    pub users: usize,
    /// The totals.
    pub tally: Arc<Tally>,
    /// Every failed user with why, in the order they failed.
    pub failures: Vec<(String, String)>,
    /// Wall time.
    pub elapsed: Duration,
    /// Whether it was interrupted before every user was done.
    pub interrupted: bool,
}

impl Summary {
    /// The one-line summary `populate` prints last.
    pub fn line(&self) -> String {
        let t = &self.tally;
        format!(
            "populated {} users ({} failed): {} folders created, {} messages added ({}) in {:.1} s{}",
            self.users,
            t.users_failed.load(Ordering::Relaxed),
            t.folders_created.load(Ordering::Relaxed),
            t.messages_added.load(Ordering::Relaxed),
            progress::megabytes(t.bytes_added.load(Ordering::Relaxed)),
            self.elapsed.as_secs_f64(),
            if self.interrupted { " (interrupted)" } else { "" }
        )
    }
}

/// Fills every user's mailbox; returns what it did. Failures of single
/// users are in the summary; they do not stop the others.
pub async fn populate(opts: PopulateOptions, cancel: CancellationToken) -> Summary {
    let started = Instant::now();
    let users = Arc::new(opts.users);
    let tally = Arc::new(Tally::default());
    let failures = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let target = Arc::new(Target {
        endpoint: opts.endpoint,
        tls: opts.tls,
    });
    let set = Arc::new(opts.mailset);
    let display = progress::start(users.len() as u64, tally.clone());
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..opts.concurrency.clamp(1, users.len().max(1)) {
        let worker = Worker {
            target: target.clone(),
            set: set.clone(),
            tally: tally.clone(),
            lmtp_addr: opts.lmtp.clone(),
            lmtp: None,
        };
        let (users, next, failures, cancel) = (
            users.clone(),
            next.clone(),
            failures.clone(),
            cancel.clone(),
        );
        workers.spawn(async move { worker.work(&users, &next, &failures, &cancel).await });
    }
    while workers.join_next().await.is_some() {}
    display.finish();
    let failures = std::mem::take(&mut *failures.lock().unwrap_or_else(|e| e.into_inner()));
    Summary {
        users: users.len(),
        interrupted: tally.users_done.load(Ordering::Relaxed) < users.len() as u64,
        tally,
        failures,
        elapsed: started.elapsed(),
    }
}

/// `imapload populate`: fills, prints the summary (and the failures), and
/// exits 0 when every user was filled, 1 otherwise.
pub async fn command(opts: PopulateOptions, cancel: CancellationToken) -> Result<i32, Failure> {
    let summary = populate(opts, cancel).await;
    for (user, why) in summary.failures.iter().take(10) {
        eprintln!("imapload: populate {user}: {why}");
    }
    if summary.failures.len() > 10 {
        eprintln!(
            "imapload: ... and {} more users failed",
            summary.failures.len() - 10
        );
    }
    println!("{}", summary.line());
    Ok(if summary.failures.is_empty() && !summary.interrupted {
        0
    } else {
        1
    })
}

/// One of the concurrent fillers: takes the next user until none is left.
struct Worker {
    target: Arc<Target>,
    set: Arc<MailSet>,
    tally: Arc<Tally>,
    lmtp_addr: Option<String>,
    /// Its LMTP connection, kept across users (dropped after an error).
    lmtp: Option<Lmtp>,
}

impl Worker {
    async fn work(
        mut self,
        users: &[(String, String)],
        next: &AtomicUsize,
        failures: &Mutex<Vec<(String, String)>>,
        cancel: &CancellationToken,
    ) {
        while !cancel.is_cancelled() {
            let Some((user, password)) = users.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let result = tokio::select! {
                r = self.fill(user, password) => r,
                () = cancel.cancelled() => break,
            };
            if let Err(why) = result {
                self.tally.users_failed.fetch_add(1, Ordering::Relaxed);
                let mut list = failures.lock().unwrap_or_else(|e| e.into_inner());
                list.push((user.clone(), why));
            }
            self.tally.users_done.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(lmtp) = self.lmtp.take() {
            let _ = lmtp.quit().await;
        }
    }

    /// Brings one user's mailbox up to the mail set.
    async fn fill(&mut self, user: &str, password: &str) -> Result<(), Failed> {
        let mut session = Session::open(&self.target, user, password).await?;
        let existing = session.mailboxes().await?;
        let set = self.set.clone();
        for (i, folder) in set.folders.iter().enumerate() {
            let name = if folder.is_inbox() {
                "INBOX".to_string()
            } else {
                folder.name.replace('/', &session.delimiter.to_string())
            };
            if !folder.is_inbox() && !existing.contains(&name) {
                session.create(&name).await?;
                self.tally.folders_created.fetch_add(1, Ordering::Relaxed);
            }
            if folder.messages == 0 {
                continue;
            }
            let present = session.count(&name).await?;
            for n in present..folder.messages {
                let message = set.message(user, i, n);
                if folder.is_inbox() && self.lmtp_addr.is_some() {
                    self.deliver(user, &message).await?;
                } else {
                    let date = set.internal_date(user, i, n);
                    session
                        .append(&name, set.flags(user, i, n), &date, &message)
                        .await?;
                }
                self.tally.messages_added.fetch_add(1, Ordering::Relaxed);
                self.tally
                    .bytes_added
                    .fetch_add(message.len() as u64, Ordering::Relaxed);
            }
        }
        session.logout().await;
        Ok(())
    }

    /// Delivers `message` to `user` by LMTP (its address: the user name,
    /// `@` the mail set's domain added when it has none).
    async fn deliver(&mut self, user: &str, message: &[u8]) -> Result<(), Failed> {
        let addr = self.lmtp_addr.as_deref().unwrap_or_default();
        let mut lmtp = match self.lmtp.take() {
            Some(lmtp) => lmtp,
            None => Lmtp::connect(addr).await.map_err(|e| e.to_string())?,
        };
        let rcpt = if user.contains('@') {
            user.to_string()
        } else {
            format!("{user}@{}", self.set.domain)
        };
        let from = format!("populate@{}", self.set.domain);
        let results = lmtp
            .deliver(&from, &[&rcpt], message)
            .await
            .map_err(|e| e.to_string())?;
        self.lmtp = Some(lmtp);
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(()),
            Some(Err(reply)) => Err(format!("LMTP delivery to {rcpt} refused: {reply}")),
            None => Err(format!("LMTP delivery to {rcpt}: no answer")),
        }
    }
}
