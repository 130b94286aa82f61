//! `--metrics-listen` and `[output] metrics_listen`: an address to listen on.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Parses `ADDR:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`),
/// `:PORT` or `PORT`; without an address it is loopback: listening on
/// other interfaces must be asked for by naming the address.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let t = s.trim();
    let port_only = t.strip_prefix(':').unwrap_or(t);
    if let Ok(port) = port_only.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    t.parse::<SocketAddr>().map_err(|_| {
        format!("`{s}` is not ADDR:PORT; expected e.g. 127.0.0.1:9464, [::1]:9464 or :9464 (loopback), 0.0.0.0:9464 to listen on every interface")
    })
}
