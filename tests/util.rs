//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The `coordgraph` binary, ready to be given arguments.
pub(crate) fn coordgraph() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("coordgraph").expect("binary built")
}

/// A dataset under `../shared/data`, or `None` (with a printed notice) when the folder is
/// absent. With `COORDGRAPH_REQUIRE_SHARED=1` an absent folder fails the test instead.
pub(crate) fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let path = root.join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("COORDGRAPH_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "{} is required (COORDGRAPH_REQUIRE_SHARED=1) but absent",
            path.display()
        );
    }
    eprintln!("note: skipping, {} is absent", path.display());
    None
}

/// A fixture file under `tests/fixtures`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
