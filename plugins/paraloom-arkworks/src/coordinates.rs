//! Base-field coordinates at the boundary: Fq as an int, Fq2 as a pair of ints (c0, c1).
//!
//! Reading is split in two so that the GIL is held only for the Python part: `read` takes the
//! integers out of the Python objects (and checks their shape), `from_raw` checks them against
//! q and converts them to Montgomery form, which runs in parallel without the GIL.

use ark_bn254::{Fq, Fq2};
use ark_ff::{BigInt, Field, PrimeField};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyTuple};

use crate::ints::{read_u256, write_u256, Limbs};

pub trait Coordinate: Field {
    /// The canonical integers of one coordinate.
    type Raw: Copy + Send + Sync;

    /// The integers of a Python coordinate, or `None` when it is not of the documented shape
    /// (exact ints, as `type(c) is int` in the other backends) or wider than 256 bits.
    fn read(value: &Bound<'_, PyAny>) -> Option<Self::Raw>;

    /// The field element, or `None` when an integer is not below q.
    fn from_raw(raw: &Self::Raw) -> Option<Self>;

    fn to_raw(&self) -> Self::Raw;

    fn write<'py>(py: Python<'py>, raw: &Self::Raw) -> PyResult<Bound<'py, PyAny>>;

    /// Fq elements per coordinate, in the order files store them (c0 before c1).
    const DEGREE: usize;

    /// The coordinate made of `elements` (`DEGREE` of them, in storage order).
    fn from_elements(elements: &[Fq]) -> Self;
}

impl Coordinate for Fq {
    type Raw = Limbs;

    fn read(value: &Bound<'_, PyAny>) -> Option<Limbs> {
        if !value.is_exact_instance_of::<PyInt>() {
            return None;
        }
        read_u256(value.cast::<PyInt>().ok()?)
    }

    fn from_raw(raw: &Limbs) -> Option<Self> {
        Fq::from_bigint(BigInt::new(*raw))
    }

    fn to_raw(&self) -> Limbs {
        self.into_bigint().0
    }

    fn write<'py>(py: Python<'py>, raw: &Limbs) -> PyResult<Bound<'py, PyAny>> {
        write_u256(py, raw)
    }

    const DEGREE: usize = 1;

    fn from_elements(elements: &[Fq]) -> Self {
        elements[0]
    }
}

impl Coordinate for Fq2 {
    type Raw = [Limbs; 2];

    fn read(value: &Bound<'_, PyAny>) -> Option<Self::Raw> {
        let (c0, c1) = pair(value)?;
        Some([Fq::read(&c0)?, Fq::read(&c1)?])
    }

    fn from_raw(raw: &Self::Raw) -> Option<Self> {
        Some(Fq2::new(Fq::from_raw(&raw[0])?, Fq::from_raw(&raw[1])?))
    }

    fn to_raw(&self) -> Self::Raw {
        [self.c0.to_raw(), self.c1.to_raw()]
    }

    fn write<'py>(py: Python<'py>, raw: &Self::Raw) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyTuple::new(py, [Fq::write(py, &raw[0])?, Fq::write(py, &raw[1])?])?.into_any())
    }

    const DEGREE: usize = 2;

    fn from_elements(elements: &[Fq]) -> Self {
        Fq2::new(elements[0], elements[1])
    }
}

/// The two items of a tuple of length two (the shape of points and of Fq2 elements).
pub fn pair<'py>(value: &Bound<'py, PyAny>) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let tuple = value.cast::<PyTuple>().ok()?;
    if tuple.len() != 2 {
        return None;
    }
    Some((tuple.get_item(0).ok()?, tuple.get_item(1).ok()?))
}
