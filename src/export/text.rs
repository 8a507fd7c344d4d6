/*!
Text rules shared by the exporters: XML escaping, removal of characters XML 1.0 forbids, DOT
string escaping, CSV quoting, and the textual form of values (numbers, lists, RFC 3339 times).

Hostile profile text (`<`, `&`, quotes, `]]>`, control characters, emoji, RTL marks) must leave
every output well-formed. XML 1.0 cannot carry U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
U+FFFE or U+FFFF even as character references, so they become U+FFFD (the replacement
character shows that something was there). Tab, newline and carriage return are kept, written
as character references inside attributes so that attribute-value normalisation does not turn
them into spaces.
*/

use std::borrow::Cow;

use super::model::{AttrValue, AttributeDef};

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
    // Fast path: most text (ids, numbers, handles) needs no escaping at all.
    if !s.bytes().any(|b| MAY_NEED_ESCAPE[usize::from(b)]) {
        out.push_str(s);
        return;
    }
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

/// Bytes that may start something [`escape_xml`] changes: markup, quotes, control characters,
/// and 0xEF, the first byte of U+FFFE and U+FFFF (and of other characters, which the slow path
/// keeps).
const MAY_NEED_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[0xEF] = true;
    table
};

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
    let rem = ms.rem_euclid(86_400_000) as u32;
    let (y, m, d) = crate::ingest::time::civil_from_days(days);
    // Digits by hand into one stack buffer: this runs for every spell of a million-edge
    // export. Every value is within its field (the clamp keeps the year to four digits).
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let two = |b: &mut [u8], at: usize, v: u32| {
        b[at] = b'0' + (v / 10 % 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    let y = y as u32;
    two(&mut b, 0, y / 100);
    two(&mut b, 2, y % 100);
    two(&mut b, 5, m);
    two(&mut b, 8, d);
    two(&mut b, 11, rem / 3_600_000);
    two(&mut b, 14, rem / 60_000 % 60);
    two(&mut b, 17, rem / 1000 % 60);
    let millis = rem % 1000;
    let text = if millis == 0 {
        b[19] = b'Z';
        &b[..20]
    } else {
        b[20] = b'0' + (millis / 100) as u8;
        two(&mut b, 21, millis % 100);
        &b[..]
    };
    out.push_str(std::str::from_utf8(text).expect("ASCII digits"));
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
        push_f64_display(v, out);
    }
}

/// Appends `v` exactly as Rust's `Display` writes it (shortest round-trip digits, no exponent:
/// `3`, `0.25`, `-0`, `1e-7` as `0.0000001`; `NaN`, `inf`, `-inf`), through `itoa` and `ryu`,
/// which are several times faster than the formatting machinery.
pub fn push_f64_display(v: f64, out: &mut String) {
    if !v.is_finite() {
        out.push_str(if v.is_nan() {
            "NaN"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    // Whole numbers below 2^53 (counts, most weights) print as integers.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        if v == 0.0 && v.is_sign_negative() {
            out.push_str("-0");
        } else {
            out.push_str(itoa::Buffer::new().format(v as i64));
        }
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(v);
    // Ryu and `Display` both write the shortest digits that read back as `v`, the closest to
    // it when several do, but break an exact tie differently (`…680.2` and `…680.3` for
    // `…680.25`). A tie needs two candidates 10^k apart within one ulp of `v`, and since
    // ulp ≤ v · 2^-52 while 10^k ≥ v · 10^-digits, that takes at least 16 significant digits;
    // those go through `Display`.
    let significant = text
        .bytes()
        .take_while(|&b| b != b'e')
        .skip_while(|&b| !matches!(b, b'1'..=b'9'))
        .filter(u8::is_ascii_digit)
        .count();
    if significant >= 16 {
        use std::fmt::Write as _;
        let _ = write!(out, "{v}");
        return;
    }
    let Some((mantissa, exponent)) = text.split_once('e') else {
        // Ryu's plain decimal form, `1234.5`, `0.00125`, or `9007199254740994.0` for a whole
        // number too large for the path above, whose `.0` `Display` leaves out.
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
        return;
    };
    // Ryu's scientific form, `-1.25e-7` or `1e20`: written out as plain decimals.
    let exponent: i32 = exponent.parse().expect("ryu writes a decimal exponent");
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // The decimal point goes after `point` digits.
    let point = exponent + 1;
    if negative {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
}

/// Appends `field` as the `csv` crate writes it by default: as is, or double-quoted with its
/// quotes doubled when it holds a comma, a quote or a line break.
pub fn push_csv_field(out: &mut String, field: &str) {
    if !field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push_str(field);
        return;
    }
    out.push('"');
    for (i, part) in field.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
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

/// Appends each present value after its opening `tags[i]` (rendered once per file) and closes
/// it with `close`: text and lists go through `escape`, numbers, booleans and times need none.
/// Values equal to their column's declared default are implied and left out. What GEXF
/// `attvalue`s and GraphML `data` elements share.
pub(crate) fn push_tagged_values(
    out: &mut String,
    tags: &[String],
    schema: &[AttributeDef],
    values: &[AttrValue],
    escape: fn(&str, &mut String),
    close: &str,
) {
    for ((tag, def), value) in tags.iter().zip(schema).zip(values) {
        if !def.writes(value) {
            continue;
        }
        match value {
            AttrValue::Str(text) => {
                out.push_str(tag);
                escape(text, out);
            }
            AttrValue::List(_) => {
                let mut text = String::new();
                push_value(value, &mut text);
                out.push_str(tag);
                escape(&text, out);
            }
            _ => {
                out.push_str(tag);
                push_value(value, out);
            }
        }
        out.push_str(close);
    }
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
    fn floats_are_written_as_display_writes_them() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -3.0,
            0.1,
            0.25,
            1e-7,
            -1.5e-300,
            1e16,
            1e21,
            1.7976931348623157e308,
            5e-324,
            9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
            123_456_789.125,
            f64::EPSILON,
            // Exact ties between two shortest forms: `Display` writes `…797.3`, `…680.3`.
            f64::from_bits(0xc310_565a_94b4_e5f5),
            f64::from_bits(0xc300_4d9e_6f8a_30c2),
        ];
        for _ in 0..300_000 {
            let bits = next();
            values.push(f64::from_bits(bits));
            // Values like weights and seconds: small decimals.
            values.push((bits % 1_000_000) as f64 / 1000.0);
            values.push((bits % 10_000) as f64 / 7.0);
            // Large values with a few fraction bits, where ties between shortest forms occur.
            let shift = next() % 12;
            values.push((bits >> (11 + shift)) as f64 / f64::from(1 << (1 + shift % 6)));
        }
        values.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        let mut s = String::new();
        for v in values {
            s.clear();
            push_f64_display(v, &mut s);
            assert_eq!(s, format!("{v}"), "{:#x}", v.to_bits());
            if v.is_finite() {
                s.clear();
                push_f64(v, &mut s);
                assert_eq!(s, format!("{v}"));
            }
        }
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
