//! Relay pagination over offset windows, with opaque cursors, a default page
//! size and a cap.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::errors::{bad_input, code, coded};
use crate::store::PageRequest;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The largest `first` or `last` a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The deepest position a cursor may point at. Deeper pages cost the
/// engines work in proportion to their depth (every item before them is
/// ranked or sorted); a client that walks a whole catalogue follows
/// `changes(since:)` instead.
pub const MAX_OFFSET: u64 = 10_000;

/// A position in a result list; opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub u64);

impl CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "not a cursor")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "not a cursor")?;
        let offset = text.strip_prefix("o:").ok_or("not a cursor")?;
        let offset: u64 = offset.parse().map_err(|_| "not a cursor")?;
        if offset > MAX_OFFSET {
            return Err("deeper than a list pages");
        }
        Ok(Cursor(offset))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("o:{}", self.0))
    }
}

/// Connection fields beyond Relay's.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ConnectionTotals {
    /// How many items match, on every page.
    pub total_count: u64,
}

/// A connection with `totalCount` and `nodes`.
pub type Page<T> = Connection<Cursor, T, ConnectionTotals>;

/// The arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// The part of a list one request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
    pub total: u64,
}

impl Window {
    /// For the store.
    pub fn request(self) -> PageRequest {
        PageRequest {
            offset: self.offset,
            limit: self.limit,
        }
    }
}

fn size(field: &str, value: Option<i32>) -> async_graphql::Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(bad_input(field, format!("must not be negative, got {n}"))),
        Some(n) if n > MAX_PAGE_SIZE => Err(bad_input(
            field,
            format!("at most {MAX_PAGE_SIZE} items a page, got {n}; page with `after`"),
        )),
        Some(n) => Ok(Some(n as u64)),
    }
}

fn cursor(field: &str, value: &Option<String>) -> async_graphql::Result<Option<u64>> {
    value
        .as_deref()
        .map(|s| {
            Cursor::decode_cursor(s).map(|c| c.0).map_err(|why| {
                let message = match why {
                    "deeper than a list pages" => format!(
                        "{s:?} points deeper than the {MAX_OFFSET} items a list pages through; \
                         narrow the filter, or follow changes(since:) to walk everything"
                    ),
                    _ => format!("{s:?} is not a cursor of this list"),
                };
                coded(code::INVALID_CURSOR, field, message)
            })
        })
        .transpose()
}

impl PageArgs {
    /// The window these arguments select from a list of `total` items.
    pub fn window(&self, total: u64) -> async_graphql::Result<Window> {
        let first = size("first", self.first)?;
        let last = size("last", self.last)?;
        if first.is_some() && last.is_some() {
            return Err(bad_input("last", "give either `first` or `last`, not both"));
        }
        let after = cursor("after", &self.after)?;
        let before = cursor("before", &self.before)?;
        let mut start = after.map_or(0, |a| a.saturating_add(1)).min(total);
        let mut end = before.map_or(total, |b| b.min(total)).max(start);
        match (first, last) {
            (_, Some(last)) => start = start.max(end.saturating_sub(last)),
            (Some(first), None) => end = end.min(start.saturating_add(first)),
            (None, None) => end = end.min(start.saturating_add(DEFAULT_PAGE_SIZE as u64)),
        }
        Ok(Window {
            offset: start,
            limit: end - start,
            total,
        })
    }
}

/// Builds the connection for `items`, the rows of `window`.
pub fn connection<T: OutputType>(window: Window, items: Vec<T>) -> Page<T> {
    let end = window.offset + items.len() as u64;
    let mut page = Connection::with_additional_fields(
        window.offset > 0,
        end < window.total,
        ConnectionTotals {
            total_count: window.total,
        },
    );
    page.edges.extend(
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Edge::new(Cursor(window.offset + i as u64), item)),
    );
    page
}

/// Pages through a list already in memory.
pub fn slice<T: OutputType + Clone>(args: &PageArgs, all: &[T]) -> async_graphql::Result<Page<T>> {
    let window = args.window(all.len() as u64)?;
    let start = window.offset as usize;
    let items = all[start..start + window.limit as usize].to_vec();
    Ok(connection(window, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        first: Option<i32>,
        after: Option<u64>,
        last: Option<i32>,
        before: Option<u64>,
    ) -> PageArgs {
        PageArgs {
            first,
            after: after.map(|a| Cursor(a).encode_cursor()),
            last,
            before: before.map(|b| Cursor(b).encode_cursor()),
        }
    }

    #[test]
    fn first_after_selects_the_items_following_the_cursor() {
        let w = args(Some(5), Some(4), None, None).window(12).unwrap();
        assert_eq!((w.offset, w.limit), (5, 5));
    }

    #[test]
    fn last_before_selects_the_items_preceding_the_cursor() {
        let w = args(None, None, Some(3), Some(10)).window(12).unwrap();
        assert_eq!((w.offset, w.limit), (7, 3));
        let w = args(None, None, Some(3), None).window(12).unwrap();
        assert_eq!((w.offset, w.limit), (9, 3));
    }

    #[test]
    fn no_size_means_the_default_page_and_too_large_is_an_error() {
        let w = PageArgs::default().window(500).unwrap();
        assert_eq!(w.limit, DEFAULT_PAGE_SIZE as u64);
        assert!(args(Some(101), None, None, None).window(500).is_err());
        assert!(args(Some(-1), None, None, None).window(500).is_err());
        assert!(args(Some(1), None, Some(1), None).window(500).is_err());
    }

    #[test]
    fn a_cursor_past_the_end_gives_an_empty_page() {
        let w = args(Some(5), Some(99), None, None).window(10).unwrap();
        assert_eq!(w.limit, 0);
    }

    #[test]
    fn a_cursor_deeper_than_a_list_pages_is_refused_and_none_overflows() {
        for deep in [MAX_OFFSET + 1, u64::MAX, u64::MAX - 1] {
            let forged = PageArgs {
                first: Some(20),
                after: Some(URL_SAFE_NO_PAD.encode(format!("o:{deep}"))),
                ..PageArgs::default()
            };
            let e = forged.window(u64::MAX).unwrap_err();
            assert!(e.message.contains("deeper"), "{}", e.message);
        }
        let deepest = args(Some(20), Some(MAX_OFFSET), None, None)
            .window(u64::MAX)
            .unwrap();
        assert_eq!((deepest.offset, deepest.limit), (MAX_OFFSET + 1, 20));
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        let bad = PageArgs {
            after: Some("bm9wZQ".into()),
            ..PageArgs::default()
        };
        assert!(bad.window(10).is_err());
    }
}
