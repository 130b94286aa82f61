//! Time buckets: how a chart of a run of any length draws at most [`MAX_BUCKETS`] points.
//!
//! A bucket starts as one interval wide; when a series would need more buckets, the width
//! doubles and neighbours merge. Only what merges exactly is kept in a bucket (counts, sums,
//! maxima), so a point of an 8-hour run is the same figure the CSV rows of its intervals
//! add up to, not a sample of one of them.

use std::collections::BTreeMap;

/// Points per line at most. A chart's plot is about 650 px wide, so more would not be seen;
/// a chart of a few lines draws a few thousand points, and the page of an 8-hour run stays
/// well under a MB.
pub const MAX_BUCKETS: usize = 1000;

/// What a bucket holds: figures that add up exactly when two buckets merge.
pub trait Merge: Default {
    /// Adds `other` (the neighbouring bucket) into `self`.
    fn merge(&mut self, other: Self);
}

/// Buckets of width `width` seconds, keyed by `floor(t / width)`.
#[derive(Debug, Clone)]
pub struct Bins<A> {
    width: f64,
    map: BTreeMap<u64, A>,
}

impl<A: Merge> Bins<A> {
    /// Empty buckets `width` seconds wide (1 s if `width` is not a positive number).
    pub fn new(width: f64) -> Self {
        let width = if width.is_finite() && width > 0.0 {
            width
        } else {
            1.0
        };
        Bins {
            width,
            map: BTreeMap::new(),
        }
    }

    /// The bucket width, seconds.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The bucket of time `t` (s since the start; a negative time counts as 0); `None` for a
    /// time that is not a number.
    pub fn index(&self, t: f64) -> Option<u64> {
        t.is_finite()
            .then(|| (t.max(0.0) / self.width).floor() as u64)
    }

    /// The bucket holding time `t`, made if needed; merges neighbours first when another
    /// bucket would be one too many.
    pub fn at(&mut self, t: f64) -> Option<&mut A> {
        loop {
            let i = self.index(t)?;
            if self.map.len() < MAX_BUCKETS || self.map.contains_key(&i) {
                return Some(self.map.entry(i).or_default());
            }
            self.coarsen();
        }
    }

    /// Doubles the width, merging each pair of neighbours.
    pub fn coarsen(&mut self) {
        self.width *= 2.0;
        for (i, a) in std::mem::take(&mut self.map) {
            self.map.entry(i / 2).or_default().merge(a);
        }
    }

    /// Coarsens until the width is at least `width`.
    pub fn coarsen_to(&mut self, width: f64) {
        while self.width < width * (1.0 - 1e-9) && self.width.is_finite() {
            self.coarsen();
        }
    }

    /// The buckets in time order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &A)> {
        self.map.iter().map(|(i, a)| (*i, a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct Sum(u64);

    impl Merge for Sum {
        fn merge(&mut self, other: Self) {
            self.0 += other.0;
        }
    }

    #[test]
    fn many_intervals_merge_into_bounded_buckets_and_nothing_is_lost() {
        let mut b = Bins::<Sum>::new(1.0);
        for k in 0..10_000u64 {
            b.at(k as f64 + 0.5).unwrap().0 += k;
        }
        assert!(
            b.iter().count() <= MAX_BUCKETS && b.iter().count() > MAX_BUCKETS / 2,
            "{}",
            b.iter().count()
        );
        assert_eq!(b.width(), 16.0);
        assert_eq!(b.iter().map(|(_, s)| s.0).sum::<u64>(), 10_000 * 9_999 / 2);
        assert_eq!(b.iter().next().unwrap().1 .0, (0..16).sum::<u64>());
        b.coarsen_to(32.0);
        assert_eq!((b.width(), b.iter().count()), (32.0, 313));
        assert!(b.at(f64::NAN).is_none());
        b.at(f64::MAX).unwrap().0 += 1;
        b.at(-3.0).unwrap().0 += 1;
        assert!(b.iter().count() <= MAX_BUCKETS);
    }
}
