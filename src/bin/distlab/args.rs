//! Hand-rolled argument parsing: `--flag value`, `--flag=value`, switches and positionals.

use std::str::FromStr;

use distlab::sim::Micros;

/// Parsed arguments of one command.
#[derive(Debug, Default)]
pub struct Flags {
    values: Vec<(&'static str, String)>,
    switches: Vec<&'static str>,
    /// Arguments that are not flags, in order.
    pub positional: Vec<String>,
}

impl Flags {
    /// Parses `args` for a command whose flags with a value are `valued` and whose flags
    /// without one are `switches` (both spelled with their leading `--`).
    pub fn parse(args: &[String], valued: &[&'static str], switches: &[&'static str]) -> Result<Flags, String> {
        let mut flags = Flags::default();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                flags.positional.extend(args[i..].iter().cloned());
                break;
            }
            if !arg.starts_with("--") || arg.len() == 2 {
                if arg.starts_with('-') && arg.len() > 1 && arg.parse::<f64>().is_err() {
                    return Err(format!("unknown option {arg}"));
                }
                flags.positional.push(arg.clone());
                continue;
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            if let Some(&known) = valued.iter().find(|&&v| v == name) {
                let value = match inline {
                    Some(v) => v,
                    None if i < args.len() => {
                        i += 1;
                        args[i - 1].clone()
                    }
                    None => return Err(format!("{name} needs a value")),
                };
                if flags.values.iter().any(|(n, _)| *n == known) {
                    return Err(format!("{name} is given twice"));
                }
                flags.values.push((known, value));
            } else if let Some(&known) = switches.iter().find(|&&s| s == name) {
                if inline.is_some() {
                    return Err(format!("{name} takes no value"));
                }
                flags.switches.push(known);
            } else {
                let mut all: Vec<&str> = valued.iter().chain(switches).copied().collect();
                all.sort_unstable();
                let expected = if all.is_empty() { "none".to_string() } else { all.join(", ") };
                return Err(format!("unknown option {name} (this command takes: {expected})"));
            }
        }
        Ok(flags)
    }

    /// The value of a flag, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Whether a switch is given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.contains(&name)
    }

    /// A flag's value parsed as `T`.
    pub fn num<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>, String> {
        self.get(name).map(|v| v.trim().parse::<T>().map_err(|_| format!("{name}: expected {what}, found \"{v}\""))).transpose()
    }

    /// A flag's value as milliseconds (fractions allowed), in whole µs.
    pub fn ms(&self, name: &str) -> Result<Option<Micros>, String> {
        let Some(x) = self.num::<f64>(name, "a number of milliseconds")? else {
            return Ok(None);
        };
        if !x.is_finite() || x < 0.0 || x * 1000.0 > distlab::scenario::json::MAX_US as f64 {
            return Err(format!("{name}: {x} is not a duration in milliseconds"));
        }
        Ok(Some((x * 1000.0).round() as Micros))
    }

    /// The single positional argument (a file), or an error naming the command.
    pub fn one_file(&self, command: &str) -> Result<&str, String> {
        match self.positional.as_slice() {
            [f] => Ok(f),
            [] => Err(format!("{command} needs a scenario FILE")),
            [_, extra, ..] => Err(format!("{command} takes one FILE, found also \"{extra}\"")),
        }
    }

    /// Fails if any positional argument was given.
    pub fn no_positional(&self, command: &str) -> Result<(), String> {
        match self.positional.first() {
            Some(p) => Err(format!("{command} takes no argument \"{p}\"")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Flags, String> {
        let args: Vec<String> = s.split_whitespace().map(String::from).collect();
        Flags::parse(&args, &["--seed", "--until-ms"], &["--json"])
    }

    #[test]
    fn reads_values_switches_and_files() {
        let f = parse("a.json --seed 7 --until-ms=12.5 --json").unwrap();
        assert_eq!(f.positional, vec!["a.json"]);
        assert_eq!(f.num::<u64>("--seed", "n").unwrap(), Some(7));
        assert_eq!(f.ms("--until-ms").unwrap(), Some(12_500));
        assert!(f.switch("--json"));
        assert_eq!(f.one_file("run").unwrap(), "a.json");
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        assert_eq!(parse("--sed 1").unwrap_err(), "unknown option --sed (this command takes: --json, --seed, --until-ms)");
        assert_eq!(parse("--seed").unwrap_err(), "--seed needs a value");
        assert_eq!(parse("--seed 1 --seed 2").unwrap_err(), "--seed is given twice");
        assert_eq!(parse("--json=1").unwrap_err(), "--json takes no value");
        assert_eq!(parse("-x").unwrap_err(), "unknown option -x");
        assert_eq!(parse("--seed x").unwrap().num::<u64>("--seed", "a seed").unwrap_err(), "--seed: expected a seed, found \"x\"");
        assert!(parse("--until-ms -5").unwrap().ms("--until-ms").is_err());
    }
}
