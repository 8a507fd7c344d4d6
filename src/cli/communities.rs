//! `coordgraph communities`: communities of any weighted edge list.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use coordgraph::community::{
    CommunityOptions, Method, Objective, detect_communities, modularity, read_edge_list,
    write_partition,
};

use super::Global;

#[derive(Debug, Args)]
pub(crate) struct CommunitiesArgs {
    /// A weighted edge list: CSV `source,target[,weight]` (a header is detected; node names are
    /// any strings; `coordgraph network` output works as is).
    #[arg(value_name = "EDGES.csv")]
    edges: PathBuf,

    /// The algorithm.
    #[arg(long, default_value = "leiden", value_parser = ["leiden", "louvain", "components"])]
    algorithm: String,

    /// The quality function of Leiden: modularity, or the constant Potts model.
    #[arg(long, default_value = "modularity", value_parser = ["modularity", "cpm"])]
    objective: String,

    /// Resolution γ: higher gives smaller communities.
    #[arg(long, default_value_t = 1.0)]
    resolution: f64,

    /// Seed of every random choice; the same seed gives the same partition on any thread count.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Leiden iterations (0: until the partition stops changing).
    #[arg(long, default_value_t = 2)]
    iterations: usize,

    /// Where to write the partition, as CSV `node,community`.
    #[arg(short, long, value_name = "FILE", default_value = "out/partition.csv")]
    output: PathBuf,
}

pub(crate) fn run(args: &CommunitiesArgs, global: &Global) -> Result<ExitCode> {
    let edges = read_edge_list(&args.edges)?;
    let options = CommunityOptions {
        method: match args.algorithm.as_str() {
            "louvain" => Method::Louvain,
            "components" => Method::Components,
            _ => Method::Leiden,
        },
        objective: if args.objective == "cpm" {
            Objective::Cpm
        } else {
            Objective::Modularity
        },
        resolution: args.resolution,
        seed: args.seed,
        max_iterations: args.iterations,
        ..CommunityOptions::default()
    };
    let start = Instant::now();
    let partition = detect_communities(&edges.graph, &options)?;
    let secs = start.elapsed().as_secs_f64();
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    write_partition(&args.output, &edges.names, &partition)?;
    if !global.quiet {
        let q = modularity(&edges.graph, &partition, 1.0)?;
        eprintln!(
            "coordgraph: {} nodes, {} communities, modularity {q:.4} ({:.2} s); wrote {}",
            edges.names.len(),
            partition.community_count(),
            secs,
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
