//! Which long URLs the shortener accepts: web links only (http and https with a host), parsed the
//! way a browser parses them (the WHATWG URL Standard, through the `url` crate), with the tricks
//! that turn a short link into an attack refused with a message that says why.
//!
//! A shortener hides where a link goes, so it must never hand out a link that runs code or reads
//! the visitor's disk: `javascript:` (runs script in whatever page follows it), `data:` (a whole
//! page inside the URL, a phishing favourite), `file:` (the visitor's own files). A link is first
//! trimmed the way browsers trim what is pasted into the address bar (leading and trailing spaces
//! and control characters; tabs and newlines anywhere), then refused if it is scheme-relative
//! (`//host`, whose scheme depends on the page it appears in), contains a backslash (servers and
//! browsers disagree on whether `\` is a `/`), carries a user name or password before an `@`
//! (`https://bank.com@evil.example/` goes to evil.example), or is not http(s). What is accepted
//! is stored in its serialized WHATWG form (`HTTPS://Example.COM` becomes `https://example.com/`,
//! `münchen.de` becomes its punycode `xn--mnchen-3ya.de`), so the same link written two ways is one
//! link, and the 2,048-character limit is measured on that form, the one redirected to. The same
//! check runs again before every redirect (see `service`), in case a stored row did not come
//! through this gate.

use url::Url;

/// The longest accepted URL, in characters of its serialized form (which is ASCII, so also in
/// bytes): a common limit of browsers and servers.
pub const MAX_URL_LEN: usize = 2048;

/// Why a URL was refused: the message a person reads.
pub type Refusal = String;

/// The URL as it will be stored and redirected to, or the reason it is refused.
pub fn check(input: &str) -> Result<String, Refusal> {
    // Browsers strip leading and trailing C0 controls and spaces, and ASCII tab and newline anywhere.
    let trimmed: String =
        input.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if trimmed.is_empty() {
        return Err("Enter a URL to shorten, starting with http:// or https://.".to_string());
    }
    if trimmed.contains('\\') {
        return Err("Backslashes are refused: browsers read \\ as /, so the link may lead elsewhere \
                    than it appears. Write the address with forward slashes."
            .to_string());
    }
    if trimmed.starts_with("//") {
        return Err("Scheme-relative links (starting with //) are refused: their scheme depends on the \
                    page they appear in. Start the link with https://."
            .to_string());
    }
    let url = match Url::parse(&trimmed) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(format!(
                "\"{}\" has no scheme: start the link with https:// (for example https://{}).",
                clip(&trimmed),
                clip(trimmed.trim_start_matches('/'))
            ));
        }
        Err(url::ParseError::EmptyHost) => {
            return Err(
                "The link has no host: write one after the scheme, as in https://example.com/.".into()
            );
        }
        Err(url::ParseError::InvalidPort) => {
            return Err(
                "The port is not a number from 0 to 65535: fix or remove it (the part after :).".into()
            );
        }
        Err(e) => return Err(format!("This is not a valid web address ({e}): check the host name.")),
    };
    match url.scheme() {
        "http" | "https" => {}
        "javascript" => {
            return Err("javascript: links run code in the page that opens them; only http and https \
                        links can be shortened."
                .to_string());
        }
        "data" => {
            return Err("data: links carry a whole page inside the link (a phishing favourite); only \
                        http and https links can be shortened."
                .to_string());
        }
        "file" => {
            return Err("file: links point into the visitor's own disk; only http and https links can \
                        be shortened."
                .to_string());
        }
        other => {
            return Err(format!("{other}: links are refused; only http and https links can be shortened."));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The link has no host: write one after the scheme, as in https://example.com/.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "Links with a user name or password before @ are refused: this one goes to {}, not to \
             what comes before the @.",
            url.host_str().unwrap_or_default()
        ));
    }
    // Measured on what is stored and redirected to, not on what was typed: the serialized form
    // is ASCII (spaces and other characters become %XX escapes, host names punycode), so its
    // length in characters is its length in bytes.
    let stored: String = url.into();
    if stored.len() > MAX_URL_LEN {
        let size = crate::format::group_digits(stored.len() as u128);
        return Err(if stored.len() > trimmed.len() {
            format!(
                "Written out as a web address (spaces and accented or non-Latin letters become %XX \
                 escapes, international host names punycode), this URL is {size} characters long; \
                 shorten links of at most 2,048 characters."
            )
        } else {
            format!("This URL is {size} characters long; shorten links of at most 2,048 characters.")
        });
    }
    Ok(stored)
}

