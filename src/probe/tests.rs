//! Probes against the embedded topology over real sockets.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::*;
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::plan::{EmbeddedPlan, ProbePlan, ServiceTime, ServiceTimes, User};
use crate::sim::{ServerInfo, Topology};

const T: Duration = Duration::from_secs(5);

fn plan() -> EmbeddedPlan {
    EmbeddedPlan {
        cas: 1,
        backends: 2,
        listen: "127.0.0.1".parse().unwrap(),
        workers_per_backend: 8,
        messages_per_mailbox: 5,
        message_size: 1000,
        service: ServiceTimes {
            default: ServiceTime {
                median: Duration::ZERO,
                p99: Duration::ZERO,
            },
            per_command: HashMap::new(),
        },
        login_disabled_without_tls: false,
        mailset: None,
    }
}

/// user00001 lives on mbx1, user00002 on mbx2.
fn users() -> Vec<User> {
    crate::serve::make_users(4, 2)
}

async fn start() -> (Topology, TlsClient) {
    let t = Topology::start(&plan(), &users(), 7, None).await.unwrap();
    let tls = TlsClient::new(None, Some(t.ca_pem()), false).unwrap();
    (t, tls)
}

fn url(s: &ServerInfo, mode: &str) -> Endpoint {
    let u = match mode {
        "plain" => format!("imap://{}", s.plain),
        "starttls" => format!("imap://{}?starttls", s.plain),
        _ => format!("imaps://{}", s.tls),
    };
    Endpoint::parse(&u).unwrap()
}

async fn probe(
    kind: ProbeKind,
    name: &str,
    ep: &Endpoint,
    tls: &TlsClient,
    pass: &str,
) -> ProbeResult {
    run_probe(kind, name, ep, tls, "user00002", pass, T, false).await
}

#[tokio::test]
async fn every_probe_succeeds_on_its_server_over_every_transport() {
    let (t, tls) = start().await;
    for mode in ["plain", "starttls", "tls"] {
        for kind in ProbeKind::ALL {
            let s = if kind.targets_cas() {
                &t.cas()[0]
            } else {
                &t.backends()[1]
            };
            let r = probe(kind, &s.name, &url(s, mode), &tls, "pass00002").await;
            assert!(r.ok, "{kind} over {mode}: {r:?}");
            assert_eq!((r.failure, r.error.as_deref()), (None, None));
            assert!(r.latency > Duration::ZERO && r.latency < T);
            // The CTP login goes through to user00002's home, mbx2; a light
            // CAS probe cannot know; a back end is its own mailbox server.
            let expect = match kind {
                ProbeKind::ProxyTest => None,
                _ => Some("mbx2"),
            };
            assert_eq!(r.mailbox_server.as_deref(), expect, "{kind} over {mode}");
        }
    }
    t.shutdown().await;
}

#[tokio::test]
async fn ctp_names_the_home_back_end_of_the_user() {
    let (t, tls) = start().await;
    let ep = url(&t.cas()[0], "plain");
    let r = run_probe(
        ProbeKind::Ctp,
        "cas1",
        &ep,
        &tls,
        "user00001",
        "pass00001",
        T,
        true,
    )
    .await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.mailbox_server.as_deref(), Some("mbx1"));
    let text = format_list(&r);
    assert!(text.contains("MailboxServer      : mbx1"), "{text}");
    assert!(text.contains("Result             : Succeeded"), "{text}");
    t.shutdown().await;
}

#[tokio::test]
async fn wrong_password_is_an_auth_failure_without_the_password() {
    let (t, tls) = start().await;
    let secret = "Wr0ngSecret-xyz";
    for (kind, s) in [
        (ProbeKind::Ctp, &t.cas()[0]),
        (ProbeKind::DeepTest, &t.backends()[1]),
    ] {
        let r = run_probe(
            kind,
            &s.name,
            &url(s, "tls"),
            &tls,
            "user00002",
            secret,
            T,
            true,
        )
        .await;
        assert!(!r.ok);
        assert_eq!(r.failure, Some(FailureClass::Auth), "{r:?}");
        let error = r.error.clone().unwrap();
        assert!(error.starts_with("LOGIN failed: NO"), "{error}");
        assert!(!error.contains(secret) && !format_list(&r).contains(secret));
        assert!(format_list(&r).contains("Result             : Failed"));
    }
    t.shutdown().await;
}

