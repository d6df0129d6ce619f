//! Byte offsets to lines and columns, for JSON output and the language
//! server (which counts UTF-16 code units).

/// Start offsets of every line of a text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

/// A zero-based position: `column` counts characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        for (index, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                line_starts.push(u32::try_from(index + 1).unwrap_or(u32::MAX));
            }
        }
        LineIndex { line_starts }
    }

    fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The line and character column of a byte offset (clamped to the text
    /// and to a character boundary).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = floor_char_boundary(text, offset as usize);
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let column = text[start..offset].chars().count();
        LineCol { line: line as u32, column: column as u32 }
    }

    /// The line and UTF-16 column of a byte offset, as LSP counts them.
    pub fn line_utf16(&self, text: &str, offset: u32) -> LineCol {
        let offset = floor_char_boundary(text, offset as usize);
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let column: usize = text[start..offset].chars().map(char::len_utf16).sum();
        LineCol { line: line as u32, column: column as u32 }
    }

    /// The byte offset of an LSP position (UTF-16 column), clamped to the
    /// line's end.
    pub fn offset_utf16(&self, text: &str, position: LineCol) -> u32 {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len() as u32;
        };
        let end = self.line_starts.get(position.line as usize + 1).map_or(text.len(), |&next| next as usize);
        let line = &text[start as usize..end];
        let mut units = 0u32;
        for (index, character) in line.char_indices() {
            if units >= position.column || character == '\n' {
                return start + index as u32;
            }
            units += character.len_utf16() as u32;
        }
        end as u32
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
