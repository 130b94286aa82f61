//! OAuth 2 access tokens for XOAUTH2 / OAUTHBEARER logins: the user's own
//! (users file `token` column, or `tok-<user>` for pattern users), or the
//! stdout of `[session] token_command` run for the user. A command's token is
//! cached per user for `token_ttl` (an identity provider's tokens live about
//! an hour) and dropped sooner when a login with it is refused, so the next
//! login of that user runs the command once more.
//!
//! Tokens are credentials: they are never put in an error message, a log or
//! a results file; a failing command is reported by its exit status only.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::plan::{format_duration, User};
use crate::results::ErrorReason;

use super::failure::CommandError;

/// What a missing token says.
pub const NO_TOKEN: &str = "no OAuth 2 token for this user: give a `token` column in the \
     users file or [session] token_command";

/// The run's token source and the command's per-user cache.
#[derive(Debug)]
pub struct Tokens {
    /// `[session] token_command`; `None` uses the users' tokens.
    command: Option<String>,
    /// How long a command's token is reused.
    ttl: Duration,
    /// The command gets no longer than this to print a token.
    timeout: Duration,
    cache: Mutex<HashMap<String, Cached>>,
}

/// A command's token and when it was fetched.
#[derive(Debug, Clone)]
struct Cached {
    token: String,
    fetched: Instant,
}

/// A token for one login.
#[derive(Debug, Clone)]
pub struct Token {
    /// The access token.
    pub value: String,
    /// It came from `token_command` (so a refused login drops it).
    pub from_command: bool,
    /// The command ran just now for it (its run time is not IMAP latency).
    pub fetched_now: bool,
}

impl Tokens {
    /// Tokens from `command` (or the users when `None`), cached for `ttl`; a
    /// command run is cut off after `timeout`.
    pub fn new(command: Option<String>, ttl: Duration, timeout: Duration) -> Self {
        Tokens {
            command,
            ttl,
            timeout,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The token to log `user` in with.
    pub async fn get(&self, user: &User) -> Result<Token, CommandError> {
        let Some(command) = &self.command else {
            return match &user.token {
                Some(t) => Ok(Token {
                    value: t.clone(),
                    from_command: false,
                    fetched_now: false,
                }),
                None => Err(CommandError::new(ErrorReason::No, NO_TOKEN)),
            };
        };
        if let Some(c) = self.cached(&user.name) {
            return Ok(Token {
                value: c.token,
                from_command: true,
                fetched_now: false,
            });
        }
        let value = self.run(command, &user.name).await?;
        let cached = Cached {
            token: value.clone(),
            fetched: Instant::now(),
        };
        self.lock().insert(user.name.clone(), cached);
        Ok(Token {
            value,
            from_command: true,
            fetched_now: true,
        })
    }

    /// Drops `user`'s cached token after a refused login.
    pub fn invalidate(&self, user: &str) {
        self.lock().remove(user);
    }

    fn cached(&self, user: &str) -> Option<Cached> {
        let cache = self.lock();
        cache
            .get(user)
            .filter(|c| c.fetched.elapsed() < self.ttl)
            .cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `sh -c command imapload-token USER` with `IMAPLOAD_USER=USER`.
    async fn run(&self, command: &str, user: &str) -> Result<String, CommandError> {
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .arg("imapload-token")
            .arg(user)
            .env("IMAPLOAD_USER", user)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| failed(format!("cannot start: {e}")))?;
        let out = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Err(_) => {
                let limit = format_duration(self.timeout);
                let message = format!("token_command printed no token within {limit}");
                return Err(CommandError::new(ErrorReason::Timeout, message));
            }
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Ok(Ok(out)) => out,
        };
        if !out.status.success() {
            return Err(failed(out.status.to_string()));
        }
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if token.is_empty() {
            return Err(failed("printed nothing".to_string()));
        }
        Ok(token)
    }
}

/// A token command that did not give a token: its status, never its output.
fn failed(why: String) -> CommandError {
    CommandError::new(ErrorReason::No, format!("token_command failed: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(token: Option<&str>) -> User {
        User {
            name: "u1".into(),
            password: "p".into(),
            backend: "mbx1".into(),
            token: token.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn users_tokens_or_none() {
        let t = Tokens::new(None, Duration::from_secs(60), Duration::from_secs(5));
        assert_eq!(t.get(&user(Some("abc"))).await.unwrap().value, "abc");
        assert_eq!(t.get(&user(None)).await.unwrap_err().message, NO_TOKEN);
    }

    #[tokio::test]
    async fn command_tokens_are_cached_until_invalidated_or_stale() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("runs");
        let cmd = format!(
            "echo x >> {0}; echo \"tok-$IMAPLOAD_USER-$1\"",
            count.display()
        );
        let runs = || std::fs::read_to_string(&count).unwrap().lines().count();
        let t = Tokens::new(
            Some(cmd.clone()),
            Duration::from_secs(60),
            Duration::from_secs(5),
        );
        let first = t.get(&user(None)).await.unwrap();
        assert_eq!(
            (first.value.as_str(), first.fetched_now),
            ("tok-u1-u1", true)
        );
        assert!(!t.get(&user(None)).await.unwrap().fetched_now);
        assert_eq!(runs(), 1);
        t.invalidate("u1");
        assert!(t.get(&user(None)).await.unwrap().fetched_now);
        assert_eq!(runs(), 2);
        let stale = Tokens::new(Some(cmd), Duration::from_millis(1), Duration::from_secs(5));
        stale.get(&user(None)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(stale.get(&user(None)).await.unwrap().fetched_now);
    }

    #[tokio::test]
    async fn failing_commands_say_how_without_output() {
        let ttl = Duration::from_secs(60);
        let t = Tokens::new(
            Some("echo secret; exit 3".into()),
            ttl,
            Duration::from_secs(5),
        );
        let e = t.get(&user(None)).await.unwrap_err();
        assert!(e.message.contains("exit status: 3"), "{}", e.message);
        assert!(!e.message.contains("secret"));
        let t = Tokens::new(Some("true".into()), ttl, Duration::from_secs(5));
        let e = t.get(&user(None)).await.unwrap_err();
        assert!(e.message.contains("printed nothing"), "{}", e.message);
        let t = Tokens::new(Some("sleep 5".into()), ttl, Duration::from_millis(100));
        let e = t.get(&user(None)).await.unwrap_err();
        assert_eq!(e.reason, ErrorReason::Timeout);
    }
}
