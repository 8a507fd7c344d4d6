/*!
Atomic output files: every file the project writes goes through [`write_atomically`], so a
reader (or an interrupted run) never sees a half-written file, and an existing file is replaced
only by a complete one.

Files are not forced to disk (no `fsync`): outputs are derived data that a rerun rebuilds, and
syncing gigabytes of exports made writing them several times slower. The rename keeps its
guarantee against a failed or killed run; only a crash of the whole machine right after a run
can lose what the system had not yet written back.
*/

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: `write` fills a buffered temporary file in the same directory,
/// which is flushed and renamed over `path`.
///
/// If `write` fails (or panics), or flushing or renaming fails, the temporary file is
/// removed and `path` is left as it was. The new file gets the usual permissions (`0666` less
/// the umask on Unix), not the temporary file's private ones.
///
/// A `path` that exists and is neither a regular file nor a directory (a device such as
/// `/dev/null` or `/dev/stdout`, a named pipe) is written directly: renaming over it would
/// replace the device with a file.
///
/// # Errors
/// The error `write` returns, or the I/O error of creating, flushing or renaming the file.
pub fn write_atomically<T, E, F>(path: &Path, write: F) -> Result<T, E>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<T, E>,
    E: From<io::Error>,
{
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        let value = write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?;
        return Ok(value);
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let mut builder = tempfile::Builder::new();
    builder.suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    builder.prefix(&prefix);
    // Dropping `temp` on any early return removes the temporary file.
    let (file, temp_path) = builder.tempfile_in(dir)?.into_parts();
    let mut out = BufWriter::new(file);
    let value = write(&mut out)?;
    drop(out.into_inner().map_err(|e| e.into_error())?);
    temp_path.persist(path).map_err(|e| e.error)?;
    Ok(value)
}

/// Convenience for [`write_atomically`] with a writer that only does I/O.
///
/// # Errors
/// As [`write_atomically`].
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_file_atomically(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");

        let err = write_atomically(&path, |w| {
            w.write_all(b"half of the second")?;
            Err::<(), _>(io::Error::other("analysis failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "analysis failed");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(entries(dir.path()), ["out.txt"], "temporary file removed");

        let n = write_atomically(&path, |w| w.write_all(b"second").map(|()| 6)).unwrap();
        assert_eq!(n, 6);
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(entries(dir.path()), ["out.txt"]);
    }

    #[test]
    fn temporary_file_is_removed_on_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let result = std::panic::catch_unwind(|| {
            let _ = write_atomically::<(), io::Error, _>(&path, |w| {
                w.write_all(b"x")?;
                panic!("boom")
            });
        });
        assert!(result.is_err());
        assert!(entries(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_written_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("edges.csv");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c_path` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_file_atomically(&fifo, b"source,target\n").unwrap();
        // Checked before joining the reader, which a replaced pipe would leave waiting.
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(entries(dir.path()), ["edges.csv"]);
        assert_eq!(reader.join().unwrap(), "source,target\n");
    }

    #[cfg(unix)]
    #[test]
    fn output_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_file_atomically(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others unless the umask says no: {mode:o}"
        );
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.txt");
        assert!(write_file_atomically(&path, b"x").is_err());
    }
}
