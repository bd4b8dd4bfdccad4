//! The drawing surface: A4 pages, text and rules, in top-down coordinates.
//!
//! Layout thinks in points from the top-left corner of the page, as one reads; PDF measures from
//! the bottom-left. This is the one place that converts, and the one place that writes content
//! stream operators, so the layout code reads like a description of the page.

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Name, Str};

use crate::font::Font;
use crate::glyphs::GlyphSet;

/// A4 portrait in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

/// The resource name of the document's only font.
pub(crate) const FONT_NAME: Name<'static> = Name(b"F1");

/// How a piece of text is set.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub size: f32,
    /// 0 black … 1 white.
    pub gray: f32,
    /// Simulated bold (the glyph outline is stroked too), for titles: the system font has
    /// one weight only.
    pub bold: bool,
    /// Extra space after each character, in points (spaced-out titles).
    pub spacing: f32,
}

impl Style {
    pub(crate) const fn new(size: f32) -> Style {
        Style { size, gray: 0.0, bold: false, spacing: 0.0 }
    }

    pub(crate) const fn gray(self, gray: f32) -> Style {
        Style { gray, ..self }
    }

    pub(crate) const fn bold(self) -> Style {
        Style { bold: true, ..self }
    }

    pub(crate) const fn spaced(self, spacing: f32) -> Style {
        Style { spacing, ..self }
    }
}

/// Pages being drawn, and the glyphs they use.
pub(crate) struct Canvas<'f> {
    font: &'f Font,
    glyphs: GlyphSet,
    pages: Vec<Content>,
    current: usize,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(font: &'f Font) -> Canvas<'f> {
        Canvas { font, glyphs: GlyphSet::new(), pages: Vec::new(), current: 0 }
    }

    pub(crate) fn font(&self) -> &'f Font {
        self.font
    }

    /// Starts a new page and draws on it from now on.
    pub(crate) fn add_page(&mut self) {
        self.pages.push(Content::new());
        self.current = self.pages.len() - 1;
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Draws on an earlier page again (page numbers are added once the count is known).
    pub(crate) fn select_page(&mut self, index: usize) {
        self.current = index.min(self.pages.len().saturating_sub(1));
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.add_page();
        }
        &mut self.pages[self.current]
    }

    /// The width of `text` in `style`, spacing included.
    pub(crate) fn measure(&self, text: &str, style: Style) -> f32 {
        self.font.measure(text, style.size) + style.spacing * text.chars().count() as f32
    }

    /// Sets `text` with its left end at `x` and its baseline at `baseline` (from the top).
    pub(crate) fn text(&mut self, x: f32, baseline: f32, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let codes = self.glyphs.encode(self.font, text);
        let content = self.content();
        content.save_state();
        content.set_fill_gray(style.gray);
        content.begin_text();
        content.set_font(FONT_NAME, style.size);
        if style.bold {
            content.set_stroke_gray(style.gray);
            content.set_line_width(style.size * 0.035);
            content.set_text_rendering_mode(TextRenderingMode::FillStroke);
        }
        if style.spacing != 0.0 {
            content.set_char_spacing(style.spacing);
        }
        content.next_line(x, PAGE_HEIGHT - baseline);
        content.show(Str(&codes));
        content.end_text();
        content.restore_state();
    }

    /// Sets `text` with its right end at `right`.
    pub(crate) fn text_right(&mut self, right: f32, baseline: f32, text: &str, style: Style) {
        let width = self.measure(text, style) - style.spacing;
        self.text(right - width, baseline, text, style);
    }

    /// Sets `text` centred on `center`.
    pub(crate) fn text_center(&mut self, center: f32, baseline: f32, text: &str, style: Style) {
        let width = self.measure(text, style) - style.spacing;
        self.text(center - width / 2.0, baseline, text, style);
    }

    /// A straight line `width` points thick.
    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        let content = self.content();
        content.set_line_width(width);
        content.move_to(from.0, PAGE_HEIGHT - from.1);
        content.line_to(to.0, PAGE_HEIGHT - to.1);
        content.stroke();
    }

    /// A filled rectangle with its top-left corner at (x, top).
    pub(crate) fn fill_rect(&mut self, x: f32, top: f32, width: f32, height: f32, gray: f32) {
        let content = self.content();
        content.save_state();
        content.set_fill_gray(gray);
        content.rect(x, PAGE_HEIGHT - top - height, width, height);
        content.fill_nonzero();
        content.restore_state();
    }

    /// The finished page contents and the glyphs they use.
    pub(crate) fn finish(self) -> (Vec<Vec<u8>>, GlyphSet) {
        (self.pages.into_iter().map(|page| page.finish().into_vec()).collect(), self.glyphs)
    }
}
