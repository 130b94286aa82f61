//! `imapload serve`: the embedded topology in the foreground, for any IMAP
//! client. Its stdout is a small machine-readable contract (ENDPOINT, USERS,
//! CA lines) so scripts and CI can start it and scrape the endpoints.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::plan::{EmbeddedPlan, ServiceTime, ServiceTimes, User};
use crate::sim::{ServerInfo, Topology};

/// What `imapload serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Number of CAS proxies.
    pub cas: usize,
    /// Number of mailbox back ends.
    pub backends: usize,
    /// Address to bind.
    pub listen: IpAddr,
    /// First port (consecutive ports from here) or ephemeral ports.
    pub port_base: Option<u16>,
    /// Number of users to create (`user00001`..).
    pub users: usize,
    /// Seed of the synthetic mail.
    pub seed: u64,
    /// Worker limit per back end.
    pub workers_per_backend: usize,
    /// Where `users.csv` and `ca.pem` go (default: a new, kept temp directory).
    pub dir: Option<PathBuf>,
    /// Advertise LOGINDISABLED and refuse logins on plain connections until STARTTLS.
    pub login_disabled_without_tls: bool,
    /// Service time of every command (zero median: none).
    pub service: ServiceTime,
    /// Run only these servers (`cas1`, `mbx2`, ...); `None`: all of them.
    /// Needs `port_base`: see [`Topology::start_only`].
    pub only: Option<Vec<String>>,
    /// Where the servers' own gauges are served for Prometheus (off when `None`).
    pub metrics_listen: Option<std::net::SocketAddr>,
}