#[tokio::test]
async fn no_password_in_the_clear_when_the_server_says_logindisabled() {
    let mut p = plan();
    p.login_disabled_without_tls = true;
    let t = Topology::start(&p, &users(), 7, None).await.unwrap();
    let tls = TlsClient::new(None, Some(t.ca_pem()), false).unwrap();
    for s in [&t.cas()[0], &t.backends()[1]] {
        let kind = if s.name == "cas1" {
            ProbeKind::Ctp
        } else {
            ProbeKind::DeepTest
        };
        let r = probe(kind, &s.name, &url(s, "plain"), &tls, "pass00002").await;
        assert_eq!(r.failure, Some(FailureClass::Auth), "{r:?}");
        assert!(
            r.error.as_deref().unwrap().contains("was not sent"),
            "{r:?}"
        );
        let r = probe(kind, &s.name, &url(s, "starttls"), &tls, "pass00002").await;
        assert!(r.ok, "{kind} over STARTTLS: {r:?}");
    }
    t.shutdown().await;
}

#[tokio::test]
async fn refused_logins_fail_the_deep_test_but_not_the_self_test() {
    let (t, tls) = start().await;
    t.control("mbx1").unwrap().set_refuse_logins(true);
    let mbx1 = &t.backends()[0];
    let ep = url(mbx1, "plain");
    let pass = "pass00001";
    let deep = run_probe(
        ProbeKind::DeepTest,
        "mbx1",
        &ep,
        &tls,
        "user00001",
        pass,
        T,
        true,
    )
    .await;
    assert!(!deep.ok);
    assert_eq!(deep.failure, Some(FailureClass::Auth));
    assert_eq!(deep.mailbox_server.as_deref(), Some("mbx1"));
    let light = run_probe(
        ProbeKind::SelfTest,
        "mbx1",
        &ep,
        &tls,
        "user00001",
        pass,
        T,
        true,
    )
    .await;
    assert!(light.ok, "{light:?}");
    // The other back end is unaffected.
    let mbx2 = url(&t.backends()[1], "plain");
    assert!(
        probe(ProbeKind::DeepTest, "mbx2", &mbx2, &tls, "pass00002")
            .await
            .ok
    );
    t.shutdown().await;
}

#[tokio::test]
async fn closed_port_is_a_connect_failure() {
    let tls = TlsClient::new(None, None, false).unwrap();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = l.local_addr().unwrap();
    drop(l);
    let ep = Endpoint::parse(&format!("imap://{addr}")).unwrap();
    let r = run_probe(ProbeKind::SelfTest, "gone", &ep, &tls, "u", "p", T, true).await;
    assert!(!r.ok);
    assert_eq!(r.failure, Some(FailureClass::Connect), "{r:?}");
    assert!(r.error.unwrap().contains(&addr.to_string()));
}

#[tokio::test]
async fn silent_server_is_a_timeout_bounded_by_the_timeout() {
    let tls = TlsClient::new(None, None, false).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let ep = Endpoint::parse(&format!("imap://{addr}")).unwrap();
    let t0 = Instant::now();
    let timeout = Duration::from_millis(300);
    let r = run_probe(ProbeKind::Ctp, "mute", &ep, &tls, "u", "p", timeout, false).await;
    assert!(!r.ok);
    assert_eq!(r.failure, Some(FailureClass::Timeout), "{r:?}");
    assert!(r.error.as_deref().unwrap().contains("greeting"));
    assert!(r.latency >= timeout && t0.elapsed() < Duration::from_secs(2));
    // With the retry, two attempts, each bounded; latency is the last one's.
    let t0 = Instant::now();
    let r = run_probe(ProbeKind::Ctp, "mute", &ep, &tls, "u", "p", timeout, true).await;
    assert_eq!(r.failure, Some(FailureClass::Timeout));
    assert!(t0.elapsed() >= 2 * timeout && r.latency < 2 * timeout);
    hold.abort();
}

#[test]
fn parse_accepts_exchange_identities_only() {
    for (s, k) in [
        ("IMAP\\ImapCTPProbe", ProbeKind::Ctp),
        ("IMAP.Proxy\\ImapProxyTestProbe", ProbeKind::ProxyTest),
        ("IMAP.Protocol\\ImapDeepTestProbe", ProbeKind::DeepTest),
        ("IMAP.Protocol\\ImapSelfTestProbe", ProbeKind::SelfTest),
        ("imap.protocol\\imapselftestprobe", ProbeKind::SelfTest),
        ("ImapDeepTestProbe", ProbeKind::DeepTest),
    ] {
        assert_eq!(ProbeKind::parse(s), Ok(k), "{s}");
    }
    let wrong = ProbeKind::parse("IMAP\\ImapDeepTestProbe").unwrap_err();
    assert!(wrong.contains("IMAP.Protocol"), "{wrong}");
    let garbage = ProbeKind::parse("ImapNopeProbe").unwrap_err();
    for k in ProbeKind::ALL {
        assert!(
            garbage.contains(&format!("{}\\{}", k.health_set(), k.name())),
            "{garbage}"
        );
    }
    assert!(ProbeKind::parse("").is_err());
}

