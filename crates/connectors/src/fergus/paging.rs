//! Fergus's response envelope and its integer-offset page cursor.

use serde::Deserialize;
use serde_json::Value;

/// `{ "result": "success", "data": …, "paging": {…} }`. Everything optional:
/// the caller decides what is required.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope {
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Paging {
    #[serde(default)]
    pub per_page: Option<u64>,
    #[serde(default)]
    pub page_count: Option<u64>,
    /// Not documented; used when a server sends it.
    #[serde(
        default,
        alias = "totalCount",
        alias = "totalItems",
        alias = "totalRecords"
    )]
    pub total: Option<u64>,
    #[serde(default)]
    pub links: Option<PagingLinks>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PagingLinks {
    /// `self` and `previous` are not needed: paging only goes forward.
    #[serde(default)]
    pub next: Option<String>,
}

impl Paging {
    /// The total when the server says it, else the page-count estimate
    /// (`pageCount × perPage`, an upper bound).
    pub fn total(&self) -> Option<u64> {
        self.total.or_else(|| {
            let per_page = self.per_page?;
            let pages = self.page_count?;
            pages.checked_mul(per_page)
        })
    }

    pub fn next_link(&self) -> Option<&str> {
        self.links
            .as_ref()?
            .next
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    }
}

/// The `pageCursor` of a paging link. Fergus sometimes repeats the parameter
/// (`?pageCursor=0&pageSize=10&pageCursor=10`); the **last** occurrence is
/// the real one. `None` when the link has no usable integer cursor.
pub(crate) fn page_cursor_from_link(link: &str) -> Option<u64> {
    let query = link.split_once('?').map(|(_, q)| q)?;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .rfind(|(key, _)| *key == "pageCursor")
        .and_then(|(_, value)| value.trim().parse::<u64>().ok())
}

/// A cursor as the engine hands it back: the integer offset as text.
pub(crate) fn parse_cursor(cursor: &str) -> Option<u64> {
    cursor.trim().parse::<u64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_from_a_plain_link() {
        assert_eq!(
            page_cursor_from_link("/jobs?pageCursor=10&pageSize=10"),
            Some(10)
        );
        assert_eq!(
            page_cursor_from_link("https://api.fergus.com/jobs?pageSize=500&pageCursor=1500"),
            Some(1500)
        );
    }

    #[test]
    fn cursor_takes_the_last_of_repeated_parameters() {
        assert_eq!(
            page_cursor_from_link("/jobs?pageCursor=0&pageSize=10&pageCursor=10"),
            Some(10)
        );
        assert_eq!(
            page_cursor_from_link("/jobs?pageCursor=20&pageCursor=0&pageSize=10&pageCursor=30"),
            Some(30)
        );
    }

    #[test]
    fn cursor_missing_or_garbage_is_none() {
        assert_eq!(page_cursor_from_link("/jobs"), None);
        assert_eq!(page_cursor_from_link("/jobs?pageSize=10"), None);
        assert_eq!(page_cursor_from_link("/jobs?pageCursor=abc"), None);
        assert_eq!(page_cursor_from_link("/jobs?pageCursor=-5"), None);
        assert_eq!(page_cursor_from_link("/jobs?pageCursor="), None);
        assert_eq!(page_cursor_from_link(""), None);
        assert_eq!(page_cursor_from_link("/jobs?pageCursor=40#frag"), Some(40));
    }

    #[test]
    fn envelope_paging_parses_and_estimates_total() {
        let body = r#"{ "result": "success", "data": [],
            "paging": { "perPage": 10, "pageCount": 5,
              "links": { "self": "/jobs?pageCursor=0&pageSize=10", "previous": null,
                         "next": "/jobs?pageCursor=10&pageSize=10" } } }"#;
        let envelope: Envelope = serde_json::from_str(body).expect("parses");
        let paging = envelope.paging.expect("paging");
        assert_eq!(paging.total(), Some(50));
        assert_eq!(paging.next_link(), Some("/jobs?pageCursor=10&pageSize=10"));

        let last: Envelope = serde_json::from_str(
            r#"{"data":[],"paging":{"perPage":10,"pageCount":5,"total":42,"links":{"next":null}}}"#,
        )
        .expect("parses");
        let paging = last.paging.expect("paging");
        assert_eq!(paging.next_link(), None);
        assert_eq!(paging.total(), Some(42));
    }

    #[test]
    fn parse_cursor_accepts_only_offsets() {
        assert_eq!(parse_cursor("0"), Some(0));
        assert_eq!(parse_cursor(" 500 "), Some(500));
        assert_eq!(parse_cursor("x"), None);
        assert_eq!(parse_cursor("-1"), None);
    }
}