/// Checks `--only` against the topology's server names; the message says
/// which names exist.
pub fn check_only(only: &[String], cas: usize, backends: usize) -> Result<(), String> {
    let known: Vec<String> = (1..=cas)
        .map(|i| format!("cas{i}"))
        .chain((1..=backends).map(|i| format!("mbx{i}")))
        .collect();
    if only.is_empty() {
        return Err(format!("is empty; name servers of: {}", known.join(", ")));
    }
    match only.iter().find(|n| !known.contains(n)) {
        Some(bad) => Err(format!(
            "unknown server `{bad}`; this topology has {}",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// Parses `--service-time`: `MEDIAN/P99` (`1ms/5ms`), one duration for both,
/// or `0` for no added time at all.
pub fn parse_service_time(s: &str) -> Result<ServiceTime, String> {
    let dur = |t: &str| -> Result<Duration, String> {
        if t.trim() == "0" {
            return Ok(Duration::ZERO);
        }
        crate::plan::parse_duration(t.trim())
            .map_err(|e| format!("`{s}`: {e}; expected MEDIAN/P99 such as 1ms/5ms, or 0"))
    };
    let (median, p99) = match s.split_once('/') {
        Some((m, p)) => (dur(m)?, dur(p)?),
        None => (dur(s)?, dur(s)?),
    };
    if p99 < median {
        return Err(format!("`{s}`: the p99 is below the median"));
    }
    Ok(ServiceTime { median, p99 })
}

/// The users `serve` creates: `user00001`/`pass00001`/`tok-user00001`...,
/// homes round-robin over `mbx1..mbxN`.
pub fn make_users(n: usize, backends: usize) -> Vec<User> {
    (1..=n)
        .map(|i| User {
            name: format!("user{i:05}"),
            password: format!("pass{i:05}"),
            backend: format!("mbx{}", (i - 1) % backends.max(1) + 1),
            token: Some(crate::plan::embedded_token(&format!("user{i:05}"))),
        })
        .collect()
}

/// The plan `serve` uses: the service time asked for (1 ms median / 5 ms
/// p99 by default), 50 messages of about 4 KiB; LOGIN without TLS as `opts` says.
pub fn serve_plan(opts: &ServeOptions) -> EmbeddedPlan {
    EmbeddedPlan {
        cas: opts.cas,
        backends: opts.backends,
        listen: opts.listen,
        workers_per_backend: opts.workers_per_backend,
        messages_per_mailbox: 50,
        message_size: 4096,
        service: ServiceTimes {
            default: opts.service,
            per_command: HashMap::new(),
        },
        login_disabled_without_tls: opts.login_disabled_without_tls,
        mailset: None,
    }
}

fn url(scheme: &str, addr: std::net::SocketAddr) -> String {
    format!("{scheme}://{addr}")
}

fn endpoint_lines(servers: &[ServerInfo]) -> String {
    let mut s = String::new();
    for srv in servers {
        let lmtp = srv.lmtp.map(|a| ("lmtp", a));
        for (scheme, addr) in [("imap", srv.plain), ("imaps", srv.tls)]
            .into_iter()
            .chain(lmtp)
        {
            s.push_str(&format!(
                "ENDPOINT role={} name={} url={}\n",
                srv.role,
                srv.name,
                url(scheme, addr)
            ));
        }
    }
    s
}

/// Starts the topology, writes `users.csv` (`user,password,backend,token`) and
/// `ca.pem` into the directory, prints one `ENDPOINT role=.. name=.. url=..`
/// line per listener (CAS first, plain then TLS, then a back end's LMTP
/// listener as `lmtp://`), then `USERS <path>` and
/// `CA <path>`, flushes stdout, and serves until `shutdown` is cancelled.
pub async fn serve(opts: ServeOptions, shutdown: CancellationToken) -> anyhow::Result<()> {
    let users = make_users(opts.users, opts.backends);
    let plan = serve_plan(&opts);
    let dir = match &opts.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.clone()
        }
        None => tempfile::Builder::new()
            .prefix("imapload-serve-")
            .tempdir()?
            .keep(),
    };
    let dir =
        std::fs::canonicalize(&dir).with_context(|| format!("resolving {}", dir.display()))?;
    let topology = Topology::start_only(
        &plan,
        &users,
        opts.seed,
        opts.port_base,
        opts.only.as_deref(),
    )
    .await?;

    let users_path = dir.join("users.csv");
    let mut csv = String::from("user,password,backend,token\n");
    for u in &users {
        let token = u.token.as_deref().unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{token}\n",
            u.name, u.password, u.backend
        ));
    }
    std::fs::write(&users_path, csv)
        .with_context(|| format!("writing {}", users_path.display()))?;
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, topology.ca_pem())
        .with_context(|| format!("writing {}", ca_path.display()))?;

    let mut out = endpoint_lines(topology.cas());
    out.push_str(&endpoint_lines(topology.backends()));
    out.push_str(&format!(
        "USERS {}\nCA {}\n",
        users_path.display(),
        ca_path.display()
    ));
    let _metrics = match opts.metrics_listen {
        Some(addr) => {
            let servers = crate::live::serve::controls(&topology);
            let endpoint = crate::live::serve::start(addr, servers, shutdown.clone())
                .await
                .with_context(|| format!("--metrics-listen {addr}: cannot listen"))?;
            out.push_str(&format!("METRICS http://{}/metrics\n", endpoint.addr));
            Some(endpoint)
        }
        None => None,
    };
    {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(out.as_bytes())?;
        stdout.flush()?;
    }

    shutdown.cancelled().await;
    topology.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_round_robin() {
        let u = make_users(5, 2);
        assert_eq!(u[0].name, "user00001");
        assert_eq!(u[0].password, "pass00001");
        assert_eq!(
            u.iter().map(|u| u.backend.as_str()).collect::<Vec<_>>(),
            ["mbx1", "mbx2", "mbx1", "mbx2", "mbx1"]
        );
    }

    #[test]
    fn only_names_servers_of_the_topology() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_only(&names(&["cas1", "mbx2"]), 1, 2).is_ok());
        let err = check_only(&names(&["mbx3"]), 1, 2).unwrap_err();
        assert!(
            err.contains("unknown server `mbx3`") && err.contains("cas1, mbx1, mbx2"),
            "{err}"
        );
        assert!(check_only(&[], 1, 2).unwrap_err().contains("is empty"));
    }

    #[test]
    fn service_time_flag_takes_a_pair_one_value_or_zero() {
        let ms = Duration::from_millis;
        let t = parse_service_time("1ms/5ms").unwrap();
        assert_eq!((t.median, t.p99), (ms(1), ms(5)));
        let t = parse_service_time("2ms").unwrap();
        assert_eq!((t.median, t.p99), (ms(2), ms(2)));
        assert_eq!(parse_service_time("0").unwrap().median, Duration::ZERO);
        assert!(parse_service_time("5ms/1ms")
            .unwrap_err()
            .contains("below the median"));
        assert!(parse_service_time("fast")
            .unwrap_err()
            .contains("MEDIAN/P99"));
    }

    #[tokio::test]
    async fn serve_writes_files_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ServeOptions {
            cas: 1,
            backends: 2,
            listen: "127.0.0.1".parse().unwrap(),
            port_base: None,
            users: 4,
            seed: 1,
            workers_per_backend: 4,
            dir: Some(dir.path().to_path_buf()),
            service: parse_service_time("0").unwrap(),
            login_disabled_without_tls: false,
            only: None,
            metrics_listen: None,
        };
        let token = CancellationToken::new();
        let task = tokio::spawn(serve(opts, token.clone()));
        for _ in 0..100 {
            if dir.path().join("ca.pem").exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let csv = std::fs::read_to_string(dir.path().join("users.csv")).unwrap();
        assert!(csv
            .starts_with("user,password,backend,token\nuser00001,pass00001,mbx1,tok-user00001\n"));
        assert!(std::fs::read_to_string(dir.path().join("ca.pem"))
            .unwrap()
            .contains("BEGIN CERTIFICATE"));
        token.cancel();
        task.await.unwrap().unwrap();
    }
}

/// Manual check with real clients: `cargo test --lib serve_for_manual_clients
/// -- --ignored --nocapture` prints the endpoints and serves for
/// `IMAPLOAD_SERVE_SECS` seconds (default 60).
#[cfg(test)]
mod manual {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "serves for a while for hand-run clients (python imaplib)"]
    async fn serve_for_manual_clients() {
        let secs = std::env::var("IMAPLOAD_SERVE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60);
        let opts = ServeOptions {
            cas: 1,
            backends: 2,
            listen: "127.0.0.1".parse().unwrap(),
            port_base: std::env::var("IMAPLOAD_PORT_BASE")
                .ok()
                .and_then(|s| s.parse().ok()),
            users: 10,
            seed: 1,
            workers_per_backend: 8,
            dir: std::env::var_os("IMAPLOAD_SERVE_DIR").map(PathBuf::from),
            service: parse_service_time("1ms/5ms").unwrap(),
            login_disabled_without_tls: false,
            only: None,
            metrics_listen: None,
        };
        let token = CancellationToken::new();
        let stop = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            stop.cancel();
        });
        serve(opts, token).await.unwrap();
    }
}
