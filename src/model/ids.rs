/*!
External identifiers (tweet ids, account ids) mapped to dense indices.

Twitter ids are decimal numbers and are kept as `u64` keys; ids of other sources (hashes,
`fb_12670`) are kept as strings. Both print back exactly as the source wrote them.

Both kinds share one open-addressing table whose slots hold a 64-bit tag (the number itself,
or a hash of the string with the top bit set) and the index. Readers replay millions of ids
on one thread, and a table that large misses the cache on every lookup; because a tag can be
computed ahead on the parsing threads ([`IdKey`]), the replay can ask for the slot's cache
line ([`IdSpace::prefetch`]) a few posts before it needs it. A name of at most seven bytes
(`u27651`, `fb_12`) is its own tag, spelled out in it: a matching tag is a matching name, and
the lookup reads no string.
*/

use std::borrow::Cow;
use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

const NAMED: u64 = 1 << 63;
/// Set in the tag of a name spelled out in it (with [`NAMED`]); clear in hashed names' tags.
const SHORT: u64 = 1 << 62;
/// The longest name spelled out in its tag.
const SHORT_MAX: usize = 7;
/// The tag of an empty slot; no key has it (numbers are below 2^63, hashed names have
/// [`SHORT`] clear, and a short name's tag would spell seven 0xFF bytes, which no `str` holds).
const EMPTY: u64 = u64::MAX;

/// The lookup key of an id string, computed once (possibly on another thread) and handed to
/// [`IdSpace::insert_keyed`] and [`IdSpace::prefetch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdKey(u64);

impl IdKey {
    /// The key of `s`: its canonical number, a short name spelled out, or a tag made from a
    /// hash of the string.
    pub(crate) fn of(s: &str) -> IdKey {
        match canonical_number(s) {
            Some(n) => IdKey(n),
            None => IdKey(name_tag(s)),
        }
    }

    fn is_name(self) -> bool {
        self.0 & NAMED != 0
    }

    /// Whether two ids with this tag may differ, so that the names must be compared.
    fn is_hashed_name(self) -> bool {
        self.0 & (NAMED | SHORT) == NAMED
    }
}

fn name_tag(s: &str) -> u64 {
    let b = s.as_bytes();
    if b.len() <= SHORT_MAX {
        // Length in bits 56..59, bytes below: distinct names get distinct tags.
        let mut bytes = [0u8; 8];
        bytes[..b.len()].copy_from_slice(b);
        return NAMED | SHORT | ((b.len() as u64) << 56) | u64::from_le_bytes(bytes);
    }
    NAMED | (FxBuildHasher.hash_one(s) >> 2)
}

/// A slot of the table: a tag, the index of its id and, for a non-numeric id, the number of
/// its name (so that checking the name costs no lookup of the index).
#[derive(Debug, Clone, Copy)]
struct Slot {
    tag: u64,
    ix: u32,
    name: u32,
}

const VACANT: Slot = Slot {
    tag: EMPTY,
    ix: 0,
    name: 0,
};

/// A map from external ids to dense indices `0..len`, in first-seen order.
#[derive(Default, Debug, Clone)]
pub struct IdSpace {
    /// Open addressing with linear probing; the length is zero or a power of two, at most half
    /// full.
    table: Vec<Slot>,
    /// Non-numeric ids, one after the other; name `k` ends at `name_ends[k]`.
    names: String,
    name_ends: Vec<u64>,
    /// Per index: the number itself, or `NAMED | k` for the non-numeric id `k`.
    external: Vec<u64>,
}

/// The canonical numeric value of `s`, if it is a decimal number below 2^63 without leading
/// zeros (so that printing the number gives back `s`).
pub fn canonical_number(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 19 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    // Eight digits at a time (a tweet id has 18 or 19), the rest one by one.
    let (eights, rest) = b.split_at(b.len() / 8 * 8);
    let mut v: u64 = 0;
    for chunk in eights.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        v = v * 100_000_000 + eight_digits(word)?;
    }
    for &c in rest {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    (v < NAMED).then_some(v)
}

