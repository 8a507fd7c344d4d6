//! `coordgraph network`: build co-action graphs and write their edge lists as CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use coordgraph::export::atomic::write_atomically;
use coordgraph::graph::{
    Backbone, CoActionKind, CoActionOptions, CooRTweetOptions, EdgeCsvColumns, EdgeCsvFormat,
    PairedLayer, Weighting, coortweet_compatible,
};
use coordgraph::ingest::{Ingest, Parts};

use super::Global;
use super::input::InputArgs;

#[derive(Debug, Args)]
pub(crate) struct NetworkArgs {
    /// Co-action kinds, comma-separated: co-retweet, co-quote, co-reply, co-hashtag, co-url,
    /// co-domain, co-mention, co-text, near-duplicate-text, co-post, co-object.
    #[arg(value_name = "KIND[,KIND...]")]
    kinds: String,

    #[command(flatten)]
    input: InputArgs,

    /// Where to write the edge list (CSV); `-` or nothing writes to standard output. With
    /// several kinds, a first column `kind` tells the layers apart.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// W: two actions co-act when |Δt| ≤ W seconds (inclusive).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    window: u32,

    /// Drop edges whose weight is below this.
    #[arg(long, default_value_t = 0.0)]
    min_weight: f64,

    /// Leave out accounts with fewer actions of the kind.
    #[arg(long, default_value_t = 1)]
    min_participation: u32,

    /// Texts shorter than this (normalised, in characters) are not co-text actions.
    #[arg(long, default_value_t = 10)]
    min_text_chars: usize,

    /// Near-duplicate text: the least Jaccard similarity of two texts' word sets.
    #[arg(long, default_value_t = 0.8)]
    similarity: f64,

    /// Edge weight: `count` (distinct objects co-acted on), `crowd` (the same, an object on
    /// which more than `--crowd` actions fall within one window counting `crowd / peak`) or
    /// `tfidf` (cosine of TF-IDF rows, Pacheco et al. 2021).
    #[arg(long, default_value = "count", value_parser = ["count", "crowd", "tfidf"])]
    weighting: String,

    /// With `--weighting crowd`: the largest peak crowd an object counts in full for.
    #[arg(long, default_value_t = coordgraph::analyze::DEFAULT_CROWD, value_name = "ACTIONS")]
    crowd: u32,

    /// Keep only the heaviest edges: `fraction:F` (top F of all edges) or `top:K` (K per node).
    #[arg(long, value_name = "SPEC")]
    backbone: Option<String>,

    /// The most co-action pairs one object may materialise (see the README's memory bound).
    #[arg(long, default_value_t = 10_000_000)]
    max_pairs_per_object: u64,

    /// Reproduce CooRTweet 2.1.3 instead (one kind; writes
    /// `source,target,weight,avg_time_delta,weight_threshold`); `--window`,
    /// `--min-participation` and `--edge-weight` take CooRTweet's meaning.
    #[arg(long)]
    coortweet: bool,

    /// CooRTweet's `edge_weight`: the quantile of the weights above which an edge is marked.
    #[arg(long, default_value_t = 0.5, requires = "coortweet")]
    edge_weight: f64,

    /// Add `source_first,target_first` columns: the pairs in which each account acted
    /// strictly first (who leads, who follows).
    #[arg(long)]
    leads: bool,

    /// Add `source_handle,target_handle` columns.
    #[arg(long)]
    handles: bool,
}

fn parse_backbone(spec: Option<&str>) -> Result<Backbone> {
    let Some(spec) = spec else {
        return Ok(Backbone::All);
    };
    if let Some(f) = spec.strip_prefix("fraction:") {
        return Ok(Backbone::TopFraction(
            f.parse().context("--backbone fraction:F needs a number")?,
        ));
    }
    if let Some(k) = spec.strip_prefix("top:") {
        return Ok(Backbone::TopKPerNode(
            k.parse().context("--backbone top:K needs a whole number")?,
        ));
    }
    bail!("--backbone takes fraction:F or top:K, not {spec:?}")
}

/// The optional parts of posts that the actions of `kind` rest on; the reader leaves out the
/// others (a co-retweet graph needs no text and no URLs). Accounts and posts come out the same
/// whatever the parts, so the edges do too.
fn parts_for(kind: CoActionKind) -> Parts {
    let none = Parts::NONE;
    match kind {
        CoActionKind::CoRetweet
        | CoActionKind::CoQuote
        | CoActionKind::CoReply
        | CoActionKind::CoMention
        | CoActionKind::CoPost => none,
        CoActionKind::CoHashtag => Parts {
            hashtags: true,
            ..none
        },
        CoActionKind::CoUrl => Parts { urls: true, ..none },
        CoActionKind::CoDomain => Parts {
            urls: true,
            domains: true,
            ..none
        },
        CoActionKind::CoText | CoActionKind::NearDuplicateText => Parts { text: true, ..none },
        CoActionKind::CoObject => Parts {
            objects: true,
            ..none
        },
    }
}

