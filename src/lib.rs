//! coordgraph finds coordinated inauthentic behaviour — bot networks, amplification rings,
//! copy-paste campaigns — in large collections of social-media posts.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! ingest ──► model::Collection ──► graph (interaction, co-action) ──► community
//!        ──► synchrony + signals ──► scoring ──► export / report
//! ```
//!
//! ```
//! use coordgraph::ingest::{IngestOptions, read_collection};
//!
//! let line = br#"{"id_str":"1","created_at":"Fri Aug 16 02:15:02 +0000 2013","text":"hi #Tag","user":{"id_str":"7","screen_name":"ann"},"entities":{"hashtags":[{"text":"Tag"}]}}"#;
//! let ingest = read_collection(&[coordgraph::ingest::Input::bytes("demo.jsonl", line.to_vec())],
//!                              &IngestOptions::default(), &()).unwrap();
//! assert_eq!(ingest.collection.records().count(), 1);
//! assert_eq!(ingest.collection.hashtags.resolve(0), "tag");
//! ```

pub mod analyze;
pub mod community;
pub mod evaluate;
pub mod export;
pub mod generate;
pub mod graph;
pub mod ingest;
pub mod model;
pub mod progress;
pub mod report;
pub mod signals;
pub mod stats;
