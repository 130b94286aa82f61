//! The accept loop both embedded servers share: accept, honour the
//! drop-connections fault, do the implicit-TLS handshake when the listener is
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
    loop {
        let (tcp, _) = tokio::select! {
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
