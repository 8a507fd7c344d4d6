//! External tools the export tests read outputs back with: xmllint and the official GEXF 1.3
//! schema, networkx. Each skips with a notice when absent, and fails instead when
//! `COORDGRAPH_REQUIRE_TOOLS=1` (or, for the schema, `COORDGRAPH_REQUIRE_SHARED=1`) is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub(crate) fn tools_required() -> bool {
    std::env::var("COORDGRAPH_REQUIRE_TOOLS").as_deref() == Ok("1")
}

/// Whether `program args…` runs and succeeds; otherwise a skip notice (or a failure when tools
/// are required).
pub(crate) fn have_tool(program: &str, args: &[&str], what: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !tools_required(),
            "{what} is required (COORDGRAPH_REQUIRE_TOOLS=1) but `{program}` is unavailable"
        );
        eprintln!("note: skipping, {what} (`{program}`) is unavailable");
    }
    ok
}

pub(crate) fn python() -> String {
    std::env::var("COORDGRAPH_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

pub(crate) fn have_networkx() -> bool {
    have_tool(
        &python(),
        &["-c", "import networkx"],
        "python3 with networkx",
    )
}

/// The official GEXF 1.3 RELAX NG schema from the shared docs, if present.
pub(crate) fn gexf_schema() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/docs/gexf-1.3/gexf.rng");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("COORDGRAPH_REQUIRE_SHARED").as_deref() != Ok("1"),
        "{} is required (COORDGRAPH_REQUIRE_SHARED=1) but absent",
        path.display()
    );
    eprintln!(
        "note: skipping schema validation, {} is absent",
        path.display()
    );
    None
}

/// Whether xmllint accepts a file under the official GEXF 1.3 schema; `None` when the schema
/// or xmllint is unavailable.
pub(crate) fn schema_accepts(path: &Path) -> Option<(bool, String)> {
    let schema = gexf_schema()?;
    if !have_tool("xmllint", &["--version"], "xmllint") {
        return None;
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--relaxng")
        .arg(&schema)
        .arg(path)
        .output()
        .expect("xmllint runs");
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Validates a GEXF file against the official schema with xmllint, when both are available.
pub(crate) fn validate_gexf(path: &Path) {
    if let Some((ok, messages)) = schema_accepts(path) {
        assert!(
            ok,
            "{} fails the GEXF 1.3 schema:\n{messages}",
            path.display()
        );
    }
}

/// networkx's reading of an exported file, as JSON (see scripts/export_read_back.py).
pub(crate) fn networkx_read(format: &str, path: &Path) -> Option<Value> {
    if !have_networkx() {
        return None;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/export_read_back.py");
    let out = Command::new(python())
        .arg(script)
        .arg(format)
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "networkx cannot read {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("JSON summary"))
}

/// Renders a DOT file with Graphviz `dot -Tsvg` beside it (`.svg`), asserting that it renders
/// with nothing on stderr and that the SVG is well-formed XML; returns the SVG text.
pub(crate) fn render_dot_svg(path: &Path) -> String {
    let svg = path.with_extension("svg");
    let run = Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .arg("-o")
        .arg(&svg)
        .output()
        .expect("dot runs");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "dot fails on {}:\n{}\n{}",
        path.display(),
        String::from_utf8_lossy(&run.stderr),
        std::fs::read_to_string(path).unwrap()
    );
    let svg_text = std::fs::read_to_string(&svg).expect("SVG written");
    let mut reader = quick_xml::Reader::from_str(&svg_text);
    while !matches!(
        reader.read_event().expect("SVG is XML"),
        quick_xml::events::Event::Eof
    ) {}
    svg_text
}
