//! The list query (`limit`, `offset`, `status`, `mode`, `search`, ext `sort`): parsed from and written to a
//! URL query string, so the server and the dashboard's address bar agree on it.

use crate::error::FieldErrors;
use crate::link::LinkMode;
use crate::status::LinkStatus;
use crate::wire::WireEnum;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;
pub const SEARCH_MAX_CHARS: usize = 200;

crate::wire::wire_enum! {
    /// ext: the order of the list. `created`: newest first (the contract's order); `name`: A to
    /// Z; `revenue`: most money taken first.
    #[derive(Default)]
    pub enum LinkSort {
        #[default]
        Created,
        Name,
        Revenue,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: i64,
    pub offset: i64,
    pub status: Option<LinkStatus>,
    pub mode: Option<LinkMode>,
    pub search: Option<String>,
    pub sort: LinkSort,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { limit: DEFAULT_LIMIT, offset: 0, status: None, mode: None, search: None, sort: LinkSort::Created }
    }
}

impl ListQuery {
    /// Parses `limit=25&status=active…`. Unknown parameters are ignored; a repeated one is an error.
    pub fn parse(query: &str) -> Result<ListQuery, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut out = ListQuery::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let known = ["limit", "offset", "status", "mode", "search", "sort"];
            let Some(key) = known.into_iter().find(|k| *k == key) else { continue };
            if seen.iter().any(|s| s == key) {
                errors.add(key, "must be given at most once");
                continue;
            }
            seen.push(key.to_string());
            match key {
                "limit" => match value.parse::<i64>() {
                    Ok(n) if n >= 1 => out.limit = n.min(MAX_LIMIT),
                    Ok(_) => errors.add(key, "must be at least 1"),
                    Err(_) => errors.add(key, "must be a whole number"),
                },
                "offset" => match value.parse::<i64>() {
                    Ok(n) if n >= 0 => out.offset = n,
                    _ => errors.add(key, "must be a whole number, 0 or more"),
                },
                "status" => match LinkStatus::parse(&value) {
                    Some(s) => out.status = Some(s),
                    None => errors.add(key, "must be one of draft, active, inactive, archived, expired, completed"),
                },
                "mode" => match LinkMode::parse(&value) {
                    Some(m) => out.mode = Some(m),
                    None => errors.add(key, "must be one of custom, invoice, subscription"),
                },
                "sort" => match LinkSort::parse(&value) {
                    Some(sort) => out.sort = sort,
                    None => errors.add(key, "must be one of created, name, revenue"),
                },
                _ => {
                    let search = value.trim();
                    if search.chars().count() > SEARCH_MAX_CHARS {
                        errors.add(key, format!("must be at most {SEARCH_MAX_CHARS} characters"));
                    } else if search.contains('\0') {
                        errors.add(key, "must not contain NUL characters");
                    } else if !search.is_empty() {
                        out.search = Some(search.to_string());
                    }
                }
            }
        }
        errors.into_result(out)
    }

    /// The query string for this state, leaving out defaults (empty for the default list).
    pub fn to_query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        if self.limit != DEFAULT_LIMIT {
            out.append_pair("limit", &self.limit.to_string());
        }
        if self.offset != 0 {
            out.append_pair("offset", &self.offset.to_string());
        }
        if let Some(status) = self.status {
            out.append_pair("status", status.as_str());
        }
        if let Some(mode) = self.mode {
            out.append_pair("mode", mode.as_str());
        }
        if let Some(search) = &self.search {
            out.append_pair("search", search);
        }
        if self.sort != LinkSort::Created {
            out.append_pair("sort", self.sort.as_str());
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_clamping() {
        assert_eq!(ListQuery::parse("").unwrap(), ListQuery::default());
        assert_eq!(ListQuery::parse("limit=500").unwrap().limit, 100);
        assert_eq!(ListQuery::parse("search=%20%20").unwrap().search, None);
        assert_eq!(ListQuery::parse("whatever=1").unwrap(), ListQuery::default());
    }

    #[test]
    fn errors_name_the_parameter() {
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=abc", "limit"),
            ("offset=-1", "offset"),
            ("status=paused", "status"),
            ("mode=donation", "mode"),
            ("limit=1&limit=2", "limit"),
            ("sort=price", "sort"),
        ] {
            let errors = ListQuery::parse(query).unwrap_err();
            assert!(errors.get(field).is_some(), "{query}: {errors:?}");
        }
    }

    #[test]
    fn query_string_round_trips() {
        let q = ListQuery {
            limit: 50,
            offset: 100,
            status: Some(LinkStatus::Inactive),
            mode: Some(LinkMode::Invoice),
            search: Some("café & co".into()),
            sort: LinkSort::Revenue,
        };
        assert_eq!(ListQuery::parse(&q.to_query_string()).unwrap(), q);
        assert_eq!(ListQuery::default().to_query_string(), "");
    }
}
