/*!
Colours and sizes for drawing: distinct colours for flagged clusters by rank, grey for the
rest, and node sizes from a bot score or a degree. GEXF (`viz:color`, `viz:size`) and DOT use
the same values, so a cluster looks the same in Gephi and in Graphviz.
*/

use super::model::Rgb;

/// Colour of nodes outside every flagged cluster.
pub const UNFLAGGED: Rgb = Rgb::new(0xb4, 0xb4, 0xb4);

/// Kelly's colours of maximum contrast (K. L. Kelly, "Twenty-two colors of maximum contrast",
/// Color Engineering 3(6), 1965), without white, black and the greys, most distinct first.
const KELLY: [Rgb; 19] = [
    Rgb::new(0xe2, 0x58, 0x22), // reddish orange
    Rgb::new(0x2b, 0x3d, 0x26), // olive green
    Rgb::new(0x00, 0x67, 0xa5), // blue
    Rgb::new(0xf3, 0xc3, 0x00), // yellow
    Rgb::new(0x87, 0x56, 0x92), // purple
    Rgb::new(0xbe, 0x00, 0x32), // red
    Rgb::new(0x00, 0x88, 0x56), // green
    Rgb::new(0xf3, 0x84, 0x00), // orange
    Rgb::new(0xa1, 0xca, 0xf1), // light blue
    Rgb::new(0xe6, 0x8f, 0xac), // pink
    Rgb::new(0x88, 0x2d, 0x17), // reddish brown
    Rgb::new(0x8d, 0xb6, 0x00), // yellow green
    Rgb::new(0x65, 0x45, 0x22), // yellowish brown
    Rgb::new(0xf9, 0x93, 0x79), // yellowish pink
    Rgb::new(0x60, 0x4e, 0x97), // violet
    Rgb::new(0xf6, 0xa6, 0x00), // orange yellow
    Rgb::new(0xb3, 0x44, 0x6c), // purplish red
    Rgb::new(0xdc, 0xd3, 0x00), // greenish yellow
    Rgb::new(0xc2, 0xb2, 0x80), // buff
];

/// The colour of the flagged cluster of rank `rank` (1 = most suspicious).
///
/// Ranks 1–19 get Kelly's colours, in order; later ranks walk the hue circle by the golden
/// angle at full saturation, so neighbours in rank stay apart and none is grey. Rank 0 is
/// treated as rank 1.
pub fn flagged_color(rank: u32) -> Rgb {
    let i = rank.saturating_sub(1) as usize;
    if let Some(c) = KELLY.get(i) {
        return *c;
    }
    let hue = (i as f64 * 137.507_764) % 360.0;
    hsv(hue, 0.75, 0.85)
}

/// The colour of a node: its flagged cluster's rank colour, or [`UNFLAGGED`] grey.
pub fn cluster_color(flagged_rank: Option<u32>) -> Rgb {
    flagged_rank.map_or(UNFLAGGED, flagged_color)
}

/// Smallest and largest node size written by [`size_by_score`] and [`size_by_degree`].
pub const SIZE_RANGE: (f64, f64) = (4.0, 40.0);

/// Node size from a score in [0, 1] (a bot score), linear over [`SIZE_RANGE`]; out-of-range
/// and NaN scores are clamped (NaN counts as 0).
pub fn size_by_score(score: f64) -> f64 {
    let s = if score.is_nan() {
        0.0
    } else {
        score.clamp(0.0, 1.0)
    };
    SIZE_RANGE.0 + (SIZE_RANGE.1 - SIZE_RANGE.0) * s
}

/// Node size from a degree, by the square root of `degree / max_degree` (area grows with
/// degree) over [`SIZE_RANGE`].
pub fn size_by_degree(degree: u64, max_degree: u64) -> f64 {
    if max_degree == 0 {
        return SIZE_RANGE.0;
    }
    size_by_score((degree as f64 / max_degree as f64).sqrt())
}

fn hsv(hue: f64, s: f64, v: f64) -> Rgb {
    let c = v * s;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (hue / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let to_u8 = |f: f64| ((f + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb::new(to_u8(r), to_u8(g), to_u8(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: Rgb, b: Rgb) -> i32 {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).abs();
        d(a.r, b.r) + d(a.g, b.g) + d(a.b, b.b)
    }

    fn is_grey(c: Rgb) -> bool {
        c.r.abs_diff(c.g) < 16 && c.g.abs_diff(c.b) < 16 && c.r.abs_diff(c.b) < 16
    }

    #[test]
    fn flagged_colours_are_distinct_and_never_grey() {
        let colours: Vec<Rgb> = (1..=60).map(flagged_color).collect();
        for (i, a) in colours.iter().enumerate() {
            assert!(!is_grey(*a), "rank {} is grey: {a:?}", i + 1);
            assert!(
                distance(*a, UNFLAGGED) > 60,
                "rank {} too close to grey",
                i + 1
            );
            for (j, b) in colours.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "ranks {} and {} share a colour", i + 1, j + 1);
            }
        }
        assert_eq!(flagged_color(1), Rgb::new(0xe2, 0x58, 0x22));
        assert_eq!(flagged_color(0), flagged_color(1));
        assert_eq!(cluster_color(None), UNFLAGGED);
        assert_eq!(cluster_color(Some(3)), flagged_color(3));
    }

    #[test]
    fn sizes_span_the_range() {
        assert_eq!(size_by_score(0.0), 4.0);
        assert_eq!(size_by_score(1.0), 40.0);
        assert_eq!(size_by_score(7.0), 40.0);
        assert_eq!(size_by_score(f64::NAN), 4.0);
        assert_eq!(size_by_degree(0, 0), 4.0);
        assert_eq!(size_by_degree(25, 100), 22.0);
        assert_eq!(size_by_degree(100, 100), 40.0);
    }
}
