//! A tiny raw IMAP client for the simulator's tests: plain, STARTTLS or
//! implicit TLS, reading whole responses including literals.

use std::net::SocketAddr;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::sim::io::literal_announcement;

enum S {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

impl S {
    async fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        match self {
            S::Plain(s) => s.read(b).await,
            S::Tls(s) => s.read(b).await,
            S::Gone => Ok(0),
        }
    }
    async fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            S::Plain(s) => s.write_all(b).await,
            S::Tls(s) => {
                s.write_all(b).await?;
                s.flush().await
            }
            S::Gone => Ok(()),
        }
    }
}

/// Transport security of a test connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    StartTls,
    Tls,
}

pub struct Client {
    stream: S,
    buf: Vec<u8>,
    next: u32,
    pub greeting: String,
}

fn connector(ca_pem: &str) -> tokio_rustls::TlsConnector {
    let der = CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap();
    tokio_rustls::TlsConnector::from(crate::sim::certs::client_config(&der).unwrap())
}

impl Client {
    pub async fn connect(addr: SocketAddr, mode: Mode, ca_pem: &str) -> Client {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let stream = if mode == Mode::Tls {
            S::Tls(Box::new(
                connector(ca_pem).connect(name.clone(), tcp).await.unwrap(),
            ))
        } else {
            S::Plain(tcp)
        };
        let mut c = Client {
            stream,
            buf: Vec::new(),
            next: 1,
            greeting: String::new(),
        };
        c.greeting = c.read_text().await;
        if mode == Mode::StartTls {
            let (_, done) = c.cmd("STARTTLS").await;
            assert!(done.contains("OK"), "{done}");
            let S::Plain(tcp) = std::mem::replace(&mut c.stream, S::Gone) else {
                unreachable!()
            };
            c.stream = S::Tls(Box::new(
                connector(ca_pem).connect(name, tcp).await.unwrap(),
            ));
        }
        c
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, b: &[u8]) {
        self.stream.write_all(b).await.unwrap();
    }

    /// Reads one response (a line plus any literals), `None` at EOF.
    pub async fn read(&mut self) -> Option<Vec<u8>> {
        let mut resp = Vec::new();
        loop {
            let line = loop {
                if let Some(i) = memchr::memchr(b'\n', &self.buf) {
                    break self.buf.drain(..=i).collect::<Vec<u8>>();
                }
                let mut chunk = [0u8; 8192];
                let n = self.stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                self.buf.extend_from_slice(&chunk[..n]);
            };
            resp.extend_from_slice(&line);
            match literal_announcement(&line) {
                Some((n, _)) => {
                    let n = n as usize;
                    while self.buf.len() < n {
                        let mut chunk = [0u8; 8192];
                        let r = self.stream.read(&mut chunk).await.ok()?;
                        if r == 0 {
                            return None;
                        }
                        self.buf.extend_from_slice(&chunk[..r]);
                    }
                    resp.extend(self.buf.drain(..n));
                }
                None => return Some(resp),
            }
        }
    }

    pub async fn read_text(&mut self) -> String {
        String::from_utf8_lossy(&self.read().await.expect("connection closed")).into_owned()
    }

    /// Sends `tag cmd` and collects responses up to the tagged one.
    pub async fn cmd(&mut self, cmd: &str) -> (Vec<Vec<u8>>, String) {
        let tag = format!("t{}", self.next);
        self.next += 1;
        self.send(format!("{tag} {cmd}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    /// Collects responses until the one tagged `tag`.
    pub async fn until(&mut self, tag: &str) -> (Vec<Vec<u8>>, String) {
        let mut untagged = Vec::new();
        loop {
            let r = self
                .read()
                .await
                .unwrap_or_else(|| panic!("closed while waiting for {tag}"));
            if r.starts_with(format!("{tag} ").as_bytes()) {
                return (untagged, String::from_utf8_lossy(&r).trim_end().to_string());
            }
            untagged.push(r);
        }
    }

    /// LOGIN and assert OK.
    pub async fn login(&mut self, user: &str, pass: &str) {
        let (_, done) = self.cmd(&format!("LOGIN {user} {pass}")).await;
        assert!(done.contains(" OK "), "login: {done}");
    }
}
