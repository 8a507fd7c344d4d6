/*!
URL normalisation, so that the same page shared with different tracking tags or host case counts
as one object.
*/

/// Query parameters that identify a campaign or click, not a page.
fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_")
        || matches!(
            lower.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "yclid"
                | "igshid"
                | "mc_cid"
                | "mc_eid"
                | "_ga"
                | "ref_src"
                | "ref_url"
        )
}

/// The normalised form of a URL: scheme and host lower-cased, default ports, fragments and
/// tracking parameters (`utm_*`, `fbclid`, `gclid`, …) removed, an empty query dropped. Path
/// and the other parameters keep their case and order. A string that is not an `http(s)` URL
/// (an id from a CSV column, say) is returned trimmed and otherwise unchanged. Empty input
/// gives an empty string, which callers treat as "no URL".
pub fn normalize_url(raw: &str) -> String {
    let raw = raw.trim();
    let Some(colon) = raw.find("://") else {
        return raw.to_string();
    };
    let scheme = raw[..colon].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return raw.to_string();
    }
    let rest = &raw[colon + 3..];
    let rest = rest.split('#').next().unwrap_or("");
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(host_end);
    // Drop credentials, lower-case the host, drop the default port.
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let mut host = host_port.to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    if host.ends_with(default_port) {
        host.truncate(host.len() - default_port.len());
    }
    if host.ends_with('.') {
        host.pop();
    }
    if host.is_empty() {
        return raw.to_string();
    }
    let (path, query) = match tail.find('?') {
        Some(q) => (&tail[..q], Some(&tail[q + 1..])),
        None => (tail, None),
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&scheme);
    out.push_str("://");
    out.push_str(&host);
    out.push_str(if path.is_empty() { "/" } else { path });
    if let Some(query) = query {
        let mut first = true;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split('=').next().unwrap_or("");
            if is_tracking_param(name) {
                continue;
            }
            out.push(if first { '?' } else { '&' });
            out.push_str(pair);
            first = false;
        }
    }
    out
}

/// The domain of a normalised URL: its host without a leading `www.`, or `None` when the
/// string is not an `http(s)` URL.
pub fn domain_of(normalized: &str) -> Option<&str> {
    let rest = normalized
        .strip_prefix("https://")
        .or_else(|| normalized.strip_prefix("http://"))?;
    let host = &rest[..rest.find('/').unwrap_or(rest.len())];
    let host = host.split(':').next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_scheme_host_tracking_and_fragment() {
        assert_eq!(
            normalize_url(" HTTPS://WWW.Example.COM:443/Path/A?utm_source=tw&id=3&fbclid=x#top "),
            "https://www.example.com/Path/A?id=3"
        );
        assert_eq!(normalize_url("http://ex.com"), "http://ex.com/");
        assert_eq!(
            normalize_url("http://ex.com/?utm_medium=a"),
            "http://ex.com/"
        );
        assert_eq!(
            normalize_url("http://ex.com:8080/a"),
            "http://ex.com:8080/a"
        );
        assert_eq!(normalize_url("23678"), "23678");
        assert_eq!(normalize_url(""), "");
        assert_eq!(normalize_url("ftp://x/y"), "ftp://x/y");
    }

    #[test]
    fn domains_drop_www_and_port() {
        assert_eq!(domain_of("https://www.example.com/a"), Some("example.com"));
        assert_eq!(domain_of("http://ex.com:8080/a"), Some("ex.com"));
        assert_eq!(domain_of("23678"), None);
    }
}
