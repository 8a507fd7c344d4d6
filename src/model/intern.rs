/*!
String interning: every distinct string is stored once in one arena and named by a dense `u32`.

Hashtags, URLs, domains, clients and non-numeric ids repeat millions of times in a collection;
a symbol is four bytes where a `String` is twenty-four plus its heap block.
*/

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// A dense symbol: the index of a string in its [`Interner`].
pub type Sym = u32;

/// Stores each distinct string once and hands out dense symbols in first-seen order.
#[derive(Default, Clone)]
pub struct Interner {
    arena: String,
    /// `ends[s]` is the end of symbol `s` in `arena`; it starts where `s - 1` ends.
    ends: Vec<u64>,
    /// Each symbol with 32 bits of its string's hash: growing the table rehashes from those,
    /// without reading a string, and a lookup compares strings only when they match.
    table: HashTable<(Sym, u32)>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

/// 32 bits of the hash of `s`.
fn short_hash(s: &str) -> u32 {
    (FxBuildHasher.hash_one(s) >> 32) as u32
}

/// The table's hash of a string with [`short_hash`] `h`, spread over 64 bits (the table
/// takes its control bits from the top).
fn table_hash(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no string has been interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string of a symbol.
    ///
    /// # Panics
    /// If `sym` was not handed out by this interner.
    pub fn resolve(&self, sym: Sym) -> &str {
        resolve_in(&self.arena, &self.ends, sym)
    }

    /// The symbol of `s`, if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.find(s, short_hash(s))
    }

    /// The symbol of `s`, whose [`short_hash`] is `h`, if it was interned.
    fn find(&self, s: &str, h: u32) -> Option<Sym> {
        self.table
            .find(table_hash(h), |&(sym, hs)| {
                hs == h && resolve_in(&self.arena, &self.ends, sym) == s
            })
            .map(|&(sym, _)| sym)
    }

    /// The symbol of `s`, interning it first if needed.
    pub fn intern(&mut self, s: &str) -> Sym {
        let h = short_hash(s);
        if let Some(sym) = self.find(s, h) {
            return sym;
        }
        let sym = self.ends.len() as Sym;
        self.arena.push_str(s);
        self.ends.push(self.arena.len() as u64);
        self.table
            .insert_unique(table_hash(h), (sym, h), |&(_, hs)| table_hash(hs));
        sym
    }

    /// All strings in symbol order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as Sym).map(|s| self.resolve(s))
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.capacity() * 8 + self.table.capacity() * 9
    }
}

fn resolve_in<'a>(arena: &'a str, ends: &[u64], sym: Sym) -> &'a str {
    let s = sym as usize;
    let start = if s == 0 { 0 } else { ends[s - 1] as usize };
    &arena[start..ends[s] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_dense_and_stable() {
        let mut i = Interner::new();
        assert_eq!(i.intern("a"), 0);
        assert_eq!(i.intern("bb"), 1);
        assert_eq!(i.intern("a"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.resolve(1), "bb");
        assert_eq!(i.resolve(2), "");
        assert_eq!(i.get("bb"), Some(1));
        assert_eq!(i.get("c"), None);
        assert_eq!(i.iter().collect::<Vec<_>>(), ["a", "bb", ""]);
    }

    #[test]
    fn many_strings_survive_rehashing() {
        let mut i = Interner::new();
        for n in 0..10_000 {
            assert_eq!(i.intern(&n.to_string()), n);
        }
        for n in 0..10_000u32 {
            assert_eq!(i.get(&n.to_string()), Some(n));
        }
    }
}
