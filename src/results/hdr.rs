//! Adds a histogram of an interval log (`latency.hlog`: base64 of a V2, usually deflated,
//! HdrHistogram) straight into an accumulating histogram, without building the histogram
//! first.
//!
//! An 8-hour run at 1 s holds millions of them. The crate's deserializer allocates a
//! histogram and a fresh inflater for each and `add` then walks every counter, about 10 µs a
//! histogram: half a minute for the report alone. Here one inflater and buffers are reused
//! and each non-zero count is recorded at its bucket's lowest value, which is what
//! `Histogram::add` does for histograms of different sizes: the sum is the same histogram,
//! counter for counter (the tests check it against the crate's own decoding and `add`).

use base64::Engine;
use flate2::{Decompress, FlushDecompress, Status};
use hdrhistogram::Histogram;

/// The V2 cookies (HdrHistogram's encoding, with its word size bits).
const V2: u32 = 0x1c84_9313;
const V2_DEFLATE: u32 = 0x1c84_9314;
/// The V2 header: cookie, payload length, normalizing offset, digits, low, high, ratio.
const HEADER: usize = 40;
/// No histogram this reader adds can inflate to more: a bound against a corrupt stream.
const MAX_PLAIN: usize = 16 << 20;

/// Decodes histograms one after the other, reusing its buffers.
pub struct Decoder {
    raw: Vec<u8>,
    plain: Vec<u8>,
    inflate: Decompress,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            raw: Vec::new(),
            plain: Vec::new(),
            inflate: Decompress::new(true),
        }
    }
}

