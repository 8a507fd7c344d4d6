//! Reports for people: the terminal summary, `report.md` and `report.html` rendered from a
//! hand-made report whose every piece of user text is hostile (`<script>`, attribute
//! breakouts, `&amp;`, quotes, control characters, emoji, RTL overrides, pipes, backticks),
//! the `coordgraph report` command, and the page as headless Chromium loads it.
//!
//! The Chromium test skips with a notice when `chromium` is missing, and fails instead when
//! `COORDGRAPH_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coordgraph::report::charts::CHART_CLASSES;
use coordgraph::report::{
    Report, read_report, render_html, render_markdown, write_report_files, write_report_json,
    write_terminal_summary,
};

use crate::util::{coordgraph, fixture};

/// Raw hostile strings of the fixture that must never reach the HTML as markup.
const HOSTILE: [&str; 6] = [
    "<script",
    "<img",
    "onerror=alert(1)>",
    "\u{7}",
    "\u{1b}",
    "\u{202E}",
];

/// Tag names the page may contain; anything else would be injected markup.
const TAGS: [&str; 34] = [
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "span",
    "nav", "a", "section", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "dl", "dt",
    "dd", "footer", "svg", "g", "rect", "line", "polyline", "text", "br",
];

fn hostile_path() -> PathBuf {
    fixture("report-hostile.json")
}

fn hostile() -> Report {
    read_report(&hostile_path()).expect("the fixture is a valid version 1 report")
}

fn terminal(report: &Report, top: usize) -> String {
    let mut out = Vec::new();
    write_terminal_summary(report, top, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The opening and closing tags of an HTML page after its style sheet, as `name attributes`.
fn tags(html: &str) -> Vec<&str> {
    let body = &html[html.find("</style>").expect("a style sheet")..];
    body.split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').expect("every tag is closed")])
        .collect()
}

/// Cells of a Markdown table row: the `|` that no backslash escapes, less one.
fn markdown_cells(row: &str) -> usize {
    let mut bars: usize = 0;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => bars += 1,
            _ => escaped = false,
        }
    }
    bars.saturating_sub(1)
}

#[test]
fn html_keeps_hostile_text_inert() {
    let html = render_html(&hostile());
    for raw in HOSTILE {
        assert!(!html.contains(raw), "raw {raw:?} in the page");
    }
    for tag in tags(&html) {
        let name = tag
            .trim_start_matches('/')
            .split([' ', '\n'])
            .next()
            .unwrap();
        assert!(TAGS.contains(&name), "unexpected tag <{tag}>");
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.contains("onerror") && !lower.contains("javascript:"),
            "<{tag}>"
        );
        assert!(
            !lower.contains(" src=") && !lower.contains("url("),
            "<{tag}>"
        );
        if tag.starts_with("a ") {
            assert!(tag.starts_with("a href=\"#"), "only in-page links: <{tag}>");
        }
    }
    // The hostile text is still there, readable, as text.
    assert!(html.contains("bot_&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("https://evil.example/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("quote &quot;dbl&quot; &#39;sgl&#39; &amp;amp;"));
    assert!(html.contains("pipe|user`x`"));
    assert!(html.contains("bell\u{FFFD} esc\u{FFFD}[31m red"));
    assert!(html.contains("\u{FFFD}evil.exe 🤖🇫🇷"));
}

#[test]
fn html_is_self_contained_with_every_chart() {
    let html = render_html(&hostile());
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    ));
    for class in CHART_CLASSES {
        assert!(
            html.contains(&format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class}\""
            )),
            "{class}"
        );
    }
    // Ranking, bot scores and dormancy once; timeline, latency and bio terms per flagged
    // cluster (one).
    assert_eq!(html.matches("<svg").count(), 6);
    assert_eq!(html.matches("</svg>").count(), 6);
    for element in ["g", "text", "table", "section", "tr", "td", "title"] {
        let open = html.matches(&format!("<{element}>")).count()
            + html.matches(&format!("<{element} ")).count();
        let close = html.matches(&format!("</{element}>")).count();
        assert_eq!(open, close, "<{element}> balanced");
    }
    // Nothing that could fetch: no remote URL in an attribute or style, no script.
    assert!(!html.contains("<script") && !html.contains("@import") && !html.contains("<link"));
    for tag in tags(&html) {
        let remote = tag.contains("http:") || tag.contains("https:");
        assert!(!remote || tag.starts_with("svg xmlns="), "<{tag}>");
    }
}

