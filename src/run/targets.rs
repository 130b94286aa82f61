//! Where the sessions go: the embedded topology started on loopback, or the
//! real endpoints resolved once (so DNS is never timed), the client TLS
//! configuration, and the servers' names in layout order.

use std::sync::Arc;

use crate::engine::{OwnQueue, Target, Targets};
use crate::error::Failure;
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::metrics::Layout;
use crate::plan::{RunPlan, SessionPlan, TopologyPlan, User};
use crate::probe::ProbeTarget;
use crate::results::run::{ServerDoc, Servers};
use crate::results::OwnReading;
use crate::results::Security;
use crate::sim::{ServerInfo, Topology};

/// The servers of a run, ready for the engine.
pub struct Started {
    /// The embedded topology, when the run brought one up.
    pub topology: Option<Topology>,
    /// The engine's targets.
    pub targets: Targets,
    /// Client TLS, built once.
    pub tls: TlsClient,
    /// CAS names and back-end names (with a URL first, then those only behind
    /// a CAS): the layout's order.
    pub layout: Layout,
}

impl Started {
    /// `run.json`'s `servers`: names, addresses and security of the targets.
    pub fn servers(&self) -> Servers {
        let server_doc = |t: &Target| ServerDoc {
            addr: t.addr.to_string(),
            name: t.name.clone(),
            security: t.security,
        };
        Servers {
            backends: self.targets.backends.iter().map(server_doc).collect(),
            cas: self.targets.cas.iter().map(server_doc).collect(),
        }
    }

    /// CAS then back-end names (the queue order of the records).
    pub fn server_names(&self) -> Vec<String> {
        let l = &self.layout;
        l.cas_names
            .iter()
            .chain(&l.backend_names)
            .cloned()
            .collect()
    }
}

/// Starts the embedded topology or resolves the real endpoints.
pub async fn start(plan: &RunPlan) -> Result<Started, Failure> {
    let (topology, targets, extra_ca) = match &plan.topology {
        TopologyPlan::Embedded(e) => {
            let topo = Topology::start(e, &plan.users, plan.seed, None)
                .await
                .map_err(Failure::Run)?;
            let of = |infos: &[ServerInfo]| -> Vec<Target> {
                let target = |i: &ServerInfo| embedded_target(&topo, i, &plan.session);
                infos.iter().map(target).collect()
            };
            let targets = Targets {
                cas: of(topo.cas()),
                backends: of(topo.backends()),
            };
            let ca = topo.ca_pem().to_string();
            (Some(topo), targets, Some(ca))
        }
        TopologyPlan::Real(_) => (None, real_targets(plan).await?, None),
    };
    let tls = TlsClient::new(
        plan.tls.ca_file.as_deref(),
        extra_ca.as_deref(),
        plan.tls.insecure,
    )?;
    if plan.tls.insecure {
        eprintln!("{}", crate::imap::tls::INSECURE_WARNING);
    }
    let cas_names: Vec<String> = targets.cas.iter().map(|t| t.name.clone()).collect();
    // Back ends with a URL first (the engine's targets by index), then the
    // ones reached only through a CAS (named by the users file).
    let backend_names: Vec<String> = targets
        .backends
        .iter()
        .map(|t| t.name.clone())
        .chain(plan.topology.backends_behind_cas().iter().cloned())
        .collect();
    for t in targets.cas.iter().chain(targets.backends.iter()) {
        tracing::info!(server = %t.name, addr = %t.addr, security = ?t.security, "target");
    }
    Ok(Started {
        topology,
        targets,
        tls,
        layout: Layout::new(cas_names, backend_names),
    })
}

/// The real endpoints, resolved; `--tls-server-name` names every certificate.
async fn real_targets(plan: &RunPlan) -> Result<Targets, Failure> {
    let mut t = Targets::default();
    let TopologyPlan::Real(r) = &plan.topology else {
        return Ok(t);
    };
    for (name, ep) in &r.cas {
        t.cas.push(Target::resolve(name, ep).await?);
    }
    for (name, ep) in &r.backends {
        t.backends.push(Target::resolve(name, ep).await?);
    }
    if let Some(n) = &plan.tls.server_name {
        for target in t.cas.iter_mut().chain(t.backends.iter_mut()) {
            target.server_name = n.clone();
        }
    }
    Ok(t)
}

/// An embedded server as a target: the scenario's `security` and
/// `starttls_share` decide how sessions secure it.
fn embedded_target(topo: &Topology, info: &ServerInfo, session: &SessionPlan) -> Target {
    let security = session.security;
    let addr = if security == Security::Tls {
        info.tls
    } else {
        info.plain
    };
    let own_queue = topo.control(&info.name).map(|c| {
        let read: Arc<dyn Fn() -> OwnReading + Send + Sync> = Arc::new(move || OwnReading {
            queued: c.queued() as u64,
            busy: c.busy() as u64,
        });
        OwnQueue(read)
    });
    Target {
        name: info.name.clone(),
        addr,
        security,
        server_name: addr.ip().to_string(),
        own_queue,
        starttls_share: session.starttls_share,
        lmtp: info.lmtp,
    }
}

/// Probe targets: every CAS with the first user, every back end with a user homed there.
pub fn probe_targets(targets: &[Target], users: &[User], backend: bool) -> Vec<ProbeTarget> {
    targets
        .iter()
        .map(|t| {
            let user = users
                .iter()
                .find(|u| !backend || u.backend == t.name)
                .unwrap_or(&users[0]);
            ProbeTarget {
                name: t.name.clone(),
                endpoint: Endpoint {
                    host: t.addr.ip().to_string(),
                    port: t.addr.port(),
                    security: t.security,
                    sni: Some(t.server_name.clone()),
                },
                user: user.name.clone(),
                password: user.password.clone(),
            }
        })
        .collect()
}
