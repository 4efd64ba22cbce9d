//! A scan of the raw document before it is parsed: the parser recurses once
//! per nested `{`, `[` or `(`, so a document of a few hundred kilobytes of
//! brackets could exhaust the stack. This counts the nesting without
//! recursion, skipping strings, block strings and comments.

/// The deepest bracket nesting in `text`.
pub fn bracket_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::bracket_depth;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        assert_eq!(bracket_depth("{ a(x: \"{{{[[[\") { b } }"), 2);
        assert_eq!(bracket_depth("# {{{{{\n{ a }"), 1);
        assert_eq!(bracket_depth("{ a(x: \"\"\" {{{ \\\"\"\" {{ \"\"\") }"), 2);
    }

    #[test]
    fn nested_lists_and_selections_count() {
        assert_eq!(bracket_depth("{ a(x: [[[[1]]]]) }"), 6);
        let bomb = "{a".repeat(10_000) + &"}".repeat(10_000);
        assert_eq!(bracket_depth(&bomb), 10_000);
    }

    #[test]
    fn an_unterminated_string_ends_the_scan() {
        assert_eq!(bracket_depth("{ a(x: \"{{{"), 2);
    }
}