fn be_u32(b: &[u8], at: usize) -> Result<u32, String> {
    (b.get(at..at + 4)).map_or(Err("truncated histogram".into()), |s| {
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn be_u64(b: &[u8], at: usize) -> Result<u64, String> {
    let hi = be_u32(b, at)? as u64;
    Ok(hi << 32 | be_u32(b, at + 4)? as u64)
}

impl Decoder {
    /// Adds the base64 histogram `text` to `into`; a malformed one is an error saying why,
    /// and then `into` may hold part of it.
    pub fn add_base64(&mut self, text: &str, into: &mut Histogram<u64>) -> Result<(), String> {
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        let result = match base64::engine::general_purpose::STANDARD.decode_vec(text, &mut raw) {
            Ok(()) => self.add_bytes(&raw, into),
            Err(e) => Err(format!("bad base64 ({e})")),
        };
        self.raw = raw;
        result
    }

    /// Adds the base64 histogram `text` to each of `into`, decoding and inflating it once
    /// (the report adds a row's histogram to its server's and to its command's).
    pub fn add_base64_each(
        &mut self,
        text: &str,
        into: [&mut Histogram<u64>; 2],
    ) -> Result<(), String> {
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        let result = match base64::engine::general_purpose::STANDARD.decode_vec(text, &mut raw) {
            Ok(()) => self.plain_of(&raw).and_then(|plain| {
                let plain = plain.unwrap_or(&raw);
                into.into_iter().try_for_each(|h| add_v2(plain, h))
            }),
            Err(e) => Err(format!("bad base64 ({e})")),
        };
        self.raw = raw;
        result
    }

    /// The inflated V2 body of a deflated histogram, `None` for a plain V2 one.
    fn plain_of(&mut self, b: &[u8]) -> Result<Option<&[u8]>, String> {
        match be_u32(b, 0)? {
            V2 => Ok(None),
            V2_DEFLATE => {
                let len = be_u32(b, 4)? as usize;
                let z = b.get(8..8 + len).ok_or("truncated histogram")?;
                self.inflate(z)?;
                Ok(Some(&self.plain))
            }
            c => Err(format!("not a V2 histogram (cookie {c:#x})")),
        }
    }

    /// Adds an encoded histogram (V2, deflated or not).
    pub fn add_bytes(&mut self, b: &[u8], into: &mut Histogram<u64>) -> Result<(), String> {
        match be_u32(b, 0)? {
            V2 => add_v2(b, into),
            V2_DEFLATE => {
                let len = be_u32(b, 4)? as usize;
                let z = b.get(8..8 + len).ok_or("truncated histogram")?;
                self.inflate(z)?;
                add_v2(&self.plain, into)
            }
            c => Err(format!("not a V2 histogram (cookie {c:#x})")),
        }
    }

    /// Inflates `z` into `plain`, growing it as needed. `Finish` is not used:
    /// with it the first call must have room for the whole output, and the
    /// buffer kept from a smaller histogram before may not.
    fn inflate(&mut self, z: &[u8]) -> Result<(), String> {
        self.inflate.reset(true);
        self.plain.clear();
        loop {
            if self.plain.len() == self.plain.capacity() {
                if self.plain.len() >= MAX_PLAIN {
                    return Err("histogram inflates beyond 16 MiB".into());
                }
                self.plain.reserve((z.len() * 4).max(4096));
            }
            let (read, written) = (self.inflate.total_in(), self.plain.len());
            let input = z.get(read as usize..).unwrap_or_default();
            let status = (self.inflate)
                .decompress_vec(input, &mut self.plain, FlushDecompress::None)
                .map_err(|e| format!("bad deflate stream ({e})"))?;
            if status == Status::StreamEnd {
                return Ok(());
            }
            let stuck = self.inflate.total_in() == read && self.plain.len() == written;
            if stuck && self.plain.len() < self.plain.capacity() {
                return Err("truncated deflate stream".into());
            }
        }
    }
}

/// Bucket layout of a histogram, from its lowest discernible value and digits.
struct Layout {
    unit: u32,
    half_magnitude: u32,
    half_count: u64,
}

impl Layout {
    fn new(low: u64, digits: u32) -> Result<Layout, String> {
        if low == 0 || digits > 5 {
            return Err(format!(
                "bad histogram parameters (low {low}, digits {digits})"
            ));
        }
        let unit = 63 - low.leading_zeros();
        let largest = 2 * 10u32.pow(digits);
        let magnitude = 32 - (largest - 1).leading_zeros();
        if unit + magnitude > 63 {
            return Err("histogram precision beyond 64 bits".into());
        }
        Ok(Layout {
            unit,
            half_magnitude: magnitude - 1,
            half_count: 1 << (magnitude - 1),
        })
    }

    /// The lowest value of the bucket at counter `index`, as HdrHistogram maps them.
    fn value(&self, index: u64) -> Result<u64, String> {
        let bucket = (index >> self.half_magnitude) as i64 - 1;
        let mut sub = (index & (self.half_count - 1)) + self.half_count;
        let bucket = if bucket < 0 {
            sub -= self.half_count;
            0
        } else {
            bucket as u64
        };
        let shift = bucket + self.unit as u64;
        if shift + u64::from(self.half_magnitude + 1) > 63 {
            return Err(format!("counter {index} is beyond 64-bit values"));
        }
        Ok(sub << shift)
    }
}

/// HdrHistogram's varint: LEB128 over at most 9 bytes, the ninth used whole.
fn varint(s: &[u8]) -> Result<(u64, usize), String> {
    let mut value = 0u64;
    for i in 0..8 {
        let b = *s.get(i).ok_or("truncated counts")?;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    let b = *s.get(8).ok_or("truncated counts")?;
    Ok((value | u64::from(b) << 56, 9))
}

/// Adds a plain V2 histogram: its counters are ZigZag varints, a negative one a run of zeros.
fn add_v2(p: &[u8], into: &mut Histogram<u64>) -> Result<(), String> {
    if be_u32(p, 0)? != V2 {
        return Err("not a V2 histogram inside the deflate stream".into());
    }
    let len = be_u32(p, 4)? as usize;
    if be_u32(p, 8)? != 0 || f64::from_bits(be_u64(p, 32)?) != 1.0 {
        return Err("unsupported histogram (normalizing offset or double values)".into());
    }
    let layout = Layout::new(be_u64(p, 16)?, be_u32(p, 12)?)?;
    let counts = p.get(HEADER..HEADER + len).ok_or("truncated histogram")?;
    let (mut at, mut index) = (0usize, 0u64);
    while at < counts.len() {
        let (n, used) = varint(&counts[at..])?;
        at += used;
        let v = (n >> 1) as i64 ^ -((n & 1) as i64);
        if v < 0 {
            index = index.saturating_add(v.unsigned_abs());
            continue;
        }
        if v > 0 {
            let value = layout.value(index)?;
            (into.record_n(value, v as u64)).map_err(|e| format!("cannot add ({e:?})"))?;
        }
        index += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::serialization::V2Serializer;
    use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};

    fn encoded(h: &Histogram<u64>, deflate: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if deflate {
            V2DeflateSerializer::new().serialize(h, &mut out).unwrap();
        } else {
            V2Serializer::new().serialize(h, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn sums_equal_the_crates_own_decoding_and_add() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 20
        };
        let (mut ours, mut theirs) = (Histogram::new(3).unwrap(), Histogram::new(3).unwrap());
        let mut dec = Decoder::default();
        for k in 0..60u64 {
            let mut h = Histogram::<u64>::new(3).unwrap();
            for _ in 0..(next() % 200) {
                let scale = 1u64 << (next() % 36);
                h.record(next() % scale).unwrap();
            }
            let bytes = encoded(&h, k % 3 != 0);
            dec.add_bytes(&bytes, &mut ours).unwrap();
            let back: Histogram<u64> = Deserializer::new()
                .deserialize(&mut bytes.as_slice())
                .unwrap();
            theirs.add(&back).unwrap();
        }
        assert_eq!(ours.len(), theirs.len());
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                ours.value_at_quantile(q),
                theirs.value_at_quantile(q),
                "{q}"
            );
        }
        let a: Vec<_> = ours
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        let b: Vec<_> = theirs
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn a_wide_histogram_after_a_narrow_one_inflates_whole() {
        // The buffer kept from the narrow one is too small for the wide one's
        // counts: the case a NOOP-only run's first interval hit.
        let mut narrow = Histogram::<u64>::new(3).unwrap();
        narrow.record(1234).unwrap();
        let mut wide = Histogram::<u64>::new(3).unwrap();
        for v in (1..4_000_000u64).step_by(397) {
            wide.record(v).unwrap();
        }
        let mut dec = Decoder::default();
        let mut into = Histogram::new(3).unwrap();
        dec.add_bytes(&encoded(&narrow, true), &mut into).unwrap();
        dec.add_bytes(&encoded(&wide, true), &mut into).unwrap();
        assert_eq!(into.len(), narrow.len() + wide.len());
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        h.record(1234).unwrap();
        let good = encoded(&h, true);
        let mut dec = Decoder::default();
        let mut into = Histogram::new(3).unwrap();
        for cut in 0..good.len() {
            assert!(dec.add_bytes(&good[..cut], &mut into).is_err(), "{cut}");
        }
        let mut bad = good.clone();
        bad[20] ^= 0xff;
        let _ = dec.add_bytes(&bad, &mut into);
        assert!(dec.add_base64("not base64!", &mut into).is_err());
        assert!(dec
            .add_bytes(&[0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 1], &mut into)
            .is_err());
        dec.add_bytes(&good, &mut into).unwrap();
    }
}
