//! The embedded servers' command parsing, in process: the helpers that frame
//! and name a raw command (literal announcement, tag, verb) and imap-codec's
//! command decoder, on the bytes exactly as the back end and the CAS hand
//! them over.
#![no_main]

use imap_codec::decode::Decoder;
use imap_codec::CommandCodec;
use imapload::sim::io::{literal_announcement, tag_of, verb_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split_inclusive(|&b| b == b'\n') {
        let _ = literal_announcement(line);
    }
    let tag = tag_of(data);
    assert!(tag == "*" || data.starts_with(tag.as_bytes()));
    assert!(verb_of(data).len() <= 32 * 3);
    let _ = CommandCodec::new().decode(data);
});
