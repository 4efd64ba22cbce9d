//! Sets of document slots: plain bitsets for the candidates of a request, and
//! per facet value either a sorted list of slots (few documents) or a bitset
//! (many), so that a filter is a union and intersection of words and a facet
//! count an intersection's cardinality.

/// A bitset over slots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// An empty set able to hold `slots` slots.
    pub fn empty(slots: usize) -> Bits {
        Bits {
            words: vec![0; slots.div_ceil(64)],
        }
    }

    /// Adds `slot`, growing the set as needed.
    pub fn insert(&mut self, slot: u32) {
        let (w, b) = (slot as usize / 64, slot % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }

    /// Takes `slot` away.
    pub fn remove(&mut self, slot: u32) {
        if let Some(word) = self.words.get_mut(slot as usize / 64) {
            *word &= !(1 << (slot % 64));
        }
    }

    /// Whether `slot` is in the set.
    #[inline]
    pub fn contains(&self, slot: u32) -> bool {
        self.words
            .get(slot as usize / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    /// How many slots the set holds.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Keeps only the slots that are also in `other`.
    pub fn intersect(&mut self, other: &Bits) {
        for (i, w) in self.words.iter_mut().enumerate() {
            *w &= other.words.get(i).copied().unwrap_or(0);
        }
    }

    /// How many slots are in both sets.
    pub fn intersection_len(&self, other: &Bits) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    /// Keeps only the slots for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(u32) -> bool) {
        for (i, word) in self.words.iter_mut().enumerate() {
            let mut rest = *word;
            while rest != 0 {
                let b = rest.trailing_zeros();
                rest &= rest - 1;
                let slot = (i * 64) as u32 + b;
                if !keep(slot) {
                    *word &= !(1 << b);
                }
            }
        }
    }

    /// The slots in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, word)| {
            let mut rest = *word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let b = rest.trailing_zeros();
                    rest &= rest - 1;
                    (i * 64) as u32 + b
                })
            })
        })
    }
}

/// A list holds at most one slot in this many before it becomes a bitset
/// (a bitset takes a bit per slot, a list 32 bits per member).
const DENSE_RATIO: usize = 32;

/// The slots of the documents that carry one facet value. Slots only grow
/// (a new or changed document takes the next one), so lists stay sorted by
/// pushing; removed documents stay in and are masked by the live set.
#[derive(Debug, Clone)]
pub enum SlotSet {
    Sparse(Vec<u32>),
    Dense(Bits),
}

impl Default for SlotSet {
    fn default() -> SlotSet {
        SlotSet::Sparse(Vec::new())
    }
}

impl SlotSet {
    /// Adds `slot`, at least as large as every slot already in.
    pub fn push(&mut self, slot: u32) {
        match self {
            SlotSet::Sparse(list) => {
                if list.last() == Some(&slot) {
                    return;
                }
                list.push(slot);
                if list.len() >= 64 && list.len() * DENSE_RATIO > slot as usize {
                    let mut bits = Bits::empty(slot as usize + 1);
                    for s in list.iter() {
                        bits.insert(*s);
                    }
                    *self = SlotSet::Dense(bits);
                }
            }
            SlotSet::Dense(bits) => bits.insert(slot),
        }
    }

    /// Adds the set's slots to `into`.
    pub fn union_into(&self, into: &mut Bits) {
        match self {
            SlotSet::Sparse(list) => {
                for s in list {
                    into.insert(*s);
                }
            }
            SlotSet::Dense(bits) => {
                if into.words.len() < bits.words.len() {
                    into.words.resize(bits.words.len(), 0);
                }
                for (a, b) in into.words.iter_mut().zip(&bits.words) {
                    *a |= b;
                }
            }
        }
    }

    /// How many of the set's slots are in `other`.
    pub fn intersection_len(&self, other: &Bits) -> usize {
        match self {
            SlotSet::Sparse(list) => list.iter().filter(|s| other.contains(**s)).count(),
            SlotSet::Dense(bits) => bits.intersection_len(other),
        }
    }

    /// Roughly how many steps an intersection takes.
    pub fn cost(&self) -> usize {
        match self {
            SlotSet::Sparse(list) => list.len(),
            SlotSet::Dense(bits) => bits.words.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_turn_into_bitsets_and_count_the_same() {
        let mut set = SlotSet::default();
        let mut other = Bits::empty(1000);
        for s in (0..1000).step_by(3) {
            set.push(s);
            if s % 2 == 0 {
                other.insert(s);
            }
        }
        assert!(matches!(set, SlotSet::Dense(_)));
        assert_eq!(set.intersection_len(&other), (0..1000).step_by(6).count());
        let mut sparse = SlotSet::default();
        sparse.push(5);
        sparse.push(900);
        assert!(matches!(sparse, SlotSet::Sparse(_)));
        assert_eq!(sparse.intersection_len(&other), 1);
        let mut union = Bits::empty(10);
        sparse.union_into(&mut union);
        assert_eq!(union.iter().collect::<Vec<_>>(), vec![5, 900]);
        union.retain(|s| s > 100);
        assert_eq!(union.len(), 1);
    }
}
