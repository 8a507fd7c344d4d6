/*!
Text rules shared by the exporters: XML escaping, removal of characters XML 1.0 forbids, DOT
string escaping, and the textual form of values (numbers, lists, RFC 3339 times).

Hostile profile text (`<`, `&`, quotes, `]]>`, control characters, emoji, RTL marks) must leave
every output well-formed. XML 1.0 cannot carry U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
U+FFFE or U+FFFF even as character references, so they become U+FFFD (the replacement
character shows that something was there). Tab, newline and carriage return are kept, written
as character references inside attributes so that attribute-value normalisation does not turn
them into spaces.
*/

use std::borrow::Cow;
use std::fmt::Write as _;

use super::model::AttrValue;

/// What replaces a character that XML 1.0 forbids.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether XML 1.0 allows `c` in a document (`Char` production; surrogates cannot occur in a
/// Rust `char`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` with every character XML 1.0 forbids replaced by U+FFFD; borrowed when there is none.
pub fn sanitize_xml(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if is_xml_char(c) { c } else { REPLACEMENT })
                .collect(),
        )
    }
}

/// Appends `s` to `out` escaped for a double-quoted XML attribute value, forbidden characters
/// replaced. Tab, newline and carriage return become character references so they survive
/// attribute-value normalisation.
pub fn escape_xml_attr(s: &str, out: &mut String) {
    escape_xml(s, out, true);
}

/// Appends `s` to `out` escaped for XML character data, forbidden characters replaced. `>` is
/// escaped too, so `]]>` cannot occur; a carriage return becomes `&#13;` so it is not turned
/// into a newline by the parser.
pub fn escape_xml_text(s: &str, out: &mut String) {
    escape_xml(s, out, false);
}

fn escape_xml(s: &str, out: &mut String, attribute: bool) {
    let mut clean_from = 0;
    for (i, c) in s.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if attribute => "&quot;",
            '\'' if attribute => "&apos;",
            '\t' if attribute => "&#9;",
            '\n' if attribute => "&#10;",
            '\r' => "&#13;",
            c if !is_xml_char(c) => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&s[clean_from..i]);
        out.push_str(replacement);
        clean_from = i + c.len_utf8();
    }
    out.push_str(&s[clean_from..]);
}

/// `s` escaped for the inside of a double-quoted DOT string (`"..."`).
///
/// Graphviz reads `\"` as a quote and, in labels, `\\` as a backslash and `\n` as a line
/// break; other control characters are dropped (Graphviz would print them raw or choke).
/// The result never ends in an unescaped backslash, so it cannot swallow the closing quote.
pub fn escape_dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends the RFC 3339 / `xsd:dateTime` form of `ms` (ms since the epoch, UTC): `Z` suffix,
/// milliseconds only when non-zero. Years outside 1..=9999 are clamped to that range, which
/// is all `xsd:dateTime` readers agree on.
pub fn push_datetime(ms: i64, out: &mut String) {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
    const MIN_MS: i64 = -62_135_596_800_000;
    const MAX_MS: i64 = 253_402_300_799_999;
    let ms = ms.clamp(MIN_MS, MAX_MS);
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = crate::ingest::time::civil_from_days(days);
    // Digits by hand: this runs for every spell of a million-edge export.
    let digits = |out: &mut String, v: i64, width: u32| {
        for p in (0..width).rev() {
            out.push(char::from(b'0' + (v / 10_i64.pow(p) % 10) as u8));
        }
    };
    digits(out, y, 4);
    out.push('-');
    digits(out, i64::from(m), 2);
    out.push('-');
    digits(out, i64::from(d), 2);
    out.push('T');
    digits(out, rem / 3_600_000, 2);
    out.push(':');
    digits(out, rem / 60_000 % 60, 2);
    out.push(':');
    digits(out, rem / 1000 % 60, 2);
    if rem % 1000 != 0 {
        out.push('.');
        digits(out, rem % 1000, 3);
    }
    out.push('Z');
}

/// The RFC 3339 form of `ms`; see [`push_datetime`].
pub fn format_datetime(ms: i64) -> String {
    let mut s = String::with_capacity(24);
    push_datetime(ms, &mut s);
    s
}

