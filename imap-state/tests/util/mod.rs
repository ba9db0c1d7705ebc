//! Test helpers shared by the test binaries: a scripted server in front of
//! a Client ([`client`]), and a harness around a Server with a simulated
//! clock and an application policy ([`server`], re-exported here).
#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod client;
pub mod pair;
pub mod server;

pub use server::*;
