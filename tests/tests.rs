//! Integration tests, compiled as one binary.

// Helpers: running the binary, temporary folders, the shared datasets.
mod util;

// Reading every format, the shared real datasets, hostile input.
mod ingest;
// The command line: exit codes, messages, `stats --json`.
mod cli;
// The synthetic collection generator: determinism, counts, planted structure.
mod generate;
// Exporters: GEXF (schema, networkx), GraphML, CSV tables, DOT (Graphviz), hostile text.
mod export;