#[test]
fn kinds_follow_exchange_tables() {
    let k = ProbeKind::ALL;
    assert_eq!(k.map(|k| k.targets_cas()), [true, true, false, false]);
    assert_eq!(k.map(|k| k.light()), [false, true, false, true]);
    assert_eq!(
        k.map(|k| k.exchange_interval().as_secs()),
        [240, 60, 180, 60]
    );
    assert_eq!(k.map(|k| k.monitor())[2], "ImapDeepTestMonitor");
    for c in FailureClass::ALL {
        assert_eq!(FailureClass::parse(&c.to_string()), Some(c));
    }
}

fn target(s: &ServerInfo, user: &str, pass: &str) -> ProbeTarget {
    ProbeTarget {
        name: s.name.clone(),
        endpoint: url(s, "plain"),
        user: user.into(),
        password: pass.into(),
    }
}

#[tokio::test]
async fn schedule_runs_every_kind_on_every_target_until_stopped() {
    let (t, tls) = start().await;
    t.control("mbx2").unwrap().set_refuse_logins(true);
    // Intervals 1.2 s (CTP), 0.3 s, 0.9 s, 0.3 s: every first run falls
    // inside a 1.6 s run.
    let plan = ProbePlan {
        interval_scale: 0.005,
        timeout_light: Duration::from_secs(2),
        timeout_full: Duration::from_secs(2),
        ..ProbePlan::default()
    };
    let cas = vec![target(&t.cas()[0], "user00001", "pass00001")];
    let backends = vec![
        target(&t.backends()[0], "user00001", "pass00001"),
        target(&t.backends()[1], "user00002", "pass00002"),
    ];
    let stop = CancellationToken::new();
    let (handle, log) = schedule(&plan, cas, backends, tls, Instant::now(), 3, stop.clone());
    tokio::time::sleep(Duration::from_millis(1600)).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(2), handle)
        .await
        .unwrap()
        .unwrap();
    let attempts = log.lock().unwrap().clone();
    let count = |k: ProbeKind, s: &str| {
        attempts
            .iter()
            .filter(|a| a.kind == k && a.server == s)
            .count()
    };
    for (k, s) in [
        (ProbeKind::Ctp, "cas1"),
        (ProbeKind::ProxyTest, "cas1"),
        (ProbeKind::DeepTest, "mbx1"),
        (ProbeKind::DeepTest, "mbx2"),
        (ProbeKind::SelfTest, "mbx1"),
        (ProbeKind::SelfTest, "mbx2"),
    ] {
        assert!(count(k, s) >= 1, "no {k} on {s}: {attempts:?}");
    }
    // Light probes every 0.3 s: several runs, not a busy loop.
    assert!(
        (3..=7).contains(&count(ProbeKind::SelfTest, "mbx1")),
        "{attempts:?}"
    );
    assert_eq!(
        count(ProbeKind::Ctp, "mbx1") + count(ProbeKind::DeepTest, "cas1"),
        0
    );
    for a in &attempts {
        let refused = a.kind == ProbeKind::DeepTest && a.server == "mbx2";
        assert_eq!(a.ok, !refused, "{a:?}");
        assert!(a.at <= Duration::from_millis(1700));
    }
    // Stopped means stopped.
    let n = attempts.len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(log.lock().unwrap().len(), n);
    t.shutdown().await;
}

#[test]
fn csv_round_trips_sorted_by_time() {
    let a = |at: u64, kind, ok: bool| ProbeAttempt {
        kind,
        server: "cas1".into(),
        at: Duration::from_micros(at),
        ok,
        latency: Duration::from_micros(12_345),
        failure: (!ok).then_some(FailureClass::Auth),
        error: (!ok).then(|| "LOGIN failed: NO \"bad\", really".to_string()),
        mailbox_server: ok.then(|| "mbx2".to_string()),
    };
    let attempts = vec![
        a(2_500_001, ProbeKind::ProxyTest, true),
        a(1_000_000, ProbeKind::Ctp, false),
        a(3_000_000, ProbeKind::Ctp, true),
    ];
    let bytes = to_csv(&attempts).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.starts_with(
            "t_s,probe,health_set,server,result,latency_ms,failure,error,mailbox_server\n\
         1.000000,ImapCTPProbe,IMAP,cas1,Failed,12.345,auth,"
        ),
        "{text}"
    );
    let back = from_csv(&bytes).unwrap();
    let mut sorted = attempts.clone();
    sorted.sort_by_key(|a| a.at);
    assert_eq!(back, sorted);
    assert!(from_csv(b"t_s,probe\n1,x\n").is_err());
    let bad = text.replace("IMAP.Proxy,", "IMAP,");
    assert!(from_csv(bad.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("line"));
}
