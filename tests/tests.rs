//! Integration tests, compiled as one binary.

// Helpers: running the binary, temporary folders, the shared datasets.
mod tools;
mod util;

// Reading every format, the shared real datasets, hostile input.
mod ingest;
// CSV tables with quoted fields: exact texts and lines, any quoting style or thread count.
mod csv_quoted;
// The command line: exit codes, messages, `stats --json`.
mod cli;
// The synthetic collection generator: determinism, counts, planted structure.
mod generate;
// Interaction and co-action graphs: exact edges, peer fixtures, determinism.
mod graph;
// Account signals: dormancy, bot-likeness, creation clustering, bio terms.
mod signals;
// Community detection: karate club, LFR fixtures, connectedness, thread determinism.
mod community;
// Exporters: GEXF (schema, networkx), GraphML, CSV tables, DOT (Graphviz), hostile text.
mod analyze;
mod export;
// Exports of a saved analysis: report + edge table to GEXF, GraphML, CSV, DOT; `coordgraph export`.
mod export_analysis;
// The exact bytes of every exporter, pinned, on one and two threads.
mod export_bytes;
// Reports for people: terminal, Markdown, HTML (hostile text, headless Chromium), `report`.
mod report;
