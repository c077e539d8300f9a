//! Dispatch in pure code, used by the simulator (`dabba simulate`) and, next, by the live server:
//! travel time as a port ([`travel`]), what a round works on ([`round`]), the two policies
//! ([`batch`], the default, and [`greedy`], kept to compare against), the Meal Delivery Routing
//! Problem's instances ([`mdrp`]) and a minute-by-minute simulator that replays one through
//! either ([`sim`]). No I/O: callers read and write the files.

pub mod batch;
pub mod greedy;
pub mod mdrp;
pub mod metrics;
pub mod round;
pub mod sim;
pub mod travel;