/// The value of eight ASCII digits read as a little-endian word (the first digit in the
/// lowest byte), or `None` if a byte is not a digit. After D. Lemire's and simdjson's.
#[inline(always)]
fn eight_digits(word: u64) -> Option<u64> {
    // Every byte is 0x30..=0x39: its high nibble is 3, and still 3 once 6 is added.
    let high = |w: u64| w & 0xf0f0_f0f0_f0f0_f0f0;
    if high(word) | (high(word.wrapping_add(0x0606_0606_0606_0606)) >> 4) != 0x3333_3333_3333_3333 {
        return None;
    }
    // Pairs, then quads, then all eight: each step joins neighbours, the earlier one worth
    // 10, 100 or 10^4 times the later (the products overflow on purpose: what lands above
    // bit 63 is not wanted).
    let d = (word & 0x0f0f_0f0f_0f0f_0f0f).wrapping_mul(2561) >> 8;
    let d = (d & 0x00ff_00ff_00ff_00ff).wrapping_mul(6_553_601) >> 16;
    Some((d & 0x0000_ffff_0000_ffff).wrapping_mul(42_949_672_960_001) >> 32)
}

/// Asks the CPU to start loading the cache line of `item`. A hint only, without effect on
/// results (a no-op on targets other than x86-64).
#[inline(always)]
pub(crate) fn prefetch_line<T>(item: &T) {
    // SAFETY: SSE is part of the x86-64 baseline, and a prefetch neither reads nor writes
    // memory (it cannot fault); `item` is a valid reference anyway.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            std::ptr::from_ref(item).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// [`prefetch_line`] for every cache line `item` spans (a record of several lines).
#[inline(always)]
pub(crate) fn prefetch_lines<T>(item: &T) {
    let start = std::ptr::from_ref(item).cast::<u8>();
    for offset in (0..std::mem::size_of::<T>()).step_by(64) {
        // SAFETY: as in `prefetch_line`; the address lies within `item` and is only hinted.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                start.wrapping_add(offset).cast::<i8>(),
            );
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (start, offset);
    }
}