#[test]
fn markdown_tables_keep_their_columns_and_escape_user_text() {
    let md = render_markdown(&hostile());
    let mut expected = None;
    let mut tables = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let n = markdown_cells(line);
        match expected {
            None => {
                expected = Some(n);
                tables += 1;
            }
            Some(e) => assert_eq!(n, e, "row changed its column count: {line}"),
        }
    }
    assert_eq!(tables, 8);
    for raw in [
        "<script", "<img", "](", "\u{7}", "\u{1b}", "\u{202E}", "https://",
    ] {
        assert!(!md.contains(raw), "raw {raw:?} in the Markdown");
    }
    // The warning's line break and table did not become a row of their own.
    assert!(md.contains("- layer co-mention is empty \\| injected \\| row \\|"));
    assert!(md.contains("## Cluster 4 (rank 1, flagged)"));
    assert!(md.contains("| co-retweet | post 861234567890123456 | bot\\_&lt;script&gt;"));
}

/// `report.md` rendered by a GitHub Flavored Markdown renderer with raw HTML allowed and the
/// GitHub extensions on (tables, autolinks, strikethrough, task lists, footnotes, math,
/// alerts) plus a few common ones: only the markup the report writes comes out.
#[test]
fn markdown_renders_without_injected_markup() {
    let mut options = comrak::Options::default();
    let e = &mut options.extension;
    e.table = true;
    e.autolink = true;
    e.strikethrough = true;
    e.tasklist = true;
    e.footnotes = true;
    e.math_dollars = true;
    e.alerts = true;
    e.superscript = true;
    e.underline = true;
    e.spoiler = true;
    e.wikilinks_title_after_pipe = true;
    options.render.r#unsafe = true;
    let html = comrak::markdown_to_html(&render_markdown(&hostile()), &options);
    for injected in [
        "<a ",
        "<img",
        "<script",
        "<code",
        "<em>",
        "<del>",
        "<sup>",
        "<u>",
        "<input",
        "spoiler",
        "data-math",
        "<h4",
        "<blockquote",
        "<pre",
    ] {
        assert!(!html.contains(injected), "{injected} in\n{html}");
    }
    // The report's own emphasis: the headline and the flagged row.
    assert_eq!(html.matches("<strong>").count(), 2);
    assert!(html.contains("bot_&lt;script&gt;alert(1)&lt;/script&gt;"));
    // A cell of user text stays one cell, whole (a renderer drops the excess cells of a row).
    assert!(html.contains(
        "<td>text: a | b `code` [link](javascript:alert(1)) *bold* _it_</td>\n\
         <td>line1 line2  | x | y | &amp;amp; bell\u{FFFD} esc\u{FFFD}[31m red</td>"
    ));
    let tables: Vec<&str> = html.split("<table>").skip(1).collect();
    assert_eq!(tables.len(), 8);
    for table in tables {
        let table = &table[..table.find("</table>").unwrap()];
        let widths: Vec<usize> = table
            .split("<tr>")
            .skip(1)
            .map(|row| row.matches("<td").count() + row.matches("<th").count())
            .collect();
        assert!(
            widths.iter().all(|&w| w == widths[0] && w > 1),
            "{widths:?} in {table}"
        );
    }
}

#[test]
fn terminal_summary_lists_the_top_clusters() {
    let text = terminal(&hostile(), 2);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "records 1,200 (800 retweets), accounts 10, skipped 2, duplicates 3"
    );
    let header = lines
        .iter()
        .position(|l| l.starts_with("rank flag"))
        .unwrap();
    assert!(
        lines[header + 1].starts_with("   1 FLAG      4     3  0.82   75%   50%    3.5 s   81% ")
    );
    assert!(
        lines[header + 2].starts_with("   2           3     3  0.31    0%    0%     25 s   10% ")
    );
    assert_eq!(lines[header + 3], "… 1 more cluster");
    for line in &lines {
        assert!(line.chars().count() <= 120, "{line}");
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}

#[test]
fn rendering_is_deterministic_on_any_thread_count() {
    let render = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let report = hostile();
            (
                render_html(&report),
                render_markdown(&report),
                terminal(&report, 10),
            )
        })
    };
    assert_eq!(render(1), render(2));
}

#[test]
fn a_report_saved_and_read_again_renders_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let report = hostile();
    let path = dir.path().join("report.json");
    write_report_json(&report, &path).unwrap();
    let again = read_report(&path).unwrap();
    assert_eq!(render_html(&again), render_html(&report));
    let written = write_report_files(&again, dir.path()).unwrap();
    assert_eq!(
        written,
        [dir.path().join("report.md"), dir.path().join("report.html")]
    );
    assert_eq!(
        std::fs::read_to_string(&written[0]).unwrap(),
        render_markdown(&report)
    );
}

