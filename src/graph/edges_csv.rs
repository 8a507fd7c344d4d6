/*!
The co-action edge list as CSV: `source,target,weight,pairs,min_dt,median_dt,first,last`, with
`source_handle,target_handle` appended on request.

`source` and `target` are account ids as the input wrote them; `min_dt` and `median_dt` are in
seconds (exact decimals, up to four places); `first` and `last` are UTC times in RFC 3339
(`2017-05-05T18:00:00Z`, with milliseconds only when they are not zero). Numbers print in
their shortest exact form, so the bytes depend only on the edges.
*/

use std::io;

use super::CoActionGraph;
use crate::model::{Collection, NO_TIME};

/// Writes the edges of `graph` as CSV to `out`.
///
/// # Errors
/// Any error of the writer.
pub fn write_edges_csv<W: io::Write>(
    out: W,
    graph: &CoActionGraph,
    c: &Collection,
    handles: bool,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "source",
        "target",
        "weight",
        "pairs",
        "min_dt",
        "median_dt",
        "first",
        "last",
    ];
    if handles {
        header.extend(["source_handle", "target_handle"]);
    }
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for e in &graph.edges {
        row.clear();
        row.push(c.account_id(e.source).into_owned());
        row.push(c.account_id(e.target).into_owned());
        row.push(format!("{}", e.weight));
        row.push(e.pairs.to_string());
        row.push(format!("{}", f64::from(e.min_dt_ms) / 1000.0));
        row.push(format!("{}", e.median_dt_ms / 1000.0));
        row.push(format_time_ms(e.first_ms));
        row.push(format_time_ms(e.last_ms));
        if handles {
            row.push(c.accounts.handle(e.source).unwrap_or("").to_string());
            row.push(c.accounts.handle(e.target).unwrap_or("").to_string());
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// A time in ms since the Unix epoch as RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm`
/// before the `Z` when the milliseconds are not zero; empty for [`NO_TIME`].
pub fn format_time_ms(ms: i64) -> String {
    if ms == NO_TIME {
        return String::new();
    }
    crate::ingest::time::format_rfc3339(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_as_rfc3339() {
        assert_eq!(format_time_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time_ms(1_494_007_200_000), "2017-05-05T18:00:00Z");
        assert_eq!(format_time_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(format_time_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_time_ms(NO_TIME), "");
    }
}
