//! Tests of the server model around the protocol: the worker queue, fault
//! knobs and the LOGINDISABLED / STARTTLS rules.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::testclient::{Client, Mode};
use super::tests::{addr, connect, plan, start, text, users};
use super::Topology;

#[tokio::test]
async fn one_worker_serialises_commands_and_queues() {
    let t = Topology::start(&plan(1, Duration::from_millis(20)), &users(), 1, None)
        .await
        .unwrap();
    let control = t.control("mbx1").unwrap();
    let backend = t.backends()[0].plain;
    let ca = Arc::new(t.ca_pem().to_string());
    let started = Instant::now();
    let sessions: Vec<_> = (0..5)
        .map(|_| {
            let ca = ca.clone();
            tokio::spawn(async move {
                let mut c = Client::connect(backend, Mode::Plain, &ca).await;
                c.login("user00001", "pass00001").await;
                for _ in 0..3 {
                    c.cmd("NOOP").await;
                }
            })
        })
        .collect();
    let mut max_queued = 0;
    while sessions.iter().any(|s| !s.is_finished()) {
        max_queued = max_queued.max(control.queued());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for s in sessions {
        s.await.unwrap();
    }
    // 20 commands x 20 ms on one worker cannot finish much faster than 400 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert!(max_queued > 0, "queue never formed");
    assert_eq!(control.queued(), 0);
    assert_eq!(control.busy(), 0);
    assert!(control.commands_total() >= 20);
    t.shutdown().await;
}

#[tokio::test]
async fn faults_refuse_logins_and_drop_connections() {
    let t = start().await;
    let mbx = t.control("mbx1").unwrap();
    let cas = t.control("cas1").unwrap();
    mbx.set_refuse_logins(true);
    let mut c = connect(&t, t.backends()[0].plain, Mode::Plain).await;
    let (_, done) = c.cmd("LOGIN user00001 pass00001").await;
    assert!(done.contains("NO [UNAVAILABLE]"), "{done}");
    let mut via = connect(&t, t.cas()[0].plain, Mode::Plain).await;
    let (_, done) = via.cmd("LOGIN user00001 pass00001").await;
    assert!(
        done.contains("NO [UNAVAILABLE]"),
        "back end refusing: {done}"
    );
    mbx.set_refuse_logins(false);
    via.login("user00001", "pass00001").await;
    cas.set_drop_connections(true);
    assert!(tokio::time::timeout(Duration::from_secs(2), via.read())
        .await
        .unwrap()
        .is_none());
    cas.set_drop_connections(false);
    mbx.set_drop_connections(true);
    assert!(tokio::time::timeout(Duration::from_secs(2), c.read())
        .await
        .unwrap()
        .is_none());
    t.shutdown().await;
}

#[tokio::test]
async fn login_disabled_until_starttls_on_both_servers() {
    let mut p = plan(4, Duration::ZERO);
    p.login_disabled_without_tls = true;
    let t = Topology::start(&p, &users(), 5, None).await.unwrap();
    for cas in [false, true] {
        let mut c = connect(&t, addr(&t, cas, Mode::Plain), Mode::Plain).await;
        assert!(c.greeting.contains("LOGINDISABLED"), "{}", c.greeting);
        let (_, done) = c.cmd("LOGIN user00001 pass00001").await;
        assert!(done.contains(" NO "), "cas={cas}: {done}");
        // After STARTTLS (and on implicit TLS) login works; the CAS itself
        // upgrades its back-end connection because the back end says LOGINDISABLED.
        for mode in [Mode::StartTls, Mode::Tls] {
            let mut c = connect(&t, addr(&t, cas, mode), mode).await;
            let (l, _) = c.cmd("CAPABILITY").await;
            assert!(
                !text(&l[0]).contains("LOGINDISABLED") && !text(&l[0]).contains("STARTTLS"),
                "{l:?}"
            );
            c.login("user00001", "pass00001").await;
            let (_, done) = c.cmd("SELECT INBOX").await;
            assert!(done.contains("OK"), "cas={cas} {mode:?}: {done}");
        }
    }
    t.shutdown().await;
}

#[tokio::test]
async fn kill_refuses_connects_drops_connections_and_restarts_on_the_same_ports() {
    let t = start().await;
    let mbx = t.control("mbx1").unwrap();
    let (plain, tls) = (t.backends()[0].plain, t.backends()[0].tls);
    let mut c = connect(&t, plain, Mode::Plain).await;
    c.login("user00001", "pass00001").await;
    mbx.set_down(true);
    let closed = tokio::time::timeout(Duration::from_secs(2), c.read()).await;
    assert!(
        closed.unwrap().is_none(),
        "the connection outlived the kill"
    );
    // The listeners close: a connect is refused, not queued in a backlog.
    let deadline = Instant::now() + Duration::from_secs(2);
    for addr in [plain, tls] {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "{addr} still accepts while killed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    mbx.set_down(false);
    let deadline = Instant::now() + Duration::from_secs(2);
    while tokio::net::TcpStream::connect(plain).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "not listening again after restart"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for (addr, mode) in [(plain, Mode::Plain), (tls, Mode::Tls)] {
        let mut c = connect(&t, addr, mode).await;
        c.login("user00001", "pass00001").await;
        let (_, done) = c.cmd("SELECT INBOX").await;
        assert!(done.contains("OK"), "{mode:?} after restart: {done}");
    }
    t.shutdown().await;
}
