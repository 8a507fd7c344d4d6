/*!
The library's only link to a terminal: stages report progress through [`Progress`], and the
binary decides whether that becomes a progress bar. `()` reports nothing.
*/

/// Receives progress reports from long stages.
pub trait Progress: Sync {
    /// A stage begins; `total` is its amount of work (bytes, items) when known.
    fn begin(&self, stage: &str, total: Option<u64>);
    /// `amount` more units of work are done.
    fn advance(&self, amount: u64);
    /// The current stage is done.
    fn finish(&self);
}

impl Progress for () {
    fn begin(&self, _stage: &str, _total: Option<u64>) {}
    fn advance(&self, _amount: u64) {}
    fn finish(&self) {}
}
