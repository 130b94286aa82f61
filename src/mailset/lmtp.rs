//! An LMTP client (RFC 2033): delivers messages the way a mail server's
//! MTA hands them to the mailbox server, so INBOX fills as it does in
//! production (the mailbox server's delivery path, quota and all) rather
//! than through IMAP APPEND. One connection carries many messages.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// Why a delivery did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LmtpError {
    /// The connection failed or closed.
    #[error("LMTP connection: {0}")]
    Io(#[from] std::io::Error),
    /// The server refused a step of the transaction (for every recipient); its reply.
    #[error("LMTP server refused {step}: {reply}")]
    Refused {
        /// The command refused (`LHLO`, `MAIL FROM`, `DATA`...).
        step: &'static str,
        /// The server's reply, code and text.
        reply: String,
    },
    /// The server sent something that is not an SMTP reply.
    #[error("LMTP server sent an unreadable reply: {0:?}")]
    Garbled(String),
}

/// One server reply: its code and its text lines joined by spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text after the code, every line.
    pub text: String,
}

impl Reply {
    /// A 2xx (or, for DATA, 3xx) success.
    fn positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// An open LMTP session, greeted and past LHLO.
pub struct Lmtp {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    /// Transactions started on it (RSET goes before each one after the first).
    transactions: u64,
}

impl Lmtp {
    /// Connects to `addr` (`host:port`), reads the greeting and says LHLO.
    pub async fn connect(addr: &str) -> Result<Lmtp, LmtpError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (read, writer) = stream.into_split();
        let mut lmtp = Lmtp {
            reader: BufReader::new(read),
            writer,
            transactions: 0,
        };
        lmtp.expect("greeting", None).await?;
        lmtp.expect("LHLO", Some(b"LHLO imapload\r\n")).await?;
        Ok(lmtp)
    }

    /// Sends `command` (if any) and reads its reply; a negative one is [`LmtpError::Refused`].
    async fn expect(
        &mut self,
        step: &'static str,
        command: Option<&[u8]>,
    ) -> Result<Reply, LmtpError> {
        if let Some(command) = command {
            self.writer.write_all(command).await?;
        }
        let reply = self.reply().await?;
        if !reply.positive() {
            return Err(LmtpError::Refused {
                step,
                reply: reply.to_string(),
            });
        }
        Ok(reply)
    }

    /// Reads one (possibly multi-line) reply.
    async fn reply(&mut self) -> Result<Reply, LmtpError> {
        let mut text = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await? == 0 {
                return Err(LmtpError::Io(std::io::ErrorKind::UnexpectedEof.into()));
            }
            let line = line.trim_end();
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
            let (Some(code), sep) = (code, line.as_bytes().get(3).copied()) else {
                return Err(LmtpError::Garbled(line.to_string()));
            };
            text.push(line.get(4..).unwrap_or("").to_string());
            match sep {
                Some(b'-') => continue,
                None | Some(b' ') => {
                    return Ok(Reply {
                        code,
                        text: text.join(" "),
                    })
                }
                Some(_) => return Err(LmtpError::Garbled(line.to_string())),
            }
        }
    }

    /// Delivers `message` (CRLF line ends) from `from` to each of
    /// `recipients`. Returns one result per recipient, in order: `Ok` with
    /// the server's reply when it stored the message for that recipient,
    /// `Err` with its refusal (at RCPT or after DATA). A refusal of the
    /// whole transaction is an error.
    pub async fn deliver(
        &mut self,
        from: &str,
        recipients: &[&str],
        message: &[u8],
    ) -> Result<Vec<Result<Reply, Reply>>, LmtpError> {
        if self.transactions > 0 {
            self.expect("RSET", Some(b"RSET\r\n")).await?;
        }
        self.transactions += 1;
        let mail = format!("MAIL FROM:<{from}>\r\n");
        self.expect("MAIL FROM", Some(mail.as_bytes())).await?;
        let mut results = Vec::with_capacity(recipients.len());
        for rcpt in recipients {
            let command = format!("RCPT TO:<{rcpt}>\r\n");
            self.writer.write_all(command.as_bytes()).await?;
            let reply = self.reply().await?;
            results.push(if reply.positive() {
                Ok(reply)
            } else {
                Err(reply)
            });
        }
        if results.iter().all(Result::is_err) {
            return Ok(results);
        }
        self.expect("DATA", Some(b"DATA\r\n")).await?;
        self.writer.write_all(&dot_stuff(message)).await?;
        // LMTP answers DATA once per accepted recipient, in RCPT order.
        for result in results.iter_mut().filter(|r| r.is_ok()) {
            let reply = self.reply().await?;
            *result = if reply.positive() {
                Ok(reply)
            } else {
                Err(reply)
            };
        }
        Ok(results)
    }

    /// Says QUIT and closes.
    pub async fn quit(mut self) -> Result<(), LmtpError> {
        self.expect("QUIT", Some(b"QUIT\r\n")).await?;
        Ok(())
    }
}

/// Delivers one message over a connection of its own (see [`Lmtp::deliver`]).
pub async fn deliver(
    addr: &str,
    from: &str,
    recipients: &[&str],
    message: &[u8],
) -> Result<Vec<Result<Reply, Reply>>, LmtpError> {
    let mut lmtp = Lmtp::connect(addr).await?;
    let results = lmtp.deliver(from, recipients, message).await?;
    lmtp.quit().await?;
    Ok(results)
}

/// `message` as DATA sends it: every line starting with `.` gets another
/// `.` before it, the last line ends in CRLF, then `.` CRLF.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    if !message.is_empty() && !message.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}
