//! Byte spans, the one position type of the front end: syntax trees,
//! diagnostics and editor queries all speak in them. A leaf module, so
//! every other module can name it without importing the parser.

use std::fmt;

/// The largest character boundary of `text` at or before `offset`
/// (offsets past the end are the end): where a span from elsewhere, or an
/// editor's position, may safely cut the text.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A half-open byte range.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The span `start..end` (offsets past `u32::MAX` are clamped: larger
    /// files are refused before parsing).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: to_u32(start), end: to_u32(end) }
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: u32) -> Span {
        Span { start: self.start.saturating_add(offset), end: self.end.saturating_add(offset) }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// How many bytes the span covers.
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The span as a range, for slicing the text it points into.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `offset` is inside the span or at either end of it (a cursor
    /// just after a name is still on it).
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// Files larger than 4 GiB are refused before parsing, so offsets fit in `u32`.
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