/// Reads the collection with the parts the kinds need.
fn read_for(args: &NetworkArgs, kinds: &[CoActionKind], global: &Global) -> Result<Ingest> {
    let mut opts = args.input.options()?;
    opts.parts = kinds
        .iter()
        .fold(Parts::NONE, |parts, &k| parts.union(parts_for(k)));
    args.input.read_with(&opts, global)
}

/// Runs `write` on the output: a file written atomically (a temporary file renamed over it
/// once complete, so an interrupted run leaves no half edge list), or standard output.
fn with_output(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>,
) -> Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_atomically(p, |file| write(file))
                .with_context(|| format!("cannot write {}", p.display()))
        }
        _ => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

pub(crate) fn run(args: &NetworkArgs, global: &Global) -> Result<ExitCode> {
    let kinds = args
        .kinds
        .split(',')
        .map(|k| {
            k.trim()
                .parse::<CoActionKind>()
                .map_err(|e| anyhow::anyhow!("{e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    if args.coortweet && (args.leads || args.handles) {
        bail!("--coortweet writes CooRTweet's columns; --leads and --handles do not apply");
    }
    let started = std::time::Instant::now();
    let ingest = read_for(args, &kinds, global)?;
    let c = &ingest.collection;
    let read_s = started.elapsed().as_secs_f64();
    if args.coortweet {
        let [kind] = kinds[..] else {
            bail!("--coortweet takes exactly one kind")
        };
        let opts = CooRTweetOptions {
            time_window_secs: args.window,
            min_participation: args.min_participation,
            edge_weight: args.edge_weight,
            max_pairs_per_object: args.max_pairs_per_object,
        };
        let net = coortweet_compatible(c, kind, &opts)?;
        for w in &net.warnings {
            eprintln!("coordgraph: warning: {w}");
        }
        with_output(args.output.as_ref(), |out| {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "source",
                "target",
                "weight",
                "avg_time_delta",
                "weight_threshold",
            ])?;
            for e in &net.edges {
                w.write_record([
                    c.account_id(e.source).as_ref(),
                    c.account_id(e.target).as_ref(),
                    &e.weight.to_string(),
                    &e.avg_time_delta.to_string(),
                    if e.weight_threshold { "TRUE" } else { "FALSE" },
                ])?;
            }
            w.flush()?;
            Ok(())
        })?;
        if !global.quiet {
            eprintln!(
                "coordgraph: {kind}: {} edges (CooRTweet mode, threshold {})",
                net.edges.len(),
                net.threshold
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let opts = CoActionOptions {
        window_secs: args.window,
        min_weight: args.min_weight,
        min_participation: args.min_participation,
        min_text_chars: args.min_text_chars,
        similarity_threshold: args.similarity,
        weighting: match args.weighting.as_str() {
            "tfidf" => Weighting::TfIdfCosine,
            "crowd" => Weighting::CrowdDiscounted { crowd: args.crowd },
            _ => Weighting::Count,
        },
        backbone: parse_backbone(args.backbone.as_deref())?,
        max_pairs_per_object: args.max_pairs_per_object,
    };
    opts.validate()?;
    let several = kinds.len() > 1;
    let columns = EdgeCsvColumns {
        leads: args.leads,
        handles: args.handles,
    };
    let mut pairs_s = 0.0;
    with_output(args.output.as_ref(), |out| {
        for (i, &kind) in kinds.iter().enumerate() {
            let pairs_started = std::time::Instant::now();
            let layer = PairedLayer::new(c, kind, &opts)?;
            pairs_s += pairs_started.elapsed().as_secs_f64();
            let mut format = EdgeCsvFormat::new(c, columns, layer.edges_at_most());
            if several {
                format = format.with_kind(kind);
            }
            if i == 0 {
                out.write_all(&format.header())?;
            }
            // The edges are made and written a run at a time, never held all at once.
            let graph = layer.stream(
                |edges| format.records(edges),
                |run| format.write_records(out, run),
            )?;
            // Capped objects are never silent: each one is named with what was left out.
            for w in &graph.warnings {
                eprintln!("coordgraph: warning: {w}");
            }
            if graph.stats.actions == 0 && !global.quiet {
                if args.min_participation > 1 {
                    eprintln!(
                        "coordgraph: warning: {kind}: no account has at least {} actions of this \
                         kind (--min-participation)",
                        args.min_participation
                    );
                } else {
                    eprintln!(
                        "coordgraph: warning: {kind}: the collection has no actions of this kind"
                    );
                }
            }
            if !global.quiet {
                eprintln!("coordgraph: {kind}: {} edges", graph.edges);
            }
        }
        out.flush()?;
        Ok(())
    })?;
    if global.verbose > 0 {
        eprintln!(
            "coordgraph: read {read_s:.3} s, pairs {pairs_s:.3} s, edges made and written {:.3} s",
            started.elapsed().as_secs_f64() - read_s - pairs_s
        );
    }
    Ok(ExitCode::SUCCESS)
}
