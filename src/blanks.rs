//! Texts with named blanks, `"S{id} leads term {term}"`, and their filling. Checkers write what
//! they saw so ([`crate::sim::Detail`]), and the lab writes its words so
//! ([`crate::view::i18n`]): the text with its blanks is what a translation is looked up by, and
//! the values go into the blanks of whichever language's text.

/// `template` with each blank (`{name}`) replaced by `value(name)`; a blank without a value
/// stays as written, so a slip shows instead of vanishing.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| value(&after[..close]).map(|v| (v, close))) {
            Some((v, close)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_filled_by_name_and_unknown_ones_stay() {
        let value = |n: &str| match n {
            "a" => Some("1".to_string()),
            "b" => Some("two".to_string()),
            _ => None,
        };
        assert_eq!(fill("{a} and {b}, {a}", value), "1 and two, 1");
        assert_eq!(fill("{a} {missing} {", value), "1 {missing} {");
    }
}
