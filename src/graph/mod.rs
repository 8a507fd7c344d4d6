//! Graphs built from a collection, and the compact graph type the analytics run on:
//! [`csr::Csr`], an undirected weighted graph in compressed sparse row form.

pub mod csr;
