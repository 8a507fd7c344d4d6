//! `coordgraph analyze`: the whole pipeline, from collections to ranked clusters, with every
//! output in one folder.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use coordgraph::analyze::{AnalyzeOptions, DEFAULT_NETWORKS, analyze, input_summary};
use coordgraph::community::{CommunityOptions, Method};
use coordgraph::export::{
    AnalysisExportOptions, DEFAULT_EXPORT_MAX_EDGES, INTERACTION_GEXF_FILE,
    interaction_selection_note, select_export_edges, select_interaction_edges,
    write_interaction_gexf,
};
use coordgraph::graph::{CoActionKind, CoActionOptions, Weighting, build_interaction_graph};
use coordgraph::report::write_outputs;
use coordgraph::signals::SignalOptions;

use super::Global;
use super::input::InputArgs;

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Folder for the outputs (report.json, coordination-edges.csv, report.html, report.md,
    /// GEXF, GraphML, CSV tables, DOT files); created if missing.
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    out: PathBuf,

    /// W: two actions co-act when |Δt| ≤ W seconds (inclusive).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    window: u32,

    /// Co-action layers of the coordination graph, comma-separated (see `coordgraph network`).
    /// `auto`: co-retweet, co-hashtag, co-url, co-text and near-duplicate-text, plus co-object
    /// when the input has an object column (CSV).
    #[arg(long, value_name = "KIND[,KIND...]", default_value = "auto")]
    networks: String,

    /// Community detection.
    #[arg(long, default_value = "leiden", value_parser = ["leiden", "louvain", "components"])]
    algorithm: String,

    /// Resolution γ of Leiden and Louvain: higher gives smaller clusters.
    #[arg(long, default_value_t = 1.0)]
    resolution: f64,

    /// Seed of every random choice (communities, null model).
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Drop coordination edges lighter than this (combined weight: distinct objects over the
    /// layers, crowded ones counting a share, see `--crowd`).
    #[arg(long, default_value_t = 2.0)]
    min_edge_weight: f64,

    /// Objects on which more than this many actions fall within one window (a viral post's
    /// first minute, a trending hashtag) count `crowd / peak` in the edge weights instead of
    /// 1; 0 counts every object 1.
    #[arg(long, default_value_t = coordgraph::analyze::DEFAULT_CROWD, value_name = "ACTIONS")]
    crowd: u32,

    /// Smallest cluster reported.
    #[arg(long, default_value_t = 3)]
    min_cluster_size: u32,

    /// Flag clusters whose suspicion is at least this.
    #[arg(long, default_value_t = coordgraph::analyze::rank::DEFAULT_FLAG_THRESHOLD)]
    flag_threshold: f64,

    /// Shortest silence, in days, that counts as dormancy.
    #[arg(long, default_value_t = 90)]
    dormant_days: u32,

    /// Near-duplicate text: the least Jaccard similarity of two texts' word sets.
    #[arg(long, default_value_t = 0.8)]
    similarity: f64,

    /// Texts shorter than this (normalised, in characters) are not text actions.
    #[arg(long, default_value_t = 10)]
    min_text_chars: usize,

    /// Rounds of the synchrony null model.
    #[arg(long, default_value_t = 20)]
    null_rounds: u32,

    /// Clusters shown in the terminal summary.
    #[arg(long, default_value_t = 10)]
    top: usize,

    /// The most edges the graph files (GEXF, GraphML, DOT, nodes.csv/edges.csv) hold; a
    /// larger graph is drawn as the subgraph of its flagged clusters (then its heaviest
    /// edges), and the report says so. coordination-edges.csv always holds every edge.
    #[arg(long, default_value_t = DEFAULT_EXPORT_MAX_EDGES, value_name = "EDGES")]
    export_max_edges: usize,
}

impl AnalyzeArgs {
    fn options(&self, has_objects: bool) -> Result<AnalyzeOptions> {
        let networks = if self.networks.trim() == "auto" {
            let mut kinds = DEFAULT_NETWORKS.to_vec();
            if has_objects {
                kinds.push(CoActionKind::CoObject);
            }
            kinds
        } else {
            self.networks
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.parse::<CoActionKind>())
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(AnalyzeOptions {
            networks,
            co_action: CoActionOptions {
                window_secs: self.window,
                min_text_chars: self.min_text_chars,
                similarity_threshold: self.similarity,
                weighting: if self.crowd == 0 {
                    Weighting::Count
                } else {
                    Weighting::CrowdDiscounted { crowd: self.crowd }
                },
                ..CoActionOptions::default()
            },
            min_edge_weight: self.min_edge_weight,
            community: CommunityOptions {
                method: match self.algorithm.as_str() {
                    "louvain" => Method::Louvain,
                    "components" => Method::Components,
                    _ => Method::Leiden,
                },
                resolution: self.resolution,
                seed: self.seed,
                ..CommunityOptions::default()
            },
            min_cluster_size: self.min_cluster_size,
            flag_threshold: self.flag_threshold,
            signals: SignalOptions {
                dormant_days: self.dormant_days,
                ..SignalOptions::default()
            },
            null_rounds: self.null_rounds,
            ..AnalyzeOptions::default()
        })
    }
}

pub(crate) fn run(args: &AnalyzeArgs, global: &Global) -> Result<ExitCode> {
    // Options are checked before the input is read, so that a typo fails at once.
    args.options(false)?;
    let start = Instant::now();
    let ingest = args.input.read(global)?;
    let read_secs = start.elapsed().as_secs_f64();
    let c = &ingest.collection;
    let options = args.options(!c.objects.is_empty())?;
    let input = input_summary(c, &ingest.report, &args.input.inputs);
    let mut analysis = analyze(c, input, &options, global.progress())?;
    let exports = AnalysisExportOptions {
        max_edges: args.export_max_edges,
        ..AnalysisExportOptions::default()
    };
    let (interaction_graph, selection) = rayon::join(
        || build_interaction_graph(c),
        || select_export_edges(&analysis.report, &analysis.edges, exports.max_edges),
    );
    if let Some(selection) = selection {
        analysis.report.warnings.push(selection.note());
    }
    let interaction_selection =
        select_interaction_edges(c, &interaction_graph, &analysis.report, exports.max_edges);
    if let Some(selection) = &interaction_selection {
        analysis
            .report
            .warnings
            .push(interaction_selection_note(selection));
    }
    // The terminal summary lists the warnings; they are repeated on stderr only when the
    // summary goes elsewhere than the terminal.
    if !global.quiet && !std::io::stdout().is_terminal() {
        for warning in &analysis.report.warnings {
            eprintln!("coordgraph: warning: {warning}");
        }
    }
    let write_start = Instant::now();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let interaction_path = args.out.join(INTERACTION_GEXF_FILE);
    let (written, interaction) = rayon::join(
        || write_outputs(&analysis.report, &analysis.edges, &args.out, &exports),
        || {
            write_interaction_gexf(
                c,
                &interaction_graph,
                &analysis.report,
                interaction_selection.as_ref(),
                &interaction_path,
            )
        },
    );
    let mut written = written?;
    interaction?;
    written.push(interaction_path);
    let write_secs = write_start.elapsed().as_secs_f64();

    let mut out = std::io::stdout().lock();
    coordgraph::report::write_terminal_summary(&analysis.report, args.top, &mut out)?;
    if !global.quiet {
        eprintln!(
            "coordgraph: wrote {} files into {}",
            written.len(),
            args.out.display()
        );
        if global.verbose > 0 {
            eprintln!("  {:<22} {:>8.2} s", "read", read_secs);
            for (stage, secs) in &analysis.stage_seconds {
                eprintln!("  {stage:<22} {secs:>8.2} s");
            }
            eprintln!("  {:<22} {:>8.2} s", "write outputs", write_secs);
            for path in &written {
                eprintln!("  {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
