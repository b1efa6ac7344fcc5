//! The registry: every protocol distlab holds, one line each. Everything above the protocols
//! takes them from here: the scenario loader and the CLI ([`crate::scenario::protocols`]), the
//! lab ([`crate::view::lab::LabRun::from_scenario`]), the pages and their bundles
//! ([`crate::view::family`]) and the shipped scenarios' catalogue ([`crate::view::shipped`]).
//! `docs/adding-a-protocol.md` lists what else a new protocol brings (its folder, its scenario
//! parser, its lab face), and `tests/registry.rs` fails while any of it is missing.
//!
//! A line names the protocol as scenario files do, as people write it, the family whose page
//! and bundle show it (also the Cargo feature that compiles it into a build), and its type. The
//! names are data every build has ([`REGISTRY`]), since a page must know where to send a run it
//! does not hold; the type is taken only by builds with the family's feature, through
//! [`for_each_protocol!`](crate::for_each_protocol).

/// Calls the macro `$then` with every protocol of the registry, each as
/// `"name", "Title", "family", Type;`. A layer that needs the types (the scenario loader, the
/// lab) writes a small macro that turns each line into its own entry, gated by
/// `#[cfg(feature = $family)]`, and calls this with it.
#[macro_export]
macro_rules! for_each_protocol {
    ($then:ident) => {
        $then! {
            "raft", "Raft", "raft", $crate::protocols::raft::Raft;
            "2pc", "2PC", "commit", $crate::protocols::commit::twopc::TwoPc;
            "3pc", "3PC", "commit", $crate::protocols::commit::threepc::ThreePc;
            "paxos", "Paxos", "paxos", $crate::protocols::paxos::single::Paxos;
            "multipaxos", "Multi-Paxos", "paxos", $crate::protocols::paxos::multi::MultiPaxos;
            "balancer", "load balancing", "balancer", $crate::protocols::balancer::Balancer;
        }
    };
}

/// A protocol of the registry, as every build knows it (whether or not it compiles it in).
#[derive(Debug, PartialEq, Eq)]
pub struct Registered {
    /// Its name in scenario files' `"protocol"` field.
    pub name: &'static str,
    /// Its name as people write it (`Multi-Paxos`).
    pub title: &'static str,
    /// The family whose page runs it, and the Cargo feature that compiles it in.
    pub family: &'static str,
}

macro_rules! names {
    ($($name:literal, $title:literal, $family:literal, $ty:ty;)*) => {
        /// Every protocol of the registry, in its order.
        pub const REGISTRY: &[Registered] = &[$(Registered { name: $name, title: $title, family: $family },)*];
    };
}
crate::for_each_protocol!(names);

/// The registered protocol called `name`.
pub fn registered(name: &str) -> Option<&'static Registered> {
    REGISTRY.iter().find(|r| r.name == name)
}

macro_rules! built {
    ($($name:literal, $title:literal, $family:literal, $ty:ty;)*) => {
        /// Whether this build compiles the protocol `name` in (its family's feature is on). A
        /// `const fn`, so that the shipped scenarios' catalogue can leave out, at compile time,
        /// the texts of the protocols a bundle does not run.
        pub const fn built(name: &str) -> bool {
            $(
                if same($name, name) {
                    return cfg!(feature = $family);
                }
            )*
            false
        }
    };
}
crate::for_each_protocol!(built);

/// `a == b`, in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
