//! Charts drawn as SVG on the server (line, bar, pie, funnel): no script, no external library,
//! escaped like every other output, and readable by screen readers through their titles.

use maud::{Markup, html};

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 200.0;
const PALETTE: [&str; 6] = ["#1d4ed8", "#b3261e", "#15803d", "#b45309", "#7c3aed", "#0e7490"];

/// One labelled value.
#[derive(Clone, Debug)]
pub struct Point {
    pub label: String,
    pub value: f64,
}

fn max_of(points: &[Point]) -> f64 {
    points.iter().map(|p| p.value).fold(0.0, f64::max).max(1.0)
}

fn frame(title: &str, body: Markup) -> Markup {
    frame_with(title, body, false)
}

/// Charts with nothing to show say so instead of drawing an empty frame.
fn empty(points: &[Point]) -> bool {
    points.iter().all(|p| p.value == 0.0)
}

fn frame_with(title: &str, body: Markup, no_data: bool) -> Markup {
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                (body)
                @if no_data { text x=(WIDTH / 2.0) y=(HEIGHT / 2.0) text-anchor="middle" { "—" } }
            }
            figcaption { (title) }
        }
    }
}

pub fn bar(title: &str, points: &[Point]) -> Markup {
    let max = max_of(points);
    let n = points.len().max(1) as f64;
    let slot = (WIDTH - 20.0) / n;
    frame(
        title,
        html! {
            @for (i, p) in points.iter().enumerate() {
                @let h = (HEIGHT - 40.0) * p.value / max;
                @let x = 10.0 + slot * i as f64 + slot * 0.15;
                rect x=(format!("{x:.1}")) y=(format!("{:.1}", HEIGHT - 25.0 - h)) width=(format!("{:.1}", slot * 0.7)) height=(format!("{h:.1}")) fill=(PALETTE[i % PALETTE.len()]) {
                    title { (p.label) ": " (p.value) }
                }
                text x=(format!("{:.1}", x + slot * 0.35)) y=(format!("{:.1}", HEIGHT - 10.0)) text-anchor="middle" { (p.label) }
                text x=(format!("{:.1}", x + slot * 0.35)) y=(format!("{:.1}", HEIGHT - 29.0 - h)) text-anchor="middle" { (p.value) }
            }
        },
    )
}

pub fn line(title: &str, points: &[Point]) -> Markup {
    let max = max_of(points);
    let n = (points.len().max(2) - 1) as f64;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (20.0 + (WIDTH - 40.0) * i as f64 / n, HEIGHT - 25.0 - (HEIGHT - 45.0) * p.value / max))
        .collect();
    let path: String =
        xy.iter().enumerate().map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" })).collect();
    frame(
        title,
        html! {
            line x1="20" y1=(HEIGHT - 25.0) x2=(WIDTH - 20.0) y2=(HEIGHT - 25.0) stroke="#d9dee4" {}
            path d=(path) fill="none" stroke=(PALETTE[0]) stroke-width="2" {}
            @for ((x, y), p) in xy.iter().zip(points) {
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" fill=(PALETTE[0]) { title { (p.label) ": " (p.value) } }
            }
            @if let (Some(first), Some(last)) = (points.first(), points.last()) {
                text x="20" y=(HEIGHT - 8.0) { (first.label) }
                text x=(WIDTH - 20.0) y=(HEIGHT - 8.0) text-anchor="end" { (last.label) }
            }
        },
    )
}

pub fn pie(title: &str, points: &[Point]) -> Markup {
    if empty(points) {
        return frame_with(title, html! {}, true);
    }
    let total: f64 = points.iter().map(|p| p.value).sum::<f64>().max(f64::MIN_POSITIVE);
    let (cx, cy, r) = (100.0, HEIGHT / 2.0, 80.0);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    let mut slices = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let sweep = 2.0 * std::f64::consts::PI * p.value / total;
        let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
        angle += sweep;
        let (x2, y2) = (cx + r * angle.cos(), cy + r * angle.sin());
        let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
        let d = if (p.value - total).abs() < f64::EPSILON {
            format!("M{cx},{} A{r},{r} 0 1 1 {cx},{} A{r},{r} 0 1 1 {cx},{}", cy - r, cy + r, cy - r)
        } else {
            format!("M{cx},{cy} L{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2} Z")
        };
        slices.push((d, PALETTE[i % PALETTE.len()], p));
    }
    frame(
        title,
        html! {
            @for (d, color, p) in &slices {
                @if p.value > 0.0 { path d=(d) fill=(color) { title { (p.label) ": " (p.value) } } }
            }
            @for (i, (_, color, p)) in slices.iter().enumerate() {
                rect x="200" y=(20 + i * 20) width="12" height="12" fill=(color) {}
                text x="218" y=(30 + i * 20) { (p.label) " (" (p.value) ")" }
            }
        },
    )
}

pub fn funnel(title: &str, points: &[Point]) -> Markup {
    if empty(points) {
        return frame_with(title, html! {}, true);
    }
    let max = max_of(points);
    let n = points.len().max(1) as f64;
    let band = (HEIGHT - 10.0) / n;
    frame(
        title,
        html! {
            @for (i, p) in points.iter().enumerate() {
                @let w = (WIDTH - 140.0) * p.value / max;
                @let x = (WIDTH - 140.0 - w) / 2.0 + 10.0;
                rect x=(format!("{x:.1}")) y=(format!("{:.1}", 5.0 + band * i as f64)) width=(format!("{:.1}", w.max(1.0))) height=(format!("{:.1}", band * 0.8)) fill=(PALETTE[i % PALETTE.len()]) {
                    title { (p.label) ": " (p.value) }
                }
                text x=(WIDTH - 120.0) y=(format!("{:.1}", 5.0 + band * i as f64 + band * 0.5)) { (p.label) " " (p.value) }
            }
        },
    )
}
