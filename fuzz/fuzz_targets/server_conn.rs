//! The embedded back end and CAS over loopback: any byte stream (the first
//! byte picks the server) must be answered or closed within 5 s after the
//! client stops sending, and no server task may panic (a panic aborts, which
//! libFuzzer reports as a crash).
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use imapload::sim::serve::{make_users, serve_plan, ServeOptions};
use imapload::sim::Topology;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;

struct World {
    rt: Runtime,
    targets: [SocketAddr; 2],
    _topology: Topology,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("{info}");
            std::process::abort();
        }));
        let rt = Runtime::new().unwrap();
        let opts = ServeOptions {
            cas: 1,
            backends: 1,
            listen: "127.0.0.1".parse().unwrap(),
            port_base: None,
            users: 2,
            seed: 1,
            workers_per_backend: 2,
            dir: None,
            login_disabled_without_tls: false,
        };
        let t = rt
            .block_on(Topology::start(
                &serve_plan(&opts),
                &make_users(2, 1),
                1,
                None,
            ))
            .unwrap();
        World {
            targets: [t.backends()[0].plain, t.cas()[0].plain],
            rt,
            _topology: t,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let w = world();
    let to = w.targets[usize::from(pick & 1)];
    let prefix: &[u8] = if pick & 2 != 0 {
        b"p LOGIN user00001 pass00001\r\n"
    } else {
        b""
    };
    w.rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(to).await.unwrap();
        let (mut r, mut wr) = tcp.into_split();
        let input = [prefix, data].concat();
        let writer = tokio::spawn(async move {
            let _ = wr.write_all(&input).await;
            let _ = wr.shutdown().await;
        });
        let mut sink = [0u8; 8192];
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            while let Ok(n) = r.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        writer.abort();
        assert!(
            closed.is_ok(),
            "the server kept the connection 5 s after the input ended"
        );
    });
});
