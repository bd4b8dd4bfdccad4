//! The glyphs one document uses: the subset of the font it embeds, and what text each stands for.
//!
//! Text is written to the page as 2-byte glyph codes of the *subset* font (the subsetter renumbers
//! glyphs 0, 1, 2… in order of first use and makes the CID equal to the new glyph id). The same
//! pass records which characters each glyph came from, for the ToUnicode map that makes the PDF's
//! text searchable and copyable.

use std::collections::BTreeMap;

use subsetter::GlyphRemapper;

use crate::font::Font;

#[derive(Debug, Default)]
pub(crate) struct GlyphSet {
    remapper: GlyphRemapper,
    /// Subset glyph id → the text it was set for.
    text: BTreeMap<u16, String>,
}

impl GlyphSet {
    pub(crate) fn new() -> GlyphSet {
        GlyphSet::default()
    }

    /// Encodes `text` for a `Tj` operator with the Identity-H encoding, adding its glyphs to the
    /// subset.
    pub(crate) fn encode(&mut self, font: &Font, text: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = font.glyph(c);
            let cid = self.remapper.remap(glyph);
            if glyph != 0 {
                self.text.entry(cid).or_insert_with(|| c.to_string());
            }
            codes.extend_from_slice(&cid.to_be_bytes());
        }
        codes
    }

    pub(crate) fn remapper(&self) -> &GlyphRemapper {
        &self.remapper
    }

    /// The original glyph ids, in subset order (index = CID).
    pub(crate) fn original_glyphs(&self) -> impl Iterator<Item = u16> + '_ {
        self.remapper.remapped_gids()
    }

    /// (CID, text) pairs for the ToUnicode map.
    pub(crate) fn texts(&self) -> impl Iterator<Item = (u16, &str)> + '_ {
        self.text.iter().map(|(cid, text)| (*cid, text.as_str()))
    }
}
