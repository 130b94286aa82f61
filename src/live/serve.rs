//! `imapload serve --metrics-listen`: the embedded servers' own gauges
//! (queue waiting for a worker, busy workers, worker limit, connections,
//! commands), read from their controls once a second.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::families::{Families, ServerLabels};
use super::http::{self, Endpoint};
use crate::sim::{ServerControl, Topology};

/// How often the servers' gauges are read.
const EVERY: Duration = Duration::from_secs(1);

/// Each server's name and control, CAS first.
pub type Controls = Vec<(String, Arc<ServerControl>)>;

/// The controls of every server `topology` runs.
pub fn controls(topology: &Topology) -> Controls {
    let servers = topology.cas().iter().chain(topology.backends());
    (servers.filter_map(|info| Some((info.name.clone(), topology.control(&info.name)?)))).collect()
}

/// Reads every server's control into the families.
fn read(families: &Families, servers: &Controls) {
    for (name, c) in servers {
        let l = ServerLabels {
            server: name.clone(),
        };
        families
            .server_queued
            .get_or_create(&l)
            .set(c.queued() as f64);
        families.server_busy.get_or_create(&l).set(c.busy() as f64);
        families
            .server_workers
            .get_or_create(&l)
            .set(c.workers() as i64);
        let connections = c.connections() as i64;
        families
            .server_connections
            .get_or_create(&l)
            .set(connections);
        let commands = families.server_commands.get_or_create(&l);
        let (total, now) = (c.commands_total(), commands.get());
        if total > now {
            commands.inc_by(total - now);
        }
    }
}

/// Serves the embedded servers' gauges on `addr` until `stop` is cancelled
/// (or the endpoint dropped).
pub async fn start(
    addr: std::net::SocketAddr,
    servers: Controls,
    stop: CancellationToken,
) -> std::io::Result<Endpoint> {
    let families = Arc::new(Families::default());
    read(&families, &servers);
    let registry = Arc::new(families.register(None));
    let endpoint = http::start(addr, registry).await?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => read(&families, &servers),
                _ = stop.cancelled() => return,
            }
        }
    });
    Ok(endpoint)
}
