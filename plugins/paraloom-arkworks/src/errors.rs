//! paraloom's own exception types, raised from Rust with the messages the other backends use.
//!
//! Importing them (rather than defining Rust-side exceptions) means callers catch one
//! `InvalidPointError` whichever backend is selected, and the CLI reports it as bad input.

pyo3::import_exception!(paraloom.errors, InvalidPointError);
pyo3::import_exception!(paraloom.errors, InvalidScalarError);
pyo3::import_exception!(paraloom.errors, LengthMismatchError);
pyo3::import_exception!(paraloom.errors, InvalidDomainError);
