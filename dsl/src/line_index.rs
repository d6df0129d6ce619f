//! Byte offsets to lines and character columns, for the terminal and JSON
//! renderings of diagnostics (columns count characters, not bytes).
//!
//! Every conversion is a binary search, never a scan of the line: a file
//! may be one line of a megabyte. Besides the line starts, the index
//! remembers each character that is not ASCII (its offset, and how many
//! bytes longer than one character every earlier such character is, summed
//! over the text so far); columns on ASCII-only stretches are byte
//! differences. The language server counts UTF-16 units instead, on top
//! of this index's line starts and non-ASCII characters (`osler_lsp::convert`).

use crate::span::floor_char_boundary;

/// Start offsets of every line of a text, and where its non-ASCII
/// characters are.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// The non-ASCII characters, in text order.
    wide: Vec<Wide>,
}

/// One non-ASCII character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Wide {
    /// Its byte offset.
    start: u32,
    /// Its length in bytes (2 to 4).
    len_utf8: u8,
    /// Bytes minus characters of every non-ASCII character before it.
    excess: u32,
}

/// A zero-based position: `column` counts characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LineCol {
    /// The line, from 0.
    pub line: u32,
    /// The character column within the line, from 0.
    pub column: u32,
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl LineIndex {
    /// Indexes `text` in one pass.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut wide = Vec::new();
        let mut excess = 0u32;
        let bytes = text.as_bytes();
        let mut index = 0;
        while index < bytes.len() {
            let byte = bytes[index];
            if byte.is_ascii() {
                if byte == b'\n' {
                    line_starts.push(to_u32(index + 1));
                }
                index += 1;
                continue;
            }
            // `index` is a character boundary: every ASCII byte is one.
            let Some(character) = text[index..].chars().next() else { break };
            let len_utf8 = character.len_utf8();
            wide.push(Wide { start: to_u32(index), len_utf8: len_utf8 as u8, excess });
            excess += to_u32(len_utf8 - 1);
            index += len_utf8;
        }
        LineIndex { line_starts, wide }
    }

    /// The byte offset where each line starts; the first is 0.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// Each non-ASCII character, in text order: its byte offset and its
    /// length in bytes (2 to 4). Other measures of columns (the language
    /// server's UTF-16 units) are built on these without scanning the text.
    pub fn non_ascii(&self) -> impl ExactSizeIterator<Item = (u32, u8)> + '_ {
        self.wide.iter().map(|wide| (wide.start, wide.len_utf8))
    }

    /// The line a byte offset is on (offsets past the end are on the last line).
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Bytes minus characters of every non-ASCII character that starts
    /// before `offset`.
    fn excess_before(&self, offset: u32) -> u32 {
        let before = self.wide.partition_point(|wide| wide.start < offset);
        match before.checked_sub(1).map(|last| &self.wide[last]) {
            Some(last) => last.excess + u32::from(last.len_utf8) - 1,
            None => 0,
        }
    }

    /// The line and character column of a byte offset (clamped to the text
    /// and to a character boundary).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = floor_char_boundary(text, offset as usize) as u32;
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = (offset - start) - (self.excess_before(offset) - self.excess_before(start));
        LineCol { line: line as u32, column }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// The conversion by scanning the text, as the index must answer.
    fn slow_line_col(text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32;
        let rest = before.rsplit('\n').next().unwrap_or("");
        LineCol { line, column: rest.chars().count() as u32 }
    }

    #[test]
    fn agrees_with_scanning_the_text() {
        for text in ["", "a", "\n", "ab\ncd\n", "é💡x\r\n日本\n\nz💡💡", "💡", "a\n💡b = 1\n", "x\u{0}é\n"]
        {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.line_col(text, offset as u32), slow_line_col(text, offset), "{text:?} {offset}");
            }
        }
    }

    #[test]
    fn long_lines_convert_every_offset() {
        let text = "a, é, 💡, ".repeat(20_000);
        let index = LineIndex::new(&text);
        for (column, (offset, _)) in text.char_indices().enumerate() {
            assert_eq!(index.line_col(&text, offset as u32), LineCol { line: 0, column: column as u32 });
        }
    }
}
