/*!
Rendering a report for people: [`write_report_files`] writes `report.md` and `report.html`
side by side, and this file holds the text rules every rendering shares.

User text (handles, names, bios, post texts, locations, URLs, file names, even times and layer
names of a hand-edited report) is untrusted. Before any format-specific escaping it goes through
[`clean_text`]: line breaks and tabs become spaces, so a bio cannot start a new table row, and
other control characters and the Unicode bidirectional controls become U+FFFD, so a bio can
neither drive a terminal (`ESC [`) nor reverse the text around it (U+202E, "Trojan Source",
Boucher & Anderson 2021). The replacement character shows that something was there.
*/

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthChar;

use super::{Report, ReportError};
use crate::ingest::time::{format_rfc3339, parse_iso_date};

/// What replaces a control character in user text.
const REPLACEMENT: char = '\u{FFFD}';

/// The file names [`write_report_files`] writes, in order.
pub const REPORT_FILES: [&str; 2] = ["report.md", "report.html"];

/// Writes `report.md` ([`render_markdown`](super::markdown::render_markdown)) and
/// `report.html` ([`render_html`](super::html::render_html)) into `dir`, creating it if needed.
/// Each file is replaced atomically, so a reader never sees half a report.
///
/// # Returns
/// The paths written, in the order of [`REPORT_FILES`].
///
/// # Errors
/// [`ReportError::Io`] naming the folder or file that could not be written.
pub fn write_report_files(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.display().to_string(),
        cause: source,
    })?;
    let renderings = [
        super::markdown::render_markdown(report),
        super::html::render_html(report),
    ];
    let mut written = Vec::with_capacity(REPORT_FILES.len());
    for (name, text) in REPORT_FILES.iter().zip(renderings) {
        let path = dir.join(name);
        crate::export::atomic::write_file_atomically(&path, text.as_bytes()).map_err(|source| {
            ReportError::Io {
                path: path.display().to_string(),
                cause: source,
            }
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Most clusters listed in the cluster tables of `report.md` and `report.html` (flagged ones
/// are always listed); a large collection can have thousands of small clusters.
pub const MAX_LISTED_CLUSTERS: usize = 100;

/// The clusters the tables list: the first [`MAX_LISTED_CLUSTERS`] in report order (most
/// suspicious first), or more when more are flagged; and how many are left out.
pub(crate) fn listed_clusters(report: &Report) -> (&[super::Cluster], usize) {
    let flagged = report.clusters.iter().filter(|c| c.flagged).count();
    let n = report.clusters.len().min(MAX_LISTED_CLUSTERS.max(flagged));
    (&report.clusters[..n], report.clusters.len() - n)
}

/// Whether `c` is a Unicode bidirectional control (marks, embeddings, overrides, isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `s` made safe to show on one line: line breaks and tabs become spaces, other control
/// characters (C0, DEL, C1) and bidirectional controls become U+FFFD, and the ends are trimmed.
/// Borrowed when nothing changes.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() || is_bidi_control(c);
    let trimmed = s.trim();
    if !trimmed.chars().any(bad) {
        return Cow::Borrowed(trimmed);
    }
    let cleaned: String = trimmed
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if bad(c) => REPLACEMENT,
            c => c,
        })
        .collect();
    Cow::Owned(cleaned.trim().to_owned())
}

/// Display width of `s` in terminal columns (East Asian wide characters and most emoji take
/// two; zero-width characters none).
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cleaned ([`clean_text`]) and cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    let s = clean_text(s);
    if display_width(&s) <= max {
        return s.into_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// `s` padded with spaces on the right to `width` columns (never cut).
pub(crate) fn pad_right(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(display_width(s)),
    ));
    out
}

/// `s` padded with spaces on the left to `width` columns (never cut).
pub(crate) fn pad_left(s: &str, width: usize) -> String {
    let mut out: String =
        std::iter::repeat_n(' ', width.saturating_sub(display_width(s))).collect();
    out.push_str(s);
    out
}

/// `noun` in the plural (`s` added) unless `n` is 1.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// A count with thousands separators: `1,234,567`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share in `[0, 1]` as a whole percentage (`75%`); `–` when not a number.
pub(crate) fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0}%", share * 100.0)
    } else {
        "–".to_owned()
    }
}

/// The crowd parameter as read in the parameters table: an object counts in full up to that
/// many actions within one window.
pub(crate) fn crowd_text(crowd: u32) -> String {
    if crowd == 0 {
        "off (every object counts 1)".to_owned()
    } else {
        format!("{crowd} actions within W (past it, an object counts {crowd} / peak)")
    }
}

