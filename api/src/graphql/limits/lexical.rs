//! A scan of the raw document before it is parsed: the parser recurses once
//! per nested `{`, `[` or `(`, so a document of a few hundred kilobytes of
//! brackets could exhaust the stack. This counts the nesting without
//! recursion, skipping strings, block strings and comments. It also counts
//! aliases, so an alias bomb is refused before the parser spends time on it.

/// What the scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// The deepest bracket nesting.
    pub depth: usize,
    /// Colons outside parentheses: in GraphQL only an alias has one there.
    pub aliases: usize,
}

/// The deepest bracket nesting in `text`.
pub fn bracket_depth(text: &str) -> usize {
    scan(text).depth
}

/// Scans `text` once.
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    let (mut parens, mut aliases) = (0usize, 0usize);
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
                parens += usize::from(bytes[i] == b'(');
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                if bytes[i] == b')' {
                    parens = parens.saturating_sub(1);
                }
            }
            b':' if parens == 0 => aliases += 1,
            _ => {}
        }
        i += 1;
    }
    Scan {
        depth: deepest,
        aliases,
    }
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
    fn colons_outside_parentheses_are_aliases() {
        let q = "query($a: Int = 1) { x: courses(first: $a, filter: { freeOnly: true }) { y: totalCount } z: regions { code } }";
        assert_eq!(super::scan(q).aliases, 3);
        assert_eq!(super::scan("{ a(s: \"x: y\") # b: c\n }").aliases, 0);
    }

    #[test]
    fn an_unterminated_string_ends_the_scan() {
        assert_eq!(bracket_depth("{ a(x: \"{{{"), 2);
    }
}
