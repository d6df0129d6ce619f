//! Byte scanning eight bytes at a time (the bit tricks memchr uses on a
//! `u64`), for the two hot loops over input: finding line ends in batch
//! input and the end of a plain string in the flat JSON reader.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Per byte of `word`, the high bit set where the byte is zero, and
/// possibly above such a byte (a borrow), never below: the lowest flagged
/// byte is always a true zero.
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// `word` read little-endian from eight bytes.
#[inline(always)]
fn word_of(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8]))
}

/// The position of the first `\n` in `bytes` from `from`.
pub(crate) fn next_line_end(bytes: &[u8], from: usize) -> Option<usize> {
    const LINE_ENDS: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut offset = from;
    for word in &mut words {
        // A byte of `word ^ "\n\n.."` is zero where `word` has a line end.
        let found = zero_bytes(word_of(word) ^ LINE_ENDS);
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words.remainder().iter().position(|&byte| byte == b'\n').map(|position| offset + position)
}

/// The position of the first quote, backslash or control character in
/// `bytes`.
pub(crate) fn string_length(bytes: &[u8]) -> Option<usize> {
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    const CONTROL: u64 = u64::from_ne_bytes([0xe0; 8]);
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in &mut words {
        let word = word_of(word);
        // A byte of `word ^ QUOTES` (`^ BACKSLASHES`) is zero where `word`
        // has a quote (backslash); a byte of `word & CONTROL` is zero below
        // 0x20.
        let found = zero_bytes(word ^ QUOTES) | zero_bytes(word ^ BACKSLASHES) | zero_bytes(word & CONTROL);
        if found != 0 {
            // The lowest flagged byte is a true match (flags above it may
            // be false ones, from a borrow); little-endian, so count from
            // the bottom.
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let rest = words.remainder();
    rest.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20).map(|position| offset + position)
}

#[cfg(test)]
mod tests {
    use super::{next_line_end, string_length};

    #[test]
    fn the_scanners_agree_with_a_plain_search() {
        let text = b"abcdefgh\"ijklmnop\\qrstuvwx\nyz\x01";
        for start in 0..text.len() {
            let rest = &text[start..];
            let plain = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            assert_eq!(string_length(rest), plain);
            let line = text[start..].iter().position(|&b| b == b'\n').map(|p| p + start);
            assert_eq!(next_line_end(text, start), line);
        }
    }
}
