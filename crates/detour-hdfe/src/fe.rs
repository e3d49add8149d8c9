//! Fixed-effect dimensions: one group id per observation per dimension, compacted to `0..levels`.

use std::collections::HashMap;

/// One fixed-effect dimension over the current estimation sample.
#[derive(Debug, Clone)]
pub struct Dim {
    pub name: String,
    /// Group of each observation, in `0..levels`.
    pub ids: Vec<u32>,
    pub levels: usize,
}

impl Dim {
    /// Compact arbitrary ids to `0..levels` in order of first appearance.
    pub fn new(name: impl Into<String>, raw: impl IntoIterator<Item = u64>) -> Dim {
        let raw: Vec<u64> = raw.into_iter().collect();
        let max = raw.iter().copied().max().unwrap_or(0);
        // Ids that are already small integers (the usual case: codes from a factorisation) are remapped
        // through a table rather than a hash map.
        if (max as usize) <= 4 * raw.len() + 1024 {
            let mut table = vec![u32::MAX; max as usize + 1];
            let mut levels = 0u32;
            let ids = raw
                .iter()
                .map(|&r| {
                    let t = &mut table[r as usize];
                    if *t == u32::MAX {
                        *t = levels;
                        levels += 1;
                    }
                    *t
                })
                .collect();
            return Dim {
                name: name.into(),
                ids,
                levels: levels as usize,
            };
        }
        let mut map: HashMap<u64, u32> = HashMap::new();
        let ids: Vec<u32> = raw
            .into_iter()
            .map(|r| {
                let next = map.len() as u32;
                *map.entry(r).or_insert(next)
            })
            .collect();
        Dim {
            name: name.into(),
            levels: map.len(),
            ids,
        }
    }

    /// The same dimension over the rows where `keep` is true, re-compacted.
    pub fn restrict(&self, keep: &[bool]) -> Dim {
        let raw = self
            .ids
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(&g, _)| u64::from(g));
        Dim::new(self.name.clone(), raw)
    }

    /// Number of observations in each level.
    pub fn counts(&self) -> Vec<u32> {
        let mut c = vec![0u32; self.levels];
        for &g in &self.ids {
            c[g as usize] += 1;
        }
        c
    }

    /// Whether every level of `self` falls inside a single level of `outer` (the dimension is nested in it).
    pub fn nested_in(&self, outer: &[u32]) -> bool {
        let mut seen: Vec<u32> = vec![u32::MAX; self.levels];
        for (&g, &o) in self.ids.iter().zip(outer) {
            let s = &mut seen[g as usize];
            if *s == u32::MAX {
                *s = o;
            } else if *s != o {
                return false;
            }
        }
        true
    }
}

/// All fixed-effect dimensions of a model.
#[derive(Debug, Clone, Default)]
pub struct FixedEffects {
    pub dims: Vec<Dim>,
}

impl FixedEffects {
    pub fn is_empty(&self) -> bool {
        self.dims.is_empty()
    }
    pub fn restrict(&self, keep: &[bool]) -> FixedEffects {
        FixedEffects {
            dims: self.dims.iter().map(|d| d.restrict(keep)).collect(),
        }
    }
    /// Total number of levels over all dimensions.
    pub fn total_levels(&self) -> usize {
        self.dims.iter().map(|d| d.levels).sum()
    }
    /// Start of each dimension's coefficients in the stacked coefficient vector.
    pub fn offsets(&self) -> Vec<usize> {
        let mut off = Vec::with_capacity(self.dims.len());
        let mut acc = 0;
        for d in &self.dims {
            off.push(acc);
            acc += d.levels;
        }
        off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_and_restricts() {
        let d = Dim::new("f", [7u64, 3, 7, 9]);
        assert_eq!(d.ids, vec![0, 1, 0, 2]);
        assert_eq!(d.levels, 3);
        let r = d.restrict(&[false, true, true, true]);
        assert_eq!(r.ids, vec![0, 1, 2]);
        assert_eq!(d.counts(), vec![2, 1, 1]);
    }

    #[test]
    fn nesting() {
        let pair = Dim::new("pair", [0u64, 0, 1, 1, 2]);
        assert!(pair.nested_in(&[5, 5, 6, 6, 6]));
        assert!(!pair.nested_in(&[5, 4, 6, 6, 6]));
    }
}
