//! Writes a synthetic Exchange IMAP4 front-end protocol log of about SIZE
//! megabytes, time-ordered over one hour, to try `imapload replay` on a
//! big log: `cargo run --release --example exchange_log -- /tmp/IMAP4_big.LOG 1000`.
//!
//! Sessions open every few milliseconds; each logs in, selects, fetches,
//! searches, stores, appends, idles and logs out over about a minute, with
//! a `proxy` row every 30 s and a probe session now and then, as a busy CAS does.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufWriter, Write};

const START_MS: i64 = 1_795_165_200_000; // 2026-11-20T09:00:00Z
const HOUR_MS: i64 = 3_600_000;
const PER_SESSION: &[(&str, &str)] = &[
    ("capability", ""),
    ("login", "user{u}@contoso.com ****"),
    ("select", "\"INBOX\""),
    ("fetch", "1:50 (UID FLAGS RFC822.SIZE)"),
    ("uid", "fetch 1200:* (FLAGS)"),
    (
        "fetch",
        "17 (BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])",
    ),
    ("fetch", "17 (BODY.PEEK[])"),
    ("search", "UNSEEN"),
    ("store", "17 +FLAGS.SILENT (\\Seen)"),
    ("status", "\"Sent Items\" (MESSAGES UNSEEN)"),
    ("append", "\"Sent Items\" (\\Seen) {5120}"),
    ("noop", ""),
    ("idle", ""),
    ("noop", ""),
    ("logout", ""),
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (path, mb) = match (args.get(1), args.get(2).and_then(|m| m.parse::<u64>().ok())) {
        (Some(p), Some(m)) => (p.clone(), m),
        _ => {
            eprintln!("usage: exchange_log PATH SIZE_MB");
            std::process::exit(2);
        }
    };
    let rows_wanted = mb * 1_000_000 / 150; // about 150 bytes a row
    let sessions = rows_wanted / (PER_SESSION.len() as u64 + 4);
    let gap = HOUR_MS as f64 / sessions as f64;
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    write!(out, "#Software: Microsoft Exchange Server\r\n#Version: 15.1.2507.6\r\n#Log-type: IMAP4 Log\r\n#Date: 2026-11-20T09:00:00.000Z\r\n")?;
    write!(out, "#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context\r\n")?;
    // Rows due later wait in a heap so the file is in time order, as Exchange writes it.
    let mut pending: BinaryHeap<Reverse<(i64, u64, u32)>> = BinaryHeap::new();
    let mut next_session = 0u64;
    loop {
        let open_at = START_MS + (next_session as f64 * gap) as i64;
        let due_first = pending.peek().map(|Reverse((t, _, _))| *t);
        if next_session < sessions && due_first.is_none_or(|t| open_at <= t) {
            pending.push(Reverse((open_at, next_session, 0)));
            next_session += 1;
            continue;
        }
        let Some(Reverse((t, s, step))) = pending.pop() else {
            break;
        };
        if let Some(after) = row(&mut out, t, s, step)? {
            pending.push(Reverse((t + after, s, step + 1)));
        }
    }
    out.flush()
}

/// Writes step `step` of session `s` at `t`; returns the wait before the next one.
fn row(out: &mut impl Write, t: i64, s: u64, step: u32) -> std::io::Result<Option<i64>> {
    let time = chrono::DateTime::from_timestamp_millis(t)
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let probe = s.is_multiple_of(997);
    let user = if probe {
        format!("HealthMailbox{s:x}@contoso.com")
    } else {
        format!("user{}@contoso.com", s % 5000)
    };
    let head = format!(
        "{time},{:016X},{step},10.0.0.1:993,10.{}.{}.{}:{}",
        0x08D9_0000_0000_0000u64 + s,
        s % 200,
        s % 250,
        s % 240,
        40000 + s % 20000
    );
    let n = PER_SESSION.len() as u32;
    let (cmd, params, wait) = match step {
        0 => ("OpenSession".to_string(), String::new(), 20),
        k if k <= n => {
            let (c, p) = PER_SESSION[(k - 1) as usize];
            let wait = if c == "idle" {
                20_000
            } else {
                1_500 + (s as i64 * 37 + k as i64 * 101) % 3_000
            };
            (
                c.to_string(),
                p.replace("{u}", &(s % 5000).to_string()),
                wait,
            )
        }
        k if k == n + 1 => ("proxy".to_string(), "mbx1.contoso.com".to_string(), 1),
        k if k == n + 2 => ("CloseSession".to_string(), String::new(), 0),
        _ => return Ok(None),
    };
    let duration = (s * 7 + step as u64 * 13) % 40;
    let user_col = if step == 0 { "" } else { user.as_str() };
    let params = if params.contains([',', '"']) {
        format!("\"{}\"", params.replace('"', "\"\""))
    } else {
        params
    };
    write!(
        out,
        "{head},{user_col},{duration},64,512,{cmd},{params},R=OK\r\n"
    )?;
    Ok((step <= n + 1).then_some(wait))
}
