//! Embeds the subset of the font a document uses, so the PDF prints the same everywhere.
//!
//! The font goes in as a composite (Type0) font with the Identity-H encoding over a CID font:
//! CIDFontType0 with the bare CFF program (FontFile3 / CIDFontType0C) for CFF outlines like
//! Noto Sans CJK, CIDFontType2 with the TrueType subset (FontFile2) otherwise. Only the glyphs
//! used are kept (`subsetter` renumbers them and makes CID = glyph id), a /W array carries their
//! real widths, and a ToUnicode CMap maps them back to text for search and copy.

use std::hash::{DefaultHasher, Hash, Hasher};

use kernel::{Error, Result};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::writers::WMode;
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use ttf_parser::Tag;

use crate::font::Font;
use crate::glyphs::GlyphSet;
use crate::writer::deflate;

const SYSTEM_INFO: SystemInfo = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// The indirect objects that make up the embedded font; `type0` is what pages refer to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FontRefs {
    pub type0: Ref,
    pub cid_font: Ref,
    pub descriptor: Ref,
    pub to_unicode: Ref,
    pub program: Ref,
}

impl FontRefs {
    /// Allocates five consecutive references starting at `first`.
    pub(crate) fn starting_at(first: Ref) -> FontRefs {
        let n = first.get();
        FontRefs {
            type0: first,
            cid_font: Ref::new(n + 1),
            descriptor: Ref::new(n + 2),
            to_unicode: Ref::new(n + 3),
            program: Ref::new(n + 4),
        }
    }

    pub(crate) fn next_free(&self) -> Ref {
        self.program.next()
    }
}

/// Writes the font objects for the glyphs in `glyphs`.
pub(crate) fn embed_font(chunk: &mut Chunk, refs: FontRefs, font: &Font, glyphs: &GlyphSet) -> Result<()> {
    let cff = font.is_cff();
    let base_font = format!("{}+{}", subset_tag(glyphs), font.postscript_name());
    let type0_name = if cff { format!("{base_font}-Identity-H") } else { base_font.clone() };

    chunk
        .type0_font(refs.type0)
        .base_font(Name(type0_name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid_font)
        .to_unicode(refs.to_unicode);

    let face = font.face();
    let widths: Vec<f32> = glyphs
        .original_glyphs()
        .map(|glyph| font.to_pdf_units(f32::from(face.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0))))
        .collect();
    let mut cid = chunk.cid_font(refs.cid_font);
    cid.subtype(if cff { CidFontType::Type0 } else { CidFontType::Type2 });
    cid.base_font(Name(base_font.as_bytes()));
    cid.system_info(SYSTEM_INFO);
    cid.font_descriptor(refs.descriptor);
    cid.default_width(1000.0);
    if !cff {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    cid.widths().consecutive(0, widths);
    cid.finish();

    let bbox = face.global_bounding_box();
    let units = |v: i16| font.to_pdf_units(f32::from(v));
    let mut descriptor = chunk.font_descriptor(refs.descriptor);
    descriptor
        .name(Name(base_font.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(units(bbox.x_min), units(bbox.y_min), units(bbox.x_max), units(bbox.y_max)))
        .italic_angle(0.0)
        .ascent(units(face.ascender()))
        .descent(units(face.descender()))
        .cap_height(units(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0);
    if cff {
        descriptor.font_file3(refs.program);
    } else {
        descriptor.font_file2(refs.program);
    }
    descriptor.finish();

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
    for (cid, text) in glyphs.texts() {
        cmap.pair_with_multiple(cid, text.chars());
    }
    let cmap = deflate(&cmap.finish());
    chunk.cmap(refs.to_unicode, &cmap).writing_mode(WMode::Horizontal).filter(Filter::FlateDecode);

    let program = deflate(&subset(font, glyphs)?);
    let mut stream = chunk.stream(refs.program, &program);
    stream.filter(Filter::FlateDecode);
    if cff {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    }
    stream.finish();
    Ok(())
}

/// The font program of the subset: the bare CFF table for CFF outlines (what FontFile3 /
/// CIDFontType0C expects), the whole TrueType font otherwise.
fn subset(font: &Font, glyphs: &GlyphSet) -> Result<Vec<u8>> {
    let failed = |reason: String| {
        Error::internal(format!("subsetting {} failed: {reason}", font.postscript_name()))
            .with_param("font", font.postscript_name())
    };
    let subset = subsetter::subset(font.data(), font.index(), glyphs.remapper()).map_err(|e| failed(e.to_string()))?;
    if !font.is_cff() {
        return Ok(subset);
    }
    let face = ttf_parser::RawFace::parse(&subset, 0).map_err(|e| failed(e.to_string()))?;
    let cff = face.table(Tag::from_bytes(b"CFF ")).ok_or_else(|| failed("the subset has no CFF table".into()))?;
    Ok(cff.to_vec())
}

/// Six capital letters naming this subset ("ABCDEF+NotoSansCJKsc-Regular"), as PDF requires for
/// subset fonts; derived from the glyphs so equal subsets get equal names.
fn subset_tag(glyphs: &GlyphSet) -> String {
    let mut hasher = DefaultHasher::new();
    glyphs.original_glyphs().for_each(|g| g.hash(&mut hasher));
    let mut hash = Hasher::finish(&hasher);
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}
