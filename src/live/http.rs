//! The `/metrics` endpoint: a minimal HTTP/1.1 responder on a bound
//! listener. A scrape is one GET and one answer (`Connection: close`), so a
//! full HTTP stack is not needed; requests are capped in size and time, so
//! a client that sends nothing or too much cannot hold a task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// What a scrape answers with: OpenMetrics text, which Prometheus reads.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Largest request head read.
const MAX_REQUEST: usize = 8 << 10;
/// Time a client has to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The running endpoint; dropping it stops it.
#[derive(Debug)]
pub struct Endpoint {
    /// The address bound (the port chosen when 0 was asked for).
    pub addr: SocketAddr,
    stop: CancellationToken,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Binds `addr` and serves `registry` at `/metrics` until the returned
/// endpoint is dropped. Binding is done now, so a port in use is an error
/// before the run starts.
pub async fn start(addr: SocketAddr, registry: Arc<Registry>) -> std::io::Result<Endpoint> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        loop {
            let conn = tokio::select! {
                c = listener.accept() => c,
                _ = stopped.cancelled() => return,
            };
            let Ok((stream, _)) = conn else { continue };
            let registry = registry.clone();
            tokio::spawn(async move {
                let _ = answer(stream, &registry).await;
            });
        }
    });
    Ok(Endpoint { addr, stop })
}

/// Reads the request head (up to the blank line, within the caps).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
        let n = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut buf))
            .await
            .map_err(|_| std::io::ErrorKind::TimedOut)??;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// Status, content type and body for a request line.
fn respond(request_line: &str, registry: &Registry) -> (&'static str, &'static str, String) {
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        ("GET" | "HEAD", "/metrics") => {
            let mut body = String::new();
            match prometheus_client::encoding::text::encode(&mut body, registry) {
                Ok(()) => ("200 OK", CONTENT_TYPE, body),
                Err(_) => (
                    "500 Internal Server Error",
                    "text/plain",
                    "encoding failed\n".into(),
                ),
            }
        }
        ("GET" | "HEAD", "/") => (
            "200 OK",
            "text/plain; charset=utf-8",
            "imapload live metrics: GET /metrics\n".into(),
        ),
        ("GET" | "HEAD", _) => ("404 Not Found", "text/plain", "not found\n".into()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "GET /metrics\n".into(),
        ),
    }
}

async fn answer(mut stream: TcpStream, registry: &Registry) -> std::io::Result<()> {
    let head = read_head(&mut stream).await?;
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or("");
    let (status, content_type, body) = respond(line, registry);
    let head_only = line.starts_with("HEAD ");
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if !head_only {
        out.push_str(&body);
    }
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_metrics_is_served() {
        let reg = Registry::default();
        assert_eq!(respond("GET /metrics HTTP/1.1", &reg).0, "200 OK");
        assert_eq!(respond("GET /metrics?x=1 HTTP/1.1", &reg).1, CONTENT_TYPE);
        assert_eq!(respond("GET /other HTTP/1.1", &reg).0, "404 Not Found");
        assert!(respond("POST /metrics HTTP/1.1", &reg).0.starts_with("405"));
        assert!(respond("", &reg).0.starts_with("405"));
    }
}