/// At most 60 characters of a (refused) input, for a message.
fn clip(s: &str) -> String {
    if s.chars().count() <= 60 { s.to_string() } else { s.chars().take(59).chain(['…']).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legitimate_links_are_stored_in_their_serialized_form() {
        let table: [(&str, &str); 14] = [
            ("https://example.com", "https://example.com/"),
            ("http://example.com/a/b?c=d#e", "http://example.com/a/b?c=d#e"),
            ("  https://example.com/path \n", "https://example.com/path"),
            ("HTTPS://Example.COM/Path", "https://example.com/Path"),
            ("https://example.com:8443/x", "https://example.com:8443/x"),
            ("https://example.com:443/x", "https://example.com/x"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
            ("http://[::1]/", "http://[::1]/"),
            ("https://münchen.de/straße", "https://xn--mnchen-3ya.de/stra%C3%9Fe"),
            ("https://例え.jp/", "https://xn--r8jz45g.jp/"),
            (
                "https://en.wikipedia.org/wiki/URL_shortening#Techniques",
                "https://en.wikipedia.org/wiki/URL_shortening#Techniques",
            ),
            ("https://example.com/search?q=a b&lang=en", "https://example.com/search?q=a%20b&lang=en"),
            ("https://exam\tple.com/", "https://example.com/"),
            (
                "https://example.com/?redirect=javascript:alert(1)",
                "https://example.com/?redirect=javascript:alert(1)",
            ),
        ];
        for (input, stored) in table {
            assert_eq!(check(input).as_deref(), Ok(stored), "{input:?}");
        }
    }

    #[test]
    fn dangerous_and_malformed_links_are_refused_with_a_reason() {
        let table: [(&str, &str); 16] = [
            ("javascript:alert(1)", "javascript: links run code"),
            ("  JavaScript:alert(document.cookie)", "javascript: links run code"),
            ("java\nscript:alert(1)", "javascript: links run code"),
            ("data:text/html,<script>alert(1)</script>", "data: links carry a whole page"),
            ("file:///etc/passwd", "file: links point into the visitor's own disk"),
            ("ftp://example.com/file", "ftp: links are refused"),
            ("mailto:a@example.com", "mailto: links are refused"),
            ("//evil.example/path", "Scheme-relative links"),
            ("https:\\\\evil.example", "Backslashes are refused"),
            ("https://good.example\\@evil.example", "Backslashes are refused"),
            ("https://bank.example@evil.example/", "this one goes to evil.example"),
            ("https://user:pw@example.com/", "Links with a user name or password"),
            (
                "example.com/page",
                "\"example.com/page\" has no scheme: start the link with https:// (for example https://example.com/page).",
            ),
            ("", "Enter a URL to shorten"),
            ("https://", "The link has no host"),
            ("https://example.com:99999/", "The port is not a number"),
        ];
        for (input, message) in table {
            let refusal = check(input).expect_err(input);
            assert!(refusal.starts_with(message) || refusal.contains(message), "{input:?}: {refusal}");
        }
        assert_eq!(
            check("javascript:alert(1)").unwrap_err(),
            "javascript: links run code in the page that opens them; only http and https links can be shortened."
        );
        assert!(check("https://exa mple.com/").unwrap_err().starts_with("This is not a valid web address"));
    }

    #[test]
    fn the_length_limit_applies_to_the_url_as_stored() {
        let escaped = |size: &str| {
            format!(
                "Written out as a web address (spaces and accented or non-Latin letters become %XX escapes, \
                 international host names punycode), this URL is {size} characters long; shorten links of at \
                 most 2,048 characters."
            )
        };
        let plain = "This URL is 2,049 characters long; shorten links of at most 2,048 characters.";
        // (input, Ok(stored length) or Err(message)), with the lengths worked out by hand.
        let table: [(String, Result<usize, String>); 10] = [
            // 20 + 2,028 = 2,048: the longest accepted.
            (format!("https://example.com/{}", "a".repeat(2028)), Ok(2048)),
            (format!("https://example.com/{}", "a".repeat(2029)), Err(plain.to_string())),
            // é is 2 bytes typed and %C3%A9 (6 characters) stored: 20 + 338 × 6 = 2,048.
            (format!("https://example.com/{}", "é".repeat(338)), Ok(2048)),
            (format!("https://example.com/{}", "é".repeat(339)), Err(escaped("2,054"))),
            // The reviewer's case: 2,020 bytes typed, 20 + 1,000 × 6 = 6,020 stored.
            (format!("https://example.com/{}", "é".repeat(1000)), Err(escaped("6,020"))),
            // A space inside the path is %20: "a b" is 5 characters stored, 20 + 405 × 5 = 2,045.
            (format!("https://example.com/{}", "a b".repeat(405)), Ok(2045)),
            (format!("https://example.com/{}", "a b".repeat(406)), Err(escaped("2,050"))),
            // münchen.de (11 bytes) is xn--mnchen-3ya.de (17): 26 + 2,022 = 2,048.
            (format!("https://münchen.de/{}", "a".repeat(2022)), Ok(2048)),
            (format!("https://münchen.de/{}", "a".repeat(2023)), Err(escaped("2,049"))),
            // 2,054 typed, but the default port and the dot segment go: 20 + 2,028 = 2,048 stored.
            (format!("HTTPS://EXAMPLE.COM:443/./{}", "a".repeat(2028)), Ok(2048)),
        ];
        for (input, expected) in table {
            assert_eq!(check(&input).map(|stored| stored.len()), expected, "{} bytes typed", input.len());
        }
    }
}
