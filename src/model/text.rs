/*!
Text normalisation and fingerprints for exact duplicate detection (co-text).

Copy-paste campaigns vary case, the accounts they mention and the links they add, so the
fingerprint is taken over the text with those removed.
*/

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

/// The normalised text: case-folded, `@mentions` and `http(s)://` links removed, runs of
/// whitespace collapsed to one space, no leading or trailing space. A leading `RT @x:` prefix
/// loses its mention like any other.
pub fn normalize_text(text: &str, out: &mut String) {
    out.clear();
    for_each_kept_token(text, |token| {
        if !out.is_empty() {
            out.push(' ');
        }
        push_lowercase(token, out);
    });
}

/// Calls `f` with each word of the normalised text in turn, as splitting
/// [`normalize_text`]'s output at its spaces would give them, without building that text.
/// `scratch` holds a word that case folding changes.
pub fn for_each_normalized_word(text: &str, scratch: &mut String, mut f: impl FnMut(&str)) {
    for_each_kept_token(text, |token| {
        if token.bytes().any(|b| b.is_ascii_uppercase()) || !token.is_ascii() {
            scratch.clear();
            push_lowercase(token, scratch);
            f(scratch);
        } else {
            f(token);
        }
    });
}

/// Calls `f` with each whitespace-separated token that normalisation keeps: not `@mentions`,
/// not links.
#[inline]
fn for_each_kept_token<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    let mut keep = |token: &'t str| {
        if !(token.starts_with('@')
            || token.starts_with("http://")
            || token.starts_with("https://"))
        {
            f(token);
        }
    };
    // ASCII text splits byte by byte, without decoding characters. Unicode's whitespace in
    // ASCII is ASCII's plus the vertical tab, which such a text must not hold.
    if text.is_ascii() && !text.contains('\x0B') {
        text.split_ascii_whitespace().for_each(&mut keep);
    } else {
        text.split_whitespace().for_each(&mut keep);
    }
}

/// Appends `token` case-folded. Lower-casing never makes whitespace, so a token stays one word.
fn push_lowercase(token: &str, out: &mut String) {
    if token.is_ascii() {
        // Most tokens are ASCII: lower-case them in place, without per-char iterators.
        let start = out.len();
        out.push_str(token);
        out[start..].make_ascii_lowercase();
    } else {
        for c in token.chars() {
            out.extend(c.to_lowercase());
        }
    }
}

/// A 48-bit hash of the normalised text and its length in characters (saturating at 65,535),
/// packed in 64 bits. Zero means "no text".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextFingerprint(pub u64);

impl TextFingerprint {
    /// No text.
    pub const NONE: TextFingerprint = TextFingerprint(0);

    /// The fingerprint of an already normalised text.
    pub fn of_normalized(normalized: &str) -> Self {
        if normalized.is_empty() {
            return Self::NONE;
        }
        let chars = normalized.chars().count().min(0xFFFF) as u64;
        let hash = FxBuildHasher.hash_one(normalized) & !0xFFFF;
        // A zero hash with a non-zero length is still non-zero, so NONE stays unambiguous.
        TextFingerprint(hash | chars)
    }

    /// The fingerprint of a raw text (normalising it first).
    pub fn of_text(text: &str, scratch: &mut String) -> Self {
        normalize_text(text, scratch);
        Self::of_normalized(scratch)
    }

    /// Length of the normalised text in characters (saturating).
    pub fn chars(self) -> usize {
        (self.0 & 0xFFFF) as usize
    }

    /// Whether there was no text.
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_removes_mentions_links_case_and_space() {
        let mut s = String::new();
        normalize_text(
            "  @x Vote Le Pen   NOW #MacronLeaks https://t.co/a ",
            &mut s,
        );
        assert_eq!(s, "vote le pen now #macronleaks");
        let mut a = String::new();
        let fa = TextFingerprint::of_text("@x Vote Le Pen now #MacronLeaks", &mut a);
        let fb = TextFingerprint::of_text("@y vote le pen NOW #MacronLeaks", &mut a);
        assert_eq!(fa, fb);
        assert_eq!(fa.chars(), "vote le pen now #macronleaks".chars().count());
        assert!(TextFingerprint::of_text("@only http://x", &mut a).is_none());
        // Every whitespace character of Unicode separates words, ASCII text or not.
        for text in [
            "A\x0BB\x0Cc\td\re",
            "A\x0BB\x0Cc\td\re\u{a0}",
            "A\u{2003}B c\nd e",
        ] {
            normalize_text(text, &mut s);
            let words: Vec<&str> = s.split(' ').collect();
            assert_eq!(words[..5], ["a", "b", "c", "d", "e"], "{text:?}");
        }
    }

    #[test]
    fn words_are_those_of_the_normalised_text() {
        let mut normalized = String::new();
        let mut scratch = String::new();
        for text in [
            "  @x Vote Le Pen   NOW #MacronLeaks https://t.co/a ",
            "ÉLYSÉE\u{a0}Vote\tΣΟΦΙΑ İstanbul\u{3000}ok",
            "vertical\x0Btab\x0Cform feed\r\nend",
            "@only http://x",
            "",
        ] {
            normalize_text(text, &mut normalized);
            let expected: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
            let mut words = Vec::new();
            for_each_normalized_word(text, &mut scratch, |w| words.push(w.to_string()));
            assert_eq!(words, expected, "{text:?}");
        }
    }

    #[test]
    fn non_ascii_words_are_case_folded_too() {
        let mut s = String::new();
        normalize_text("ÉLYSÉE Vote ΣΟΦΙΑ İstanbul", &mut s);
        assert_eq!(s, "élysée vote σοφια i\u{307}stanbul");
    }
}
