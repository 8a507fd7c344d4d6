/*!
External identifiers (tweet ids, account ids) mapped to dense indices.

Twitter ids are decimal numbers and are kept as `u64` keys; ids of other sources (hashes,
`fb_12670`) are interned strings. Both print back exactly as the source wrote them.
*/

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::intern::Interner;

const NAMED: u64 = 1 << 63;

/// A map from external ids to dense indices `0..len`, in first-seen order.
#[derive(Default, Debug, Clone)]
pub struct IdSpace {
    /// Numeric ids to their index.
    index: FxHashMap<u64, u32>,
    /// Non-numeric ids; symbol `s` has index `name_ix[s]`, so that a name costs one lookup.
    names: Interner,
    name_ix: Vec<u32>,
    /// Per index: the number itself, or `NAMED | symbol` for a non-numeric id.
    external: Vec<u64>,
}

/// The canonical numeric value of `s`, if it is a decimal number below 2^63 without leading
/// zeros (so that printing the number gives back `s`).
pub fn canonical_number(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 19 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    (v < NAMED).then_some(v)
}

impl IdSpace {
    /// An empty id space.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many ids are known.
    pub fn len(&self) -> usize {
        self.external.len()
    }

    /// Whether no id is known.
    pub fn is_empty(&self) -> bool {
        self.external.is_empty()
    }

    /// The index of `s`, and whether it was inserted now.
    pub fn insert(&mut self, s: &str) -> (u32, bool) {
        match canonical_number(s) {
            Some(n) => self.insert_key(n),
            None => self.insert_name(s),
        }
    }

    fn insert_name(&mut self, s: &str) -> (u32, bool) {
        let known = self.names.len();
        let sym = self.names.intern(s);
        if (sym as usize) < known {
            return (self.name_ix[sym as usize], false);
        }
        let ix = self.external.len() as u32;
        self.external.push(NAMED | u64::from(sym));
        self.name_ix.push(ix);
        (ix, true)
    }

    /// The index of a numeric id, and whether it was inserted now.
    pub fn insert_number(&mut self, n: u64) -> (u32, bool) {
        if n >= NAMED {
            return self.insert_name(&n.to_string());
        }
        self.insert_key(n)
    }

    fn insert_key(&mut self, key: u64) -> (u32, bool) {
        let next = self.external.len() as u32;
        let ix = *self.index.entry(key).or_insert(next);
        if ix == next {
            self.external.push(key);
        }
        (ix, ix == next)
    }

    /// The index of `s`, if known.
    pub fn get(&self, s: &str) -> Option<u32> {
        match canonical_number(s) {
            Some(n) => self.index.get(&n).copied(),
            None => Some(self.name_ix[self.names.get(s)? as usize]),
        }
    }

    /// The id at `ix`, as the source wrote it.
    pub fn external(&self, ix: u32) -> Cow<'_, str> {
        let key = self.external[ix as usize];
        if key & NAMED == 0 {
            Cow::Owned(key.to_string())
        } else {
            Cow::Borrowed(self.names.resolve((key & !NAMED) as u32))
        }
    }

    /// The numeric id at `ix`, if the source id was a number.
    pub fn number(&self, ix: u32) -> Option<u64> {
        let key = self.external[ix as usize];
        (key & NAMED == 0).then_some(key)
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.index.capacity() * 13
            + self.external.capacity() * 8
            + self.names.heap_bytes()
            + self.name_ix.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        let mut ids = IdSpace::new();
        assert_eq!(ids.insert("1234"), (0, true));
        assert_eq!(ids.insert("fb_12"), (1, true));
        assert_eq!(ids.insert_number(1234), (0, false));
        assert_eq!(ids.insert("0123"), (2, true));
        assert_eq!(ids.external(0), "1234");
        assert_eq!(ids.external(1), "fb_12");
        assert_eq!(ids.external(2), "0123");
        assert_eq!(ids.get("0123"), Some(2));
        assert_eq!(ids.get("123"), None);
        assert_eq!(ids.number(0), Some(1234));
        assert_eq!(ids.number(1), None);
    }

    #[test]
    fn huge_numbers_are_kept_as_names() {
        let mut ids = IdSpace::new();
        let (ix, _) = ids.insert("18446744073709551615");
        assert_eq!(ids.external(ix), "18446744073709551615");
        let (ix2, new) = ids.insert_number(u64::MAX);
        assert_eq!((ix2, new), (ix, false));
    }
}
