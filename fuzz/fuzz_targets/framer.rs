//! The client's response framer over arbitrary bytes in arbitrary chunks:
//! no panic, every message within the buffer, never more buffered than one
//! message may take.
#![no_main]

use imapload::imap::framer::{Framer, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sizes, data)) = data.split_first() else {
        return;
    };
    // Small limits so the fuzzer reaches them; the first byte picks the chunking.
    let limits = Limits {
        max_line: 64,
        max_literal: 32,
    };
    let cap = limits.max_message() as usize + limits.max_line;
    let chunk = usize::from(sizes % 17) + 1;
    let mut f = Framer::new(limits);
    let mut buf = Vec::new();
    let mut at = 0;
    loop {
        match f.scan(&buf) {
            Ok(Some(n)) => {
                assert!(n > 0 && n <= buf.len());
                buf.drain(..n);
            }
            Ok(None) if at == data.len() => return,
            Ok(None) => {
                assert!(buf.len() <= cap, "{} bytes buffered", buf.len());
                let end = (at + chunk).min(data.len());
                buf.extend_from_slice(&data[at..end]);
                at = end;
            }
            Err(_) => return,
        }
    }
});
