//! A small seeded random source: the same seed gives the same catalogue on
//! every machine and every version of the dependencies.

/// SplitMix64: tiny, fast and well mixed; good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// An independent source for one record, so that a record's content does
    /// not depend on how many numbers the records before it drew.
    pub fn fork(&self, stream: u64) -> Rng {
        let mut r = Rng(self.0 ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (((self.next() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// One item of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One item, drawn by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut at = self.below(total as usize) as u64;
        for (item, w) in items {
            if at < u64::from(*w) {
                return item;
            }
            at -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }
}

/// Cumulative weights for drawing from a long list quickly (binary search).
#[derive(Debug, Clone)]
pub struct Table {
    cumulative: Vec<u64>,
}

impl Table {
    /// A table of `weights`.
    pub fn new(weights: impl IntoIterator<Item = u64>) -> Table {
        let mut sum = 0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                sum += w.max(1);
                sum
            })
            .collect();
        Table { cumulative }
    }

    /// The index of one entry, drawn by weight.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap_or(&1);
        let at = rng.below(total as usize) as u64;
        self.cumulative.partition_point(|c| *c <= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next(), xs[0]);
    }

    #[test]
    fn draws_stay_in_range_and_follow_the_weights() {
        let mut r = Rng::new(1);
        let table = Table::new([1, 0, 98, 1]);
        let mut hits = [0; 4];
        for _ in 0..10_000 {
            hits[table.draw(&mut r)] += 1;
            assert!((3..=5).contains(&r.between(3, 5)));
        }
        assert!(hits[2] > 9_000, "{hits:?}");
    }
}