/// A number with `decimals` decimals; `–` when not finite.
pub(crate) fn decimal(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        // `-0.00` reads as a sign error.
        let s = format!("{x:.decimals$}");
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_owned()
        } else {
            s
        }
    } else {
        "–".to_owned()
    }
}

/// A duration in seconds in the unit that reads best: `0.2 s`, `45 s`, `12.5 min`, `3.0 h`,
/// `469 d`; `–` when unknown or not finite.
pub(crate) fn duration(seconds: Option<f64>) -> String {
    let Some(s) = seconds.filter(|s| s.is_finite()) else {
        return "–".to_owned();
    };
    let a = s.abs();
    if a < 10.0 {
        format!("{} s", decimal(s, 1))
    } else if a < 120.0 {
        format!("{} s", decimal(s, 0))
    } else if a < 7200.0 {
        format!("{} min", decimal(s / 60.0, 1))
    } else if a < 172_800.0 {
        format!("{} h", decimal(s / 3600.0, 1))
    } else {
        format!("{} d", decimal(s / 86_400.0, 0))
    }
}

/// A report time as shown to people: RFC 3339 in UTC, without milliseconds when they are zero.
/// A string that does not parse (a hand-edited report) is shown cleaned, as it is.
pub(crate) fn time(s: &str) -> String {
    match parse_iso_date(s) {
        Some(ms) => format_rfc3339(ms),
        None => clean_text(s).into_owned(),
    }
}

/// An optional report time; `–` when unknown.
pub(crate) fn time_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "–".to_owned(), time)
}