#[test]
fn report_command_writes_both_files_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let assert = coordgraph()
        .arg("report")
        .arg(hostile_path())
        .arg("--out")
        .arg(&out)
        .args(["--top", "1"])
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, terminal(&hostile(), 1));
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("report.html"), "{stderr}");
    let report = hostile();
    assert_eq!(
        std::fs::read_to_string(out.join("report.html")).unwrap(),
        render_html(&report)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        render_markdown(&report)
    );
}

#[test]
fn report_command_writes_next_to_the_report_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("analysis.json");
    std::fs::copy(hostile_path(), &copy).unwrap();
    coordgraph()
        .arg("report")
        .arg(&copy)
        .arg("--quiet")
        .assert()
        .success();
    assert!(dir.path().join("report.md").is_file());
    assert!(dir.path().join("report.html").is_file());
}

#[test]
fn report_command_names_the_file_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let not_report = dir.path().join("not-a-report.json");
    std::fs::write(&not_report, b"{\"version\": 1, \"hello\": true}").unwrap();
    let future = dir.path().join("future.json");
    std::fs::write(&future, b"{\"version\": 99}").unwrap();
    for (path, says) in [
        (&missing, "missing.json"),
        (&not_report, "not-a-report.json: not a coordgraph report"),
        (&future, "future.json: report version 99"),
    ] {
        let assert = coordgraph().arg("report").arg(path).assert().failure();
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "one message, its cause once: {stderr}"
        );
        assert!(!dir.path().join("report.html").exists());
    }
    // An output folder that cannot be made.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let assert = coordgraph()
        .arg("report")
        .arg(hostile_path())
        .arg("--out")
        .arg(file.join("sub"))
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("a-file"), "{stderr}");
}

// Headless Chromium.

/// The Chromium binary (`COORDGRAPH_CHROMIUM`, else `chromium`), or `None` with a skip notice;
/// a failure instead when `COORDGRAPH_REQUIRE_TOOLS=1`.
fn chromium() -> Option<String> {
    let program = std::env::var("COORDGRAPH_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let ok = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("COORDGRAPH_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "headless Chromium is required (COORDGRAPH_REQUIRE_TOOLS=1) but `{program}` is \
             unavailable"
        );
        eprintln!("note: skipping, headless Chromium (`{program}`) is unavailable");
        return None;
    }
    Some(program)
}

/// Loads `page` in headless Chromium; returns the DOM it serialises after loading and the
/// console messages (CSP violations and script errors included) it logged.
fn load_in_chromium(program: &str, page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let dom_path = profile.path().join("dom.html");
    let log_path = profile.path().join("log.txt");
    let mut child = Command::new(program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&dom_path).unwrap())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish loading {} in 120 s",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = std::fs::read_to_string(&dom_path).unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(status.success(), "chromium failed: {status}\n{log}");
    let console = log
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Content Security Policy")
                || l.contains("Uncaught")
        })
        .map(str::to_owned)
        .collect();
    (dom, console)
}

#[test]
fn chromium_loads_the_page_without_console_errors_or_scripts() {
    let Some(program) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = hostile();
    let written = write_report_files(&report, dir.path()).unwrap();
    let page = written[1].canonicalize().unwrap();

    let (dom, console) = load_in_chromium(&program, &page);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("<h1>coordgraph report</h1>"),
        "the page loaded:\n{dom}"
    );
    for class in CHART_CLASSES {
        assert!(
            dom.contains(&format!("class=\"chart {class}\"")),
            "{class} in the DOM"
        );
    }
    assert_eq!(dom.matches("<svg").count(), 6);
    assert!(!dom.contains("<script"), "a <script> element in the DOM");
    assert!(!dom.contains("<img"), "an <img> element in the DOM");
    assert!(
        dom.contains("bot_&lt;script&gt;alert(1)&lt;/script&gt;"),
        "hostile text kept as text"
    );

    // The same check sees a violation: a page that tries to load an image and run a script.
    let control = dir.path().join("control.html");
    let injected = render_html(&report).replace(
        "</body>",
        "<img src=\"https://example.invalid/x.png\"><script>console.error('ran')</script></body>",
    );
    std::fs::write(&control, injected).unwrap();
    let (dom, console) = load_in_chromium(&program, &control.canonicalize().unwrap());
    assert!(dom.contains("<script>"));
    assert!(
        console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "the policy blocked the image and the script: {console:?}"
    );
    assert!(
        !console.iter().any(|l| l.contains("\"ran\"")),
        "the script did not run"
    );
}