/// Appends `v` in the `xsd:double` lexical form: shortest round-trip decimal, `NaN`, `INF`,
/// `-INF`.
pub fn push_f64(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "INF" } else { "-INF" });
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Appends a string list as GEXF 1.3 (and Gephi) write list values: `[a, b, c]`. An item is
/// double-quoted, with `\` and `"` backslash-escaped, when it is empty, has outer spaces, or
/// holds a comma, bracket, quote or backslash.
pub fn push_list(items: &[String], out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let plain = !item.is_empty()
            && item.trim() == item
            && !item.contains([',', '[', ']', '"', '\'', '\\']);
        if plain {
            out.push_str(item);
        } else {
            out.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
    }
    out.push(']');
}

/// Appends the textual form of `value` (nothing for [`AttrValue::Missing`]): the same in GEXF,
/// GraphML and CSV.
pub fn push_value(value: &AttrValue, out: &mut String) {
    match value {
        AttrValue::Missing => {}
        AttrValue::Str(s) => out.push_str(s),
        AttrValue::Int(v) => out.push_str(itoa::Buffer::new().format(*v)),
        AttrValue::Float(v) => push_f64(*v, out),
        AttrValue::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
        AttrValue::List(items) => push_list(items, out),
        AttrValue::Time(ms) => push_datetime(*ms, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(s: &str) -> String {
        let mut out = String::new();
        escape_xml_attr(s, &mut out);
        out
    }

    fn text(s: &str) -> String {
        let mut out = String::new();
        escape_xml_text(s, &mut out);
        out
    }

    #[test]
    fn xml_escaping_covers_markup_and_whitespace() {
        assert_eq!(
            attr("a<b>&\"c'\t\n\r"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;&#13;"
        );
        assert_eq!(text("x]]>y\n\r'\""), "x]]&gt;y\n&#13;'\"");
        assert_eq!(attr("plain ascii"), "plain ascii");
    }

    #[test]
    fn forbidden_characters_are_replaced_and_the_rest_kept() {
        let hostile = "a\u{0}b\u{8}c\u{b}\u{c}\u{1f}d\u{fffe}\u{ffff}e\u{7f}\u{200f}\u{202e}😀";
        assert_eq!(
            attr(hostile),
            "a\u{fffd}b\u{fffd}c\u{fffd}\u{fffd}\u{fffd}d\u{fffd}\u{fffd}e\u{7f}\u{200f}\u{202e}😀"
        );
        assert_eq!(sanitize_xml(hostile), attr(hostile));
        assert!(matches!(sanitize_xml("fine é 😀"), Cow::Borrowed(_)));
    }

    #[test]
    fn dot_escaping_keeps_the_string_closed() {
        assert_eq!(escape_dot(r#"say "hi"\"#), r#"say \"hi\"\\"#);
        assert_eq!(escape_dot("two\nlines\r\u{0}\u{7}"), "two\\nlines");
        assert_eq!(escape_dot("<b>&</b> 😀 \u{200f}"), "<b>&</b> 😀 \u{200f}");
    }

    #[test]
    fn datetimes_are_rfc3339_and_clamped() {
        assert_eq!(format_datetime(1_376_619_302_000), "2013-08-16T02:15:02Z");
        assert_eq!(
            format_datetime(1_494_000_000_123),
            "2017-05-05T16:00:00.123Z"
        );
        assert_eq!(format_datetime(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_datetime(i64::MIN), "0001-01-01T00:00:00Z");
        assert_eq!(format_datetime(i64::MAX), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn values_have_one_textual_form() {
        let show = |v: AttrValue| {
            let mut s = String::new();
            push_value(&v, &mut s);
            s
        };
        assert_eq!(show(AttrValue::Float(0.5)), "0.5");
        assert_eq!(show(AttrValue::Float(3.0)), "3");
        assert_eq!(show(AttrValue::Float(f64::NAN)), "NaN");
        assert_eq!(show(AttrValue::Float(f64::NEG_INFINITY)), "-INF");
        assert_eq!(show(AttrValue::Int(-42)), "-42");
        assert_eq!(show(AttrValue::Bool(false)), "false");
        assert_eq!(show(AttrValue::Missing), "");
        assert_eq!(
            show(AttrValue::List(vec![
                "macron".into(),
                "a, b".into(),
                String::new(),
                "q\"\\".into()
            ])),
            r#"[macron, "a, b", "", "q\"\\"]"#
        );
    }
}
