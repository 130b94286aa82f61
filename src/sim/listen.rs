//! The accept loop both embedded servers share: accept, honour the
//! drop-connections and kill faults (a killed server closes its listener and
//! binds the same port again when restarted), do the implicit-TLS handshake when the listener is
//! a TLS one, count the connection, and end the connection's task on shutdown
//! or when the server is told to drop its connections.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::io::{Conn, Stream};
use super::service::ServerControl;

/// Accepts connections until `shutdown` is cancelled and runs `serve` on
/// each in its own task. With `tls` set the listener is implicit TLS;
/// otherwise it is plain (the server offers STARTTLS itself).
pub async fn accept_loop<F, Fut>(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    control: Arc<ServerControl>,
    shutdown: CancellationToken,
    serve: F,
) where
    F: Fn(Conn) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut listener = listener;
    loop {
        if control.down() {
            match restart(listener, &control, &shutdown).await {
                Some(l) => listener = l,
                None => return,
            }
            continue;
        }
        let (tcp, _) = tokio::select! {
            _ = control.wait_down(true) => continue,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(_) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => return,
        };
        if control.drop_connections() {
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let (tls, control, shutdown, serve) = (
            tls.clone(),
            control.clone(),
            shutdown.clone(),
            serve.clone(),
        );
        tokio::spawn(async move {
            let _gauge = control.connection_opened();
            let session = async {
                let stream = match tls {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(s) => Stream::Tls(Box::new(s)),
                        Err(_) => return,
                    },
                    None => Stream::Plain(tcp),
                };
                serve(Conn::new(stream)).await;
            };
            tokio::select! {
                _ = session => {}
                _ = shutdown.cancelled() => {}
                _ = control.dropped() => {}
            }
        });
    }
}

/// The kill fault: closes the listener (connects are refused, not queued),
/// waits for the restart and binds the same address again. `None` on shutdown.
async fn restart(
    listener: TcpListener,
    control: &ServerControl,
    shutdown: &CancellationToken,
) -> Option<TcpListener> {
    let addr = listener.local_addr().ok()?;
    drop(listener);
    tokio::select! {
        _ = control.wait_down(false) => {}
        _ = shutdown.cancelled() => return None,
    }
    loop {
        // SO_REUSEADDR (set by tokio on Unix) lets the port be bound again
        // while connections of the killed server are in TIME_WAIT.
        match TcpListener::bind(addr).await {
            Ok(l) => return Some(l),
            Err(_) => tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = shutdown.cancelled() => return None,
            },
        }
    }
}
