//! Strategies for FETCH data items.
