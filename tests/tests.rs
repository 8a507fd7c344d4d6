//! Integration tests, compiled as one binary.

mod community;