/// Asks the kernel to back the capacity of `v` with huge pages where it can (Linux; a no-op
/// elsewhere and for vectors under 16 MiB, which the TLB mostly covers in 4 KiB pages). Worth
/// it for memory written or read at random places, such as hash tables and scatters, where
/// 4 KiB pages would miss the TLB on nearly every access. Not for memory written in order: a
/// fresh huge page can cost more to fault in than its 4 KiB pages (much more on virtual
/// machines that hand free memory back to their host). A hint only, without effect on
/// contents; call it before the first write to the capacity.
#[inline]
pub(crate) fn advise_huge_pages<T>(v: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 8 * HUGE {
            return;
        }
        let start = v.as_ptr() as usize;
        let (lo, hi) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
        if hi > lo {
            // SAFETY: `lo..hi` lies within the allocation of `v`, which is mapped memory of
            // this process; MADV_HUGEPAGE changes how the kernel backs it, not what it holds.
            unsafe {
                libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
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
        self.insert_keyed(s, IdKey::of(s))
    }

    /// [`IdSpace::insert`] with the key of `s` computed already.
    pub(crate) fn insert_keyed(&mut self, s: &str, key: IdKey) -> (u32, bool) {
        if (self.external.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let slot = match self.find(key, s) {
            Ok(ix) => return (ix, false),
            Err(slot) => slot,
        };
        let ix = self.external.len() as u32;
        let mut name = 0;
        if key.is_name() {
            name = self.name_ends.len() as u32;
            self.external.push(NAMED | u64::from(name));
            self.names.push_str(s);
            self.name_ends.push(self.names.len() as u64);
        } else {
            self.external.push(key.0);
        }
        self.table[slot] = Slot {
            tag: key.0,
            ix,
            name,
        };
        (ix, true)
    }

    /// Makes room for `additional` more ids, so that inserting them neither rehashes the table
    /// nor moves the index.
    ///
    /// A large new table is filled on all threads, so that its fresh pages are faulted in
    /// there, not one by one by the thread that inserts.
    pub fn reserve(&mut self, additional: usize) {
        let want = ((self.external.len() + additional + 1) * 2).next_power_of_two();
        if want > self.table.len() {
            self.rehash(want, true);
        }
        self.external.reserve(additional);
    }

    /// Gives back what a [`IdSpace::reserve`] larger than the ids that came left unused: the
    /// table shrinks to the size growth alone would have given it.
    pub(crate) fn shrink_to_fit(&mut self) {
        let size = ((self.external.len() + 1) * 2).next_power_of_two().max(16);
        if size < self.table.len() {
            self.rehash(size, true);
        }
        self.external.shrink_to_fit();
        self.names.shrink_to_fit();
        self.name_ends.shrink_to_fit();
    }

    /// The index of a numeric id, and whether it was inserted now.
    pub fn insert_number(&mut self, n: u64) -> (u32, bool) {
        if n >= NAMED {
            return self.insert(&n.to_string());
        }
        self.insert_keyed("", IdKey(n))
    }

    /// Starts loading the slot where `key` is looked up, so that a lookup soon after does not
    /// wait for memory.
    #[inline]
    pub(crate) fn prefetch(&self, key: IdKey) {
        if !self.table.is_empty() {
            prefetch_line(&self.table[self.home(key.0)]);
        }
    }

    /// The index of the id whose tag is `key`'s, if one is held: the index of `key`'s id, or,
    /// for a hashed name, possibly of another name with the same tag. Only for hints (what to
    /// prefetch), since it compares no names.
    #[inline]
    pub(crate) fn peek(&self, key: IdKey) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut i = self.home(key.0);
        loop {
            let slot = self.table[i];
            if slot.tag == EMPTY {
                return None;
            }
            if slot.tag == key.0 {
                return Some(slot.ix);
            }
            i = (i + 1) & mask;
        }
    }

    fn home(&self, tag: u64) -> usize {
        // Fibonacci hashing: the top bits of the product spread sequential numbers too.
        let bits = self.table.len().trailing_zeros();
        (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    fn name(&self, k: u64) -> &str {
        let k = k as usize;
        let start = if k == 0 {
            0
        } else {
            self.name_ends[k - 1] as usize
        };
        &self.names[start..self.name_ends[k] as usize]
    }

    /// Whether name `k` is `s`, compared as bytes.
    fn name_is(&self, k: u32, s: &str) -> bool {
        let k = k as usize;
        let start = if k == 0 {
            0
        } else {
            self.name_ends[k - 1] as usize
        };
        self.names.as_bytes().get(start..self.name_ends[k] as usize) == Some(s.as_bytes())
    }

    /// The index of the id with `key` (and, for a name, string `s`), or the empty slot where
    /// it would go. The table must not be empty.
    fn find(&self, key: IdKey, s: &str) -> Result<u32, usize> {
        let mask = self.table.len() - 1;
        let mut i = self.home(key.0);
        loop {
            let slot = self.table[i];
            if slot.tag == EMPTY {
                return Err(i);
            }
            if slot.tag == key.0 && (!key.is_hashed_name() || self.name_is(slot.name, s)) {
                return Ok(slot.ix);
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table (16 slots at first) and puts every id back.
    fn grow(&mut self) {
        self.rehash((self.table.len() * 2).max(16), false);
    }

    /// Puts every id into a table of `size` slots (a power of two), filled on all threads when
    /// `parallel` and large.
    fn rehash(&mut self, size: usize, parallel: bool) {
        use rayon::iter::ParallelExtend;
        let mut table = Vec::with_capacity(size);
        advise_huge_pages(&table);
        if parallel && size >= 1 << 16 {
            table.par_extend(rayon::iter::repeat_n(VACANT, size));
        } else {
            table.resize(size, VACANT);
        }
        let old = std::mem::replace(&mut self.table, table);
        let mask = self.table.len() - 1;
        for slot in old.into_iter().filter(|s| s.tag != EMPTY) {
            let mut i = self.home(slot.tag);
            while self.table[i].tag != EMPTY {
                i = (i + 1) & mask;
            }
            self.table[i] = slot;
        }
    }

    /// The index of `s`, if known.
    pub fn get(&self, s: &str) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        self.find(IdKey::of(s), s).ok()
    }

    /// The id at `ix`, as the source wrote it.
    pub fn external(&self, ix: u32) -> Cow<'_, str> {
        let key = self.external[ix as usize];
        if key & NAMED == 0 {
            Cow::Owned(key.to_string())
        } else {
            Cow::Borrowed(self.name(key & !NAMED))
        }
    }

    /// The numeric id at `ix`, if the source id was a number.
    pub fn number(&self, ix: u32) -> Option<u64> {
        let key = self.external[ix as usize];
        (key & NAMED == 0).then_some(key)
    }

    /// The non-numeric id at `ix`, if the source id was not a number.
    pub fn name_of(&self, ix: u32) -> Option<&str> {
        let key = self.external[ix as usize];
        (key & NAMED != 0).then(|| self.name(key & !NAMED))
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * std::mem::size_of::<Slot>()
            + self.external.capacity() * 8
            + self.names.capacity()
            + self.name_ends.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_finds_what_insert_put() {
        let mut ids = IdSpace::new();
        assert_eq!(ids.peek(IdKey::of("5")), None);
        for s in ["5", "u12", "a_name_longer_than_seven", "0077"] {
            ids.insert(s);
        }
        for (ix, s) in ["5", "u12", "a_name_longer_than_seven", "0077"]
            .iter()
            .enumerate()
        {
            assert_eq!(ids.peek(IdKey::of(s)), Some(ix as u32));
        }
        assert_eq!(ids.peek(IdKey::of("6")), None);
    }

    #[test]
    fn numbers_and_names_round_trip() {
        let mut ids = IdSpace::new();
        assert_eq!(ids.get("1234"), None);
        assert_eq!(ids.insert("1234"), (0, true));
        assert_eq!(ids.insert("fb_12"), (1, true));
        assert_eq!(ids.insert_number(1234), (0, false));
        assert_eq!(ids.insert("0123"), (2, true));
        assert_eq!(ids.insert("fb_12"), (1, false));
        assert_eq!(ids.external(0), "1234");
        assert_eq!(ids.external(1), "fb_12");
        assert_eq!(ids.external(2), "0123");
        assert_eq!(ids.get("0123"), Some(2));
        assert_eq!(ids.get("123"), None);
        assert_eq!(ids.number(0), Some(1234));
        assert_eq!(ids.number(1), None);
        assert_eq!(ids.name_of(1), Some("fb_12"));
        assert_eq!(ids.name_of(0), None);
    }

    /// Names of up to seven bytes are their own tags: all distinct, none empty, none a number's
    /// or a hashed name's.
    #[test]
    fn short_names_spell_distinct_tags() {
        let names = [
            "", "u", "u0", "u00", "\0", "\0\0", "fb_12", "fb_120", "ÿÿÿ", "abcdefg", "0",
        ];
        let tags: Vec<IdKey> = names.iter().map(|n| IdKey(name_tag(n))).collect();
        for (i, t) in tags.iter().enumerate() {
            assert!(
                t.is_name() && !t.is_hashed_name() && t.0 != EMPTY,
                "{:?}",
                names[i]
            );
            for (j, u) in tags.iter().enumerate().skip(i + 1) {
                assert_ne!(t, u, "{:?} and {:?}", names[i], names[j]);
            }
        }
        assert!(IdKey::of("abcdefgh").is_hashed_name());
        let mut ids = IdSpace::new();
        for n in &names[1..] {
            ids.insert(n);
        }
        for (i, n) in names[1..].iter().enumerate() {
            assert_eq!(ids.get(n), Some(i as u32));
            assert_eq!(ids.external(i as u32), *n);
        }
        assert_eq!(ids.get("u000"), None);
    }

    /// The eight-at-a-time parse agrees with a digit-by-digit one on every kind of input.
    #[test]
    fn numbers_parse_as_digit_by_digit() {
        fn by_digit(s: &str) -> Option<u64> {
            let b = s.as_bytes();
            if b.is_empty() || b.len() > 19 || (b.len() > 1 && b[0] == b'0') {
                return None;
            }
            let v = b.iter().try_fold(0u64, |v, &c| {
                c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
            })?;
            (v < NAMED).then_some(v)
        }
        let mut cases: Vec<String> = vec![
            "0".into(),
            "00".into(),
            "7".into(),
            "12345678".into(),
            "99999999".into(),
            "1234567890123456789".into(),
            "9223372036854775807".into(),
            "9223372036854775808".into(),
            "9999999999999999999".into(),
            "10000000000000000000".into(),
            "864200000000000001".into(),
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 1 + (x % 20) as usize;
            let mut s: String = (0..len)
                .map(|i| char::from(b'0' + ((x >> (i * 3)) % 10) as u8))
                .collect();
            // Now and then a character just outside the digits, or far from them, or one of
            // several bytes, or a digit of another script.
            if x.is_multiple_of(3) {
                let at = (x >> 40) as usize % len;
                let bad = ["/", ":", "a", " ", "\u{7f}", "é", "٣"][(x >> 50) as usize % 7];
                s.replace_range(at..at + 1, bad);
            }
            cases.push(s);
        }
        for s in &cases {
            assert_eq!(canonical_number(s), by_digit(s), "{s:?}");
        }
    }

    #[test]
    fn huge_numbers_are_kept_as_names() {
        let mut ids = IdSpace::new();
        let (ix, _) = ids.insert("18446744073709551615");
        assert_eq!(ids.external(ix), "18446744073709551615");
        let (ix2, new) = ids.insert_number(u64::MAX);
        assert_eq!((ix2, new), (ix, false));
    }

    /// Many ids of both kinds, inserted through growth, keep first-seen indices; names whose
    /// tags collide are still told apart by their strings.
    #[test]
    fn an_unused_reservation_is_given_back_and_every_id_still_found() {
        let mut grown = IdSpace::new();
        let mut reserved = IdSpace::new();
        reserved.reserve(1 << 20);
        for n in 0..1_000u64 {
            let s = if n % 2 == 0 {
                format!("name{n}")
            } else {
                n.to_string()
            };
            assert_eq!(grown.insert(&s), (n as u32, true));
            assert_eq!(reserved.insert(&s), (n as u32, true));
        }
        assert!(reserved.heap_bytes() > 16 * grown.heap_bytes());
        reserved.shrink_to_fit();
        assert_eq!(reserved.table.len(), grown.table.len());
        for n in 0..1_000u64 {
            let s = if n % 2 == 0 {
                format!("name{n}")
            } else {
                n.to_string()
            };
            assert_eq!(reserved.get(&s), Some(n as u32));
        }
        assert_eq!(reserved.get("absent"), None);
    }

    #[test]
    fn many_ids_survive_growth_and_tag_collisions() {
        let mut ids = IdSpace::new();
        let id = |n: u64| {
            if n.is_multiple_of(3) {
                format!("u{n}")
            } else {
                (n * 7_919).to_string()
            }
        };
        for n in 0..50_000u64 {
            if n == 10_000 {
                ids.reserve(30_000);
            }
            assert_eq!(ids.insert(&id(n)), (n as u32, true));
        }
        for n in 0..50_000u64 {
            let s = id(n);
            assert_eq!(ids.get(&s), Some(n as u32));
            assert_eq!(ids.insert_keyed(&s, IdKey::of(&s)), (n as u32, false));
            assert_eq!(ids.external(n as u32), s);
        }
        // Two names forced onto one tag: both are kept, each found by its string.
        let tag = IdKey::of("shared-tag-a");
        assert!(tag.is_hashed_name());
        assert_eq!(ids.insert_keyed("shared-tag-a", tag), (50_000, true));
        assert_eq!(ids.insert_keyed("shared-tag-b", tag), (50_001, true));
        assert_eq!(ids.insert_keyed("shared-tag-b", tag), (50_001, false));
        assert_eq!(ids.insert_keyed("shared-tag-a", tag), (50_000, false));
        assert_eq!(ids.len(), 50_002);
    }
}
