//! Dispatch in pure code, used by the simulator (`dabba simulate`) and, next, by the live server:
//! travel time as a port ([`travel`]), the Meal Delivery Routing Problem's instances
//! ([`mdrp`]), a minute-by-minute simulator that replays one ([`sim`]) and the policies it
//! compares ([`greedy`]). No I/O: callers read and write the files.

pub mod greedy;
pub mod mdrp;
pub mod metrics;
pub mod sim;
pub mod travel;
