//! Small misbehaving IMAP servers on loopback for the misbehaviour tests.
//! Each binds 127.0.0.1:0, counts the connections it accepts (so a test can
//! tell that imapload reconnected) and runs a script on each; dropping it
//! stops the accept loop and every connection, so a test leaves nothing behind.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A fake server; stops when dropped.
pub struct FakeServer {
    /// The loopback port it listens on.
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl FakeServer {
    /// Listens on an ephemeral loopback port and runs `script` on every
    /// connection it accepts, each in its own task.
    pub async fn start<F, Fut>(script: F) -> FakeServer
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = CancellationToken::new();
        let (count, token) = (accepted.clone(), stop.clone());
        let script = Arc::new(script);
        tokio::spawn(async move {
            loop {
                let tcp = tokio::select! {
                    r = listener.accept() => match r { Ok((tcp, _)) => tcp, Err(_) => continue },
                    _ = token.cancelled() => return,
                };
                count.fetch_add(1, Ordering::Relaxed);
                let (script, token) = (script.clone(), token.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        _ = script(tcp) => {}
                        _ = token.cancelled() => {}
                    }
                });
            }
        });
        FakeServer {
            port,
            accepted,
            stop,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// `scheme://127.0.0.1:port`.
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// What a scripted server does with one command.
pub enum Reply {
    /// Answer like a well-behaved server would.
    Normal,
    /// Send these bytes and go on reading commands.
    Send(Vec<u8>),
    /// Send these bytes, then close the connection.
    SendThenClose(Vec<u8>),
    /// Send these bytes, then neither read nor write again, keeping the socket open.
    SendThenHang(Vec<u8>),
    /// Send these bytes every 20 ms, forever, and read nothing more.
    Trickle(Vec<u8>),
}

/// The greeting of a well-behaved server; LITERAL+ lets APPEND send at once.
pub const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] fake ready\r\n";

/// A well-behaved answer to `verb` (upper case) with `tag`.
pub fn normal(tag: &str, verb: &str) -> Vec<u8> {
    let body = match verb {
        "CAPABILITY" => "* CAPABILITY IMAP4rev1 LITERAL+ IDLE\r\n",
        "SELECT" | "EXAMINE" => {
            "* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 4] ok\r\n"
        }
        "LOGOUT" => "* BYE bye\r\n",
        _ => "",
    };
    format!("{body}{tag} OK done\r\n").into_bytes()
}

/// Serves IMAP over `io`: sends `greeting` (nothing when empty), then reads
/// command lines and answers each as `on` says. Commands with literals are
/// not supported (keep APPEND out of the mix unless the script hangs first).
pub async fn serve<S, F>(io: S, greeting: &[u8], mut on: F)
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnMut(&str, &str) -> Reply,
{
    let mut io = BufReader::new(io);
    if io.get_mut().write_all(greeting).await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match io.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut words = line.split_whitespace();
        let tag = words.next().unwrap_or("*").to_string();
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let verb = match verb.as_str() {
            "UID" => format!("UID {}", words.next().unwrap_or("").to_ascii_uppercase()),
            _ => verb,
        };
        let reply = on(&tag, &verb);
        let (bytes, then) = match reply {
            Reply::Normal => (normal(&tag, &verb), None),
            Reply::Send(b) => (b, None),
            Reply::SendThenClose(b) => (b, Some(false)),
            Reply::SendThenHang(b) => (b, Some(true)),
            Reply::Trickle(b) => loop {
                if io.get_mut().write_all(&b).await.is_err() {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            },
        };
        if io.get_mut().write_all(&bytes).await.is_err() {
            return;
        }
        match then {
            None if verb == "LOGOUT" => return,
            None => {}
            Some(false) => return,
            Some(true) => std::future::pending::<()>().await,
        }
    }
}
