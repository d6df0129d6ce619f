//! Byte offsets to lines and columns, for JSON output and the language
//! server (which counts UTF-16 code units).
//!
//! Every conversion is a binary search, never a scan of the line: a file
//! may be one line of a megabyte, and the language server converts a
//! position for every token of it. Besides the line starts, the index
//! remembers each character that is not ASCII (its offset, and how many
//! bytes it is longer than its count in characters and in UTF-16 units,
//! summed over the text so far); columns on ASCII-only stretches are byte
//! differences.

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
    /// Its length in UTF-16 units (1 or 2).
    len_utf16: u8,
    /// Bytes minus characters of every non-ASCII character before it.
    chars_excess: u32,
    /// Bytes minus UTF-16 units of every non-ASCII character before it.
    utf16_excess: u32,
}

/// A zero-based position: `column` counts characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut wide = Vec::new();
        let (mut chars_excess, mut utf16_excess) = (0u32, 0u32);
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
            let (len_utf8, len_utf16) = (character.len_utf8(), character.len_utf16());
            wide.push(Wide {
                start: to_u32(index),
                len_utf8: len_utf8 as u8,
                len_utf16: len_utf16 as u8,
                chars_excess,
                utf16_excess,
            });
            chars_excess += to_u32(len_utf8 - 1);
            utf16_excess += to_u32(len_utf8 - len_utf16);
            index += len_utf8;
        }
        LineIndex { line_starts, wide }
    }

    fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// How many non-ASCII characters start before `offset`.
    fn wide_before(&self, offset: u32) -> usize {
        self.wide.partition_point(|wide| wide.start < offset)
    }

    /// The excess (bytes minus units) of every non-ASCII character that
    /// starts before `offset`, with `excess` picking the kind of unit.
    fn excess_before(&self, offset: u32, excess: impl Fn(&Wide) -> u32, len: impl Fn(&Wide) -> u32) -> u32 {
        match self.wide_before(offset).checked_sub(1).map(|last| &self.wide[last]) {
            Some(last) => excess(last) + to_u32(last.len_utf8 as usize) - len(last),
            None => 0,
        }
    }

    /// The line of `offset` (clamped to the text and to a character
    /// boundary), its start, and the offset itself.
    fn locate(&self, text: &str, offset: u32) -> (usize, u32, u32) {
        let offset = floor_char_boundary(text, offset as usize) as u32;
        let line = self.line_of(offset);
        (line, self.line_starts[line], offset)
    }

    /// The line and character column of a byte offset (clamped to the text
    /// and to a character boundary).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let (line, start, offset) = self.locate(text, offset);
        let excess = |at| self.excess_before(at, |w| w.chars_excess, |_| 1);
        let column = (offset - start) - (excess(offset) - excess(start));
        LineCol { line: line as u32, column }
    }

    /// The line and UTF-16 column of a byte offset, as LSP counts them.
    pub fn line_utf16(&self, text: &str, offset: u32) -> LineCol {
        let (line, start, offset) = self.locate(text, offset);
        let column = self.utf16_between(start, offset);
        LineCol { line: line as u32, column }
    }

    /// UTF-16 units from `start` to `offset` (both character boundaries).
    fn utf16_between(&self, start: u32, offset: u32) -> u32 {
        let excess = |at| self.excess_before(at, |w| w.utf16_excess, |w| u32::from(w.len_utf16));
        (offset - start) - (excess(offset) - excess(start))
    }

    /// The byte offset of an LSP position (UTF-16 column), clamped to the
    /// line's end. A column inside a character (between the two halves of
    /// a surrogate pair) rounds up to the character's end.
    pub fn offset_utf16(&self, text: &str, position: LineCol) -> u32 {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return to_u32(text.len());
        };
        // The line's end, before its `\n`.
        let end = match self.line_starts.get(position.line as usize + 1) {
            Some(&next) => next - 1,
            None => to_u32(text.len()),
        };
        let column = position.column;
        // The line's non-ASCII characters, and the last one that starts
        // before the column.
        let (first, past) = (self.wide_before(start), self.wide_before(end));
        let in_line = &self.wide[first..past];
        let before = in_line.partition_point(|wide| self.utf16_between(start, wide.start) < column);
        let Some(wide) = before.checked_sub(1).map(|last| in_line[last]) else {
            // Only ASCII before the column.
            return start.saturating_add(column).min(end);
        };
        let wide_column = self.utf16_between(start, wide.start);
        let wide_end = wide.start + u32::from(wide.len_utf8);
        let after = wide_column + u32::from(wide.len_utf16);
        if column <= after {
            return wide_end;
        }
        // ASCII from the character's end up to the next non-ASCII
        // character, which starts at or after the column.
        wide_end.saturating_add(column - after).min(end)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conversions by scanning the text, as the index must answer.
    fn slow_line_col(text: &str, offset: usize, utf16: bool) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32;
        let rest = before.rsplit('\n').next().unwrap_or("");
        let column = if utf16 { rest.encode_utf16().count() } else { rest.chars().count() } as u32;
        LineCol { line, column }
    }

    fn slow_offset(text: &str, position: LineCol) -> u32 {
        let mut start = 0;
        for _ in 0..position.line {
            match text[start..].find('\n') {
                Some(newline) => start += newline + 1,
                None => return text.len() as u32,
            }
        }
        let line = &text[start..];
        let mut units = 0;
        for (index, character) in line.char_indices() {
            if units >= position.column || character == '\n' {
                return (start + index) as u32;
            }
            units += character.len_utf16() as u32;
        }
        text.len() as u32
    }

    #[test]
    fn agrees_with_scanning_the_text() {
        for text in ["", "a", "\n", "ab\ncd\n", "é💡x\r\n日本\n\nz💡💡", "💡", "a\n💡b = 1\n", "x\u{0}é\n"]
        {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(text, offset as u32),
                    slow_line_col(text, offset, false),
                    "{text:?} {offset}"
                );
                assert_eq!(
                    index.line_utf16(text, offset as u32),
                    slow_line_col(text, offset, true),
                    "{text:?} {offset}"
                );
            }
            for line in 0..6 {
                for column in 0..12 {
                    let position = LineCol { line, column };
                    assert_eq!(
                        index.offset_utf16(text, position),
                        slow_offset(text, position),
                        "{text:?} {position:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn long_lines_convert_every_offset() {
        let text = "a, é, 💡, ".repeat(20_000);
        let index = LineIndex::new(&text);
        let mut expected = 0;
        for (offset, character) in text.char_indices() {
            let position = index.line_utf16(&text, offset as u32);
            assert_eq!(position, LineCol { line: 0, column: expected });
            assert_eq!(index.offset_utf16(&text, position), offset as u32);
            expected += character.len_utf16() as u32;
        }
    }
}