/// Appends `s` escaped for HTML and SVG, in text and in double- or single-quoted attributes:
/// cleaned ([`clean_text`]), then `& < > " '` as character references.
pub fn push_escaped(out: &mut String, s: &str) {
    for c in clean_text(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` escaped for HTML and SVG ([`push_escaped`]).
pub(crate) fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// Appends a number for SVG coordinates: two decimals at most, no trailing zeros, `0` for
/// anything not finite, so the markup is the same on every platform.
pub(crate) fn push_coord(out: &mut String, x: f64) {
    let x = if x.is_finite() { x } else { 0.0 };
    let rounded = (x * 100.0).round() / 100.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let _ = write!(out, "{rounded}");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The hostile fixture every rendering is tested on.
    pub(crate) fn hostile_report() -> Report {
        super::super::parse_report(
            include_bytes!("../../tests/fixtures/report-hostile.json"),
            "report-hostile.json",
        )
        .expect("fixture parses")
    }

    #[test]
    fn cleaning_removes_line_breaks_controls_and_bidi() {
        assert_eq!(clean_text("  plain  "), "plain");
        assert!(matches!(clean_text("plain"), Cow::Borrowed(_)));
        assert_eq!(clean_text("a\nb\r\nc\td"), "a b  c d");
        assert_eq!(
            clean_text("bell\u{7} esc\u{1b}[31m"),
            "bell\u{FFFD} esc\u{FFFD}[31m"
        );
        assert_eq!(clean_text("\u{202E}exe.txt"), "\u{FFFD}exe.txt");
        assert_eq!(clean_text("a\u{85}x\u{9f}b"), "a\u{FFFD}x\u{FFFD}b");
        assert_eq!(clean_text("🤖🇫🇷 é"), "🤖🇫🇷 é");
    }

    #[test]
    fn truncation_counts_columns_not_bytes() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(display_width("🤖🤖"), 4);
        assert_eq!(truncate("🤖🤖🤖", 4), "🤖…");
        assert_eq!(truncate("a\nb", 10), "a b");
        assert_eq!(pad_left("🤖", 4), "  🤖");
        assert_eq!(pad_right("é", 3), "é  ");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(percent(0.8125), "81%");
        assert_eq!(percent(f64::NAN), "–");
        assert_eq!(decimal(-0.001, 2), "0.00");
        assert_eq!(decimal(0.825, 1), "0.8");
        assert_eq!(duration(Some(0.2)), "0.2 s");
        assert_eq!(duration(Some(45.0)), "45 s");
        assert_eq!(duration(Some(750.0)), "12.5 min");
        assert_eq!(duration(Some(10_800.0)), "3.0 h");
        assert_eq!(duration(Some(469.0 * 86_400.0)), "469 d");
        assert_eq!(duration(None), "–");
        assert_eq!(duration(Some(f64::INFINITY)), "–");
    }

    #[test]
    fn times_are_normalised_or_cleaned() {
        assert_eq!(time("2017-05-05T14:00:01.000Z"), "2017-05-05T14:00:01Z");
        assert_eq!(time("2017-05-05T14:00:01.500Z"), "2017-05-05T14:00:01.500Z");
        assert_eq!(time("soon\n<b>"), "soon <b>");
        assert_eq!(time_opt(None), "–");
    }

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escaped("\"><img src=x onerror='a'>&amp;\u{7}"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&amp;amp;\u{FFFD}"
        );
        let mut s = String::new();
        push_coord(&mut s, 1.005);
        s.push(' ');
        push_coord(&mut s, -0.001);
        s.push(' ');
        push_coord(&mut s, f64::NAN);
        s.push(' ');
        push_coord(&mut s, 12.0);
        assert_eq!(s, "1 0 0 12");
    }

    /// Every rendering of `report`, concatenated.
    fn render_all(report: &Report) -> String {
        let mut terminal = Vec::new();
        super::super::terminal::write_terminal_summary(report, 10, &mut terminal).unwrap();
        String::from_utf8(terminal).unwrap()
            + &super::super::markdown::render_markdown(report)
            + &super::super::html::render_html(report)
    }

    #[test]
    fn an_empty_report_renders() {
        let mut report = hostile_report();
        report.clusters.clear();
        report.accounts.clear();
        report.layers.clear();
        report.warnings.clear();
        report.input.files.clear();
        report.input.first = None;
        report.input.last = None;
        report.baseline.bot_score_histogram.clear();
        report.baseline.timeline.counts.clear();
        report.baseline.latency_histogram.observed.clear();
        let text = render_all(&report);
        assert!(text.contains("no clusters"));
        assert!(text.contains("No cluster reached the smallest reported size."));
        assert!(text.contains("no dormant then reactivated accounts"));
    }

    #[test]
    fn non_finite_numbers_and_odd_shapes_render_without_panic() {
        let mut report = hostile_report();
        let c = &mut report.clusters[0];
        c.suspicion = f64::NAN;
        c.suspicion_parts.synchrony = f64::INFINITY;
        c.suspicion_parts.automation = -1.0;
        c.synchrony.median_latency_s = Some(f64::NAN);
        c.synchrony.latency_histogram.null.clear();
        c.synchrony.latency_histogram.upper_s.push(120.0);
        c.synchrony.timeline.bin_secs = 0;
        c.synchrony.timeline.start = Some("not a time".to_owned());
        c.evidence.bio_terms[0].z = f64::NEG_INFINITY;
        report.accounts[0].bot_score = f64::NAN;
        report.accounts[1]
            .signals
            .dormancy
            .as_mut()
            .unwrap()
            .gap_end = "garbage".to_owned();
        report.parameters.flag_threshold = f64::NAN;
        let text = render_all(&report);
        assert!(!text.contains("NaN") && !text.contains("inf"));
        assert!(text.contains("no dated records"));
    }

    #[test]
    fn long_cluster_lists_are_cut_after_the_flagged() {
        let mut report = hostile_report();
        let template = report.clusters[1].clone();
        report.clusters.truncate(1);
        for rank in 2..=150 {
            let mut c = template.clone();
            c.rank = rank;
            c.id = 1000 + rank;
            report.clusters.push(c);
        }
        let (listed, hidden) = listed_clusters(&report);
        assert_eq!((listed.len(), hidden), (100, 50));
        let md = super::super::markdown::render_markdown(&report);
        assert!(md.contains("… and 50 less suspicious clusters (see report.json)."));
        assert!(md.contains("| 100 | 1100 | no |") && !md.contains("| 101 | 1101 | no |"));
        let html = super::super::html::render_html(&report);
        assert!(html.contains("… and 50 less suspicious clusters (see report.json).</p>"));

        for c in &mut report.clusters[..120] {
            c.flagged = true;
        }
        let (listed, hidden) = listed_clusters(&report);
        assert_eq!((listed.len(), hidden), (120, 30));
    }

    #[test]
    fn writes_both_files_and_names_a_failing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let report = hostile_report();
        let out = dir.path().join("new/sub");
        let written = write_report_files(&report, &out).unwrap();
        assert_eq!(written, [out.join("report.md"), out.join("report.html")]);
        let md = std::fs::read_to_string(&written[0]).unwrap();
        assert_eq!(md, super::super::markdown::render_markdown(&report));
        let html = std::fs::read_to_string(&written[1]).unwrap();
        assert_eq!(html, super::super::html::render_html(&report));

        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write_report_files(&report, &blocker.join("sub")).unwrap_err();
        assert!(err.to_string().contains("file"), "{err}");
    }
}
